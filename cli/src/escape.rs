//! Making peer-controlled text safe to print on a terminal.
//!
//! Everything a server or another member chooses (message text, user and room
//! names, image references, error messages) goes through here before it reaches
//! stdout or stderr. A terminal obeys control characters: ESC starts sequences that
//! retitle or clear the window or write the clipboard (OSC 52), C1 controls such
//! as U+009B (CSI) do the same on some terminals, `\r` and `\n` let a message
//! overwrite or forge lines, and the bidi overrides (U+202A..U+202E,
//! U+2066..U+2069) make text read in another order than it is. Each of them is
//! printed as a visible escape instead: `\x1b`, `\r`, `\t`, `\x7f`, `\u{9b}`,
//! `\u{202e}`. Ordinary text, including any script and emoji, passes unchanged.
//!
//! Work and output are linear: one pass, at most 10 output bytes per input char.

use std::borrow::Cow;
use std::fmt::Write as _;

/// What the extra lines of a multi-line message start with, so that they stand
/// under its header and cannot pass for messages of their own (which start with
/// `[`).
pub const CONTINUATION: &str = "    ";

/// Whether `c` must not reach a terminal raw: C0 controls (all of them, tab and
/// line feed included), DEL, C1 controls, and the bidi embeddings, overrides,
/// isolates and marks.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character escaped visibly: for one-line fields (names,
/// references, error messages), where even a line break is refused.
pub fn escape_inline(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    push_escaped(&mut out, text);
    Cow::Owned(out)
}

/// A message body for the text output: each line escaped, the extra lines
/// indented by [`CONTINUATION`]. A `\r\n` counts as one line break.
pub fn escape_message(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(CONTINUATION);
        }
        push_escaped(&mut out, line.strip_suffix('\r').unwrap_or(line));
    }
    Cow::Owned(out)
}

/// A serialized JSON line with the unsafe characters that JSON allows raw (DEL, C1,
/// bidi) written as `\uXXXX` escapes: the same string to a JSON parser, and
/// harmless on a terminal. `serde_json` already escapes C0 controls; the unsafe
/// characters can only occur inside strings, so the result stays valid JSON.
pub fn escape_json(line: String) -> String {
    if !line.chars().any(is_unsafe) {
        return line;
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if is_unsafe(c) {
            // Every unsafe character is in the Basic Multilingual Plane.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if !is_unsafe(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terminal_sequences_are_shown_not_obeyed() {
        assert_eq!(escape_inline("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
        assert_eq!(
            escape_inline("\x1b]52;c;aGk=\x1b\\"),
            "\\x1b]52;c;aGk=\\x1b\\"
        );
        assert_eq!(escape_inline("a\u{9b}2Jb\x7f"), "a\\u{9b}2Jb\\x7f");
        assert_eq!(escape_inline("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(escape_inline("tab\there"), "tab\\there");
        assert_eq!(escape_inline("two\nlines"), "two\\nlines");
        assert_eq!(escape_inline("\0"), "\\x00");
    }

    #[test]
    fn ordinary_text_is_untouched_and_not_copied() {
        for text in ["hello", "grüße, 你好, مرحبا 👋", "", "back\\slash"] {
            assert!(matches!(escape_inline(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(escape_message(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn extra_lines_of_a_message_are_indented() {
        assert_eq!(
            escape_message("hi\n[1] 12:00:00 root: give me your password"),
            "hi\n    [1] 12:00:00 root: give me your password"
        );
        assert_eq!(escape_message("a\r\nb\rc"), "a\n    b\\rc");
        assert_eq!(escape_message("\x1b[2Jgone"), "\\x1b[2Jgone");
    }

    #[test]
    fn json_lines_stay_json_with_the_same_strings() {
        let value = serde_json::json!({"text": "a\u{9b}b\u{202e}c\x7f\x1b"});
        let line = escape_json(value.to_string());
        assert!(!line.chars().any(is_unsafe), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value);
    }

    /// Any text at all: every char class that matters, and long runs of it.
    fn hostile_text() -> impl Strategy<Value = String> {
        let interesting = prop_oneof![
            any::<char>(),
            Just('\x1b'),
            Just('\n'),
            Just('\r'),
            Just('\u{9b}'),
            Just('\x7f'),
            Just('\u{202e}'),
            (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('?')),
            (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap_or('?')),
        ];
        proptest::collection::vec(interesting, 0..300).prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn output_never_holds_a_raw_control_and_grows_linearly(text in hostile_text()) {
            let inline = escape_inline(&text);
            prop_assert!(!inline.chars().any(is_unsafe));
            prop_assert!(inline.len() <= 10 * text.chars().count() + text.len());
            let message = escape_message(&text);
            // Only the line breaks it puts in itself, each followed by the indent.
            for (i, line) in message.split('\n').enumerate() {
                prop_assert!(!line.chars().any(is_unsafe));
                prop_assert!(i == 0 || line.starts_with(CONTINUATION));
            }
            prop_assert!(message.len() <= 10 * text.chars().count() + text.len());
            let json = escape_json(serde_json::json!({ "text": text }).to_string());
            prop_assert!(!json.chars().any(is_unsafe));
            let back: serde_json::Value = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back["text"].as_str(), Some(text.as_str()));
        }
    }
}
