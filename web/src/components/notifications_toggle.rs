//! The desktop-notifications switch. Off until the reader turns it on; only then is
//! the browser asked for permission. When the browser says no, a note says why and
//! what to do.

use yew::prelude::*;

use crate::services::notifications::{self, Permission};
use crate::services::storage;

/// What to tell the reader when notifications stay off for `permission`.
fn refusal(permission: Permission) -> Option<&'static str> {
    match permission {
        Permission::Denied => Some(
            "The browser blocks notifications for this site: allow them in its site settings, then try again.",
        ),
        Permission::Unsupported => Some("This browser cannot show notifications."),
        Permission::Ask => Some("Notifications stay off: the browser's question was dismissed."),
        Permission::Granted => None,
    }
}

/// Turns desktop notifications on and off (remembered in local storage).
#[component]
pub fn NotificationsToggle() -> Html {
    let wanted = use_state(storage::notifications_wanted);
    // The browser's latest word: read at start when they were on last time (the
    // reader may have blocked them since), else once the reader presses the switch.
    let answer = use_state(|| wanted.then(notifications::permission));
    let on = *wanted && notifications::permission() == Permission::Granted;
    let onclick = {
        let (wanted, answer) = (wanted.clone(), answer.clone());
        Callback::from(move |_: MouseEvent| {
            if on {
                storage::remember_notifications(false);
                wanted.set(false);
                return;
            }
            let (wanted, answer) = (wanted.clone(), answer.clone());
            notifications::request_permission(move |permission| {
                let granted = permission == Permission::Granted;
                storage::remember_notifications(granted);
                wanted.set(granted);
                answer.set(Some(permission));
            });
        })
    };
    let note = answer.and_then(refusal);
    html! {
        <>
            <button
                type="button"
                class="ghost small notifications-toggle"
                data-testid="notifications-toggle"
                aria-pressed={if on { "true" } else { "false" }}
                title="Desktop notifications for messages from others while this tab is hidden"
                {onclick}
            >
                { if on { "Notifications: on" } else { "Notifications: off" } }
            </button>
            <p class="notifications-note small" data-testid="notifications-note" role="status">
                { note.unwrap_or_default() }
            </p>
        </>
    }
}
