//! Root's new-account form: a username and the password its owner will sign in with.

use yew::prelude::*;

use super::text_input::bind_text;

use crate::hooks::use_chat;

/// Creates an account; render it for root only.
#[component]
pub fn CreateUserForm() -> Html {
    let chat = use_chat();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let onsubmit = {
        let (username, password) = (username.clone(), password.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if username.trim().is_empty() || password.is_empty() {
                chat.error("Enter a username and a password for the new user.");
                return;
            }
            chat.create_user(&username, &password);
            // Like the room form: the reply (or the error banner) names the user.
            username.set(String::new());
            password.set(String::new());
        })
    };
    html! {
        <form class="admin-form" aria-label="New user" {onsubmit}>
            <input
                data-testid="admin-create-user-name"
                placeholder="New username"
                aria-label="New username"
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                maxlength="100"
                value={(*username).clone()}
                oninput={bind_text(&username)}
            />
            <div class="admin-row">
                <input
                    data-testid="admin-create-user-password"
                    type="password"
                    placeholder="Their password"
                    aria-label="Password for the new user"
                    autocomplete="new-password"
                    value={(*password).clone()}
                    oninput={bind_text(&password)}
                />
                <button type="submit" data-testid="admin-create-user-submit">{ "Create" }</button>
            </div>
        </form>
    }
}
