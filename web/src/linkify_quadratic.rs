//! The link reading this app had before the linear pass: right, but quadratic (it
//! lowercased the rest of the text once per link and recounted parentheses once per
//! stripped byte, so `http://a` and 600,000 `)` froze the tab for seconds). Kept
//! only to check that the linear pass finds exactly the same links, and for the
//! benchmark to compare against.

/// The links of `text`, in order.
pub fn links(text: &str) -> Vec<&str> {
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
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let from_link = &rest[start..];
        let mut end = from_link
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
            .unwrap_or(from_link.len());
        while end > 0 && from_link[..end].ends_with(|c: char| ".,;:!?'\")]>".contains(c)) {
            let candidate = &from_link[..end];
            if candidate.ends_with(')')
                && candidate.matches('(').count() >= candidate.matches(')').count()
            {
                break;
            }
            end -= 1;
        }
        let link = &from_link[..end];
        let scheme_len = if link.to_ascii_lowercase().starts_with("https://") {
            8
        } else {
            7
        };
        if link.len() > scheme_len {
            links.push(link);
        }
        rest = &from_link[end..];
    }
    links
}
