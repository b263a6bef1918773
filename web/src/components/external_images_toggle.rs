//! The switch for images from other sites: loaded on click (the default) or by
//! themselves. Loading one tells its host the reader's address and that they read
//! the room, so the reader decides; the choice is remembered in this browser.

use yew::prelude::*;

use crate::hooks::ChatContext;

/// Switches `http(s)` images between "on click" and "automatic".
pub fn external_images_toggle(chat: &ChatContext) -> Html {
    let chat = chat.clone();
    let on = chat.state().load_external_images;
    let onclick = Callback::from(move |_: MouseEvent| chat.set_load_external_images(!on));
    html! {
        <button
            type="button"
            class="ghost small external-images-toggle"
            data-testid="external-images-toggle"
            aria-pressed={if on { "true" } else { "false" }}
            title="Whether images posted by their address on another site load by themselves (that site then learns your address) or only when you click them"
            {onclick}
        >
            { if on { "Images from other sites: load" } else { "Images from other sites: on click" } }
        </button>
    }
}
