//! The reference MCP 2.1 chat server.
//!
//! It listens on TCP, speaks the protocol exactly as `WIRE.md` reads it (sections 5 to
//! 9: who receives what, which error wins, reply shapes, images), and keeps users,
//! rooms, image metadata and every accepted message in an embedded SQLite database.
//!
//! # Starting a server in a test
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use miricat_server::{Config, RunningServer};
//! let dir = tempfile::tempdir()?;
//! let mut config = Config::for_tests(dir.path().join("miricat.db"), "root-password");
//! config.heartbeat_ms = 300; // optional: any public field of `Config`
//! let server = RunningServer::start(config).await?; // 127.0.0.1:<random port>
//! let addr = server.addr();
//! // ... connect with `miricat_shared::session::ClientSession`, log in as
//! // `root` / `root-password` ...
//! server.stop().await?;
//! # Ok(()) }
//! ```
//! Or bind your own listener and call [`run`]`(listener, config, shutdown_future)`.
//!
//! # Layout
//! - [`config`]: [`Config`] and its parts, with defaults.
//! - [`server`]: [`Server`] (open the store, then [`Server::run`]) and [`run`].
//! - [`running`]: [`RunningServer`], a background server for tests.
//! - [`connection`]: one connection: prelude, handshake, request loop, writer.
//! - [`proxy`]: PROXY protocol v2 headers from trusted bridges.
//! - [`handler`]: serving each request family, and error precedence.
//! - [`hub`]: connections, rooms, membership and fan-out.
//! - [`negotiation`]: the extensions a sign-in agrees to (`docs/extensions.md`).
//! - [`outbox`]: each connection's bounded outbound queue.
//! - [`store`]: SQLite on its own thread, with migrations.
//! - [`images`]: image files, uploads in progress and the unreferenced-image sweep.
//! - [`image_quota`]: image storage per user and in total, and the free-disk floor.
//! - [`membership_rate`]: how fast one connection and one user may join and leave.
//! - [`password`]: argon2id hashing off the reactor.
//! - [`random`]: the generated root password and image IDs.
//! - [`rate`], [`ip_limit`], [`shutdown`]: limits and the shutdown signal.
//! - [`hooks`]: pauses a test can place a racing request in.

// Nothing here may panic on input: no unwrap/expect outside tests.
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod config;
pub mod connection;
pub mod handler;
pub mod hooks;
pub mod hub;
pub mod image_quota;
pub mod images;
pub mod ip_limit;
pub mod membership_rate;
pub mod negotiation;
pub mod outbox;
pub mod password;
pub mod proxy;
pub mod random;
pub mod rate;
pub mod running;
pub mod server;
pub mod shutdown;
pub mod store;

pub use config::{Config, OutboundLimits, PasswordHashing, RateLimit};
pub use running::RunningServer;
pub use server::{Server, ServerError, run};
