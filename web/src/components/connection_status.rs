//! The connection pill: the phase in words, with stable `data-*` attributes for
//! tests and the app's own measurements.

use yew::prelude::*;

use crate::hooks::use_chat;

fn figure(value: Option<f64>) -> Option<AttrValue> {
    value.map(|ms| AttrValue::from(format!("{ms:.2}")))
}

/// Shows connecting / securing / signing in / online / offline.
#[component]
pub fn ConnectionStatus() -> Html {
    let chat = use_chat();
    let state = chat.state();
    let data_state = state.phase.data_state();
    let metrics = state.metrics;
    html! {
        <div
            class={classes!("status", format!("status-{data_state}"))}
            data-testid="connection-status"
            data-state={data_state}
            data-handshake-ms={figure(metrics.handshake_ms)}
            data-sign-in-ms={figure(metrics.sign_in_ms)}
            data-page-to-signed-in-ms={figure(metrics.page_to_signed_in_ms)}
            role="status"
            aria-live="polite"
            title={state.status_detail.clone()}
        >
            <span class="status-dot" aria-hidden="true"></span>
            <span class="status-label">{ state.phase.label() }</span>
        </div>
    }
}
