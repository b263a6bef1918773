//! Facts about the page itself: its address and whether it is visible.

use crate::bridge_url;

/// The `?bridge=` query parameter, if the page was opened with one.
pub fn bridge_query_parameter() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("bridge").filter(|b| !b.trim().is_empty())
}

/// `ws(s)://<this page's host>/ws`.
pub fn default_bridge_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let protocol = location
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .unwrap_or_default();
    let host = location
        .as_ref()
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "localhost".to_owned());
    bridge_url::default_bridge_url(&protocol, &host)
}

/// Whether the tab is in front of the user.
pub fn is_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}
