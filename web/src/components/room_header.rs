//! The open room's header: its name, how many are here, and Join/Leave.

use yew::prelude::*;

use crate::hooks::use_chat;
use crate::state::Membership;

/// Header of the room pane.
#[component]
pub fn RoomHeader() -> Html {
    let chat = use_chat();
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
    let count = room.members.len();
    html! {
        <header class="room-header">
            <h2><span class="room-hash" aria-hidden="true">{ "#" }</span>{ room.name.clone() }</h2>
            <span class="muted small">
                { format!("{count} {}", if count == 1 { "person here" } else { "people here" }) }
            </span>
            <span class="spacer"></span>
            { action }
        </header>
    }
}
