//! Cutting text a peer controls to a short, bounded, single-line form before it
//! reaches a log line or an error reply.
//!
//! A username, a packet type or a serde message quoting a field can be as long as a
//! whole line (up to 1 MiB) and can hold newlines. Echoed in full, one request can
//! add megabytes to a log, forge log lines, or make an error reply as large as the
//! request. [`clip`] keeps the first [`CLIP_CHARS`] characters, escapes control
//! characters (so a line stays one line) and says how much was left off.
//!
//! ```
//! use miricat_shared::clip::{clip, clip_to};
//! assert_eq!(clip("alice").to_string(), "alice");
//! assert_eq!(clip_to("a\nb", 8).to_string(), "a\\nb");
//! let long = "x".repeat(600_000);
//! let shown = clip(&long).to_string();
//! assert!(shown.len() < 160 && shown.ends_with("…[+599880 bytes]"));
//! ```

use std::fmt;

/// How many characters of a peer's text are shown by default: enough to recognise a
/// username or a packet type, too few to matter in a log.
pub const CLIP_CHARS: usize = 120;

/// Text shown at most `max_chars` characters long; see [`clip`].
#[derive(Clone, Copy)]
pub struct Clipped<'a> {
    text: &'a str,
    max_chars: usize,
}

/// `text` cut to [`CLIP_CHARS`] characters, for `tracing` fields (`%clip(&name)`) or
/// `format!`. Nothing is allocated until it is formatted.
pub fn clip(text: &str) -> Clipped<'_> {
    clip_to(text, CLIP_CHARS)
}

/// `text` cut to `max_chars` characters.
pub fn clip_to(text: &str, max_chars: usize) -> Clipped<'_> {
    Clipped { text, max_chars }
}

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown_bytes = 0;
        for (count, c) in self.text.chars().enumerate() {
            if count == self.max_chars {
                break;
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
            shown_bytes += c.len_utf8();
        }
        let left_off = self.text.len() - shown_bytes;
        if left_off > 0 {
            write!(f, "…[+{left_off} bytes]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_shown_as_is() {
        assert_eq!(clip("root").to_string(), "root");
        assert_eq!(clip("").to_string(), "");
        let exactly = "é".repeat(CLIP_CHARS);
        assert_eq!(clip(&exactly).to_string(), exactly);
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary_with_a_marker() {
        let long = "é".repeat(1000);
        let shown = clip(&long).to_string();
        let expected = format!(
            "{}…[+{} bytes]",
            "é".repeat(CLIP_CHARS),
            2 * (1000 - CLIP_CHARS)
        );
        assert_eq!(shown, expected);
    }

    #[test]
    fn control_characters_cannot_break_the_line() {
        let shown = clip("alice\n2026-01-01 INFO forged\r\u{1b}[31m").to_string();
        assert!(!shown.contains('\n') && !shown.contains('\r') && !shown.contains('\u{1b}'));
        assert!(shown.starts_with("alice\\n2026"));
    }

    #[test]
    fn the_bound_holds_for_any_input() {
        // Each shown character is at most 10 bytes once escaped, plus the marker.
        for text in [
            "\n".repeat(10_000),
            "a".repeat(10_000),
            "\u{10ffff}".repeat(999),
        ] {
            assert!(clip(&text).to_string().len() <= CLIP_CHARS * 10 + 32);
        }
    }
}
