//! miricat-bridge: carries a browser's MCP lines between a WebSocket and an MCP
//! server's TCP port (`WIRE.md` section 11). One text frame from the browser is one
//! line to the server; one line from the server is one text frame to the browser.
//! The bridge never decrypts, parses or rewrites packets, and connects only to the
//! upstreams it was configured with.
//!
//! # Starting a bridge in-process
//! Bind a listener (port 0 in tests), build a [`Config`], and run until a shutdown
//! future completes:
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use miricat_bridge::{Config, run};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("ws://{}/ws", listener.local_addr()?);
//! let config = Config::for_upstream("127.0.0.1:3072").with_static_dir("web/dist");
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let bridge = tokio::spawn(run(listener, config, async { let _ = stopped.await; }));
//! // ... connect to `url`, load `http://ADDR/` ...
//! let _ = stop.send(());
//! bridge.await??;
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`server`](run): the accept loop, connection tracking and graceful shutdown.
//! - `connection`: one accepted socket (TLS, HTTP keep-alive, routing).
//! - `http`: reading request heads (httparse, bounded) and writing responses.
//! - `upgrade`: the checks before the upgrade (404, 403, 429, 503) and the 101.
//! - `relay`: the two pumps of a bridged connection; `keepalive`: pings and idle timeout.
//! - `close`: why a connection ended and its close code.
//! - `host_policy`, `origin`, `client_ip`, `limits`: which names we answer for, who
//!   may connect, who they are, how many.
//! - `write_deadline`: a client that stops reading is disconnected.
//! - [`proxy_protocol`]: the PROXY v2 header that tells the server the client.
//! - `static_files`, `mime`: serving the web app; `health`, `metrics`: operations.
//! - [`Config`], [`cli`], [`TlsSettings`]: configuration.

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod cli;
mod client_ip;
mod close;
mod config;
mod connection;
mod error;
mod health;
mod host_policy;
mod http;
mod keepalive;
mod limits;
mod log_limit;
mod metrics;
mod mime;
mod origin;
pub mod proxy_protocol;
mod relay;
mod server;
mod shutdown;
mod static_files;
mod tls;
mod upgrade;
mod write_deadline;

pub use config::{Config, DEFAULT_MAX_FRAME_BYTES, DEFAULT_WRITE_TIMEOUT};
pub use error::{BridgeError, ConfigError, TlsError};
pub use server::run;
pub use static_files::CONTENT_SECURITY_POLICY;
pub use tls::TlsSettings;
