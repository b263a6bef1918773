//! One room in the sidebar: its name, unread count and whether we are in it.

use std::rc::Rc;

use yew::prelude::*;

use crate::hooks::use_chat;
use crate::state::{Membership, Room};

/// Props of [`RoomEntry`].
#[derive(Properties, PartialEq)]
pub struct RoomEntryProps {
    /// The room (shared with the state, so cloning is cheap).
    pub room: Rc<Room>,
    /// Whether it is the open room.
    pub active: bool,
}

/// A clickable room.
#[component]
pub fn RoomEntry(props: &RoomEntryProps) -> Html {
    let chat = use_chat();
    let room = &props.room;
    let id = room.id;
    let open = Callback::from(move |_| chat.open_room(id));
    let joined = room.membership.is_in();
    let hint = match room.membership {
        Membership::In => "joined",
        Membership::Joining => "joining…",
        Membership::Leaving => "leaving…",
        Membership::Out => "not joined",
    };
    html! {
        <li>
            <button
                type="button"
                class={classes!("room-entry", props.active.then_some("active"), joined.then_some("joined"), (room.unread > 0).then_some("has-unread"))}
                data-testid={format!("room-entry-{id}")}
                aria-current={props.active.then_some("true")}
                title={format!("{} ({hint})", room.name)}
                onclick={open}
            >
                <span class="room-hash" aria-hidden="true">{ "#" }</span>
                <span class="room-name">{ room.name.clone() }</span>
                if room.unread > 0 {
                    <span class="unread" aria-label={format!("{} unread", room.unread)}>
                        { if room.unread > 99 { "99+".to_owned() } else { room.unread.to_string() } }
                    </span>
                }
            </button>
        </li>
    }
}
