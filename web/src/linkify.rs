//! Splits message text into plain runs and web links, so the view can make links
//! clickable while rendering every character as text (never as HTML).
//!
//! One forward pass: every byte is looked at a bounded number of times whatever the
//! text, so a hostile message (`http://a` and 600,000 `)`, or a wall of `http`)
//! costs what a normal one of its length does. The pass counts the bytes it looks
//! at ([`Work`]) so the tests can hold it to that bound.

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text to show as it is.
    Text(&'a str),
    /// An `http://` or `https://` URL. Other schemes (`javascript:`, `data:`) stay
    /// text: a link that runs code is never made from what someone else typed.
    Link(&'a str),
}

/// Characters that end a URL when they are its last one: sentence punctuation
/// typed right after a link is not part of it. All ASCII (one byte each).
const TRAILING_PUNCTUATION: &[u8] = b".,;:!?'\")]>";

/// Bytes looked at by one pass, for the tests' bound on work per byte.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Work(pub u64);

impl Work {
    fn add(&mut self, bytes: usize) {
        self.0 += bytes as u64;
    }
}

/// The segments of `text[..cut]`, in order; concatenated they give that text
/// back. Pass `text.len()` for the whole text, or where a folded message is cut:
/// the segments are then as they are in the whole text, and a link that runs past
/// `cut` is given as text, so a cut URL is never a link to the wrong address.
/// `cut` is rounded down to a char boundary; `work` counts the bytes looked at.
pub fn linkify_prefix<'a>(text: &'a str, cut: usize, work: &mut Work) -> Vec<Segment<'a>> {
    let cut = text.floor_char_boundary(cut);
    let bytes = text.as_bytes();
    let mut segments = Vec::new();
    // Start of the text run not yet pushed, and the byte being looked at.
    let mut plain = 0;
    let mut at = 0;
    while at < cut {
        work.add(1);
        let Some(scheme_len) = scheme_at(text, at, work) else {
            at += 1;
            continue;
        };
        let end = trim_trailing(bytes, at, url_end(text, at + scheme_len, work), work);
        if end == at + scheme_len {
            // A bare `https://`: text, and nothing in it can start another link.
            at = end;
            continue;
        }
        if end > cut {
            break;
        }
        if plain < at {
            segments.push(Segment::Text(&text[plain..at]));
        }
        segments.push(Segment::Link(&text[at..end]));
        plain = end;
        at = end;
    }
    if plain < cut {
        segments.push(Segment::Text(&text[plain..cut]));
    }
    segments
}

/// Whether `c` is a letter or a digit, in any script (`char::is_alphanumeric`).
fn is_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_non_ascii_letter_or_digit(c)
    }
}

/// [`is_letter_or_digit`] past ASCII, by the page's own Unicode tables (std's
/// cost the wasm 1.75 KB gzip): the same two properties, Alphabetic and the
/// numbers (`N`).
#[cfg(target_arch = "wasm32")]
fn is_non_ascii_letter_or_digit(c: char) -> bool {
    thread_local! {
        static LETTER_OR_DIGIT: js_sys::RegExp =
            js_sys::RegExp::new(r"^[\p{Alphabetic}\p{N}]$", "u");
    }
    LETTER_OR_DIGIT.with(|pattern| pattern.test(c.encode_utf8(&mut [0; 4])))
}

/// [`is_letter_or_digit`] past ASCII: std's tables natively (tests, benchmarks).
#[cfg(not(target_arch = "wasm32"))]
fn is_non_ascii_letter_or_digit(c: char) -> bool {
    c.is_alphanumeric()
}

/// The length of `http://` or `https://` (any case) starting a word at `at`.
fn scheme_at(text: &str, at: usize, work: &mut Work) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes[at].eq_ignore_ascii_case(&b'h') {
        return None;
    }
    // `at` holds an ASCII byte, so it is a char boundary; only the previous char
    // is decoded.
    let starts_word = text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !is_letter_or_digit(c));
    if !starts_word {
        return None;
    }
    let rest = &bytes[at..];
    ["https://", "http://"].into_iter().find_map(|scheme| {
        let len = scheme.len();
        work.add(len);
        (rest.len() >= len && rest[..len].eq_ignore_ascii_case(scheme.as_bytes())).then_some(len)
    })
}

/// Where a URL whose address starts at `from` ends: at whitespace, `<`, `>`, `"`
/// or the end of the text.
fn url_end(text: &str, from: usize, work: &mut Work) -> usize {
    for (offset, c) in text[from..].char_indices() {
        work.add(c.len_utf8());
        if c.is_whitespace() || matches!(c, '<' | '>' | '"') {
            return from + offset;
        }
    }
    text.len()
}

/// `end` moved back over trailing punctuation, keeping a `)` that closes a `(`
/// opened inside the URL (Wikipedia-style links). Parentheses are counted once,
/// then kept up to date while stripping, so this is linear in the URL's length.
fn trim_trailing(bytes: &[u8], start: usize, mut end: usize, work: &mut Work) -> usize {
    let url = &bytes[start..end];
    work.add(url.len());
    let opens = url.iter().filter(|&&b| b == b'(').count();
    let mut closes = url.iter().filter(|&&b| b == b')').count();
    while end > start {
        work.add(1);
        let last = bytes[end - 1];
        if !TRAILING_PUNCTUATION.contains(&last) || (last == b')' && opens >= closes) {
            break;
        }
        if last == b')' {
            closes -= 1;
        }
        end -= 1;
    }
    end
}

// Paths spelled out: the benchmark includes this file by path, where the default
// lookup of child modules would differ. Native only: proptest is a native
// dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "linkify/tests.rs"]
mod tests;
