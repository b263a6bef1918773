//! The connection phase the status pill shows.

/// Where the connection is. Shown in the status pill (`data-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Not connected and not trying (before sign-in, after sign-out or a fatal error).
    #[default]
    Idle,
    /// Opening the WebSocket to the bridge.
    Connecting,
    /// Exchanging keys with the server.
    Securing,
    /// Logging in or registering.
    SigningIn,
    /// Signed in; messages flow.
    Online,
    /// Lost the connection; a reconnect is scheduled.
    Offline,
}

impl Phase {
    /// The stable `data-state` value tests read.
    pub fn data_state(self) -> &'static str {
        match self {
            Self::Idle | Self::Offline => "offline",
            Self::Connecting => "connecting",
            Self::Securing => "securing",
            Self::SigningIn => "signing-in",
            Self::Online => "online",
        }
    }

    /// The phase in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Idle => "Not connected",
            Self::Connecting => "Connecting…",
            Self::Securing => "Securing…",
            Self::SigningIn => "Signing in…",
            Self::Online => "Online",
            Self::Offline => "Offline",
        }
    }

    /// Whether a connection attempt is under way (the sign-in button waits).
    pub fn is_busy(self) -> bool {
        matches!(self, Self::Connecting | Self::Securing | Self::SigningIn)
    }
}
