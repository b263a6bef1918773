//! The error banner: every failure in plain words, dismissible.

use yew::prelude::*;

use crate::hooks::use_chat;

/// Shows the current error, if any.
#[component]
pub fn ErrorBanner() -> Html {
    let chat = use_chat();
    let Some(error) = chat.state().error.clone() else {
        return Html::default();
    };
    let dismiss = Callback::from(move |_| chat.dismiss_error());
    html! {
        <div class="error-banner" data-testid="error-banner" role="alert">
            <span class="error-text">{ error }</span>
            <button type="button" class="ghost" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
