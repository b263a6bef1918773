//! The Miricat browser client: a Yew app that does the MCP handshake and all
//! cryptography in wasm (through `miricat-shared`) and talks to the server through
//! the bridge's WebSocket.
//!
//! # Layout
//! - Pure logic, tested natively: [`state`] (the reducer), [`client`] (sans-IO
//!   sign-in, reconnection, outbox, images and the media policy), [`backoff`],
//!   [`timeline`] (grouping), [`timeline_window`], [`commands`] (`/join` and
//!   friends), [`linkify`], [`fold`] (long messages), [`send_limits`] (what one
//!   message may hold), [`image_cache`] (images held in memory), [`sizes`],
//!   [`bridge_url`], [`failures`], [`protocol_memory`], [`theme`].
//! - Browser side: `services/` (WebSocket, storage, clock, notifications, the
//!   connection driver), `hooks/` (context access, hotkeys, notifying arrivals),
//!   `components/` (one per file).

mod backoff;
mod bridge_url;
mod client;
mod commands;
mod components;
mod failures;
mod fold;
mod hooks;
mod image_cache;
mod linkify;
// The old quadratic reading, for the tests and the benchmark to compare against
// (native only, like those tests).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod linkify_quadratic;
mod protocol_memory;
mod room_search;
mod search;
mod send_limits;
mod services;
mod sizes;
mod state;
mod stored;
mod theme;
mod timeline;
mod timeline_window;

fn main() {
    // Before the first render, so the app never draws in the wrong theme.
    services::page::apply_theme(services::storage::saved_theme());
    yew::Renderer::<components::app::App>::new().render();
}
