//! The chat layout: rooms on the left, the open room in the middle, its members on
//! the right.

use yew::prelude::*;

use super::admin_notice::AdminNotice;
use super::composer::Composer;
use super::error_banner::ErrorBanner;
use super::members_panel::MembersPanel;
use super::message_list::MessageList;
use super::room_admin_bar::RoomAdminBar;
use super::room_header::RoomHeader;
use super::sidebar::Sidebar;
use crate::hooks::{use_chat, use_room_hotkeys};

/// The signed-in screen.
#[component]
pub fn ChatScreen() -> Html {
    use_room_hotkeys();
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
    html! {
        <div class="chat-layout">
            <Sidebar />
            <main class="room-pane">
                <RoomHeader />
                if is_root {
                    <RoomAdminBar />
                }
                if let Some(note) = offline_note {
                    <div class="offline-note" role="status">{ note }</div>
                }
                <ErrorBanner />
                if is_root {
                    <AdminNotice />
                }
                <MessageList />
                <Composer />
            </main>
            <MembersPanel />
        </div>
    }
}
