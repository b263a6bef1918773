//! `history/1` pages (`docs/extensions.md` section 2): the newest messages of a room
//! inside an ID range, bounded in count and in bytes of JSON, oldest first.
//!
//! The query walks the `(room, id)` index backwards from `before`, so a page costs
//! O(limit + log n) whatever the room's size, and reading stops as soon as the page
//! is full: a page never holds more than its bound in memory, even when the rows are
//! large.

use std::io;

use miricat_shared::RoomId;
use miricat_shared::packet::history::{History, HistoryEntry};
use miricat_shared::packet::message::MessageId;
use rusqlite::{Connection, params};

use super::messages::MessageKind;
use super::{Store, StoreError};

/// One page request, already checked and clamped by the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// The room.
    pub room: RoomId,
    /// Only IDs below this one.
    pub before: Option<MessageId>,
    /// Only IDs above this one.
    pub after: Option<MessageId>,
    /// Most entries (the handler clamps it to `1 ..= 200`).
    pub limit: u64,
    /// Most bytes of JSON for the entries and the commas between them; the first
    /// entry is taken whatever its size, so every page makes progress.
    pub max_bytes: usize,
}

/// Newest first, one more than the limit so the page knows whether more exist.
const PAGE_SQL: &str = "SELECT id, username, time_ms, kind, body FROM messages
     WHERE room = ?1 AND id < ?2 AND id > ?3
     ORDER BY id DESC LIMIT ?4";

impl Store {
    /// One page of `query.room`'s history, read on the read-only connection (see the
    /// module docs of [`super`]).
    pub async fn history(&self, query: HistoryQuery) -> Result<History, StoreError> {
        self.reader()
            .call(move |conn| read_page(conn, &query))
            .await
    }
}

/// Reads one page on `conn` (the store thread's connection; public for benchmarks).
pub fn read_page(conn: &Connection, query: &HistoryQuery) -> Result<History, StoreError> {
    let as_sql = |id: MessageId| i64::try_from(id).unwrap_or(i64::MAX);
    let before = query.before.map_or(i64::MAX, as_sql);
    let after = query.after.map_or(0, as_sql);
    let fetch = as_sql(query.limit.saturating_add(1));
    let mut statement = conn.prepare_cached(PAGE_SQL)?;
    let mut rows = statement.query(params![query.room as i64, before, after, fetch])?;
    let mut page = PageBuilder::new(query.limit, query.max_bytes);
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let kind: String = row.get(3)?;
        let time_ms: i64 = row.get(2)?;
        let message = MessageKind::from_stored(&kind).wire_message(
            row.get(4)?,
            row.get(1)?,
            u64::try_from(time_ms).unwrap_or(0),
        );
        let entry = HistoryEntry {
            message: message.with_message_id(Some(id as MessageId)),
            room: query.room,
        };
        if !page.offer(entry) {
            break;
        }
    }
    Ok(page.finish())
}

/// Collects a page newest first until it is full by count or by size.
#[derive(Debug)]
struct PageBuilder {
    entries: Vec<HistoryEntry>,
    limit: usize,
    max_bytes: usize,
    bytes: usize,
    more: bool,
}

impl PageBuilder {
    fn new(limit: u64, max_bytes: usize) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX).max(1);
        Self {
            entries: Vec::with_capacity(limit.min(256)),
            limit,
            max_bytes,
            bytes: 0,
            more: false,
        }
    }

    /// Takes the next older entry; `false` (and `more`) once the page is full.
    fn offer(&mut self, entry: HistoryEntry) -> bool {
        if self.entries.len() >= self.limit {
            self.more = true;
            return false;
        }
        let separator = usize::from(!self.entries.is_empty());
        let size = json_len(&entry) + separator;
        if !self.entries.is_empty() && self.bytes + size > self.max_bytes {
            self.more = true;
            return false;
        }
        self.bytes += size;
        self.entries.push(entry);
        true
    }

    /// The page, oldest first.
    fn finish(mut self) -> History {
        self.entries.reverse();
        History {
            messages: self.entries,
            more: self.more,
        }
    }
}

/// The length of `entry`'s JSON, counted without building the text.
fn json_len(entry: &HistoryEntry) -> usize {
    struct Counter(usize);
    impl io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing these types cannot fail (string keys only), and the counter never does.
    let _ = serde_json::to_writer(&mut counter, entry);
    counter.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::migrate;
    use miricat_shared::packet::history::HistoryMessage;

    /// A migrated in-memory database with `count` text messages in room 1 (IDs
    /// 1..=count) and one in room 2 between every ten.
    fn database(count: usize, text: &str) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        for i in 0..count {
            let room = if i % 10 == 9 { 2 } else { 1 };
            tx.execute(
                "INSERT INTO messages (room, username, time_ms, kind, body) VALUES (?1, 'ann', ?2, 'text', ?3)",
                params![room, i as i64, text],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        conn
    }

    fn query(before: Option<u64>, after: Option<u64>, limit: u64) -> HistoryQuery {
        HistoryQuery {
            room: 1,
            before,
            after,
            limit,
            max_bytes: usize::MAX,
        }
    }

    fn ids(page: &History) -> Vec<u64> {
        page.messages
            .iter()
            .filter_map(HistoryEntry::message_id)
            .collect()
    }

    #[test]
    fn pages_back_oldest_first_to_the_first_message() {
        let conn = database(30, "hi");
        let room_1: Vec<u64> = (1..=30).filter(|i| i % 10 != 0).collect();
        let mut seen = Vec::new();
        let mut before = None;
        for _ in 0..10 {
            let page = read_page(&conn, &query(before, None, 4)).unwrap();
            let page_ids = ids(&page);
            assert!(page_ids.windows(2).all(|w| w[0] < w[1]), "{page_ids:?}");
            seen.splice(0..0, page_ids.iter().copied());
            before = page_ids.first().copied();
            if !page.more {
                break;
            }
        }
        assert_eq!(seen, room_1);
        let HistoryMessage::Text(first) =
            &read_page(&conn, &query(Some(2), None, 1)).unwrap().messages[0].message
        else {
            panic!()
        };
        assert_eq!((first.text.as_str(), first.user.as_str()), ("hi", "ann"));
    }

    #[test]
    fn after_fills_a_gap_and_empty_ranges_are_empty() {
        let conn = database(30, "x");
        let gap = read_page(&conn, &query(None, Some(25), 50)).unwrap();
        assert_eq!((ids(&gap), gap.more), (vec![26, 27, 28, 29], false));
        let newest_of_gap = read_page(&conn, &query(None, Some(5), 3)).unwrap();
        assert_eq!(
            (ids(&newest_of_gap), newest_of_gap.more),
            (vec![27, 28, 29], true)
        );
        for (after, before) in [(5, 6), (6, 6), (9, 3), (u64::MAX, u64::MAX)] {
            let page = read_page(&conn, &query(Some(before), Some(after), 50)).unwrap();
            assert_eq!((page.messages.len(), page.more), (0, false));
        }
        // Beyond SQLite's integer range: everything, and nothing.
        assert_eq!(
            ids(&read_page(&conn, &query(Some(u64::MAX), None, 1)).unwrap()),
            [29]
        );
        assert!(ids(&read_page(&conn, &query(None, Some(u64::MAX), 1)).unwrap()).is_empty());
    }

    #[test]
    fn a_page_stops_before_its_byte_bound_but_always_takes_one() {
        let conn = database(20, &"z".repeat(1000));
        let one = json_len(&read_page(&conn, &query(None, None, 1)).unwrap().messages[0]);
        let bounded = HistoryQuery {
            max_bytes: 3 * one + 2,
            ..query(None, None, 50)
        };
        let page = read_page(&conn, &bounded).unwrap();
        assert_eq!((page.messages.len(), page.more), (3, true));
        let tiny = HistoryQuery {
            max_bytes: 1,
            ..query(None, None, 50)
        };
        assert_eq!(read_page(&conn, &tiny).unwrap().messages.len(), 1);
    }

    #[test]
    fn the_page_query_walks_the_room_id_index_without_sorting() {
        let conn = database(1, "x");
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {PAGE_SQL}"))
            .unwrap()
            .query_map(params![1, i64::MAX, 0, 51], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("messages_room_id")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }
}
