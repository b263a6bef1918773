//! Everything that can end a `miricat` command, and the exit code each one gives.

use miricat_shared::packet::extension::Extension;
use miricat_shared::packet::{ErrorKind, ErrorPacket};
use miricat_shared::session::{HandshakeFailure, SessionError};
use thiserror::Error;

/// Bad flags or arguments.
pub const EXIT_USAGE: u8 = 1;
/// Could not connect, the handshake failed, or the server did not answer in time.
pub const EXIT_CONNECTION: u8 = 2;
/// Login or registration refused.
pub const EXIT_AUTH: u8 = 3;
/// The server answered a request with an error.
pub const EXIT_SERVER: u8 = 4;
/// `listen --count N` timed out before N messages.
pub const EXIT_TIMEOUT: u8 = 5;
/// The server does not offer an extension the command needs (`history`).
pub const EXIT_NOT_OFFERED: u8 = 6;

/// Why a command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// Flags that do not make sense together, or a bad argument.
    #[error("{0}")]
    Usage(String),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// The server (or bridge) could not be reached, or went away.
    #[error("connection: {0}")]
    Connection(String),
    /// The MCP handshake failed.
    #[error("handshake: {0}")]
    Handshake(#[from] HandshakeFailure),
    /// Login or Register was refused.
    #[error("sign-in refused: {} ({})", .0.kind.explanation(), .0)]
    Auth(ErrorPacket),
    /// A request was answered with an error.
    #[error("server error: {} ({})", .0.kind.explanation(), .0)]
    Server(ErrorPacket),
    /// The server answered in a way the protocol does not allow.
    #[error("unexpected reply: {0}")]
    Unexpected(String),
    /// `listen --count N` heard fewer than N messages in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The server left a step unanswered past `--timeout` (the handshake, the
    /// sign-in or a request): it is down, overloaded or does not serve that request.
    #[error("no answer: {0}")]
    NoAnswer(String),
    /// The server did not agree to an extension the command needs.
    #[error(
        "this server does not offer the {0} extension (only Miricat servers do, unless started with --no-history)"
    )]
    NotOffered(Extension),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            Self::File { .. } => EXIT_USAGE,
            Self::Connection(_) | Self::Handshake(_) | Self::NoAnswer(_) => EXIT_CONNECTION,
            Self::Auth(_) => EXIT_AUTH,
            Self::Server(_) | Self::Unexpected(_) => EXIT_SERVER,
            Self::Timeout(_) => EXIT_TIMEOUT,
            Self::NotOffered(_) => EXIT_NOT_OFFERED,
        }
    }

    /// Whether this is the server refusing our protocol version.
    pub fn is_unsupported_version(&self) -> bool {
        matches!(self, Self::Handshake(HandshakeFailure::Refused(e)) if e.kind == ErrorKind::UnsupportedVersion)
    }
}

impl From<SessionError> for CliError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::NotAgreed(extension) => Self::NotOffered(extension),
            other => Self::Connection(other.to_string()),
        }
    }
}
