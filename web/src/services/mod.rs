//! Everything that touches the browser outside rendering: the WebSocket, local
//! storage, files, clocks, the page address, and the connection driver that ties them to
//! the sans-IO [`crate::client::ChatClient`].

pub mod clock;
pub mod connection;
pub mod files;
pub mod page;
pub mod socket;
pub mod storage;
