//! Rooms brought back from this browser's store after a reload (`crate::stored`),
//! shown at once, before the server answers, and where "new since you left" begins.

use std::rc::Rc;

use miricat_shared::RoomId;

use super::ChatState;
use super::room::{FIRST_SEQ, Membership, Room};
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
            if self
                .rooms
                .get(&stored.id)
                .is_some_and(|r| !r.timeline.is_empty())
            {
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
            .map(|a| a.drafts.into_iter().collect())
            .unwrap_or_default();
        self.signed_in = true;
    }

    fn mark_read(&mut self, room: RoomId) {
        if let Some(r) = self.room_mut(room) {
            r.unread = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use yew::Reducible;

    use super::*;
    use crate::state::{Action, Content, Entry, EntryKind, RoomListing};
    use crate::stored::StoredAccount;

    fn said(id: u64, time_ms: u64) -> Entry {
        Entry {
            time_ms,
            message_id: Some(id),
            kind: EntryKind::Message {
                sender: "bob".into(),
                content: Content::Text(format!("m{id}")),
                own: None,
            },
        }
    }

    fn reduce(actions: impl IntoIterator<Item = Action>) -> ChatState {
        reduce_more(ChatState::default(), actions)
    }

    /// Room 1 joined and open, read to its end; room 2 not joined, its last
    /// message unread.
    fn restored() -> Restored {
        let open = Room::with_timeline(1, Membership::In, vec![said(1, 10), said(2, 20)]);
        let mut other = Room::with_timeline(2, Membership::Out, vec![said(3, 5), said(4, 6)]);
        other.unread = 1;
        Restored {
            account: Some(StoredAccount::new(
                25,
                Some(1),
                &HashMap::from([(2, "half a thought".to_owned())]),
            )),
            rooms: vec![
                StoredRoom::from_room(&open, true),
                StoredRoom::from_room(&other, false),
            ],
        }
    }

    fn listing(id: RoomId) -> RoomListing {
        RoomListing {
            id,
            name: format!("room {id}"),
            members: None,
        }
    }

    #[test]
    fn a_reload_shows_the_stored_rooms_at_once_and_marks_what_is_new() {
        let s = reduce([
            Action::SignInStarted {
                username: "alice".into(),
            },
            Action::Restored(Box::new(restored())),
        ]);
        assert!(s.signed_in, "the chat shows before the server answers");
        assert_eq!(s.active, Some(1));
        let open = &s.rooms[&1];
        assert_eq!(open.membership, Membership::Joining, "until rejoined");
        assert_eq!(open.timeline.len(), 2);
        assert_eq!(open.first_new_seq(), None, "nothing new yet");
        assert_eq!(s.rooms[&2].unread, 1);
        assert_eq!(s.rooms[&2].first_new_seq(), Some(FIRST_SEQ + 1));
        assert_eq!(s.restored_drafts[&2], "half a thought");

        // The server answers: the stored timeline stays, new messages follow it.
        let s = reduce_more(
            s,
            [
                Action::SignedIn(vec![listing(1), listing(2)]),
                Action::Message {
                    room: 1,
                    sender: "bob".into(),
                    content: Content::Text("while you were away".into()),
                    time_ms: 30,
                    message_id: Some(5),
                },
            ],
        );
        let open = &s.rooms[&1];
        assert_eq!(open.timeline.len(), 3);
        assert_eq!(open.first_new_seq(), Some(FIRST_SEQ + 2));
    }

    #[test]
    fn a_gap_filled_after_a_reload_lets_older_pages_be_fetched() {
        let s = reduce([
            Action::SignInStarted {
                username: "alice".into(),
            },
            Action::Restored(Box::new(restored())),
            Action::HistoryPage {
                room: 1,
                messages: Vec::new(),
                older: None,
            },
        ]);
        assert_eq!(s.rooms[&1].history, crate::state::HistoryView::More);
    }

    #[test]
    fn nothing_stored_leaves_the_sign_in_form_up() {
        let s = reduce([Action::Restored(Box::default())]);
        assert!(!s.signed_in);
    }

    fn reduce_more(state: ChatState, actions: impl IntoIterator<Item = Action>) -> ChatState {
        let mut state = Rc::new(state);
        for action in actions {
            state = state.reduce(action);
        }
        Rc::unwrap_or_clone(state)
    }
}
