//! Alt+Up / Alt+Down switch rooms from anywhere on the page, as in IRC clients.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::use_chat;

/// Installs the room-switching hotkeys while the calling component is mounted.
#[hook]
pub fn use_room_hotkeys() {
    let chat = use_chat();
    // The listener reads the latest context through a ref, so it is installed once.
    let latest = use_mut_ref(|| chat.clone());
    *latest.borrow_mut() = chat;
    use_effect_with((), move |_| {
        let listener = web_sys::window()
            .and_then(|w| w.document())
            .map(|document| {
                EventListener::new_with_options(
                    &document,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        if !key.alt_key() || key.ctrl_key() || key.meta_key() {
                            return;
                        }
                        let step = match key.key().as_str() {
                            "ArrowUp" => -1,
                            "ArrowDown" => 1,
                            _ => return,
                        };
                        key.prevent_default();
                        latest.borrow().switch_room(step);
                    },
                )
            });
        move || drop(listener)
    });
}
