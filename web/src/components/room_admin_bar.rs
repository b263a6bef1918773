//! Root's controls for the open room, under its header: rename it, or delete it
//! after a confirmation.

use miricat_shared::RoomId;
use yew::prelude::*;

use super::text_input::bind_text;

use super::confirm_dialog::ConfirmDialog;
use crate::hooks::use_chat;

/// Rename and delete for the open room; render it for root only.
#[component]
pub fn RoomAdminBar() -> Html {
    let chat = use_chat();
    let room = chat.state().active_room().map(|r| (r.id, r.name.clone()));
    // The field starts as the room's name and follows it when it changes (a rename
    // here or from elsewhere, or another room opened).
    let new_name = use_state(|| room.as_ref().map(|(_, n)| n.clone()).unwrap_or_default());
    {
        let new_name = new_name.clone();
        use_effect_with(room.clone(), move |room| {
            new_name.set(room.as_ref().map(|(_, n)| n.clone()).unwrap_or_default());
        });
    }
    // The room being confirmed for deletion, fixed when asked: the open room may
    // change meanwhile (Alt+Arrow still switches rooms).
    let confirming = use_state(|| None::<(RoomId, String)>);
    let Some((id, name)) = room else {
        return Html::default();
    };

    let onsubmit = {
        let (chat, new_name, name) = (chat.clone(), new_name.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let wanted = new_name.trim();
            if wanted.is_empty() {
                chat.error("Give the room a name.");
            } else if wanted == name {
                chat.error(&format!("The room is already called \"{name}\"."));
            } else {
                chat.rename_room(id, wanted);
            }
        })
    };
    let ask = {
        let (confirming, name) = (confirming.clone(), name.clone());
        Callback::from(move |_: MouseEvent| confirming.set(Some((id, name.clone()))))
    };
    let on_cancel = {
        let confirming = confirming.clone();
        Callback::from(move |()| confirming.set(None))
    };
    let dialog = (*confirming).clone().map(|(doomed, doomed_name)| {
        let on_confirm = {
            let (chat, confirming) = (chat.clone(), confirming.clone());
            Callback::from(move |()| {
                confirming.set(None);
                chat.delete_room(doomed);
            })
        };
        html! {
            <ConfirmDialog
                title={format!("Delete the room \"{doomed_name}\"?")}
                message="The room disappears for everyone, and whoever is in it is left without it. This cannot be undone."
                confirm_label="Delete room"
                {on_confirm}
                on_cancel={on_cancel.clone()}
            />
        }
    });
    html! {
        <form class="room-admin" aria-label="Manage this room" {onsubmit}>
            <label for="admin-rename-room-name" class="small">{ "Room name" }</label>
            <input
                id="admin-rename-room-name"
                data-testid="admin-rename-room-name"
                maxlength="100"
                autocomplete="off"
                value={(*new_name).clone()}
                oninput={bind_text(&new_name)}
            />
            <button type="submit" data-testid="admin-rename-room-submit">{ "Rename" }</button>
            <span class="spacer"></span>
            <button type="button" class="danger-outline" data-testid="admin-delete-room" onclick={ask}>
                { "Delete room…" }
            </button>
            // One child either way: a list here would shift the buttons and lose
            // their focus.
            { dialog.unwrap_or_default() }
        </form>
    }
}
