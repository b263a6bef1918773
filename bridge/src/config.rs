//! What one bridge instance relays and how strictly: the in-process [`Config`].
//!
//! The binary builds a [`Config`] from flags, environment and a TOML file (see
//! `cli.rs`); tests and other crates build one directly, usually with
//! [`Config::for_upstream`] and struct-update syntax for the rest.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

use crate::error::ConfigError;
use crate::tls::TlsSettings;

/// Default bound on one frame or line: 1 MiB, as `WIRE.md` section 1 suggests.
pub const DEFAULT_MAX_FRAME_BYTES: usize = miricat_shared::codec::DEFAULT_MAX_LINE_BYTES;

/// Default write deadline: 30 s without the client taking a byte.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a running bridge needs to know. All fields are public so tests can
/// set exactly what they exercise and take the production defaults for the rest.
#[derive(Clone)]
pub struct Config {
    /// Where each WebSocket path leads: the key `""` is the unnamed upstream reached
    /// at `/ws`, any other key `NAME` is reached at `/ws/NAME`. The browser can only
    /// pick among these, so the bridge is never an open proxy.
    pub upstreams: BTreeMap<String, String>,
    /// Serve the built web app from this directory, so one port carries the page and
    /// its socket (same origin, no CORS).
    pub static_dir: Option<PathBuf>,
    /// Origins allowed besides the bridge's own (`scheme://host[:port]`); `"*"`
    /// allows any. Protects browsers from cross-site WebSocket hijacking.
    pub allowed_origins: Vec<String>,
    /// Host names (`Host` header, without port) this bridge answers for besides IP
    /// literals, `localhost` and `*.localhost`; any other name gets 421, so a page
    /// on a DNS-rebinding name cannot use the bridge.
    pub public_hosts: Vec<String>,
    /// Proxies whose `X-Forwarded-For` is believed. Nobody else's is, or any
    /// client could dodge the per-IP limit by inventing addresses.
    pub trusted_proxies: Vec<IpNet>,
    /// Open every upstream connection with a PROXY protocol v2 header carrying the
    /// browser's address, so the server's logs, limits and bans see the real client.
    pub upstream_proxy_protocol: bool,
    /// Bridged connections open at once; more are refused with HTTP 503.
    pub max_connections: usize,
    /// Bridged connections open at once from one client address (an IPv6 client
    /// counts per /64); more are refused with HTTP 429.
    pub max_per_ip: usize,
    /// Longest frame (browser to server) or line (server to browser) relayed;
    /// longer ones close the connection with 1009.
    pub max_frame_bytes: usize,
    /// How often the bridge pings the browser; a ping still unanswered at the
    /// next one closes the connection with 1001. Zero turns keepalive off.
    pub ping_interval: Duration,
    /// Close a connection with 1001 after this long without a frame either way.
    /// Zero (the default) turns it off, since MCP heartbeats already flow.
    pub idle_timeout: Duration,
    /// How long to wait for the upstream TCP connection before closing with 1011.
    pub connect_timeout: Duration,
    /// How long a client may take to send its HTTP request head (and finish TLS),
    /// and how long a keep-alive HTTP connection may sit between requests.
    pub request_timeout: Duration,
    /// A client that takes none of what we send (HTTP response or WebSocket frame)
    /// for this long is disconnected, and its upstream connection with it, so
    /// clients that stop reading cannot pin connections. Zero turns it off.
    pub write_timeout: Duration,
    /// How long to wait for the browser's answer to our close frame.
    pub close_timeout: Duration,
    /// On shutdown, how long open connections get to finish their close handshakes
    /// before they are dropped.
    pub shutdown_grace: Duration,
    /// Serve `https://` and `wss://` directly instead of behind a reverse proxy.
    pub tls: Option<TlsSettings>,
}

impl Config {
    /// A configuration relaying `/ws` to `upstream` (`HOST:PORT`) with every other
    /// setting at its default: the usual starting point for tests.
    pub fn for_upstream(upstream: impl Into<String>) -> Self {
        let mut config = Self::default();
        config.upstreams.insert(String::new(), upstream.into());
        config
    }

    /// Adds the upstream reached at `/ws/NAME` (or at `/ws` for the name `""`).
    pub fn with_upstream(mut self, name: impl Into<String>, upstream: impl Into<String>) -> Self {
        self.upstreams.insert(name.into(), upstream.into());
        self
    }

    /// Serves the built web app from `dir` next to the socket.
    pub fn with_static_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.static_dir = Some(dir.into());
        self
    }

    /// Checks what can be checked before binding anything, so a typo fails at
    /// startup instead of on the first browser.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.upstreams.is_empty() {
            return Err(ConfigError::NoUpstream);
        }
        for (name, address) in &self.upstreams {
            if !is_valid_upstream_name(name) {
                return Err(ConfigError::UpstreamName(name.clone()));
            }
            if !address.contains(':') {
                return Err(ConfigError::UpstreamAddress(address.clone()));
            }
        }
        for origin in &self.allowed_origins {
            if origin != "*" && crate::origin::Origin::parse(origin).is_none() {
                return Err(ConfigError::Origin(origin.clone()));
            }
        }
        if let Some(host) = self
            .public_hosts
            .iter()
            .find(|h| !crate::host_policy::is_valid_public_host(h))
        {
            return Err(ConfigError::PublicHost(host.clone()));
        }
        if let Some(dir) = &self.static_dir
            && !dir.is_dir()
        {
            return Err(ConfigError::StaticDir(dir.clone()));
        }
        if self.max_frame_bytes == 0 || self.max_connections == 0 || self.max_per_ip == 0 {
            return Err(ConfigError::ZeroLimit);
        }
        Ok(())
    }
}

/// Upstream names become URL path segments, so they are kept to a safe alphabet.
pub(crate) fn is_valid_upstream_name(name: &str) -> bool {
    name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.')
}

impl Default for Config {
    fn default() -> Self {
        Self {
            upstreams: BTreeMap::new(),
            static_dir: None,
            allowed_origins: Vec::new(),
            public_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            upstream_proxy_protocol: false,
            max_connections: 10_000,
            max_per_ip: 32,
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::ZERO,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            close_timeout: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(10),
            tls: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("upstreams", &self.upstreams)
            .field("static_dir", &self.static_dir)
            .field("allowed_origins", &self.allowed_origins)
            .field("public_hosts", &self.public_hosts)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("upstream_proxy_protocol", &self.upstream_proxy_protocol)
            .field("max_connections", &self.max_connections)
            .field("max_per_ip", &self.max_per_ip)
            .field("max_frame_bytes", &self.max_frame_bytes)
            .field("ping_interval", &self.ping_interval)
            .field("idle_timeout", &self.idle_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("close_timeout", &self.close_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_upstream_is_valid_and_names_the_unnamed_upstream() {
        let config = Config::for_upstream("127.0.0.1:3072").with_upstream("eu", "10.0.0.1:3072");
        config.validate().unwrap();
        assert_eq!(config.upstreams[""], "127.0.0.1:3072");
        assert_eq!(config.upstreams["eu"], "10.0.0.1:3072");
    }

    #[test]
    fn rejects_names_that_are_not_path_segments() {
        for bad in ["a/b", "..", ".hidden", "sp ace", "é"] {
            let config = Config::for_upstream("h:1").with_upstream(bad, "h:1");
            assert!(config.validate().is_err(), "{bad}");
        }
        assert!(Config::default().validate().is_err());
        let config = Config {
            public_hosts: vec!["chat.example.com:443".into()],
            ..Config::for_upstream("h:1")
        };
        assert!(config.validate().is_err());
    }
}
