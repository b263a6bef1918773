//! Alt+Up / Alt+Down switch rooms from anywhere on the page, as in IRC clients.

use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::use_chat;
use super::use_page_keydown::use_page_keydown;

/// Installs the room-switching hotkeys while the calling component is mounted.
#[hook]
pub fn use_room_hotkeys() {
    let chat = use_chat();
    use_page_keydown(Callback::from(move |key: KeyboardEvent| {
        if !key.alt_key() || key.ctrl_key() || key.meta_key() {
            return;
        }
        let step = match key.key().as_str() {
            "ArrowUp" => -1,
            "ArrowDown" => 1,
            _ => return,
        };
        key.prevent_default();
        chat.switch_room(step);
    }));
}
