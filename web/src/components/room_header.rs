//! The open room's header: its name, how many are here, Join/Leave (with the reason
//! when the last join or leave failed, kept there until the next attempt), and
//! (where the members panel does not fit beside the room) a button that shows it.

use yew::prelude::*;

use super::members_panel::MEMBERS_PANEL_ID;
use crate::hooks::ChatContext;
use crate::state::Membership;

/// The Members button's element ID, so focus can return to it when the panel closes.
pub const MEMBERS_TOGGLE_ID: &str = "members-toggle";

/// Header of the room pane. `members_shown`: whether the members panel is shown over
/// the room (narrow screens); `on_toggle_members` shows or hides it.
pub fn room_header(
    chat: &ChatContext,
    members_shown: bool,
    on_toggle_members: &Callback<()>,
) -> Html {
    let Some(room) = chat.state().active_room() else {
        return html! {
            <header class="room-header"><h2 class="muted">{ "No room open" }</h2></header>
        };
    };
    let id = room.id;
    let action = match room.membership {
        Membership::Out | Membership::Joining => {
            let chat = chat.clone();
            let joining = room.membership == Membership::Joining;
            html! {
                <button type="button" class="primary" data-testid="room-join" disabled={joining}
                    onclick={Callback::from(move |_| chat.join(id))}>
                    { if joining { "Joining…" } else { "Join" } }
                </button>
            }
        }
        Membership::In | Membership::Leaving => {
            let chat = chat.clone();
            let leaving = room.membership == Membership::Leaving;
            html! {
                <button type="button" data-testid="room-leave" disabled={leaving}
                    onclick={Callback::from(move |_| chat.leave(id))}>
                    { if leaving { "Leaving…" } else { "Leave" } }
                </button>
            }
        }
    };
    let refusal = room.refusal.clone().map(|why| {
        html! { <span class="room-refusal" data-testid="room-refusal" role="alert">{ why }</span> }
    });
    let count = room.members.len();
    let toggle_members = on_toggle_members.reform(|_: MouseEvent| ());
    html! {
        <header class="room-header">
            <h2><span class="room-hash" aria-hidden="true">{ "#" }</span>{ room.name.clone() }</h2>
            <span class="muted small">
                { format!("{count} {}", if count == 1 { "person here" } else { "people here" }) }
            </span>
            <span class="spacer"></span>
            <button
                type="button"
                id={MEMBERS_TOGGLE_ID}
                class="members-toggle"
                data-testid="members-toggle"
                aria-controls={MEMBERS_PANEL_ID}
                aria-expanded={if members_shown { "true" } else { "false" }}
                onclick={toggle_members}
            >
                { format!("Members · {count}") }
            </button>
            { for refusal }
            { action }
        </header>
    }
}
