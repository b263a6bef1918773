//! Root's new-room form, always at hand in the sidebar.

use yew::prelude::*;

use super::text_input::bind_text;

use crate::hooks::use_chat;

/// Creates a room; shown to root only.
#[component]
pub fn CreateRoomForm() -> Html {
    let chat = use_chat();
    let name = use_state(String::new);
    let onsubmit = {
        let name = name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if name.trim().is_empty() {
                chat.error("Give the new room a name.");
                return;
            }
            chat.create_room(&name);
            name.set(String::new());
        })
    };
    html! {
        <form class="create-room" {onsubmit} aria-label="New room">
            <input
                data-testid="admin-create-room-name"
                placeholder="New room name"
                aria-label="New room name"
                maxlength="100"
                value={(*name).clone()}
                oninput={bind_text(&name)}
            />
            <button type="submit" data-testid="admin-create-room-submit">{ "Create" }</button>
        </form>
    }
}
