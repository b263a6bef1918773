//! The search on chat text, on every kind of Unicode, and on hostile input.

use proptest::prelude::*;

use super::*;

fn doc(seq: u64, text: &str) -> Document<'_> {
    Document {
        seq,
        time_ms: seq * 1_000,
        sender: "ann",
        text,
        folded: None,
    }
}

/// Searches one room holding `texts` (oldest first, numbered from 0).
fn search_one(query: &str, texts: &[&str]) -> Results<u8> {
    let query = Query::parse(query).expect("a query with words");
    let docs = texts
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| doc(i as u64, t));
    search(&query, [(0u8, docs)])
}

fn marked(hit: &Hit) -> Vec<&str> {
    hit.snippet
        .pieces()
        .into_iter()
        .filter_map(|(text, mark)| mark.then_some(text))
        .collect()
}

#[test]
fn finds_words_whatever_their_case() {
    let found = search_one("ÉCOLE", &["à l'école ce matin", "nothing here"]);
    assert_eq!(found.total, 1);
    let hit = &found.rooms[0].hits[0];
    assert_eq!(hit.seq, 0);
    assert_eq!(marked(hit), ["école"]);
    let found = search_one("hello", &["HeLLo there", "say HELLO"]);
    assert_eq!(found.total, 2);
    assert_eq!(marked(&found.rooms[0].hits[0]), ["HELLO"]);
}

#[test]
fn strasse_finds_strasse_both_ways() {
    assert_eq!(search_one("STRASSE", &["die Straße"]).total, 1);
    assert_eq!(search_one("straße", &["DIE STRASSE"]).total, 1);
    let found = search_one("strasse", &["die Straße"]);
    assert_eq!(marked(&found.rooms[0].hits[0]), ["Straße"]);
    assert_eq!(search_one("ΠΑΣ", &["ο πας"]).total, 1, "final sigma");
}

#[test]
fn combining_marks_stay_with_the_marked_letter() {
    // "e" + U+0301: a search for "cafe" marks the accent with its letter.
    let found = search_one("cafe", &["un cafe\u{301} noir"]);
    assert_eq!(marked(&found.rooms[0].hits[0]), ["cafe\u{301}"]);
    // The same spelling on both sides matches; NFC against NFD does not (a
    // documented limit: no normalization tables in the wasm).
    assert_eq!(search_one("cafe\u{301}", &["CAFE\u{301}"]).total, 1);
    assert_eq!(search_one("café", &["cafe\u{301}"]).total, 0);
}

#[test]
fn every_word_must_match_in_any_order() {
    let texts = ["the quick brown fox", "a brown dog", "quick, the fox!"];
    let found = search_one("fox QUICK", &texts);
    assert_eq!(found.total, 2);
    let seqs: Vec<u64> = found.rooms[0].hits.iter().map(|h| h.seq).collect();
    assert_eq!(seqs, [2, 0], "newest first");
    assert_eq!(marked(&found.rooms[0].hits[1]), ["quick", "fox"]);
    assert_eq!(search_one("fox cat", &texts).total, 0);
}

#[test]
fn overlapping_words_merge_into_one_mark() {
    let found = search_one("abc bcd", &["xabcdx"]);
    assert_eq!(marked(&found.rooms[0].hits[0]), ["abcd"]);
    // A word inside another adds nothing to the query.
    assert_eq!(Query::parse("ab abc b").unwrap().words(), ["abc"]);
}

#[test]
fn queries_are_bounded() {
    assert_eq!(Query::parse("  \t\n "), None);
    let many = (0..50)
        .map(|i| format!("w{i:02}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(Query::parse(&many).unwrap().words().len(), MAX_WORDS);
    let long = "é".repeat(1_000);
    let query = Query::parse(&long).unwrap();
    assert_eq!(query.words()[0].chars().count(), MAX_WORD_CHARS);
}

#[test]
fn rooms_are_grouped_newest_hit_first_with_a_count_of_the_rest() {
    let old = ["needle 1"];
    let busy: Vec<String> = (0..20).map(|i| format!("needle {i}")).collect();
    let query = Query::parse("NEEDLE").unwrap();
    let rooms = [
        ("old", vec![doc(0, old[0])]),
        (
            "busy",
            busy.iter()
                .enumerate()
                .rev()
                .map(|(i, t)| doc(10 + i as u64, t))
                .collect(),
        ),
        ("none", vec![doc(99, "hay")]),
    ];
    let found = search(&query, rooms.iter().map(|(r, d)| (*r, d.iter().copied())));
    assert_eq!(found.total, 21);
    let order: Vec<&str> = found.rooms.iter().map(|r| r.room).collect();
    assert_eq!(order, ["busy", "old"]);
    assert_eq!(found.rooms[0].hits.len(), HITS_PER_ROOM);
    assert_eq!(found.rooms[0].total, 20);
    assert_eq!(found.rooms[0].hits[0].seq, 29);
    assert_eq!(found.shown().count(), HITS_PER_ROOM + 1);
}

#[test]
fn a_kept_folded_copy_is_searched_in_place_of_folding() {
    let query = Query::parse("école").unwrap();
    let kept = fold::fold("ÉCOLE");
    let document = Document {
        folded: Some(&kept),
        ..doc(3, "ÉCOLE")
    };
    let found = search(&query, [((), [document])]);
    assert_eq!(marked(&found.rooms[0].hits[0]), ["ÉCOLE"]);
    // The copy is what is searched: a copy that says otherwise wins.
    let stale = Document {
        folded: Some("other"),
        ..document
    };
    assert_eq!(search(&query, [((), [stale])]).total, 0);
}

#[test]
fn rooms_shown_are_bounded_and_the_rest_counted() {
    let query = Query::parse("x").unwrap();
    let rooms = (0..ROOMS_SHOWN as u64 + 5).map(|room| (room, [doc(room, "x")]));
    let found = search(&query, rooms);
    assert_eq!(found.rooms.len(), ROOMS_SHOWN);
    assert_eq!(found.more_rooms, 5);
    assert_eq!(found.total, ROOMS_SHOWN + 5);
    assert_eq!(found.rooms[0].room, ROOMS_SHOWN as u64 + 4, "newest first");
}

#[test]
fn a_600_kb_message_is_one_pass_and_one_line() {
    let text = format!("{}Needle{}", "x".repeat(300_000), "ÿ".repeat(150_000));
    let found = search_one("needle", &[&text]);
    let hit = &found.rooms[0].hits[0];
    assert!(hit.snippet.text.len() <= 200);
    assert_eq!(marked(hit), ["Needle"]);
    // Many matches in it: marks stay bounded.
    let wall = "ab ".repeat(200_000);
    let found = search_one("ab", &[&wall]);
    assert!(found.rooms[0].hits[0].snippet.marks.len() <= 32);
}

/// Text of the kinds that trip offsets: multi-byte letters, letters whose
/// folding changes length, combining marks, emoji, and ASCII.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_owned()),
        Just("A".to_owned()),
        Just("ß".to_owned()),
        Just("ẞ".to_owned()),
        Just("İ".to_owned()),
        Just("Σ".to_owned()),
        Just("ς".to_owned()),
        Just("\u{301}".to_owned()),
        Just("É".to_owned()),
        Just("Ⱥ".to_owned()),
        Just("K".to_owned()),
        Just("👍🏽".to_owned()),
        Just(" ".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn never_panics_and_marks_sit_on_char_boundaries(text in tricky_text(), query in tricky_text()) {
        if let Some(query) = Query::parse(&query) {
            let found = search(&query, [((), [doc(0, &text)])]);
            for (_, hit) in found.shown() {
                let s = &hit.snippet;
                for &(from, to) in &s.marks {
                    prop_assert!(from < to && to <= s.text.len());
                    prop_assert!(s.text.is_char_boundary(from) && s.text.is_char_boundary(to));
                }
                prop_assert!(s.marks.windows(2).all(|w| w[0].1 < w[1].0));
            }
        }
    }

    #[test]
    fn any_piece_of_a_message_finds_it(text in tricky_text(), a in 0usize..200, b in 0usize..200) {
        let (a, b) = (text.floor_char_boundary(a.min(b)), text.floor_char_boundary(a.max(b)));
        let piece = &text[a..b];
        if let Some(query) = Query::parse(piece) {
            let found = search(&query, [((), [doc(0, &text)])]);
            prop_assert_eq!(found.total, 1, "{:?} in {:?}", piece, text);
            prop_assert!(!found.rooms[0].hits[0].snippet.marks.is_empty());
        }
    }
}
