//! Integration tests of the relay: real WebSocket clients, a real TCP upstream and
//! the bridge in-process, all on 127.0.0.1.

#[path = "../support/mod.rs"]
mod support;

mod backpressure;
mod close_codes;
mod framing;
mod hostile;
mod lifecycle;
mod proxy_protocol;
