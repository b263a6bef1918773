//! Picking up where the last visit left off: after a reload, what this browser
//! stored of the account (`crate::stored`) seeds the client before the socket
//! answers. The rooms we were in are rejoined on `Accepted`, our unconfirmed
//! messages go back into the outbox (sent once the room is joined, as any queued
//! message), and with `history/1` the rejoin fills the gap after the newest stored
//! message. Call [`ChatClient::restore`] right after [`ChatClient::sign_in`].

use super::history::RoomHistory;
use super::outbox::OutboxMessage;
use super::{ChatClient, Effect};
use crate::state::{Action, Restored};

impl ChatClient {
    /// Seeds the client with `restored` and shows it. Since this account signed in
    /// through this bridge before, a connection that fails now is retried (with the
    /// stored rooms on screen) instead of sending the user back to the form.
    pub fn restore(&mut self, restored: Restored) -> Vec<Effect> {
        if restored.is_empty() {
            return Vec::new();
        }
        self.signed_in_once = true;
        for room in &restored.rooms {
            if room.joined {
                self.wanted_rooms.insert(room.id);
            }
            self.next_local_id = self.next_local_id.max(room.highest_local_id());
            for unsent in room.unsent() {
                if self.outbox.iter().all(|m| m.local_id() != unsent.local_id) {
                    self.outbox.push(OutboxMessage::restored(
                        unsent.local_id,
                        unsent.room,
                        unsent.text,
                        unsent.failed,
                    ));
                }
            }
            if let Some((oldest, newest)) = room.message_id_range() {
                self.histories
                    .insert(room.id, RoomHistory::restored(oldest, newest));
            }
        }
        vec![Effect::Ui(Action::Restored(Box::new(restored)))]
    }
}
