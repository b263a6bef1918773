//! The search benchmark's corpus and the three ways of searching it, shared by
//! the native benchmark (`web/benches/search.rs`) and the V8 figure
//! (`web/tests/search_speed.rs`), which include it by path next to the search
//! module.

use crate::search::index::{FoldedRoom, Searchable};
use crate::search::{self, Document, Query};

pub const ROOMS: usize = 20;
pub const MESSAGES: usize = 50_000;

/// Chat-like words: mostly English, some French, German and emoji (so most
/// messages hold a word that is not ASCII, and take the folding's slower path).
const WORDS: &[&str] = &[
    "the",
    "a",
    "to",
    "and",
    "is",
    "it",
    "that",
    "we",
    "you",
    "for",
    "on",
    "this",
    "with",
    "meeting",
    "deploy",
    "tomorrow",
    "lunch",
    "review",
    "build",
    "server",
    "bridge",
    "release",
    "coffee",
    "think",
    "maybe",
    "today",
    "later",
    "works",
    "broken",
    "fixed",
    "thanks",
    "great",
    "idea",
    "link",
    "https://example.org/notes",
    "école",
    "déjà",
    "Straße",
    "über",
    "naïve",
    "👍",
    "OK",
    "Yes",
    "Friday",
    "Monday",
    "room",
    "chat",
];

/// Deterministic messages (xorshift), 4 to 24 words each, oldest first per room.
pub fn rooms() -> Vec<Vec<(String, String)>> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut rooms = vec![Vec::new(); ROOMS];
    for _ in 0..MESSAGES {
        let room = (next() % ROOMS as u64) as usize;
        let words = 4 + next() % 21;
        let text = (0..words)
            .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        let sender = format!("user{}", next() % 40);
        rooms[room].push((sender, text));
    }
    // A rare message to find.
    rooms[7].push(("ann".to_owned(), "The Quarterly Zeppelin report".to_owned()));
    rooms
}

pub fn documents(room: &[(String, String)]) -> impl Iterator<Item = Document<'_>> {
    room.iter()
        .enumerate()
        .rev()
        .map(|(i, (sender, text))| Document {
            seq: i as u64,
            time_ms: i as u64,
            sender,
            text,
            folded: None,
        })
}

/// Without the index: folds each message into one reused buffer per query.
pub fn folding_per_query(query: &Query, rooms: &[Vec<(String, String)>]) -> usize {
    search::search(
        query,
        rooms.iter().enumerate().map(|(r, m)| (r, documents(m))),
    )
    .total
}

/// The naive scan: a new lowercase string per message per query.
pub fn naive(query: &Query, rooms: &[Vec<(String, String)>]) -> usize {
    rooms
        .iter()
        .flatten()
        .filter(|(_, text)| {
            let lower = text.to_lowercase();
            query.words().iter().all(|w| lower.contains(w.as_str()))
        })
        .count()
}

/// Ours as the app runs it: the folded copies kept in a `FoldedRoom` per room.
pub fn with_index(query: &Query, rooms: &[Vec<(String, String)>], index: &[FoldedRoom]) -> usize {
    let rooms = rooms
        .iter()
        .zip(index)
        .enumerate()
        .map(|(r, (messages, index))| {
            let documents = documents(messages).map(|d| Document {
                folded: index.folded(d.seq),
                ..d
            });
            (r, documents)
        });
    search::search(query, rooms).total
}

/// A message as the index sees it.
pub struct Line<'a>(u64, &'a str);

impl Searchable for Line<'_> {
    fn time_ms(&self) -> u64 {
        self.0
    }
    fn text(&self) -> Option<&str> {
        Some(self.1)
    }
}

/// Each room's folded copies, as the app keeps them.
pub fn index(rooms: &[Vec<(String, String)>]) -> Vec<FoldedRoom> {
    rooms
        .iter()
        .map(|messages| {
            let lines: Vec<Line<'_>> = (0..).zip(messages).map(|(i, (_, t))| Line(i, t)).collect();
            let mut room = FoldedRoom::default();
            room.sync(0, &lines);
            room
        })
        .collect()
}
