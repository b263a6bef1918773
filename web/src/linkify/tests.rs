//! The linkifier's examples, its agreement with the plain (quadratic) reading it
//! replaced, and its bound on work per byte for random and hostile text.

use proptest::prelude::*;

use super::Segment::{Link, Text};
use super::*;

/// Bytes looked at per byte of text, at most (plus [`WORK_SLACK`]): each byte is
/// scanned by the main pass, then at most three more times if it is in a URL (its
/// end, its parentheses, its trailing punctuation), and an `h` tries both schemes.
const WORK_PER_BYTE: u64 = 16;
const WORK_SLACK: u64 = 16;

/// The segments of the whole of `text`.
fn linkify(text: &str) -> Vec<Segment<'_>> {
    linkify_prefix(text, text.len(), &mut Work::default())
}

fn joined(segments: &[Segment<'_>]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Text(t) | Link(t) => *t,
        })
        .collect()
}

fn work_for(text: &str) -> u64 {
    let mut work = Work::default();
    linkify_prefix(text, text.len(), &mut work);
    work.0
}

fn assert_linear(text: &str) {
    let work = work_for(text);
    let bound = WORK_PER_BYTE * text.len() as u64 + WORK_SLACK;
    assert!(
        work <= bound,
        "{work} steps for {} bytes (bound {bound})",
        text.len()
    );
}

/// The links of `segments`, by byte offset in `text`.
fn links_at<'a>(segments: &[Segment<'a>]) -> Vec<(usize, &'a str)> {
    let mut offset = 0;
    let mut links = Vec::new();
    for segment in segments {
        match segment {
            Link(url) => {
                links.push((offset, *url));
                offset += url.len();
            }
            Text(t) => offset += t.len(),
        }
    }
    links
}

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
    assert_eq!(linkify("HTTPS://A.B/C"), [Link("HTTPS://A.B/C")]);
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
    assert_eq!(linkify("https:// x"), [Text("https:// x")]);
    assert_eq!(linkify("http://)))"), [Text("http://)))")]);
    assert_eq!(linkify("xhttp://a.b"), [Text("xhttp://a.b")]);
}

#[test]
fn a_link_starts_a_word_in_any_script() {
    for glued in [
        "éhttp://a.b",
        "жhttp://a.b",
        "中http://a.b",
        "٣http://a.b",
        "7http://a.b",
    ] {
        assert_eq!(linkify(glued), [Text(glued)], "{glued}");
    }
    assert_eq!(
        linkify("«http://a.b and （https://c.d"),
        [
            Text("«"),
            Link("http://a.b"),
            Text(" and （"),
            Link("https://c.d"),
        ]
    );
}

#[test]
fn round_trips_unicode() {
    let text = "héllo https://ünï.example/ä 🎉";
    assert_eq!(joined(&linkify(text)), text);
    assert!(linkify(text).contains(&Link("https://ünï.example/ä")));
}

#[test]
fn a_prefix_never_links_a_cut_url() {
    let text = "see https://example.org/long/path and more";
    let cut = text.find("path").unwrap();
    let mut work = Work::default();
    assert_eq!(
        linkify_prefix(text, cut, &mut work),
        [Text("see https://example.org/long/")]
    );
    let cut = text.find(" and").unwrap();
    assert_eq!(
        linkify_prefix(text, cut, &mut work),
        [Text("see "), Link("https://example.org/long/path")]
    );
    // Inside a multi-byte character: rounded down.
    let text = "ä€";
    assert_eq!(linkify_prefix(text, 3, &mut work), [Text("ä")]);
}

/// Shapes of hostile text, `n` units long: the issue's `http://a` and `)` x n, and
/// others of its class (many links, schemes without addresses, deep parentheses,
/// trailing punctuation, long words, multi-byte text).
fn hostile(shape: usize, n: usize) -> String {
    match shape % 9 {
        0 => format!("http://a{}", ")".repeat(n)),
        1 => "http://a ".repeat(n / 9),
        2 => "https://".repeat(n / 8),
        3 => "http".repeat(n / 4),
        4 => "h(".repeat(n / 2),
        5 => format!("http://a{}{}", "(".repeat(n / 2), ")".repeat(n / 2)),
        6 => format!("http://a{}", ").".repeat(n / 2)),
        7 => format!("({}http://a{}", "(".repeat(n / 2), ")".repeat(n / 2)),
        _ => "é".repeat(n / 2),
    }
}

#[test]
fn the_hostile_message_of_the_issue_is_linear() {
    // Every shape at 50 KB first (a quadratic pass fails these in seconds), then
    // the issue's 600 KB.
    for n in [50_000, 600_000] {
        for shape in 0..9 {
            let text = hostile(shape, n);
            assert_linear(&text);
            assert_eq!(joined(&linkify(&text)), text);
        }
    }
    let issue = hostile(0, 600_000);
    assert_eq!(linkify(&issue)[0], Link("http://a"));
    assert_eq!(linkify(&hostile(1, 600_000)).len(), 2 * (600_000 / 9));
}

/// Text made of the pieces that matter to the linkifier, so random strings hit
/// schemes, parentheses and punctuation often.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("http://".to_owned()),
        Just("HTTPS://".to_owned()),
        Just("http".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just(".".to_owned()),
        Just("\"".to_owned()),
        Just("<".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("é".to_owned()),
        Just("\u{3000}".to_owned()),
        "[a-z0-9/?=&#%]{1,6}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn any_text_round_trips_within_the_work_bound(text in any::<String>()) {
        prop_assert_eq!(joined(&linkify(&text)), text.clone());
        let bound = WORK_PER_BYTE * text.len() as u64 + WORK_SLACK;
        prop_assert!(work_for(&text) <= bound);
    }

    #[test]
    fn tricky_text_links_exactly_what_the_plain_reading_links(text in tricky_text()) {
        let segments = linkify(&text);
        prop_assert_eq!(joined(&segments), text.clone());
        let links: Vec<&str> = links_at(&segments).into_iter().map(|(_, l)| l).collect();
        prop_assert_eq!(links, crate::linkify_quadratic::links(&text));
        for segment in &segments {
            if let Link(url) = segment {
                prop_assert!(url.to_ascii_lowercase().starts_with("http"));
                prop_assert!(!url.contains(char::is_whitespace));
            }
        }
        let bound = WORK_PER_BYTE * text.len() as u64 + WORK_SLACK;
        prop_assert!(work_for(&text) <= bound);
    }

    #[test]
    fn hostile_shapes_of_any_length_stay_within_the_work_bound(
        shape in 0usize..9,
        n in 0usize..4_000,
        prefix in "[a-z (]{0,8}",
    ) {
        let text = format!("{prefix}{}", hostile(shape, n));
        let bound = WORK_PER_BYTE * text.len() as u64 + WORK_SLACK;
        prop_assert!(work_for(&text) <= bound, "{} steps for {} bytes", work_for(&text), text.len());
        prop_assert_eq!(joined(&linkify(&text)), text);
    }

    #[test]
    fn a_prefix_is_the_whole_reading_cut(text in tricky_text(), cut in 0usize..400) {
        let mut work = Work::default();
        let prefix = linkify_prefix(&text, cut, &mut work);
        let shown = joined(&prefix);
        prop_assert!(text.starts_with(&shown));
        prop_assert!(shown.len() <= cut.min(text.len()));
        prop_assert!(cut >= text.len() || cut - shown.len() < 4);
        // Every link shown is a link of the whole text, at the same place.
        let whole = links_at(&linkify(&text));
        for link in links_at(&prefix) {
            prop_assert!(whole.contains(&link), "{:?} is not a link of the whole text", link);
        }
    }
}
