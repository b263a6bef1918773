//! Everything that touches the browser outside rendering: the WebSocket, local
//! storage, files, clocks, desktop notifications, the page address and theme, and
//! the connection driver that ties them to the sans-IO [`crate::client::ChatClient`].

pub mod clock;
pub mod connection;
pub mod files;
pub mod notifications;
pub mod page;
pub mod persist;
pub mod socket;
pub mod storage;
pub mod store;
