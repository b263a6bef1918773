//! Ctrl+K (⌘K on a Mac) anywhere, or "/" outside a text field, opens the search,
//! as in most chat apps. Neither is taken by the browser's own shortcuts there
//! nor by the room hotkeys (Alt+Up/Down).

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `open` on the search hotkey while the calling component is mounted.
#[hook]
pub fn use_search_hotkey(open: Callback<()>) {
    let latest = use_mut_ref(|| open.clone());
    *latest.borrow_mut() = open;
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
                        let command = key.ctrl_key() || key.meta_key();
                        let wanted = match key.key().as_str() {
                            "k" | "K" => command && !key.alt_key(),
                            "/" => !command && !key.alt_key() && !in_text_field(key),
                            _ => false,
                        };
                        if wanted {
                            key.prevent_default();
                            latest.borrow().emit(());
                        }
                    },
                )
            });
        move || drop(listener)
    });
}

/// Whether the key went to a place that takes typing ("/" is text there).
fn in_text_field(key: &web_sys::KeyboardEvent) -> bool {
    let Some(target) = key
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    target.is_content_editable()
        || matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}
