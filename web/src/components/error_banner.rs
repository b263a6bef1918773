//! The error banner: every failure in plain words, dismissible.

use yew::prelude::*;

use crate::hooks::ChatContext;

/// Shows the current error, if any.
pub fn error_banner(chat: &ChatContext) -> Html {
    let Some(error) = chat.state().error.clone() else {
        return Html::default();
    };
    let chat = chat.clone();
    let dismiss = Callback::from(move |_| chat.dismiss_error());
    html! {
        <div class="error-banner" data-testid="error-banner" role="alert">
            <span class="error-text">{ error }</span>
            <button type="button" class="ghost" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
