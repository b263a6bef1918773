//! Everything an operator (or a test) can tune about a server, with the defaults the
//! issue and `WIRE.md` ask for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use miricat_shared::codec::DEFAULT_MAX_LINE_BYTES;
use miricat_shared::packet::message::DEFAULT_MAX_TEXT_BYTES;

use crate::hooks::Hooks;
use crate::image_quota::ImageStorageLimits;
use crate::membership_rate::MembershipLimits;

/// Default heartbeat rate advertised in `Authentication.Accepted` (milliseconds).
pub const DEFAULT_HEARTBEAT_MS: u64 = 30_000;
/// Default largest accepted image upload: 10 MiB (`WIRE.md` section 9).
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;
/// Default root account name.
pub const DEFAULT_ROOT_USER: &str = "root";

/// How a server is set up. Build one with [`Config::new`] and change the public
/// fields; every field has a sensible default so tests only set what they need.
///
/// ```no_run
/// # use miricat_server::Config;
/// let mut config = Config::new("/tmp/chat/miricat.db");
/// config.root_password = Some("secret".into());
/// config.heartbeat_ms = 200;
/// config.password_hashing = miricat_server::PasswordHashing::fast_for_tests();
/// ```
#[derive(Clone)]
pub struct Config {
    /// The SQLite database file (created if missing, with its parent directory).
    pub db_path: PathBuf,
    /// Where uploaded images are stored. `None`: `<db_path>.images/` next to the DB.
    pub image_dir: Option<PathBuf>,
    /// The root account's username.
    pub root_user: String,
    /// The root password. `Some` replaces the stored hash on every start; `None` keeps
    /// the stored one, or generates one (reported by [`crate::Server::generated_root_password`])
    /// when the database has none yet.
    pub root_password: Option<String>,
    /// `heartbeatRate` advertised to clients; a connection silent for three times this
    /// is closed with `Error.HeartbeatTimeout`.
    pub heartbeat_ms: u64,
    /// Whether `Authentication.Register` is served (`Error.AccessDenied` when not).
    pub allow_register: bool,
    /// Largest image upload in bytes.
    pub max_image_bytes: u64,
    /// Largest line in bytes; a longer line closes the connection.
    pub max_line_bytes: usize,
    /// Longest text, or image URL, one message may carry, in bytes of UTF-8: every
    /// accepted message is stored for good, so this bounds what one message costs
    /// the disk. A longer one gets `Error.MessageDataIncorrect`.
    pub max_text_bytes: usize,
    /// Most simultaneous connections; further connections wait in the kernel backlog.
    pub max_connections: usize,
    /// Most simultaneous connections from one client address (the PROXY-carried one
    /// when present); `0` means no limit. Extra connections are closed at once.
    pub max_connections_per_ip: usize,
    /// How long an uploaded image that no message references is kept.
    pub image_ttl: Duration,
    /// Image storage per user and in total, and the free disk space kept: uploads
    /// past them get `File.ImageUploadRejected` (see [`crate::image_quota`]).
    pub image_storage: ImageStorageLimits,
    /// Addresses allowed to send a PROXY protocol v2 header (the bridge). A header from
    /// any other address closes the connection.
    pub trusted_bridges: Vec<IpNet>,
    /// Per-connection request rate limit.
    pub rate_limit: RateLimit,
    /// How fast a connection, and a user across its connections, may join and leave
    /// rooms; faster changes get `Error.AccessDenied` ([`crate::membership_rate`]).
    pub membership_rate: MembershipLimits,
    /// Bounds on each connection's outbound queue.
    pub outbound: OutboundLimits,
    /// Argon2id parameters for new password hashes.
    pub password_hashing: PasswordHashing,
    /// Longest room name, in characters.
    pub max_room_name_chars: usize,
    /// Longest username, in characters.
    pub max_username_chars: usize,
    /// Whether the `history/1` extension is offered (`docs/extensions.md`): clients
    /// that ask for it may page through a room's stored messages and get `messageId`
    /// on live ones. Off, every sign-in agrees to nothing and history requests are
    /// `Error.PacketDataIncorrect`, as on a server that never heard of them.
    pub history: bool,
    /// How fast one connection is served `history/1` pages (each up to 512 KiB):
    /// faster requests wait, never fail. Enough to fill a gap of thousands of
    /// messages in seconds, while a client asking for pages in a loop cannot make the
    /// server encrypt more than a few MiB a second for it.
    pub history_rate: RateLimit,
    /// Pauses for tests ([`crate::hooks`]); none by default.
    pub hooks: Hooks,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The root password must never reach a log through Debug.
        f.debug_struct("Config")
            .field("db_path", &self.db_path)
            .field("image_dir", &self.image_dir)
            .field("root_user", &self.root_user)
            .field(
                "root_password",
                &self.root_password.as_ref().map(|_| "<redacted>"),
            )
            .field("heartbeat_ms", &self.heartbeat_ms)
            .field("allow_register", &self.allow_register)
            .field("max_image_bytes", &self.max_image_bytes)
            .field("max_line_bytes", &self.max_line_bytes)
            .field("max_text_bytes", &self.max_text_bytes)
            .field("max_connections", &self.max_connections)
            .field("max_connections_per_ip", &self.max_connections_per_ip)
            .field("image_ttl", &self.image_ttl)
            .field("image_storage", &self.image_storage)
            .field("trusted_bridges", &self.trusted_bridges)
            .field("rate_limit", &self.rate_limit)
            .field("membership_rate", &self.membership_rate)
            .field("outbound", &self.outbound)
            .field("password_hashing", &self.password_hashing)
            .field("max_room_name_chars", &self.max_room_name_chars)
            .field("max_username_chars", &self.max_username_chars)
            .field("history", &self.history)
            .field("history_rate", &self.history_rate)
            .field("hooks", &self.hooks)
            .finish()
    }
}

impl Config {
    /// A configuration with every default, storing its data at `db_path`.
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        Self {
            db_path: db_path.into(),
            image_dir: None,
            root_user: DEFAULT_ROOT_USER.to_owned(),
            root_password: None,
            heartbeat_ms: DEFAULT_HEARTBEAT_MS,
            allow_register: true,
            max_image_bytes: DEFAULT_MAX_IMAGE_BYTES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
            max_connections: 10_000,
            max_connections_per_ip: 0,
            image_ttl: Duration::from_secs(24 * 60 * 60),
            image_storage: ImageStorageLimits::default(),
            trusted_bridges: Vec::new(),
            rate_limit: RateLimit::default(),
            membership_rate: MembershipLimits::default(),
            outbound: OutboundLimits::default(),
            password_hashing: PasswordHashing::default(),
            max_room_name_chars: 64,
            max_username_chars: 64,
            history: true,
            history_rate: RateLimit {
                per_second: 10.0,
                burst: 20,
            },
            hooks: Hooks::default(),
        }
    }

    /// A configuration for tests: data at `db_path`, the given root password, fast
    /// password hashing.
    pub fn for_tests(db_path: impl Into<PathBuf>, root_password: &str) -> Self {
        Self {
            root_password: Some(root_password.to_owned()),
            password_hashing: PasswordHashing::fast_for_tests(),
            ..Self::new(db_path)
        }
    }

    /// The directory holding uploaded images.
    pub fn image_dir(&self) -> PathBuf {
        self.image_dir.clone().unwrap_or_else(|| {
            let mut name = self.db_path.file_name().unwrap_or_default().to_os_string();
            name.push(".images");
            self.db_path
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join(name)
        })
    }

    /// The heartbeat rate as a duration.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms.max(1))
    }

    /// How long a connection may stay silent (three heartbeats).
    pub fn silence_limit(&self) -> Duration {
        self.heartbeat() * 3
    }
}

/// A token bucket per connection. A client that sends faster is throttled: the server
/// stops reading its socket until a token is free, so TCP pushes back on it while
/// every other connection is served as usual. Nothing is dropped or refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests that may arrive at once after a quiet period.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        // An image upload at this rate moves about 9 MiB/s in 48 KiB parts.
        Self {
            per_second: 200.0,
            burst: 400,
        }
    }
}

/// Bounds on what may wait to be written to one client. Pushes (other users'
/// messages) that would go past them disconnect the client instead: a client that
/// cannot keep up must not make the server's memory grow. Replies to the client's own
/// requests (image download parts) wait for room instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundLimits {
    /// Most packets queued.
    pub max_packets: usize,
    /// Most bytes of JSON queued.
    pub max_bytes: usize,
}

impl Default for OutboundLimits {
    fn default() -> Self {
        Self {
            max_packets: 4096,
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Argon2id cost parameters for new hashes (existing hashes verify with the
/// parameters stored in them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashing {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Most hashes computed at once (each holds `memory_kib`); more wait their turn.
    pub max_concurrent: usize,
}

impl PasswordHashing {
    /// Tiny parameters so tests do not spend seconds hashing. Never use in production.
    pub fn fast_for_tests() -> Self {
        Self {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 4,
        }
    }
}

impl Default for PasswordHashing {
    fn default() -> Self {
        // The argon2 crate's defaults (OWASP's recommendation): 19 MiB, 2 passes.
        Self {
            memory_kib: argon2::Params::DEFAULT_M_COST,
            iterations: argon2::Params::DEFAULT_T_COST,
            parallelism: argon2::Params::DEFAULT_P_COST,
            max_concurrent: 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_root_password() {
        let c = Config::for_tests("x.db", "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn images_live_next_to_the_database() {
        let c = Config::new("/data/chat/miricat.db");
        assert_eq!(c.image_dir(), PathBuf::from("/data/chat/miricat.db.images"));
        let c = Config::new("miricat.db");
        assert_eq!(c.image_dir(), PathBuf::from("miricat.db.images"));
    }
}
