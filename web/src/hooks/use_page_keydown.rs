//! One page-wide `keydown` listener per caller, shared by the hotkey hooks.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// Calls `on_key` for every key pressed anywhere on the page while the calling
/// component is mounted; `on_key` may call `prevent_default`. The listener is
/// installed once and reads the latest callback through a ref, so callers can
/// pass a fresh closure on every render.
#[hook]
pub fn use_page_keydown(on_key: Callback<KeyboardEvent>) {
    let latest = use_mut_ref(|| on_key.clone());
    *latest.borrow_mut() = on_key;
    use_effect_with((), move |_| {
        let listener = web_sys::window()
            .and_then(|w| w.document())
            .map(|document| {
                EventListener::new_with_options(
                    &document,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        if let Some(key) = event.dyn_ref::<KeyboardEvent>() {
                            latest.borrow().emit(key.clone());
                        }
                    },
                )
            });
        move || drop(listener)
    });
}
