//! Turns a room's entries into what the timeline draws: day separators, runs of
//! messages from one sender, and membership events between them.
//!
//! The local day of a time comes from a function the caller passes (the browser's
//! time zone in the app, a fixed one in tests), so this stays pure.

use std::rc::Rc;

use crate::state::{Entry, EntryKind};

/// Messages from one sender further apart than this start a new group (with its own
/// name and time header), as in most chat apps.
pub const GROUP_GAP_MS: u64 = 5 * 60 * 1000;

/// An entry with its sequence number in the room (see `Room::first_seq`), which
/// keys and anchors it in the view.
pub type Numbered<'a> = (u64, &'a Rc<Entry>);

/// One visual block of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    /// A new local day starts; the sequence number and time of its first entry.
    Day(u64, u64),
    /// Consecutive messages by one sender.
    Group {
        /// Who wrote them.
        sender: &'a str,
        /// The messages, oldest first.
        entries: Vec<Numbered<'a>>,
    },
    /// A join, leave or notice line.
    Event(Numbered<'a>),
}

/// Lays out `entries`, the first of which has sequence number `first_seq`;
/// `local_day` maps a time to a day number in the viewer's time zone.
pub fn layout<'a>(
    entries: &'a [Rc<Entry>],
    first_seq: u64,
    local_day: impl Fn(u64) -> i64,
) -> Vec<Block<'a>> {
    let mut blocks: Vec<Block<'a>> = Vec::new();
    let mut day = None;
    let mut last_time = 0;
    for (seq, entry) in (first_seq..).zip(entries) {
        let this_day = local_day(entry.time_ms);
        let new_day = day != Some(this_day);
        if new_day {
            blocks.push(Block::Day(seq, entry.time_ms));
            day = Some(this_day);
        }
        match &entry.kind {
            EntryKind::Message { sender, .. } => {
                let close_in_time = entry.time_ms.saturating_sub(last_time) <= GROUP_GAP_MS;
                match blocks.last_mut() {
                    Some(Block::Group {
                        sender: current,
                        entries,
                    }) if *current == sender.as_str() && close_in_time && !new_day => {
                        entries.push((seq, entry));
                    }
                    _ => blocks.push(Block::Group {
                        sender,
                        entries: vec![(seq, entry)],
                    }),
                }
            }
            EntryKind::Joined(_) | EntryKind::Left(_) | EntryKind::Notice(_) => {
                blocks.push(Block::Event((seq, entry)));
            }
        }
        // Pending messages carry local time; never let the clock run backwards here.
        last_time = last_time.max(entry.time_ms);
    }
    blocks
}

/// The day number of `time_ms` for a zone `offset_minutes` *behind* UTC (the sign
/// JavaScript's `getTimezoneOffset` uses).
pub fn day_number(time_ms: u64, offset_minutes: i32) -> i64 {
    let local = i64::try_from(time_ms).unwrap_or(i64::MAX) - i64::from(offset_minutes) * 60_000;
    local.div_euclid(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Content;

    const MIN: u64 = 60_000;
    const DAY: u64 = 24 * 60 * MIN;

    fn message(sender: &str, time_ms: u64) -> Rc<Entry> {
        Rc::new(Entry {
            message_id: None,
            time_ms,
            kind: EntryKind::Message {
                sender: sender.into(),
                content: Content::Text("x".into()),
                own: None,
            },
        })
    }

    fn shape(blocks: &[Block<'_>]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match b {
                Block::Day(..) => "day".to_owned(),
                Block::Group { sender, entries } => format!("{sender}x{}", entries.len()),
                Block::Event(_) => "event".to_owned(),
            })
            .collect()
    }

    #[test]
    fn groups_by_sender_time_and_events() {
        let t0 = 10 * DAY;
        let entries = [
            message("a", t0),
            message("a", t0 + MIN),
            message("b", t0 + 2 * MIN),
            message("b", t0 + 20 * MIN),
            Rc::new(Entry {
                message_id: None,
                time_ms: t0 + 21 * MIN,
                kind: EntryKind::Joined("c".into()),
            }),
            message("b", t0 + 22 * MIN),
        ];
        let blocks = layout(&entries, 7, |t| day_number(t, 0));
        assert_eq!(shape(&blocks), ["day", "ax2", "bx1", "bx1", "event", "bx1"]);
        assert_eq!(blocks[0], Block::Day(7, t0), "numbered from first_seq");
        assert!(matches!(blocks[4], Block::Event((11, _))));
    }

    #[test]
    fn day_separators_follow_the_local_zone() {
        // 23:58 and 00:02 UTC: two days in UTC, one day at UTC-2 (offset +120).
        let entries = [
            message("a", 10 * DAY - 2 * MIN),
            message("a", 10 * DAY + 2 * MIN),
        ];
        assert_eq!(
            shape(&layout(&entries, 0, |t| day_number(t, 0))),
            ["day", "ax1", "day", "ax1"]
        );
        assert_eq!(
            shape(&layout(&entries, 0, |t| day_number(t, 120))),
            ["day", "ax2"]
        );
    }

    #[test]
    fn day_numbers_handle_zones_on_both_sides() {
        assert_eq!(day_number(DAY, 0), 1);
        assert_eq!(day_number(DAY, -60), 1, "UTC+1 is past midnight");
        assert_eq!(day_number(DAY, 60), 0, "UTC-1 is still the day before");
        assert_eq!(day_number(0, 60), -1);
    }
}
