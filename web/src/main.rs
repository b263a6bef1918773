//! The Miricat browser client: a Yew app that does the MCP handshake and all
//! cryptography in wasm (through `miricat-shared`) and talks to the server through
//! the bridge's WebSocket.
//!
//! # Layout
//! - Pure logic, tested natively: [`state`] (the reducer), [`client`] (sans-IO
//!   sign-in, reconnection, outbox), [`backoff`], [`timeline`] (grouping),
//!   [`commands`] (`/join` and friends), [`linkify`], [`bridge_url`], [`failures`],
//!   [`protocol_memory`], [`theme`].
//! - Browser side: `services/` (WebSocket, storage, clock, notifications, the
//!   connection driver), `hooks/` (context access, hotkeys, notifying arrivals),
//!   `components/` (one per file).

mod backoff;
mod bridge_url;
mod client;
mod commands;
mod components;
mod failures;
mod hooks;
mod linkify;
mod protocol_memory;
mod services;
mod state;
mod theme;
mod timeline;
mod timeline_window;

fn main() {
    // Before the first render, so the app never draws in the wrong theme.
    services::page::apply_theme(services::storage::saved_theme());
    yew::Renderer::<components::app::App>::new().render();
}
