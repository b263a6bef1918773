//! Text fields bound to state: the one `oninput` every form here needs.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// An `oninput` handler that keeps `handle` equal to the field's text.
pub fn bind_text(handle: &UseStateHandle<String>) -> Callback<InputEvent> {
    let handle = handle.clone();
    Callback::from(move |e: InputEvent| {
        handle.set(e.target_unchecked_into::<HtmlInputElement>().value());
    })
}
