//! The sign-in screen: username, password, sign in or create an account, and an
//! advanced field for the bridge address.

use yew::prelude::*;

use super::text_input::bind_text;

use super::connection_status::connection_status;
use super::error_banner::error_banner;
use super::theme_toggle::ThemeToggle;
use crate::bridge_url::{choose_bridge_url, normalise_bridge_url};
use crate::hooks::use_chat;
use crate::services::{page, storage};

/// The sign-in form.
#[component]
pub fn LoginScreen() -> Html {
    let chat = use_chat();
    let username = use_state(|| storage::saved_username().unwrap_or_default());
    let password = use_state(String::new);
    // A `?bridge=` link fills the field, else the address saved last time; what the
    // field holds when signing in is what is used (and remembered).
    let bridge_override = use_state(|| {
        page::bridge_query_parameter()
            .or_else(storage::saved_bridge)
            .unwrap_or_default()
    });
    let default_bridge = use_memo((), |_| page::default_bridge_url());
    let busy = chat.state().phase.is_busy();

    let submit = {
        let (chat, username, password, bridge_override) = (
            chat.clone(),
            username.clone(),
            password.clone(),
            bridge_override.clone(),
        );
        let default_bridge = default_bridge.clone();
        move |register: bool| {
            let name = username.trim();
            if name.is_empty() || password.is_empty() {
                chat.error("Enter a username and a password.");
                return;
            }
            let typed = bridge_override.trim();
            if !typed.is_empty()
                && let Err(why) = normalise_bridge_url(typed)
            {
                chat.error(&why);
                return;
            }
            let typed = (!typed.is_empty()).then_some(typed);
            let url = choose_bridge_url(typed, None, &default_bridge);
            storage::remember(name, typed);
            chat.sign_in(name, &password, register, url);
        }
    };
    let on_login = {
        let submit = submit.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            submit(false);
        })
    };
    let on_register = Callback::from(move |_: MouseEvent| submit(true));
    let bridge_shown = (*default_bridge).clone();

    html! {
        <div class="login-page">
            <form class="login-card" onsubmit={on_login}>
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">{ "M" }</span>
                    <div>
                        <h1>{ "Miricat" }</h1>
                        <p class="muted">{ "Encrypted chat, right in your browser." }</p>
                    </div>
                </div>
                { error_banner(&chat) }
                <label for="login-username">{ "Username" }</label>
                <input
                    id="login-username"
                    data-testid="login-username"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    value={(*username).clone()}
                    oninput={bind_text(&username)}
                    disabled={busy}
                />
                <label for="login-password">{ "Password" }</label>
                <input
                    id="login-password"
                    data-testid="login-password"
                    type="password"
                    autocomplete="current-password"
                    value={(*password).clone()}
                    oninput={bind_text(&password)}
                    disabled={busy}
                />
                <div class="login-actions">
                    <button type="submit" class="primary" data-testid="login-submit" disabled={busy}>
                        { "Sign in" }
                    </button>
                    <button type="button" data-testid="register-submit" onclick={on_register} disabled={busy}>
                        { "Create account" }
                    </button>
                </div>
                <details class="advanced">
                    <summary>{ "Advanced" }</summary>
                    <label for="login-bridge">{ "Bridge address" }</label>
                    <input
                        id="login-bridge"
                        data-testid="login-bridge"
                        placeholder={bridge_shown}
                        spellcheck="false"
                        value={(*bridge_override).clone()}
                        oninput={bind_text(&bridge_override)}
                        disabled={busy}
                    />
                    <p class="muted small">
                        { "Leave empty to use this page's own bridge." }
                    </p>
                </details>
                <div class="login-status">
                    { connection_status(&chat) }
                    <ThemeToggle />
                </div>
            </form>
        </div>
    }
}
