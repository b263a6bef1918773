//! Hooks the components use to reach the chat state and its commands, plus the
//! page-wide behaviours the chat screen installs (room and search hotkeys,
//! notifications).

mod use_arrival_notifications;
mod use_chat;
mod use_page_keydown;
mod use_room_hotkeys;
mod use_search_hotkey;

pub use use_arrival_notifications::use_arrival_notifications;
pub use use_chat::{ChatContext, use_chat};
pub use use_room_hotkeys::use_room_hotkeys;
pub use use_search_hotkey::use_search_hotkey;
