//! What the app remembers across visits, in local storage: the username and a
//! chosen bridge address. Never the password.

const USERNAME_KEY: &str = "miricat.username";
const BRIDGE_KEY: &str = "miricat.bridge";

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
