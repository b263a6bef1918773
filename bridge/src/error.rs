//! The bridge's error types: configuration mistakes found at startup, and the few
//! failures that stop the whole service. Per-connection failures are not errors of
//! the service: they close that connection with a reason (see `relay.rs`).

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// A configuration the bridge refuses to start with.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// Nothing to relay to: a bridge without an upstream would only refuse.
    #[error("no upstream configured (use --upstream HOST:PORT)")]
    NoUpstream,
    /// An upstream name that cannot be a URL path segment.
    #[error("upstream name {0:?} must be letters, digits, '-', '_' or '.'")]
    UpstreamName(String),
    /// An upstream address that is not `HOST:PORT`.
    #[error("upstream address {0:?} is not HOST:PORT")]
    UpstreamAddress(String),
    /// An `--allow-origin` that is neither `*` nor `scheme://host[:port]`.
    #[error("allowed origin {0:?} is not * or scheme://host[:port]")]
    Origin(String),
    /// A `--public-host` that is not a host name.
    #[error("public host {0:?} is not a host name (no scheme or port: chat.example.com)")]
    PublicHost(String),
    /// A `--trusted-proxy` that is not an address or CIDR block.
    #[error("trusted proxy {0:?} is not an IP address or CIDR block")]
    TrustedProxy(String),
    /// The static directory does not exist.
    #[error("static directory {0} is not a directory")]
    StaticDir(PathBuf),
    /// A limit of zero would refuse everything.
    #[error("limits (max connections, per IP, frame bytes) must be above zero")]
    ZeroLimit,
    /// The TOML configuration file could not be read.
    #[error("cannot read configuration file {path}")]
    ReadFile {
        /// The file named by `--config`.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: io::Error,
    },
    /// The TOML configuration file is not valid.
    #[error("invalid configuration file {path}")]
    ParseFile {
        /// The file named by `--config`.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: toml::de::Error,
    },
    /// TLS was half configured or its files are unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Why the TLS certificate or key could not be loaded.
#[derive(Debug, Error)]
pub enum TlsError {
    /// Only one of `--tls-cert` and `--tls-key` was given.
    #[error("--tls-cert and --tls-key must be given together")]
    Incomplete,
    /// A PEM file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The certificate or key file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: io::Error,
    },
    /// The certificate file holds no certificate.
    #[error("no certificate in {0}")]
    NoCertificate(PathBuf),
    /// The key file holds no private key.
    #[error("no private key in {0}")]
    NoKey(PathBuf),
    /// rustls rejected the certificate and key.
    #[error("unusable certificate or key")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// A failure that stops [`crate::run`].
#[derive(Debug, Error)]
pub enum BridgeError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The listening socket failed in a way that accepting again cannot fix.
    #[error("listener failed")]
    Listener(#[source] io::Error),
}
