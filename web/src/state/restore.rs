//! Rooms brought back from this browser's store after a reload (`crate::stored`),
//! shown at once, before the server answers, and where "new since you left" begins.

use std::rc::Rc;

use miricat_shared::RoomId;

use super::room::{FIRST_SEQ, Membership, Room};
use super::ChatState;
use crate::stored::{StoredAccount, StoredRoom};

/// What the store held for the account signing in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Restored {
    /// The account record, if there was one.
    pub account: Option<StoredAccount>,
    /// The room records.
    pub rooms: Vec<StoredRoom>,
}

impl Restored {
    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.rooms.is_empty()
    }
}

impl Room {
    /// The sequence number of the first entry newer than the reader's read
    /// position from before the reload, when there is one and something older sits
    /// above it (a divider at the very top would say nothing).
    pub fn first_new_seq(&self) -> Option<u64> {
        let read_up_to = self.read_up_to_ms?;
        let at = self.timeline.iter().position(|e| e.time_ms > read_up_to)?;
        (at > 0).then(|| self.first_seq + at as u64)
    }
}

impl ChatState {
    /// Shows what the store held: each room not shown yet gets its stored
    /// timeline, unread count and read position; rooms we were in are "joining"
    /// until the server confirms the rejoin. The chat screen shows at once.
    pub(super) fn restore(&mut self, restored: Restored) {
        if restored.is_empty() {
            return;
        }
        for stored in restored.rooms {
            if self.rooms.get(&stored.id).is_some_and(|r| !r.timeline.is_empty()) {
                continue;
            }
            let mut room = Room {
                id: stored.id,
                name: stored.name.clone(),
                first_seq: FIRST_SEQ,
                membership: if stored.joined {
                    Membership::Joining
                } else {
                    Membership::Out
                },
                unread: stored.unread,
                read_up_to_ms: Some(stored.read_up_to_ms),
                ..Room::default()
            };
            for entry in stored.timeline() {
                room.push(entry);
            }
            self.rooms.insert(stored.id, Rc::new(room));
        }
        if let Some(active) = restored.account.as_ref().and_then(|a| a.active)
            && self.rooms.contains_key(&active)
        {
            self.active = Some(active);
        }
        self.settle_active();
        if let Some(active) = self.active {
            self.mark_read(active);
        }
        self.restored_drafts = restored
            .account
            .map(|a| a.drafts)
            .unwrap_or_default();
        self.signed_in = true;
    }

    fn mark_read(&mut self, room: RoomId) {
        if let Some(r) = self.room_mut(room) {
            r.unread = 0;
        }
    }
}
