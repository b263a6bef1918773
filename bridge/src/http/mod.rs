//! The small HTTP/1.1 server in front of the WebSocket upgrade: reading request
//! heads and writing plain responses. Only what the bridge needs: GET and HEAD
//! without bodies, keep-alive, and the upgrade itself.

pub(crate) mod request;
pub(crate) mod response;
