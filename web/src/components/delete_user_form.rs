//! Root's delete-account form, which asks for confirmation: the server removes the
//! account and closes its sessions at once.

use yew::prelude::*;

use super::text_input::bind_text;

use super::confirm_dialog::ConfirmDialog;
use crate::hooks::use_chat;

/// Deletes an account by name; render it for root only.
#[component]
pub fn DeleteUserForm() -> Html {
    let chat = use_chat();
    let username = use_state(String::new);
    // The name being confirmed, fixed when asked.
    let confirming = use_state(|| None::<String>);
    let onsubmit = {
        let (chat, username, confirming) = (chat.clone(), username.clone(), confirming.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = username.trim();
            if name.is_empty() {
                chat.error("Enter the username to delete.");
            } else if chat.state().me.as_deref() == Some(name) {
                chat.error("You cannot delete your own account.");
            } else {
                confirming.set(Some(name.to_owned()));
            }
        })
    };
    let on_cancel = {
        let confirming = confirming.clone();
        Callback::from(move |()| confirming.set(None))
    };
    let dialog = (*confirming).clone().map(|name| {
        let on_confirm = {
            let (chat, confirming, username) = (chat.clone(), confirming.clone(), username.clone());
            let name = name.clone();
            Callback::from(move |()| {
                confirming.set(None);
                username.set(String::new());
                chat.delete_user(&name);
            })
        };
        html! {
            <ConfirmDialog
                title={format!("Delete the user \"{name}\"?")}
                message="Their account is removed and they are signed out at once. This cannot be undone."
                confirm_label="Delete user"
                {on_confirm}
                {on_cancel}
            />
        }
    });
    html! {
        <form class="admin-form admin-row" aria-label="Delete a user" {onsubmit}>
            <input
                data-testid="admin-delete-user-name"
                placeholder="Username"
                aria-label="Username to delete"
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                maxlength="100"
                value={(*username).clone()}
                oninput={bind_text(&username)}
            />
            <button type="submit" class="danger-outline" data-testid="admin-delete-user-submit">
                { "Delete…" }
            </button>
            // One child either way: a list here would shift the buttons and lose
            // their focus.
            { dialog.unwrap_or_default() }
        </form>
    }
}
