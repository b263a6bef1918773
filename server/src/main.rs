//! `miricat-server`: flags and environment, tracing, bind, then [`miricat_server::Server`].

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use ipnet::IpNet;
use miricat_server::{Config, RateLimit, Server};

/// The Miricat MCP 2.1 chat server.
///
/// Every flag can also be set with the `MIRICAT_*` environment variable shown.
/// Logs go to stderr; set `RUST_LOG` (for example `RUST_LOG=debug`) to change the level.
#[derive(Parser)]
#[command(name = "miricat-server", version, about, long_about)]
struct Args {
    /// Address and port to listen on.
    #[arg(long, env = "MIRICAT_LISTEN", default_value = "127.0.0.1:3072")]
    listen: SocketAddr,

    /// SQLite database file (created if missing). Uploaded images are stored in
    /// `<db>.images/` next to it unless --image-dir says otherwise.
    #[arg(long, env = "MIRICAT_DB", default_value = "./miricat.db")]
    db: PathBuf,

    /// Directory for uploaded images.
    #[arg(long, env = "MIRICAT_IMAGE_DIR")]
    image_dir: Option<PathBuf>,

    /// Username of the root account (the only one allowed to manage rooms and users).
    #[arg(long, env = "MIRICAT_ROOT_USER", default_value = "root")]
    root_user: String,

    /// Root password; replaces the stored hash at every start. Without it the stored
    /// password is kept, or, on a fresh database, one is generated and printed once.
    #[arg(long, env = "MIRICAT_ROOT_PASSWORD", hide_env_values = true)]
    root_password: Option<String>,

    /// Heartbeat rate in milliseconds advertised to clients; a connection silent for
    /// three times this long is closed with Error.HeartbeatTimeout.
    #[arg(long, env = "MIRICAT_HEARTBEAT_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    heartbeat_ms: u64,

    /// Turn off Authentication.Register (it then answers Error.AccessDenied); only
    /// root can create accounts.
    #[arg(long, env = "MIRICAT_NO_REGISTER")]
    no_register: bool,

    /// Do not offer the history/1 extension: clients asking for it at sign-in are told
    /// the server agreed to nothing, so they cannot page through a room's stored
    /// messages, and live messages carry no messageId. Messages are stored either
    /// way; plain MCP 2.1 clients see no difference.
    #[arg(long, env = "MIRICAT_NO_HISTORY")]
    no_history: bool,

    /// Largest image upload in bytes (10 MiB by default).
    #[arg(long, env = "MIRICAT_MAX_IMAGE_BYTES", default_value_t = 10 * 1024 * 1024)]
    max_image_bytes: u64,

    /// Most bytes of images one user may hold (stored, plus uploads in progress at
    /// their announced size); an upload past it is answered File.ImageUploadRejected.
    /// 100 MiB by default: ten uploads of the largest size. Images are kept while a
    /// message references them, so without a quota one account could fill the disk.
    #[arg(long, env = "MIRICAT_MAX_IMAGE_STORAGE_PER_USER", default_value_t = miricat_server::image_quota::DEFAULT_IMAGE_QUOTA_PER_USER)]
    max_image_storage_per_user: u64,

    /// Most bytes of images all users together may hold (10 GiB by default); uploads
    /// past it are answered File.ImageUploadRejected, whoever sends them.
    #[arg(long, env = "MIRICAT_MAX_IMAGE_STORAGE", default_value_t = miricat_server::image_quota::DEFAULT_IMAGE_STORAGE_TOTAL)]
    max_image_storage: u64,

    /// Free disk space, in bytes, kept on the image directory's file system (1 GiB
    /// by default): uploads, and parts of uploads in progress, that would leave less
    /// are refused with File.ImageUploadRejected, so the database and the logs keep
    /// room to grow. 0 turns the check off.
    #[arg(long, env = "MIRICAT_MIN_FREE_DISK_BYTES", default_value_t = miricat_server::image_quota::DEFAULT_MIN_FREE_DISK)]
    min_free_disk_bytes: u64,

    /// Longest accepted line in bytes; a longer line closes the connection.
    #[arg(long, env = "MIRICAT_MAX_LINE_BYTES", default_value_t = 1024 * 1024)]
    max_line_bytes: usize,

    /// Longest text message, or image URL, accepted in bytes of UTF-8 (16 KiB by
    /// default); a longer one is answered with Error.MessageDataIncorrect. Every
    /// accepted message is stored for good, so this bounds what one costs the disk.
    #[arg(long, env = "MIRICAT_MAX_TEXT_BYTES", default_value_t = miricat_shared::packet::message::DEFAULT_MAX_TEXT_BYTES as u64, value_parser = clap::value_parser!(u64).range(1..))]
    max_text_bytes: u64,

    /// Most simultaneous connections; further ones wait in the listen backlog.
    #[arg(long, env = "MIRICAT_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,

    /// Most simultaneous connections per client address (the PROXY-carried address
    /// for bridged clients); 0 for no limit.
    #[arg(long, env = "MIRICAT_MAX_CONNECTIONS_PER_IP", default_value_t = 0)]
    max_connections_per_ip: usize,

    /// How long an uploaded image that no message references is kept: a number of
    /// seconds, or with a unit: 90s, 30m, 12h, 7d.
    #[arg(long, env = "MIRICAT_IMAGE_TTL", default_value = "24h", value_parser = parse_duration)]
    image_ttl: Duration,

    /// Address or CIDR of a bridge allowed to send a PROXY protocol v2 header with the
    /// real client address. Repeat for several (comma-separated in the variable). A
    /// PROXY header from any other address closes the connection.
    #[arg(long = "trusted-bridge", env = "MIRICAT_TRUSTED_BRIDGE", value_delimiter = ',', value_parser = parse_net)]
    trusted_bridges: Vec<IpNet>,

    /// Sustained requests per second per connection; faster clients are throttled
    /// (the server pauses reading them).
    #[arg(long, env = "MIRICAT_RATE_PER_SEC", default_value_t = 200.0)]
    rate_per_sec: f64,

    /// Requests a connection may send at once before throttling starts.
    #[arg(long, env = "MIRICAT_RATE_BURST", default_value_t = 400)]
    rate_burst: u32,

    /// Room joins and leaves per second one connection may make, sustained; faster
    /// ones are answered Error.AccessDenied and change nothing. Every join pushes the
    /// room's whole member list to every member, so churn costs everyone else.
    #[arg(long, env = "MIRICAT_MEMBERSHIP_RATE_PER_SEC", default_value_t = 2.0)]
    membership_rate_per_sec: f64,

    /// Joins and leaves one connection may make at once (enough to rejoin its rooms
    /// after a reconnect) before --membership-rate-per-sec applies.
    #[arg(long, env = "MIRICAT_MEMBERSHIP_BURST", default_value_t = 20)]
    membership_burst: u32,

    /// Room joins and leaves per second one user may make across all its
    /// connections, sustained (so opening more connections does not multiply it).
    #[arg(
        long,
        env = "MIRICAT_USER_MEMBERSHIP_RATE_PER_SEC",
        default_value_t = 4.0
    )]
    user_membership_rate_per_sec: f64,

    /// Joins and leaves one user may make at once across its connections.
    #[arg(long, env = "MIRICAT_USER_MEMBERSHIP_BURST", default_value_t = 40)]
    user_membership_burst: u32,

    /// Bytes that may wait to be sent to one client; a client that falls further
    /// behind is disconnected.
    #[arg(long, env = "MIRICAT_MAX_OUTBOUND_BYTES", default_value_t = 8 * 1024 * 1024)]
    max_outbound_bytes: usize,

    /// Argon2id memory cost in KiB for new password hashes (existing hashes keep
    /// theirs). Lower it only for benchmarks and tests.
    #[arg(long, env = "MIRICAT_ARGON2_MEMORY_KIB", default_value_t = argon2::Params::DEFAULT_M_COST)]
    argon2_memory_kib: u32,

    /// Argon2id iterations for new password hashes.
    #[arg(long, env = "MIRICAT_ARGON2_ITERATIONS", default_value_t = argon2::Params::DEFAULT_T_COST)]
    argon2_iterations: u32,
}

fn parse_net(s: &str) -> Result<IpNet, String> {
    s.trim()
        .parse::<IpNet>()
        .or_else(|_| s.trim().parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is not an IP address or CIDR"))
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit {unit:?} (use ms, s, m, h or d)")),
    };
    Ok(Duration::from_secs(n.saturating_mul(secs)))
}

impl Args {
    fn into_config(self) -> Config {
        let mut config = Config::new(self.db);
        config.image_dir = self.image_dir;
        config.root_user = self.root_user;
        config.root_password = self.root_password;
        config.heartbeat_ms = self.heartbeat_ms;
        config.allow_register = !self.no_register;
        config.history = !self.no_history;
        config.max_image_bytes = self.max_image_bytes;
        config.max_line_bytes = self.max_line_bytes;
        config.max_text_bytes = usize::try_from(self.max_text_bytes).unwrap_or(usize::MAX);
        config.max_connections = self.max_connections;
        config.max_connections_per_ip = self.max_connections_per_ip;
        config.image_ttl = self.image_ttl;
        config.image_storage = miricat_server::image_quota::ImageStorageLimits {
            per_user_bytes: self.max_image_storage_per_user,
            total_bytes: self.max_image_storage,
            min_free_disk_bytes: self.min_free_disk_bytes,
        };
        config.trusted_bridges = self.trusted_bridges;
        config.rate_limit = RateLimit {
            per_second: self.rate_per_sec,
            burst: self.rate_burst,
        };
        config.membership_rate = miricat_server::membership_rate::MembershipLimits {
            per_connection: RateLimit {
                per_second: self.membership_rate_per_sec,
                burst: self.membership_burst,
            },
            per_user: RateLimit {
                per_second: self.user_membership_rate_per_sec,
                burst: self.user_membership_burst,
            },
        };
        config.outbound.max_bytes = self.max_outbound_bytes;
        config.password_hashing.memory_kib = self.argon2_memory_kib;
        config.password_hashing.iterations = self.argon2_iterations;
        config
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// mimalloc rather than glibc malloc: argon2id allocates ~19 MiB per hash, and glibc's
/// adaptive mmap threshold then serves those blocks from its arenas and keeps them,
/// so 500 sign-ins left the server at 1.2 GB RSS; mimalloc returns them to the OS.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let listen = args.listen;
    let config = args.into_config();
    let db = config.db_path.clone();
    let server = tokio::task::spawn_blocking(move || Server::open(config))
        .await
        .context("start-up task failed")?
        .with_context(|| format!("cannot open the database {}", db.display()))?;
    if let Some(password) = server.generated_root_password() {
        tracing::warn!("generated a root password; it is printed once on stdout");
        println!("Generated root password (shown once, store it now): {password}");
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    server.run(listener, shutdown_signal()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_networks() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_net("10.0.0.1").unwrap().to_string(), "10.0.0.1/32");
        assert!(parse_net("10.0.0.0/8").is_ok());
        assert!(parse_net("bridge").is_err());
    }

    #[test]
    fn history_is_on_unless_switched_off() {
        let config = |args: &[&str]| Args::try_parse_from(args).unwrap().into_config();
        assert!(config(&["miricat-server"]).history);
        assert!(!config(&["miricat-server", "--no-history"]).history);
    }

    #[test]
    fn flags_parse() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
