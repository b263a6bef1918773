//! Who is in the open room, kept current by `Room.Joined` / `Room.Left`.

use yew::prelude::*;

use super::message_group::{hue_class, initial};
use crate::hooks::use_chat;

/// The members panel.
#[component]
pub fn MembersPanel() -> Html {
    let chat = use_chat();
    let state = chat.state();
    let members: Vec<String> = state
        .active_room()
        .map(|room| room.members.iter().cloned().collect())
        .unwrap_or_default();
    let me = state.me.clone();
    html! {
        <aside class="members-pane" aria-label="Members">
            <h3>{ format!("Members · {}", members.len()) }</h3>
            <ul class="member-list" data-testid="member-list">
                { for members.into_iter().map(|name| {
                    let is_me = me.as_deref() == Some(name.as_str());
                    html! {
                        <li key={name.clone()} class="member">
                            <span class={classes!("avatar", hue_class(&name))} aria-hidden="true">{ initial(&name) }</span>
                            <span class="member-name">{ name.clone() }</span>
                            if is_me { <span class="muted small">{ "(you)" }</span> }
                        </li>
                    }
                }) }
            </ul>
        </aside>
    }
}
