//! Search over every room's stored timeline: case-insensitive and Unicode aware
//! (see [`fold`] for what matches what), every word of the query must appear,
//! results grouped by room with the matching words marked.
//!
//! Pure and browser-free: the caller hands in each room's messages, newest first,
//! each with its folded copy from an [`index::FoldedRoom`] (or none, and it is
//! folded here), and renders the [`Results`]. The work is linear in the text
//! searched: each word is found with std's two-way substring search (no
//! backtracking, whatever the text); only the few hits shown are cut into
//! snippets. The query is bounded in words and length, the marks and snippets per
//! hit too, so a 600 KB message costs one pass over it.

pub mod fold;
pub mod index;
mod snippet;

pub use snippet::Snippet;

/// Words of a query looked at; the rest are ignored (each one costs a pass).
pub const MAX_WORDS: usize = 8;

/// Chars of one word looked at; a longer word is cut to this.
pub const MAX_WORD_CHARS: usize = 64;

/// Hits shown per room; the others are counted.
pub const HITS_PER_ROOM: usize = 8;

/// Rooms shown; the others are counted (at most this x [`HITS_PER_ROOM`] hits are
/// ever in the page, however many rooms the server has).
pub const ROOMS_SHOWN: usize = 20;

/// Marks looked for per word in one shown hit.
const MARKS_PER_WORD: usize = 16;

/// A parsed query: its words, folded, without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    /// The words of `input` (split on whitespace, folded); `None` when there are none.
    pub fn parse(input: &str) -> Option<Self> {
        let mut words: Vec<String> = Vec::new();
        for word in input.split_whitespace().take(MAX_WORDS) {
            let word = match word.char_indices().nth(MAX_WORD_CHARS) {
                Some((cut, _)) => &word[..cut],
                None => word,
            };
            let word = fold::fold(word);
            // "ab" inside "abc" adds nothing: keep the longer of two such words.
            if words.iter().any(|w| w.contains(&word)) {
                continue;
            }
            words.retain(|w| !word.contains(w.as_str()));
            words.push(word);
        }
        (!words.is_empty()).then_some(Self { words })
    }

    /// The folded words (for the tests and the benchmark's naive scan).
    #[allow(dead_code)]
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether every word is in `folded` (a folded text).
    fn matches(&self, folded: &str) -> bool {
        self.words.iter().all(|w| folded.contains(w.as_str()))
    }
}

/// One message offered to the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document<'a> {
    /// Its sequence number in its room (the timeline's anchor).
    pub seq: u64,
    /// When it was sent, to order rooms by their newest hit.
    pub time_ms: u64,
    /// Who wrote it.
    pub sender: &'a str,
    /// Its text.
    pub text: &'a str,
    /// `fold::fold(text)`, when the caller keeps it (see [`index`]).
    pub folded: Option<&'a str>,
}

/// One message found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Its sequence number in its room.
    pub seq: u64,
    /// When it was sent.
    pub time_ms: u64,
    /// Who wrote it.
    pub sender: String,
    /// The part of it to show, with the words marked.
    pub snippet: Snippet,
}

/// The hits in one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomHits<R> {
    /// The room.
    pub room: R,
    /// Its newest hits, newest first, at most [`HITS_PER_ROOM`].
    pub hits: Vec<Hit>,
    /// How many messages in the room match, shown or not.
    pub total: usize,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results<R> {
    /// Rooms with hits, the one with the newest hit first, at most [`ROOMS_SHOWN`].
    pub rooms: Vec<RoomHits<R>>,
    /// Rooms with hits left out past [`ROOMS_SHOWN`].
    pub more_rooms: usize,
    /// Matching messages in all rooms.
    pub total: usize,
}

impl<R> Results<R> {
    /// Hits shown, in display order (for keyboard navigation).
    pub fn shown(&self) -> impl Iterator<Item = (&R, &Hit)> {
        self.rooms
            .iter()
            .flat_map(|room| room.hits.iter().map(move |hit| (&room.room, hit)))
    }
}

/// Searches `rooms`: each a key and its messages, **newest first**.
pub fn search<'a, R, M>(query: &Query, rooms: impl IntoIterator<Item = (R, M)>) -> Results<R>
where
    M: IntoIterator<Item = Document<'a>>,
{
    let mut buffer = String::new();
    let mut found: Vec<RoomHits<R>> = Vec::new();
    let mut total = 0;
    // Messages too short to hold the longest word are skipped unfolded (folding
    // grows a text's bytes by 1.5x at most: "Ⱥ" to "ⱥ"; 3x leaves a margin).
    let min_len = query.words.iter().map(String::len).max().unwrap_or(0) / 3;
    for (room, messages) in rooms {
        let mut hits = Vec::new();
        let mut count = 0;
        for document in messages {
            if document.text.len() < min_len {
                continue;
            }
            let folded = match document.folded {
                Some(kept) => kept,
                None => {
                    buffer.clear();
                    fold::fold_into(document.text, &mut buffer);
                    &buffer
                }
            };
            if !query.matches(folded) {
                continue;
            }
            count += 1;
            if hits.len() < HITS_PER_ROOM {
                hits.push(Hit {
                    seq: document.seq,
                    time_ms: document.time_ms,
                    sender: document.sender.to_owned(),
                    snippet: Snippet::new(document.text, &marks(query, folded, document.text)),
                });
            }
        }
        if count > 0 {
            total += count;
            found.push(RoomHits {
                room,
                hits,
                total: count,
            });
        }
    }
    // Rooms with equally new hits keep the caller's order.
    insertion_sort(&mut found, |room| {
        std::cmp::Reverse(room.hits.first().map_or(0, |h| h.time_ms))
    });
    let more_rooms = found.len().saturating_sub(ROOMS_SHOWN);
    found.truncate(ROOMS_SHOWN);
    Results {
        rooms: found,
        more_rooms,
        total,
    }
}

/// Where the query's words are in `text` (whose folding is `folded`): merged byte
/// ranges on char boundaries, never cutting a letter from its combining marks.
fn marks(query: &Query, folded: &str, text: &str) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = query
        .words
        .iter()
        .flat_map(|word| {
            folded
                .match_indices(word.as_str())
                .take(MARKS_PER_WORD)
                .map(|(at, w)| (at, at + w.len()))
        })
        .collect();
    insertion_sort(&mut ranges, |range| *range);
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    let mut original = fold::to_original(text, folded, &merged);
    for range in &mut original {
        range.1 = fold::past_marks(text, range.1);
    }
    // Two folded ranges can land in one char, or touch once marks are added.
    original.dedup_by(|next, prev| {
        if next.0 <= prev.1 {
            prev.1 = prev.1.max(next.1);
            true
        } else {
            false
        }
    });
    original
}

/// Sorts `items` by `key`, stably. Quadratic, for short lists (here: rooms with
/// hits, the marks of one message: at most [`MAX_WORDS`] x 16; elsewhere in the app:
/// a history page, at most 200 by the client's own cap, and the stored drafts), and
/// linear on a list that is sorted already: std's sorts would add kilobytes to the
/// wasm (each element type its own copy) for no gain at these sizes. Here so that
/// this module, which the benchmarks include by path, stays self-contained.
pub(crate) fn insertion_sort<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && key(&items[j - 1]) > key(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

// Native only: proptest is a native dev-dependency, and the V8 figure
// (`web/tests/search_speed.rs`) compiles this module as a test for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
