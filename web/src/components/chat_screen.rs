//! The chat layout: rooms on the left, the open room in the middle, its members on
//! the right (over the room, on request, on narrow screens), plus the keyboard
//! shortcuts, the skip link, the announcer and desktop notifications. A search hit
//! chosen in the sidebar opens its room at that message.

use yew::prelude::*;

use super::admin_notice::AdminNotice;
use super::announcer::announcer;
use super::composer::Composer;
use super::error_banner::error_banner;
use super::members_panel::MembersPanel;
use super::message_list::{JumpTarget, MessageList};
use super::room_admin_bar::RoomAdminBar;
use super::room_header::{MEMBERS_TOGGLE_ID, room_header};
use super::sidebar::Sidebar;
use crate::hooks::{use_arrival_notifications, use_chat, use_room_hotkeys};
use crate::services::page;

/// The signed-in screen.
#[component]
pub fn ChatScreen() -> Html {
    use_room_hotkeys();
    use_arrival_notifications();
    let chat = use_chat();
    let offline_note = chat.state().status_detail.clone();
    let is_root = chat.state().is_root();
    // The tab title counts unread messages, so a background tab shows there is news.
    let unread: u32 = chat.state().rooms.values().map(|room| room.unread).sum();
    use_effect_with(unread, |unread| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&match unread {
                0 => "Miricat".to_owned(),
                n => format!("({n}) Miricat"),
            });
        }
    });
    // Narrow screens show the members over the room, on request.
    let members_shown = use_state(|| false);
    let toggle_members = {
        let members_shown = members_shown.clone();
        Callback::from(move |()| members_shown.set(!*members_shown))
    };
    let close_members = {
        let members_shown = members_shown.clone();
        Callback::from(move |()| {
            members_shown.set(false);
            page::focus_element(MEMBERS_TOGGLE_ID);
        })
    };
    // The last search hit chosen: the timeline opens its room around it.
    let jump = use_state(|| None::<JumpTarget>);
    let on_jump = {
        let (chat, jump) = (chat.clone(), jump.clone());
        Callback::from(move |(room, seq)| {
            chat.open_room(room);
            let nonce = jump.map_or(0, |j| j.nonce + 1);
            jump.set(Some(JumpTarget { room, seq, nonce }));
            page::focus_element("messages");
        })
    };
    html! {
        <div class="chat-layout">
            // Keyboard users jump past the room list to where they type.
            <a class="skip-link" data-testid="skip-link" href={format!("#{}", super::composer::INPUT_ID)}>{ "Skip to the message box" }</a>
            <Sidebar {on_jump} />
            <main class="room-pane">
                { room_header(&chat, *members_shown, &toggle_members) }
                if is_root {
                    <RoomAdminBar />
                }
                if let Some(note) = offline_note {
                    <div class="offline-note" role="status">{ note }</div>
                }
                { error_banner(&chat) }
                if is_root {
                    <AdminNotice />
                }
                <MessageList jump={*jump} />
                <Composer />
            </main>
            <MembersPanel shown={*members_shown} on_close={close_members} />
            { announcer(&chat) }
        </div>
    }
}
