//! Sans-IO MCP sessions.
//!
//! # Client call order
//! 1. [`ClientSession::new`] with a fresh [`crate::KeyPair`], then send
//!    [`ClientSession::handshake_line`].
//! 2. Feed every received line to [`ClientSession::handle_line`] with the current time
//!    in milliseconds, and act on the [`Event`] it returns. The first is
//!    [`Event::Secured`] (or [`Event::HandshakeRejected`], after which the connection is
//!    useless: close it, and for `UnsupportedVersion` maybe retry with MCP 2.0).
//! 3. Once secured, send [`ClientSession::login`] or [`ClientSession::register`]; every
//!    request method returns an [`Outgoing`] line to write and the [`RequestId`] its
//!    replies will name. [`Event::Accepted`] means signed in.
//! 4. After every read or write, and when the timer it asked for fires, call
//!    [`ClientSession::poll_heartbeat`]: it returns a ping line when one is due.
//!    [`ClientSession::next_heartbeat_at`] says when to wake up next.
//! 5. To give requests a deadline, set [`ClientSession::set_request_timeout`] before
//!    the handshake. Then, after sending requests (the handshake too) and whenever
//!    [`ClientSession::next_timeout_at`] comes, call [`ClientSession::poll_timeouts`]:
//!    it starts the clock of the requests just sent and returns each one left
//!    unanswered too long ([`TimedOut`]), which is no longer pending. A reply that
//!    comes after that is still reported as its request's [`Event::Reply`].
//!
//! # Extensions (`docs/extensions.md`)
//! Before step 3, [`ClientSession::offer_extensions`] chooses what Login/Register
//! offer. After [`Event::Accepted`], [`ClientSession::agreed_extensions`] says what the
//! server agreed to; only then do an extension's requests go out (for `history/1`,
//! [`ClientSession::require_history`], answered by one `Message.History` reply with
//! the request's deadline like any other). Until agreed, they are refused with
//! [`SessionError::NotAgreed`], and extension fields in what the server sends
//! (`messageId`) are dropped. Agreement holds for the connection: a new session
//! offers again.
//!
//! # Server side
//! [`parse_handshake`] checks a client's handshake line without generating anything;
//! [`ClientHandshake::accept`] then takes the server's fresh key pair and produces the
//! reply line and the line cipher ([`accept_handshake`] does both), so the server
//! shares this code and makes a key pair only for a well-formed handshake.

mod client;
mod extensions;
mod pending;
mod server;

pub use client::{
    ClientSession, Event, HandshakeFailure, Outgoing, ProtocolError, ProtocolVersion, RequestId,
    SessionError,
};
pub use pending::{MAX_EXPIRED, TimedOut};
pub use server::{
    ClientHandshake, HandshakeRejection, ServerHandshake, accept_handshake, parse_handshake,
};

#[cfg(test)]
mod tests;
