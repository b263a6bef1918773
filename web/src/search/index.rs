//! A folded copy of each room's message texts, kept between searches: the
//! benchmark (`web/benches/search.rs`) found searching the copies about ten times
//! faster than folding every message per query, for memory about the size of the
//! text itself (itself bounded per room by `MAX_TIMELINE_BYTES`).
//!
//! Kept in step with a timeline by sequence numbers: entries dropped at the front,
//! older ones put on top and new ones added at the end are folded once each; a
//! timeline that no longer lines up (a room created again) is folded afresh.

use super::fold::fold;

/// The folded texts of one room's entries, by sequence number.
#[derive(Debug, Default)]
pub struct FoldedRoom {
    /// The sequence number of `texts[0]`.
    first: u64,
    /// Each entry's time (to notice a timeline that changed under us) and folded
    /// text (`None` for entries that are not text messages).
    texts: Vec<(u64, Option<Box<str>>)>,
}

/// What the index needs of a timeline entry.
pub trait Searchable {
    /// When it happened.
    fn time_ms(&self) -> u64;
    /// Its text, when it is a text message.
    fn text(&self) -> Option<&str>;
}

impl FoldedRoom {
    /// Brings the copy in step with `entries`, numbered from `first`.
    pub fn sync<T: Searchable>(&mut self, first: u64, entries: &[T]) {
        let end = first + entries.len() as u64;
        let cached_end = self.first + self.texts.len() as u64;
        let entry = |seq: u64| &entries[(seq - first) as usize];
        let folded = |e: &T| (e.time_ms(), e.text().map(|t| fold(t).into_boxed_str()));
        // The overlap of what is cached with what the room holds must be the same
        // entries (checked at both ends), else start over.
        let (from, to) = (self.first.max(first), cached_end.min(end));
        let lines_up = from < to
            && self.texts[(from - self.first) as usize].0 == entry(from).time_ms()
            && self.texts[(to - 1 - self.first) as usize].0 == entry(to - 1).time_ms();
        if !lines_up {
            self.first = first;
            self.texts = entries.iter().map(folded).collect();
            return;
        }
        // Dropped at either end, older entries put on top (rare: a history page),
        // new ones at the end.
        self.texts.truncate((to - self.first) as usize);
        self.texts.drain(..(from - self.first) as usize);
        if first < from {
            let older = (first..from).map(|seq| folded(entry(seq)));
            self.texts.splice(0..0, older);
        }
        self.texts.extend((to..end).map(|seq| folded(entry(seq))));
        self.first = first;
    }

    /// The folded text of entry `seq`, if it is a text message held.
    pub fn folded(&self, seq: u64) -> Option<&str> {
        let at = usize::try_from(seq.checked_sub(self.first)?).ok()?;
        self.texts.get(at)?.1.as_deref()
    }

    /// Bytes held by the copies (for the README's memory figure).
    pub fn bytes(&self) -> usize {
        self.texts
            .iter()
            .map(|(_, t)| size_of::<(u64, Option<Box<str>>)>() + t.as_ref().map_or(0, |t| t.len()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Line(u64, &'static str);

    impl Searchable for Line {
        fn time_ms(&self) -> u64 {
            self.0
        }
        fn text(&self) -> Option<&str> {
            (!self.1.is_empty()).then_some(self.1)
        }
    }

    fn lines(times: std::ops::Range<u64>) -> Vec<Line> {
        const TEXTS: [&str; 3] = ["ÉCOLE", "", "Straße"];
        times.map(|t| Line(t, TEXTS[t as usize % 3])).collect()
    }

    fn assert_matches(index: &FoldedRoom, first: u64, entries: &[Line]) {
        for (seq, line) in (first..).zip(entries) {
            assert_eq!(
                index.folded(seq),
                line.text().map(fold).as_deref(),
                "seq {seq}"
            );
        }
        assert_eq!(index.folded(first.wrapping_sub(1)), None);
        assert_eq!(index.folded(first + entries.len() as u64), None);
    }

    #[test]
    fn follows_a_timeline_through_every_change() {
        let mut index = FoldedRoom::default();
        let all = lines(0..100);
        index.sync(1_000, &all[50..60]);
        assert_matches(&index, 1_000, &all[50..60]);
        // New at the end, some dropped at the front.
        index.sync(1_005, &all[55..70]);
        assert_matches(&index, 1_005, &all[55..70]);
        // Older on top (history), and fewer at the end.
        index.sync(995, &all[45..65]);
        assert_matches(&index, 995, &all[45..65]);
        // A different timeline under the same numbers is folded afresh.
        let other = lines(500..520);
        index.sync(995, &other);
        assert_matches(&index, 995, &other);
        // No overlap at all.
        index.sync(5_000, &all[..3]);
        assert_matches(&index, 5_000, &all[..3]);
        index.sync::<Line>(0, &[]);
        assert_eq!(index.folded(0), None);
        assert!(index.bytes() == 0);
    }
}
