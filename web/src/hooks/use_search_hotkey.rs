//! Ctrl+K (⌘K on a Mac) anywhere, or "/" outside a text field, opens the search,
//! as in most chat apps. Neither is taken by the browser's own shortcuts there
//! nor by the room hotkeys (Alt+Up/Down).

use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::use_page_keydown::use_page_keydown;

/// Calls `open` on the search hotkey while the calling component is mounted.
#[hook]
pub fn use_search_hotkey(open: Callback<()>) {
    use_page_keydown(Callback::from(move |key: KeyboardEvent| {
        let command = key.ctrl_key() || key.meta_key();
        let wanted = match key.key().as_str() {
            "k" | "K" => command && !key.alt_key(),
            "/" => !command && !key.alt_key() && !in_text_field(&key),
            _ => false,
        };
        if wanted {
            key.prevent_default();
            open.emit(());
        }
    }));
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
