//! The Miricat Chat Protocol (MCP 2.1) core shared by the server, the bridge's tests,
//! the terminal client and the browser app.
//!
//! It is sans-IO: nothing here opens a socket or reads a clock. Callers feed bytes or
//! lines in, pass the current time in milliseconds, and get lines and events out, so
//! the same code runs natively and compiled to `wasm32-unknown-unknown`.
//!
//! # Layout
//! - [`packet`]: every packet type of the spec as typed Rust, with the type-string and
//!   ID rules and the tolerant readers of `WIRE.md` sections 6 and 8.
//! - [`clip`]: cutting a peer's text short before it reaches a log or an error reply.
//! - [`codec`]: splitting a byte stream into bounded lines.
//! - [`crypto`]: modp5 Diffie-Hellman, the MCP Key and per-line AES-256-CTR.
//! - [`line`]: reading one line after the handshake (plaintext or ciphertext).
//! - [`session`]: the client state machine (handshake, login, request/reply matching,
//!   heartbeats) and the server side of the handshake.

// Nothing here may panic on input: no unwrap/expect outside tests (clippy.toml allows
// them in tests).
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod clip;
pub mod codec;
pub mod crypto;
pub mod line;
pub mod packet;
pub mod session;

pub use codec::{LineDecoder, LineError};
pub use crypto::{CryptoError, KeyPair, LineCipher, McpKey, PublicKey, SharedSecret};
pub use packet::{Body, DecodeError, ErrorKind, Packet, PacketId, PacketKind, RoomId};
