//! The search over 50,000 chat messages in 20 rooms, against a naive scan that
//! lowercases every message per query and against a folded copy of every message
//! kept beforehand, in the same run (the ratios are what matter on a noisy machine).
//!
//! Run with `cargo bench -p miricat-web --bench search`. The web crate is a binary,
//! so the pure module is included by path.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

#[path = "../src/search/mod.rs"]
#[allow(dead_code)]
mod search;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use search::index::{FoldedRoom, Searchable};
use search::{Document, Query};

const ROOMS: usize = 20;
const MESSAGES: usize = 50_000;

/// Chat-like words: mostly English, some French, German and emoji, so about one
/// message in five is not ASCII.
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
fn rooms() -> Vec<Vec<(String, String)>> {
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

fn documents(room: &[(String, String)]) -> impl Iterator<Item = Document<'_>> {
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
fn folding_per_query(query: &Query, rooms: &[Vec<(String, String)>]) -> usize {
    search::search(
        query,
        rooms.iter().enumerate().map(|(r, m)| (r, documents(m))),
    )
    .total
}

/// The naive scan: a new lowercase string per message per query.
fn naive(query: &Query, rooms: &[Vec<(String, String)>]) -> usize {
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
fn with_index(query: &Query, rooms: &[Vec<(String, String)>], index: &[FoldedRoom]) -> usize {
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
struct Line<'a>(u64, &'a str);

impl Searchable for Line<'_> {
    fn time_ms(&self) -> u64 {
        self.0
    }
    fn text(&self) -> Option<&str> {
        Some(self.1)
    }
}

fn compare(c: &mut Criterion) {
    let rooms = rooms();
    let index: Vec<FoldedRoom> = rooms
        .iter()
        .map(|messages| {
            let lines: Vec<Line<'_>> = (0..).zip(messages).map(|(i, (_, t))| Line(i, t)).collect();
            let mut room = FoldedRoom::default();
            room.sync(0, &lines);
            room
        })
        .collect();
    let text_bytes: usize = rooms.iter().flatten().map(|(_, t)| t.len()).sum();
    let copy_bytes: usize = index.iter().map(FoldedRoom::bytes).sum();
    eprintln!(
        "{MESSAGES} messages, {text_bytes} bytes of text; the folded copies hold {copy_bytes} bytes"
    );
    let mut group = c.benchmark_group("search 50k");
    group.sample_size(20);
    for input in ["zeppelin", "meeting", "DEPLOY tomorrow", "école", "nowhere"] {
        let query = Query::parse(input).expect("words");
        let expected = naive(&query, &rooms);
        assert_eq!(folding_per_query(&query, &rooms), expected);
        assert_eq!(with_index(&query, &rooms, &index), expected);
        group.bench_with_input(
            BenchmarkId::new("folding per query", input),
            &query,
            |b, q| b.iter(|| folding_per_query(black_box(q), &rooms)),
        );
        group.bench_with_input(
            BenchmarkId::new("naive lowercase", input),
            &query,
            |b, q| b.iter(|| naive(black_box(q), &rooms)),
        );
        group.bench_with_input(
            BenchmarkId::new("folded copies kept", input),
            &query,
            |b, q| b.iter(|| with_index(black_box(q), &rooms, &index)),
        );
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
