//! The search over the app's state: every room's text messages, through a folded
//! copy per room kept between searches ([`crate::search::index`]) and brought in
//! step with the timelines at each search (only new entries are folded).

use std::rc::Rc;

use miricat_shared::RoomId;

use crate::search::index::{FoldedRoom, Searchable};
use crate::search::{Document, Query, Results, search};
use crate::state::{ChatState, Content, Entry, EntryKind};

impl Searchable for Rc<Entry> {
    fn time_ms(&self) -> u64 {
        self.time_ms
    }

    fn text(&self) -> Option<&str> {
        match &self.kind {
            EntryKind::Message {
                content: Content::Text(text),
                ..
            } => Some(text),
            _ => None,
        }
    }
}

/// The folded copies of every room, owned by the search box for the tab's life.
#[derive(Debug, Default)]
pub struct RoomSearch {
    /// By room ID, in the order of `ChatState::rooms` (a map sorted by ID).
    rooms: Vec<(RoomId, FoldedRoom)>,
}

impl RoomSearch {
    /// Every room's messages in `state` matching `query`.
    pub fn search(&mut self, state: &ChatState, query: &Query) -> Results<RoomId> {
        // Rebuilt in step with the rooms (each keeps its copies).
        let mut kept = std::mem::take(&mut self.rooms).into_iter().peekable();
        for (id, room) in &state.rooms {
            while kept.next_if(|(k, _)| k < id).is_some() {}
            let mut index = kept
                .next_if(|(k, _)| k == id)
                .map(|(_, i)| i)
                .unwrap_or_default();
            index.sync(room.first_seq, &room.timeline);
            self.rooms.push((*id, index));
        }
        let rooms = state.room_order().into_iter().filter_map(|id| {
            let room = state.rooms.get(&id)?;
            let at = self.rooms.binary_search_by_key(&id, |(k, _)| *k).ok()?;
            let index = &self.rooms[at].1;
            let first = room.first_seq;
            let documents =
                room.timeline
                    .iter()
                    .enumerate()
                    .rev()
                    .filter_map(move |(at, entry)| match &entry.kind {
                        EntryKind::Message {
                            sender,
                            content: Content::Text(text),
                            ..
                        } => Some(Document {
                            seq: first + at as u64,
                            time_ms: entry.time_ms,
                            sender,
                            text,
                            folded: index.folded(first + at as u64),
                        }),
                        _ => None,
                    });
            Some((id, documents))
        });
        search(query, rooms)
    }

    /// Bytes held by the folded copies.
    pub fn bytes(&self) -> usize {
        self.rooms.iter().map(|(_, i)| i.bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, RoomListing};
    use yew::Reducible;

    fn reduce(actions: impl IntoIterator<Item = Action>) -> ChatState {
        let mut state = Rc::new(ChatState::default());
        for action in actions {
            state = state.reduce(action);
        }
        Rc::unwrap_or_clone(state)
    }

    fn message(room: RoomId, text: &str, time_ms: u64) -> Action {
        Action::Message {
            room,
            sender: "bob".into(),
            content: Content::Text(text.into()),
            time_ms,
            message_id: None,
        }
    }

    #[test]
    fn finds_messages_in_every_room_and_follows_new_ones() {
        let listing = |id, name: &str| RoomListing {
            id,
            name: name.into(),
            members: Some(vec![]),
        };
        let mut state = reduce([
            Action::SignInStarted {
                username: "alice".into(),
            },
            Action::SignedIn(vec![listing(1, "general"), listing(2, "ops")]),
            message(1, "Lunch at the École?", 100),
            message(2, "deploy done", 200),
            message(2, "école closed", 300),
        ]);
        let mut search = RoomSearch::default();
        let query = Query::parse("ÉCOLE").unwrap();
        let found = search.search(&state, &query);
        assert_eq!(found.total, 2);
        let order: Vec<RoomId> = found.rooms.iter().map(|r| r.room).collect();
        assert_eq!(order, [2, 1], "the room with the newest hit first");
        let ops = &state.rooms[&2];
        assert_eq!(found.rooms[0].hits[0].seq, ops.first_seq + 1);
        assert!(search.bytes() > 0);

        state = Rc::unwrap_or_clone(Rc::new(state).reduce(message(1, "école again", 400)));
        let found = search.search(&state, &query);
        assert_eq!(found.total, 3, "a new message is folded and found");
        assert_eq!(found.rooms[0].room, 1);
    }
}
