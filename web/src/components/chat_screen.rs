//! The chat layout: rooms on the left, the open room in the middle, its members on
//! the right.

use yew::prelude::*;

use super::composer::Composer;
use super::error_banner::ErrorBanner;
use super::members_panel::MembersPanel;
use super::message_list::MessageList;
use super::room_header::RoomHeader;
use super::sidebar::Sidebar;
use crate::hooks::{use_chat, use_room_hotkeys};

/// The signed-in screen.
#[component]
pub fn ChatScreen() -> Html {
    use_room_hotkeys();
    let chat = use_chat();
    let offline_note = chat.state().status_detail.clone();
    html! {
        <div class="chat-layout">
            <Sidebar />
            <main class="room-pane">
                <RoomHeader />
                if let Some(note) = offline_note {
                    <div class="offline-note" role="status">{ note }</div>
                }
                <ErrorBanner />
                <MessageList />
                <Composer />
            </main>
            <MembersPanel />
        </div>
    }
}
