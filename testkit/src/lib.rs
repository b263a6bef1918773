//! Test support shared by the terminal client's tests (`cli/tests`) and the browser
//! E2E tests (`e2e/`): MCP servers that behave like the foreign servers people run,
//! so both clients are tried against more than our own server.
//!
//! # Layout
//! - [`fixture`]: a [`FixtureServer`] on `127.0.0.1:0`, with a [`Behaviour`] that
//!   picks its protocol version and quirks: the public Java server's MCP 2.0
//!   release as captured in `shared/tests/vectors/`, or an MCP 2.1 server that
//!   ignores some requests or closes the connection on them (as that server's 2.1
//!   branch does). It logs what it received, so tests can check what a client
//!   sent, and how often.
//!
//! No crate of the product depends on this one; it depends only on `miricat-shared`,
//! so the terminal client's tests and the E2E crate can both use it without a cycle.

pub mod fixture;

pub use fixture::{Behaviour, FixtureServer, Reaction};
