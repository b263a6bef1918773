//! The theme button: follow the system, light, dark, and round again. The choice is
//! remembered and applied to the whole page at once.

use yew::prelude::*;

use crate::services::{page, storage};

/// Cycles the theme; shown on the sign-in and the chat screens.
#[component]
pub fn ThemeToggle() -> Html {
    let theme = use_state(storage::saved_theme);
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.next();
            storage::remember_theme(next);
            page::apply_theme(next);
            theme.set(next);
        })
    };
    let next = theme.next().label().to_ascii_lowercase();
    html! {
        <button
            type="button"
            class="ghost small theme-toggle"
            data-testid="theme-toggle"
            data-theme-choice={theme.as_str()}
            title={format!("Press for {next}")}
            {onclick}
        >
            <span aria-hidden="true">{ theme.symbol() }</span>
            { " " }{ theme.label() }
        </button>
    }
}
