//! The part of a found message shown in the results: the whole text when short,
//! else a stretch around the first mark, so a 600 KB message shows a line.

/// Bytes of text shown before the first mark of a long message.
const BEFORE_BYTES: usize = 48;

/// Bytes shown in all (rounded to chars) for a long message.
const SNIPPET_BYTES: usize = 200;

/// Marks kept in one snippet.
const MAX_MARKS: usize = 32;

/// A stretch of a message with the query's words marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown.
    pub text: String,
    /// Byte ranges of `text` to mark, sorted, on char boundaries.
    pub marks: Vec<(usize, usize)>,
    /// Whether text was left out before it (shown as "…").
    pub cut_before: bool,
    /// Whether text was left out after it.
    pub cut_after: bool,
}

impl Snippet {
    /// The snippet of `text` whose marks (sorted byte ranges on char boundaries)
    /// are `marks`.
    pub fn new(text: &str, marks: &[(usize, usize)]) -> Self {
        let (from, to) = if text.len() <= SNIPPET_BYTES {
            (0, text.len())
        } else {
            let first = marks.first().map_or(0, |m| m.0);
            let from = text.floor_char_boundary(first.saturating_sub(BEFORE_BYTES));
            (
                from,
                text.floor_char_boundary(from + SNIPPET_BYTES).max(from),
            )
        };
        let marks = marks
            .iter()
            .filter(|m| m.0 < to && m.1 > from)
            .take(MAX_MARKS)
            .map(|m| (m.0.max(from) - from, m.1.min(to) - from))
            .collect();
        Self {
            text: text[from..to].to_owned(),
            marks,
            cut_before: from > 0,
            cut_after: to < text.len(),
        }
    }

    /// The text in pieces, each with whether it is marked.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut pieces = Vec::with_capacity(self.marks.len() * 2 + 1);
        let mut at = 0;
        for &(from, to) in &self.marks {
            if from > at {
                pieces.push((&self.text[at..from], false));
            }
            pieces.push((&self.text[from..to], true));
            at = to;
        }
        if at < self.text.len() {
            pieces.push((&self.text[at..], false));
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_text_shows_whole() {
        let s = Snippet::new("hello world", &[(6, 11)]);
        assert_eq!(s.pieces(), [("hello ", false), ("world", true)]);
        assert!(!s.cut_before && !s.cut_after);
    }

    #[test]
    fn a_long_text_shows_around_its_first_mark() {
        let text = format!("{}needle{}", "é".repeat(50_000), "x".repeat(50_000));
        let at = text.find("needle").unwrap();
        let s = Snippet::new(&text, &[(at, at + 6)]);
        assert!(s.cut_before && s.cut_after);
        assert!(s.text.len() <= SNIPPET_BYTES);
        let marked: Vec<_> = s.pieces().into_iter().filter(|p| p.1).collect();
        assert_eq!(marked, [("needle", true)]);
    }
}
