//! Desktop notifications through the browser's Notification API: what the browser
//! allows, asking for permission (only when the reader turns notifications on), and
//! showing one that brings its room up when clicked.

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use super::page;

/// What the browser lets this page do with notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// No Notification API here (some mobile browsers, insecure pages).
    Unsupported,
    /// Not decided yet: the browser will ask the reader.
    Ask,
    /// The reader or a policy blocked them; only the browser's settings can undo it.
    Denied,
    /// Allowed.
    Granted,
}

/// The browser's current answer.
pub fn permission() -> Permission {
    let supported = web_sys::window().is_some_and(|window| {
        js_sys::Reflect::has(&window, &JsValue::from_str("Notification")).unwrap_or(false)
    });
    if !supported {
        return Permission::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks the browser for permission and reports its answer. Call it from a click
/// handler: browsers ignore requests that no user gesture started.
pub fn request_permission(on_answer: impl FnOnce(Permission) + 'static) {
    let request = match permission() {
        Permission::Ask => Notification::request_permission().ok(),
        _ => None,
    };
    match request {
        Some(promise) => wasm_bindgen_futures::spawn_local(async move {
            // A rejection still leaves a readable permission behind.
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            on_answer(permission());
        }),
        None => on_answer(permission()),
    }
}

/// A notification on screen; its click handler lives as long as this value.
pub struct ShownNotification {
    _on_click: EventListener,
}

/// Shows a notification (when permitted) that focuses this tab and runs `on_click`
/// when clicked. `tag` groups notifications: a newer one with the same tag replaces
/// the older on screen.
pub fn show(
    title: &str,
    body: &str,
    tag: &str,
    on_click: impl Fn() + 'static,
) -> Option<ShownNotification> {
    if permission() != Permission::Granted {
        return None;
    }
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    // Throws where only service workers may notify (Chrome on Android): then nothing.
    let notification = Notification::new_with_options(title, &options).ok()?;
    let on_click = EventListener::new(&notification, "click", move |event| {
        page::focus_tab();
        if let Some(clicked) = event
            .target()
            .and_then(|target| target.dyn_into::<Notification>().ok())
        {
            clicked.close();
        }
        on_click();
    });
    Some(ShownNotification {
        _on_click: on_click,
    })
}
