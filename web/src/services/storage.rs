//! What the app remembers across visits, in local storage: the username, a chosen
//! bridge address, the MCP version each bridge's server signed in with, the theme,
//! whether desktop notifications are wanted and whether images from other sites
//! load by themselves. Never the password.

use miricat_shared::session::ProtocolVersion;

use crate::protocol_memory;
use crate::theme::Theme;

const USERNAME_KEY: &str = "miricat.username";
const BRIDGE_KEY: &str = "miricat.bridge";
const THEME_KEY: &str = "miricat.theme";
const NOTIFICATIONS_KEY: &str = "miricat.notifications";
const EXTERNAL_IMAGES_KEY: &str = "miricat.external-images";
/// Followed by the bridge's address: one entry per bridge.
const PROTOCOL_KEY_PREFIX: &str = "miricat.protocol.";

fn storage() -> Option<web_sys::Storage> {
    // Storage can be disabled (private modes, policies): then nothing is remembered.
    web_sys::window()?.local_storage().ok().flatten()
}

fn load(key: &str) -> Option<String> {
    storage()?
        .get_item(key)
        .ok()
        .flatten()
        .filter(|v| !v.is_empty())
}

fn save(key: &str, value: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match value.filter(|v| !v.is_empty()) {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}

/// The last username signed in with.
pub fn saved_username() -> Option<String> {
    load(USERNAME_KEY)
}

/// The bridge address typed in the advanced field, if any.
pub fn saved_bridge() -> Option<String> {
    load(BRIDGE_KEY)
}

/// Remembers the username and the bridge override (`None` forgets the override,
/// so the page's own bridge is used again).
pub fn remember(username: &str, bridge_override: Option<&str>) {
    save(USERNAME_KEY, Some(username));
    save(BRIDGE_KEY, bridge_override);
}

/// The theme chosen last time (the system's by default).
pub fn saved_theme() -> Theme {
    Theme::parse(load(THEME_KEY).as_deref())
}

/// Remembers the theme choice.
pub fn remember_theme(theme: Theme) {
    save(THEME_KEY, Some(theme.as_str()));
}

/// Whether the reader turned desktop notifications on (the browser's permission is
/// a separate matter: see `services::notifications`).
pub fn notifications_wanted() -> bool {
    load(NOTIFICATIONS_KEY).as_deref() == Some("on")
}

/// Remembers whether desktop notifications are wanted.
pub fn remember_notifications(wanted: bool) {
    save(NOTIFICATIONS_KEY, wanted.then_some("on"));
}

/// Whether the reader lets `http(s)` images load without a click.
pub fn external_images_wanted() -> bool {
    load(EXTERNAL_IMAGES_KEY).as_deref() == Some("load")
}

/// Remembers whether `http(s)` images load without a click.
pub fn remember_external_images(load: bool) {
    save(EXTERNAL_IMAGES_KEY, load.then_some("load"));
}

/// The MCP version to offer first to the server behind `bridge_url` at `now_ms`
/// (see [`protocol_memory`]).
pub fn first_protocol_offer(bridge_url: &str, now_ms: u64) -> ProtocolVersion {
    let stored = load(&format!("{PROTOCOL_KEY_PREFIX}{bridge_url}"));
    protocol_memory::first_offer(stored.as_deref(), now_ms)
}

/// Remembers that the server behind `bridge_url` signed us in with `version`.
pub fn remember_protocol(bridge_url: &str, version: ProtocolVersion, now_ms: u64) {
    let key = format!("{PROTOCOL_KEY_PREFIX}{bridge_url}");
    save(&key, Some(&protocol_memory::encode(version, now_ms)));
}
