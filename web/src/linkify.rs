//! Splits message text into plain runs and web links, so the view can make links
//! clickable while rendering every character as text (never as HTML).

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
/// typed right after a link is not part of it.
const TRAILING_PUNCTUATION: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '>'];

/// The segments of `text`, in order; concatenated they give `text` back.
pub fn linkify(text: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let (before, from_link) = rest.split_at(start);
        let mut end = from_link
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
            .unwrap_or(from_link.len());
        while end > 0 && from_link[..end].ends_with(TRAILING_PUNCTUATION) {
            // Keep a closing parenthesis that closes one opened inside the URL
            // (Wikipedia-style links).
            let candidate = &from_link[..end];
            if candidate.ends_with(')')
                && candidate.matches('(').count() >= candidate.matches(')').count()
            {
                break;
            }
            end -= 1;
        }
        let (link, after) = from_link.split_at(end);
        let scheme_len = if link.starts_with("https://") { 8 } else { 7 };
        if !before.is_empty() {
            segments.push(Segment::Text(before));
        }
        if link.len() > scheme_len {
            segments.push(Segment::Link(link));
        } else {
            segments.push(Segment::Text(link));
        }
        rest = after;
    }
    if !rest.is_empty() {
        segments.push(Segment::Text(rest));
    }
    segments
}

/// Byte offset of the next `http://` or `https://` that starts a word.
fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let at = from + found;
        let tail = &lower[at..];
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if starts_word && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Segment::{Link, Text};
    use super::*;

    #[test]
    fn finds_links_between_text() {
        assert_eq!(
            linkify("see https://example.org/a?b=c, and http://x.y."),
            [
                Text("see "),
                Link("https://example.org/a?b=c"),
                Text(", and "),
                Link("http://x.y"),
                Text("."),
            ]
        );
    }

    #[test]
    fn never_links_other_schemes_or_html() {
        let text = "javascript:alert(1) <b>bold</b> data:text/html,x ftp://f";
        assert_eq!(linkify(text), [Text(text)]);
        assert_eq!(
            linkify("<https://a.b/c>"),
            [Text("<"), Link("https://a.b/c"), Text(">")]
        );
    }

    #[test]
    fn keeps_balanced_parentheses_and_rejects_bare_schemes() {
        assert_eq!(
            linkify("(https://en.wikipedia.org/wiki/Rust_(language))"),
            [
                Text("("),
                Link("https://en.wikipedia.org/wiki/Rust_(language)"),
                Text(")"),
            ]
        );
        assert_eq!(linkify("https:// x"), [Text("https://"), Text(" x")]);
        assert_eq!(linkify("xhttp://a.b"), [Text("xhttp://a.b")]);
    }

    #[test]
    fn round_trips_unicode() {
        let text = "héllo https://ünï.example/ä 🎉";
        let joined: String = linkify(text)
            .iter()
            .map(|s| match s {
                Text(t) | Link(t) => *t,
            })
            .collect();
        assert_eq!(joined, text);
        assert!(linkify(text).contains(&Link("https://ünï.example/ä")));
    }
}
