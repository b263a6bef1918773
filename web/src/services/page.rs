//! Facts about the page itself: its address, whether it is visible, and its theme.

use wasm_bindgen::JsCast;

use crate::bridge_url;
use crate::theme::Theme;

/// The `?bridge=` query parameter, if the page was opened with one.
pub fn bridge_query_parameter() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("bridge").filter(|b| !b.trim().is_empty())
}

/// The `?request-timeout-ms=` query parameter: how long requests may go
/// unanswered (tests shorten it so a deadline passes in seconds). Clamped to
/// [`MIN_REQUEST_TIMEOUT_MS`, `MAX_REQUEST_TIMEOUT_MS`]; `None` when absent or not
/// a number.
pub fn request_timeout_query_parameter() -> Option<u64> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let ms: u64 = params.get("request-timeout-ms")?.trim().parse().ok()?;
    Some(ms.clamp(MIN_REQUEST_TIMEOUT_MS, MAX_REQUEST_TIMEOUT_MS))
}

/// Shortest request deadline a link may ask for: below this a busy machine would
/// fail requests the server is still answering.
pub const MIN_REQUEST_TIMEOUT_MS: u64 = 500;

/// Longest request deadline a link may ask for.
pub const MAX_REQUEST_TIMEOUT_MS: u64 = 120_000;

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

/// Puts `theme` on `<html data-theme>`, where the stylesheet turns it into
/// `color-scheme` (an attribute, since the CSP forbids inline styles).
pub fn apply_theme(theme: Theme) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}

/// Brings this tab to the front (a notification was clicked).
pub fn focus_tab() {
    if let Some(window) = web_sys::window() {
        let _ = window.focus();
    }
}

/// Moves keyboard focus to the element with `id`, if it is there (after a panel
/// closes, focus goes back to the button that opened it).
pub fn focus_element(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
