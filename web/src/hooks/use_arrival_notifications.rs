//! Desktop notifications for messages from others while the tab is hidden, when the
//! reader turned them on.

use std::collections::HashMap;

use miricat_shared::RoomId;
use yew::prelude::*;

use super::use_chat;
use crate::services::notifications::{self, ShownNotification};
use crate::services::{page, storage};

/// Shows a notification for each new message from someone else while the tab is
/// hidden; clicking it brings the tab up with that message's room open.
#[hook]
pub fn use_arrival_notifications() {
    let chat = use_chat();
    // What had arrived before this screen mounted is old news.
    let old_news = use_memo((), |_| {
        chat.state().last_arrival.as_ref().map(|a| a.revision)
    });
    // One notification per room (its tag), each with its live click handler.
    let shown = use_mut_ref(HashMap::<RoomId, ShownNotification>::new);
    let arrival = chat.state().last_arrival.clone();
    use_effect_with(arrival, move |arrival| {
        let Some(arrival) = arrival else { return };
        if Some(arrival.revision) == *old_news
            || page::is_visible()
            || !storage::notifications_wanted()
        {
            return;
        }
        let room = arrival.room;
        let room_name = chat
            .state()
            .rooms
            .get(&room)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let (title, body) = arrival.notification(&room_name);
        let tag = format!("miricat-room-{room}");
        if let Some(notification) =
            notifications::show(&title, &body, &tag, move || chat.open_room(room))
        {
            shown.borrow_mut().insert(room, notification);
        }
    });
}
