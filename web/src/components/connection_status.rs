//! The connection pill: the phase in words, with stable `data-*` attributes for
//! tests and the app's own measurements. Its tooltip explains the phase and names
//! the MCP version in use.

use yew::prelude::*;

use crate::hooks::ChatContext;

fn figure(value: Option<f64>) -> Option<AttrValue> {
    value.map(|ms| AttrValue::from(format!("{ms:.2}")))
}

/// Shows connecting / securing / signing in / online / offline.
pub fn connection_status(chat: &ChatContext) -> Html {
    let state = chat.state();
    let data_state = state.phase.data_state();
    let metrics = state.metrics;
    let protocol = state.protocol.map(|v| v.as_str());
    let tooltip = match (&state.status_detail, protocol) {
        (Some(detail), _) => Some(detail.clone()),
        (None, Some(version)) => Some(format!("{} · MCP {version}", state.phase.label())),
        (None, None) => None,
    };
    html! {
        <div
            class={classes!("status", format!("status-{data_state}"))}
            data-testid="connection-status"
            data-state={data_state}
            data-handshake-ms={figure(metrics.handshake_ms)}
            data-sign-in-ms={figure(metrics.sign_in_ms)}
            data-page-to-signed-in-ms={figure(metrics.page_to_signed_in_ms)}
            data-protocol={protocol}
            role="status"
            aria-live="polite"
            title={tooltip}
        >
            <span class="status-dot" aria-hidden="true"></span>
            <span class="status-label">{ state.phase.label() }</span>
        </div>
    }
}
