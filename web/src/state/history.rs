//! A room's past messages from the server (`history/1`): what the timeline's top
//! says about them, and merging a page of them into the timeline by server message
//! ID, so a message both pushed live and in a page (or in two pages) shows once.

use std::rc::Rc;

use miricat_shared::packet::message::MessageId;

use super::room::{Entry, MAX_TIMELINE_ENTRIES, Room};

/// What the top of a room's timeline says about older messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HistoryView {
    /// The server keeps no history for us (it did not agree to `history/1`):
    /// nothing is shown, nothing is fetched.
    #[default]
    Unavailable,
    /// Older messages exist on the server; scrolling up fetches them.
    More,
    /// A page is on its way.
    Loading,
    /// The room's first message is shown: nothing older exists.
    Start,
    /// The tab holds as many entries as it keeps for a room: older ones are not
    /// fetched.
    Full,
    /// The last page did not come, in plain words; scrolling up tries again.
    Failed(String),
}

/// One message of a history page, as the timeline keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastMessage {
    /// The server's ID of it.
    pub message_id: MessageId,
    /// Server time.
    pub time_ms: u64,
    /// Who wrote it and what it says or shows.
    pub kind: super::EntryKind,
}

impl Room {
    /// Merges `page` (ascending IDs) into the timeline, skipping messages shown
    /// already. Each message goes right after the newest shown message with a lower
    /// ID (at the very front if there is none), so an older page goes on top and a
    /// page filling a gap goes into the gap, before the events that came after it.
    ///
    /// Returns whether the page had to be cut to stay within the room's bounds (its
    /// oldest messages are then left out, and nothing older should be fetched).
    pub(super) fn merge_history(&mut self, page: Vec<PastMessage>) -> bool {
        let mut fresh: Vec<PastMessage> = page
            .into_iter()
            .filter(|m| !self.message_ids.contains(&m.message_id))
            .collect();
        // At most a page (the client keeps at most the 200 it asks for, see
        // `client::history`), ascending already from honest servers: a linear pass,
        // and stable, so the dedup keeps the first of equal IDs.
        crate::search::insertion_sort(&mut fresh, |m| m.message_id);
        fresh.dedup_by_key(|m| m.message_id);
        let room_left = MAX_TIMELINE_ENTRIES.saturating_sub(self.timeline.len());
        let cut = fresh.len() > room_left;
        if cut {
            fresh.drain(..fresh.len() - room_left);
        }
        if fresh.is_empty() {
            return cut;
        }
        // Shown messages with an ID, in timeline order (IDs grow along it: the
        // server pushes in ID order and pages are merged in place).
        let shown: Vec<(MessageId, usize)> = self
            .timeline
            .iter()
            .enumerate()
            .filter_map(|(at, e)| e.message_id.map(|id| (id, at)))
            .collect();
        let slot = |id: MessageId| match shown.partition_point(|(shown, _)| *shown < id) {
            0 => 0,
            n => shown[n - 1].1 + 1,
        };
        let mut merged = Vec::with_capacity(self.timeline.len() + fresh.len());
        let mut old = std::mem::take(&mut self.timeline).into_iter().enumerate();
        let mut in_front = 0u64;
        let mut next_old = old.next();
        for message in fresh {
            let at = slot(message.message_id);
            while let Some((i, entry)) = next_old.take() {
                if i >= at {
                    next_old = Some((i, entry));
                    break;
                }
                merged.push(entry);
                next_old = old.next();
            }
            if at == 0 {
                in_front += 1;
            }
            let entry = Entry {
                time_ms: message.time_ms,
                message_id: Some(message.message_id),
                kind: message.kind,
            };
            self.timeline_bytes += entry.weight();
            self.message_ids.insert(message.message_id);
            merged.push(Rc::new(entry));
        }
        merged.extend(next_old.map(|(_, e)| e));
        merged.extend(old.map(|(_, e)| e));
        self.timeline = merged;
        // Entries put on top are numbered below the first one, so nothing shown
        // changes number (a gap filled mid-timeline renumbers what follows it).
        self.first_seq = self.first_seq.saturating_sub(in_front);
        let dropped = self.trim_front();
        cut || dropped > 0
    }

    /// Our message `local_id`, confirmed by the server as message `id`: a page
    /// holding it later does not show it again.
    pub(super) fn identify_own(&mut self, at: usize, id: MessageId) {
        if self.message_ids.insert(id) {
            self.change_entry(at, |entry| entry.message_id = Some(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Content, EntryKind, FIRST_SEQ};

    fn past(id: MessageId) -> PastMessage {
        PastMessage {
            message_id: id,
            time_ms: id * 1000,
            kind: EntryKind::Message {
                sender: "bob".into(),
                content: Content::Text(format!("m{id}")),
                own: None,
            },
        }
    }

    fn room() -> Room {
        Room {
            first_seq: FIRST_SEQ,
            ..Room::default()
        }
    }

    /// The timeline as IDs, events as 0.
    fn ids(room: &Room) -> Vec<u64> {
        room.timeline
            .iter()
            .map(|e| e.message_id.unwrap_or(0))
            .collect()
    }

    fn event(room: &mut Room) {
        room.push(Entry {
            time_ms: 0,
            message_id: None,
            kind: EntryKind::Joined("alice".into()),
        });
    }

    #[test]
    fn a_first_page_goes_above_the_join_and_older_pages_on_top() {
        let mut r = room();
        event(&mut r);
        assert!(!r.merge_history(vec![past(5), past(7)]));
        assert_eq!(ids(&r), [5, 7, 0]);
        assert_eq!(
            r.first_seq,
            FIRST_SEQ - 2,
            "shown entries keep their numbers"
        );
        r.merge_history(vec![past(2), past(3)]);
        assert_eq!(ids(&r), [2, 3, 5, 7, 0]);
        assert_eq!(r.first_seq, FIRST_SEQ - 4);
    }

    #[test]
    fn messages_shown_already_are_not_shown_twice() {
        let mut r = room();
        r.push(Entry {
            time_ms: 9,
            message_id: Some(9),
            kind: past(9).kind,
        });
        r.merge_history(vec![past(8), past(9), past(9)]);
        r.merge_history(vec![past(8)]);
        assert_eq!(ids(&r), [8, 9]);
        let bytes: usize = r.timeline.iter().map(|e| e.weight()).sum();
        assert_eq!(r.timeline_bytes, bytes);
    }

    #[test]
    fn a_gap_is_filled_in_place_before_what_came_after_it() {
        let mut r = room();
        r.merge_history(vec![past(1), past(2)]);
        event(&mut r);
        r.push(Entry {
            time_ms: 0,
            message_id: Some(10),
            kind: past(10).kind,
        });
        r.merge_history(vec![past(4), past(6)]);
        assert_eq!(ids(&r), [1, 2, 4, 6, 0, 10]);
    }

    #[test]
    fn a_full_room_takes_only_the_newest_of_a_page() {
        let mut r = room();
        let start = 1_000_000;
        for id in 0..MAX_TIMELINE_ENTRIES as u64 - 1 {
            r.push(Entry {
                time_ms: 0,
                message_id: Some(start + id),
                kind: EntryKind::Joined(String::new()),
            });
        }
        assert!(r.merge_history(vec![past(1), past(2), past(3)]), "cut");
        assert_eq!(r.timeline.len(), MAX_TIMELINE_ENTRIES);
        assert_eq!(r.timeline[0].message_id, Some(3), "the newest of the page");
    }
}
