//! Command-line flags, environment variables and the optional TOML file, merged
//! into a [`Config`]: a flag wins over its environment variable, which wins over
//! the file, which wins over the default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use ipnet::IpNet;
use serde::Deserialize;

use crate::config::Config;
use crate::error::{ConfigError, TlsError};
use crate::tls::TlsSettings;

/// Where the bridge listens when nothing says otherwise: loopback, so a bridge
/// started by mistake is not on the internet.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The bridge's flags. Every flag also reads `MIRICAT_BRIDGE_<FLAG>` (repeatable
/// ones take a comma-separated list there).
#[derive(Debug, Default, Parser)]
#[command(
    name = "miricat-bridge",
    version,
    about = "Carries a browser's MCP lines between a WebSocket and an MCP server's TCP port"
)]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "MIRICAT_BRIDGE_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Upstream MCP server: HOST:PORT is reached at /ws, NAME=HOST:PORT at /ws/NAME.
    #[arg(
        long = "upstream",
        env = "MIRICAT_BRIDGE_UPSTREAM",
        value_name = "[NAME=]HOST:PORT",
        value_delimiter = ','
    )]
    pub upstreams: Vec<String>,
    /// Serve the built web app from this directory.
    #[arg(long = "static", env = "MIRICAT_BRIDGE_STATIC", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,
    /// Also accept browsers from this origin, like `https://chat.example.com`; `*` for any.
    #[arg(
        long = "allow-origin",
        env = "MIRICAT_BRIDGE_ALLOW_ORIGIN",
        value_name = "URL",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,
    /// A host name this bridge is reached by, like `chat.example.com` (repeatable).
    /// Requests whose Host is not an IP literal, `localhost` or a listed name get 421,
    /// so a page on a DNS-rebinding name cannot use the bridge. Needed behind a
    /// reverse proxy that forwards the public Host.
    #[arg(
        long = "public-host",
        env = "MIRICAT_BRIDGE_PUBLIC_HOST",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub public_hosts: Vec<String>,
    /// Believe X-Forwarded-For from these proxies (address or CIDR).
    #[arg(
        long = "trusted-proxy",
        env = "MIRICAT_BRIDGE_TRUSTED_PROXY",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Open each upstream connection with a PROXY protocol v2 header naming the client.
    #[arg(long, env = "MIRICAT_BRIDGE_UPSTREAM_PROXY_PROTOCOL")]
    pub upstream_proxy_protocol: bool,
    /// Most bridged connections at once (more get HTTP 503) [default: 10000].
    #[arg(long, env = "MIRICAT_BRIDGE_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Most bridged connections per client address, IPv6 per /64 (more get HTTP 429) [default: 32].
    #[arg(long, env = "MIRICAT_BRIDGE_MAX_PER_IP", value_name = "N")]
    pub max_per_ip: Option<usize>,
    /// Longest frame or line relayed, in bytes (longer closes with 1009) [default: 1048576].
    #[arg(long, env = "MIRICAT_BRIDGE_MAX_FRAME_BYTES", value_name = "BYTES")]
    pub max_frame_bytes: Option<usize>,
    /// Seconds between WebSocket pings; 0 turns them off [default: 30].
    #[arg(long, env = "MIRICAT_BRIDGE_PING_SECS", value_name = "SECS")]
    pub ping_secs: Option<u64>,
    /// Close connections idle this many seconds; 0 turns it off [default: 0].
    #[arg(long, env = "MIRICAT_BRIDGE_IDLE_SECS", value_name = "SECS")]
    pub idle_secs: Option<u64>,
    /// Disconnect a client (and its upstream connection) that takes none of what the
    /// bridge sends for this many seconds: a stalled reader cannot pin a slot; 0
    /// turns it off [default: 30].
    #[arg(
        long = "write-timeout-secs",
        visible_alias = "write-timeout",
        env = "MIRICAT_BRIDGE_WRITE_TIMEOUT_SECS",
        value_name = "SECS"
    )]
    pub write_timeout_secs: Option<u64>,
    /// Seconds to wait for the upstream TCP connection [default: 5].
    #[arg(long, env = "MIRICAT_BRIDGE_CONNECT_TIMEOUT_SECS", value_name = "SECS")]
    pub connect_timeout_secs: Option<u64>,
    /// Seconds open connections get to close on shutdown [default: 10].
    #[arg(long, env = "MIRICAT_BRIDGE_SHUTDOWN_GRACE_SECS", value_name = "SECS")]
    pub shutdown_grace_secs: Option<u64>,
    /// PEM certificate chain: serve https:// and wss:// directly.
    #[arg(long, env = "MIRICAT_BRIDGE_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "MIRICAT_BRIDGE_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// TOML file with any of the settings above (keys are the flag names).
    #[arg(long, env = "MIRICAT_BRIDGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The optional TOML file: the same settings as the flags, keys spelled like them
/// (`upstream = ["127.0.0.1:3072", "eu=10.0.0.5:3072"]`, `max-per-ip = 8`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    listen: Option<SocketAddr>,
    upstream: Vec<String>,
    #[serde(rename = "static")]
    static_dir: Option<PathBuf>,
    allow_origin: Vec<String>,
    public_host: Vec<String>,
    trusted_proxy: Vec<String>,
    upstream_proxy_protocol: Option<bool>,
    max_connections: Option<usize>,
    max_per_ip: Option<usize>,
    max_frame_bytes: Option<usize>,
    ping_secs: Option<u64>,
    idle_secs: Option<u64>,
    write_timeout_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
    shutdown_grace_secs: Option<u64>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
}

impl FileConfig {
    /// Reads and parses a TOML configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::ParseFile {
            path: path.to_owned(),
            source,
        })
    }
}

/// What the binary needs to start: where to listen, and the bridge's [`Config`].
#[derive(Debug)]
pub struct Settings {
    /// The address to bind.
    pub listen: SocketAddr,
    /// Everything else.
    pub config: Config,
}

impl Args {
    /// Merges the flags with the file named by `--config` (if any) and the defaults,
    /// loads the TLS files and validates the result.
    pub fn into_settings(self) -> Result<Settings, ConfigError> {
        let file = match &self.config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        self.merge(file)
    }

    /// Merges with an already parsed file; flags win, lists from flags replace the
    /// file's lists rather than extend them.
    pub fn merge(self, file: FileConfig) -> Result<Settings, ConfigError> {
        let defaults = Config::default();
        let listen = match self.listen.or(file.listen) {
            Some(listen) => listen,
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|_| ConfigError::UpstreamAddress(DEFAULT_LISTEN.to_owned()))?,
        };
        let pick = |flag: Vec<String>, file: Vec<String>| if flag.is_empty() { file } else { flag };
        let secs = |flag: Option<u64>, file: Option<u64>, default: Duration| {
            flag.or(file).map_or(default, Duration::from_secs)
        };
        let mut config = Config {
            static_dir: self.static_dir.or(file.static_dir),
            allowed_origins: pick(self.allow_origins, file.allow_origin),
            public_hosts: pick(self.public_hosts, file.public_host),
            upstream_proxy_protocol: self.upstream_proxy_protocol
                || file.upstream_proxy_protocol.unwrap_or(false),
            max_connections: self
                .max_connections
                .or(file.max_connections)
                .unwrap_or(defaults.max_connections),
            max_per_ip: self
                .max_per_ip
                .or(file.max_per_ip)
                .unwrap_or(defaults.max_per_ip),
            max_frame_bytes: self
                .max_frame_bytes
                .or(file.max_frame_bytes)
                .unwrap_or(defaults.max_frame_bytes),
            ping_interval: secs(self.ping_secs, file.ping_secs, defaults.ping_interval),
            idle_timeout: secs(self.idle_secs, file.idle_secs, defaults.idle_timeout),
            write_timeout: secs(
                self.write_timeout_secs,
                file.write_timeout_secs,
                defaults.write_timeout,
            ),
            connect_timeout: secs(
                self.connect_timeout_secs,
                file.connect_timeout_secs,
                defaults.connect_timeout,
            ),
            shutdown_grace: secs(
                self.shutdown_grace_secs,
                file.shutdown_grace_secs,
                defaults.shutdown_grace,
            ),
            ..defaults
        };
        for spec in pick(self.upstreams, file.upstream) {
            let (name, address) = spec.split_once('=').unwrap_or(("", spec.as_str()));
            config
                .upstreams
                .insert(name.trim().to_owned(), address.trim().to_owned());
        }
        for proxy in pick(self.trusted_proxies, file.trusted_proxy) {
            let net = proxy
                .parse::<IpNet>()
                .or_else(|_| proxy.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError::TrustedProxy(proxy.clone()))?;
            config.trusted_proxies.push(net);
        }
        config.tls = match (
            self.tls_cert.or(file.tls_cert),
            self.tls_key.or(file.tls_key),
        ) {
            (Some(cert), Some(key)) => Some(TlsSettings::from_pem_files(&cert, &key)?),
            (None, None) => None,
            _ => return Err(TlsError::Incomplete.into()),
        };
        config.validate()?;
        Ok(Settings { listen, config })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("miricat-bridge").chain(list.iter().copied())).unwrap()
    }

    #[test]
    fn the_two_flag_invocation_works() {
        let s = args(&["--listen", "0.0.0.0:8080", "--upstream", "127.0.0.1:3072"])
            .into_settings()
            .unwrap();
        assert_eq!(s.listen, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(s.config.upstreams[""], "127.0.0.1:3072");
        assert_eq!(s.config.ping_interval, Duration::from_secs(30));
        assert_eq!(s.config.idle_timeout, Duration::ZERO);
        assert_eq!(s.config.write_timeout, Duration::from_secs(30));
        assert!(s.config.public_hosts.is_empty());
    }

    #[test]
    fn public_hosts_and_the_write_timeout() {
        let s = args(&[
            "--upstream",
            "h:1",
            "--public-host",
            "chat.example.com",
            "--public-host",
            "chat.example.org",
            "--write-timeout",
            "5",
        ])
        .into_settings()
        .unwrap();
        assert_eq!(
            s.config.public_hosts,
            ["chat.example.com", "chat.example.org"]
        );
        assert_eq!(s.config.write_timeout, Duration::from_secs(5));
        assert!(
            args(&[
                "--upstream",
                "h:1",
                "--public-host",
                "https://chat.example.com"
            ])
            .into_settings()
            .is_err()
        );
    }

    #[test]
    fn named_upstreams_proxies_and_origins() {
        let s = args(&[
            "--upstream",
            "eu=10.0.0.5:3072",
            "--upstream",
            "us=10.0.0.6:3072",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy",
            "::1",
            "--allow-origin",
            "https://app.example.com",
            "--upstream-proxy-protocol",
            "--ping-secs",
            "0",
            "--max-per-ip",
            "4",
        ])
        .into_settings()
        .unwrap();
        assert_eq!(s.config.upstreams.len(), 2);
        assert_eq!(s.config.upstreams["eu"], "10.0.0.5:3072");
        assert_eq!(s.config.trusted_proxies.len(), 2);
        assert!(s.config.upstream_proxy_protocol);
        assert_eq!(s.config.ping_interval, Duration::ZERO);
        assert_eq!(s.config.max_per_ip, 4);
        assert_eq!(s.listen, DEFAULT_LISTEN.parse().unwrap());
    }

    #[test]
    fn flags_win_over_the_file() {
        let file: FileConfig = toml::from_str(
            "listen = \"127.0.0.1:9000\"\nupstream = [\"127.0.0.1:1\"]\nmax-per-ip = 3\nidle-secs = 60\n",
        )
        .unwrap();
        let s = args(&["--max-per-ip", "5"]).merge(file).unwrap();
        assert_eq!(s.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(s.config.upstreams[""], "127.0.0.1:1");
        assert_eq!(s.config.max_per_ip, 5);
        assert_eq!(s.config.idle_timeout, Duration::from_secs(60));
    }

    #[test]
    fn the_example_file_parses() {
        let file: FileConfig = toml::from_str(include_str!("../bridge.example.toml")).unwrap();
        // The example's static directory exists on servers only: a flag overrides it.
        let tmp = std::env::temp_dir();
        let s = args(&["--static", tmp.to_str().unwrap()])
            .merge(file)
            .unwrap();
        assert!(s.config.upstream_proxy_protocol);
        assert_eq!(s.config.trusted_proxies.len(), 2);
        assert_eq!(s.listen, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(args(&[]).into_settings().is_err());
        assert!(
            args(&["--upstream", "h:1", "--trusted-proxy", "nope"])
                .into_settings()
                .is_err()
        );
        assert!(
            args(&["--upstream", "h:1", "--tls-cert", "c.pem"])
                .into_settings()
                .is_err()
        );
        assert!(toml::from_str::<FileConfig>("unknown = 1").is_err());
    }
}
