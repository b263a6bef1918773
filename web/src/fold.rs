//! Folding very long messages in the timeline: past a size or a number of lines,
//! a message shows its beginning and a "show more" button, so one wall of text
//! (or a hostile 600 KB message) neither floods the reader's screen nor costs the
//! page more than its first kilobyte to draw.
//!
//! Pure: the view asks where to cut and renders the rest on request.

/// Messages longer than this many bytes are folded.
pub const FOLD_BYTES: usize = 1_500;

/// Messages with more lines than this are folded.
pub const FOLD_LINES: usize = 15;

/// How much of a folded message shows, in bytes (rounded down to a character).
pub const PREVIEW_BYTES: usize = 1_000;

/// How many lines of a folded message show.
pub const PREVIEW_LINES: usize = 10;

/// Where to cut `text` for its folded view (a byte offset on a char boundary), or
/// `None` when it is short enough to show whole. Looks at no more than the first
/// [`FOLD_BYTES`] bytes, whatever the text's length.
pub fn fold_point(text: &str) -> Option<usize> {
    let head = &text.as_bytes()[..text.len().min(FOLD_BYTES + 1)];
    let newlines = head.iter().filter(|&&b| b == b'\n').count();
    if text.len() <= FOLD_BYTES && newlines < FOLD_LINES {
        return None;
    }
    let by_lines = head
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(PREVIEW_LINES - 1)
        .map(|(at, _)| at);
    let by_size = text.floor_char_boundary(PREVIEW_BYTES);
    Some(by_lines.map_or(by_size, |at| at.min(by_size)))
}

/// How many characters `text[cut..]` holds, for the "show more" button.
pub fn hidden_chars(text: &str, cut: usize) -> usize {
    text.get(cut..).map_or(0, |rest| rest.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_messages_are_shown_whole() {
        assert_eq!(fold_point(""), None);
        assert_eq!(fold_point("hello"), None);
        assert_eq!(fold_point(&"x".repeat(FOLD_BYTES)), None);
        assert_eq!(fold_point(&"line\n".repeat(FOLD_LINES - 1)), None);
    }

    #[test]
    fn long_messages_fold_at_the_preview_size() {
        let text = "x".repeat(FOLD_BYTES + 1);
        assert_eq!(fold_point(&text), Some(PREVIEW_BYTES));
        assert_eq!(
            hidden_chars(&text, PREVIEW_BYTES),
            FOLD_BYTES + 1 - PREVIEW_BYTES
        );
        // The 600 KB message folds like any other.
        let hostile = format!("http://a{}", ")".repeat(600_000));
        assert_eq!(fold_point(&hostile), Some(PREVIEW_BYTES));
    }

    #[test]
    fn many_lines_fold_after_the_preview_lines() {
        let text = "line\n".repeat(FOLD_LINES);
        let cut = fold_point(&text).unwrap();
        assert_eq!(text[..cut].lines().count(), PREVIEW_LINES);
        assert!(!text[..cut].ends_with('\n'), "the cut drops the line break");
    }

    #[test]
    fn the_cut_never_splits_a_character() {
        // Three-byte characters: 1000 is not a boundary, 999 is.
        let text = "€".repeat(FOLD_BYTES);
        let cut = fold_point(&text).unwrap();
        assert_eq!(cut, 999);
        assert!(text.is_char_boundary(cut));
        assert_eq!(hidden_chars(&text, cut), FOLD_BYTES - 333);
    }
}
