//! Case folding for search, one char at a time so the folding of a piece of text
//! is always a piece of the folding of the whole (a word found in the original is
//! found in the folded copy, wherever it starts).
//!
//! Without core's Unicode case tables (about 14 KB gzip of the wasm, dropped from
//! the app on purpose): ranges and pairs for the cased scripts chat mostly uses,
//! each checked against std's `to_lowercase` in the tests. Latin (ASCII, Latin-1,
//! Extended-A, the Romanian letters of Extended-B, Vietnamese), Greek, Cyrillic,
//! Armenian and full-width Latin fold as std folds them; "ß" and "ẞ" fold to "ss"
//! and the final "ς" to "σ", as full case folding does. Both sides of a search go
//! through this folding, so "ÉCOLE" finds "école" and "STRASSE" finds "straße".
//!
//! Known limits, on purpose: other cased scripts (Georgian, Cherokee, Glagolitic,
//! the rest of Latin Extended-B) match only in the case typed; no normalization,
//! so "é" typed as one code point does not match "e" + U+0301 (the combining
//! accent); accents are not ignored ("ecole" does not find "école"); Turkish
//! dotless "ı" is its own letter.

/// Appends the folding of `text` to `out`. Linear in `text`; an ASCII text (most
/// chat) takes a byte-at-a-time fast path.
pub fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.reserve(text.len());
        out.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        return;
    }
    // ASCII runs in bulk between the other chars (most chat has a few accents).
    let mut rest = text;
    while !rest.is_empty() {
        let run = rest.bytes().take_while(u8::is_ascii).count();
        out.extend(
            rest[..run]
                .bytes()
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        rest = &rest[run..];
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            fold_char(c, out);
        }
        rest = chars.as_str();
    }
}

/// The folding of `text`, as a new string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Appends the folding of one char.
fn fold_char(c: char, out: &mut String) {
    match c {
        'ß' | 'ẞ' => out.push_str("ss"),
        'İ' => out.push_str("i\u{307}"),
        c => out.push(lower(c)),
    }
}

/// How many bytes the folding of `c` takes.
fn folded_len(c: char) -> usize {
    match c {
        'ß' | 'ẞ' => 2,
        'İ' => 3,
        c => lower(c).len_utf8(),
    }
}

/// The lowercase of `c` in the scripts covered (see the module docs), and the
/// final sigma as sigma; anything else as it is.
fn lower(c: char) -> char {
    let u = u32::from(c);
    let even = u % 2 == 0;
    let lowered = match u {
        0x41..=0x5A => u + 32,
        0xC0..=0xDE if u != 0xD7 => u + 32,
        0x100..=0x137 | 0x14A..=0x177 | 0x200..=0x21F if even => u + 1,
        0x139..=0x148 | 0x179..=0x17E if !even => u + 1,
        0x178 => 0xFF,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 37,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 63,
        0x391..=0x3AB if u != 0x3A2 => u + 32,
        0x3C2 => 0x3C3,
        0x400..=0x40F => u + 80,
        0x410..=0x42F => u + 32,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F if even => u + 1,
        0x4C0 => 0x4CF,
        0x4C1..=0x4CE if !even => u + 1,
        0x531..=0x556 => u + 48,
        0x1E00..=0x1E95 | 0x1EA0..=0x1EFF if even => u + 1,
        0xFF21..=0xFF3A => u + 32,
        _ => u,
    };
    char::from_u32(lowered).unwrap_or(c)
}

/// Turns byte ranges of `fold(text)` (sorted, not overlapping, not empty) into
/// byte ranges of `text` on char boundaries: a range covers every char whose
/// folding it touches. One pass over `text`, no memory besides the answer.
pub fn to_original(text: &str, folded: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut cursor = Cursor {
        chars: text.char_indices(),
        folded: 0..0,
        original: 0..0,
    };
    folded
        .iter()
        .map(|&(from, to)| {
            // The char whose folding holds byte `from`, then the one holding `to - 1`.
            let start = cursor
                .advance_while(|folded| folded.end <= from)
                .map_or(text.len(), |c| c.original.start);
            let end = cursor
                .advance_while(|folded| folded.end < to)
                .map_or(text.len(), |c| c.original.end);
            (start, end)
        })
        .collect()
}

/// A walk over a text's chars, with where each is in the text and its folding.
struct Cursor<'a> {
    chars: std::str::CharIndices<'a>,
    /// The current char's bytes in the folding.
    folded: std::ops::Range<usize>,
    /// The current char's bytes in the text.
    original: std::ops::Range<usize>,
}

impl Cursor<'_> {
    /// Moves on while `behind` holds for the current char; `None` past the end.
    fn advance_while(&mut self, behind: impl Fn(&std::ops::Range<usize>) -> bool) -> Option<&Self> {
        while behind(&self.folded) {
            let (at, c) = self.chars.next()?;
            self.folded = self.folded.end..self.folded.end + folded_len(c);
            self.original = at..at + c.len_utf8();
        }
        Some(self)
    }
}

/// Whether `c` is a combining mark that belongs to the char before it (the common
/// blocks: diacritics, their extensions and supplement, half marks, and the
/// variation selectors and zero-width joiner that glue emoji together). A mark
/// then never cuts "e" from its accent.
pub fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{200D}'
    )
}

/// `end` moved past the combining marks that follow it in `text`.
pub fn past_marks(text: &str, end: usize) -> usize {
    let rest = &text[end..];
    end + rest
        .char_indices()
        .find(|&(_, c)| !is_combining(c))
        .map_or(rest.len(), |(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_across_scripts() {
        assert_eq!(fold("ÉCOLE"), "école");
        assert_eq!(fold("Hello WORLD"), "hello world");
        assert_eq!(fold("ΟΔΟΣ"), "οδοσ");
        assert_eq!(fold("οδός"), "οδόσ", "final sigma folds to sigma");
        assert_eq!(fold("ПРИВЕТ"), "привет");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("STRAẞE"), "strasse");
        assert_eq!(fold("İ"), "i\u{307}", "std's lowercase: i with a dot above");
        assert_eq!(fold("ȘTIRI ȚARĂ"), "știri țară");
        assert_eq!(fold("ĐẶNG"), "đặng");
        assert_eq!(fold("ՀԱՅ"), "հայ");
    }

    /// Every char of the covered ranges folds as std's lowercase does (but for
    /// the full-folding exceptions); around them, a char either folds as std does
    /// or stays as it is, never to something else.
    #[test]
    fn the_covered_scripts_fold_as_std_lowercases() {
        let covered = [
            0..0x180,
            0x200..0x220,
            0x386..0x3CF,
            0x400..0x530,
            0x531..0x557,
            0x1E00..0x1F00,
            0xFF21..0xFF3B,
        ];
        let around = [0..0x250, 0x370..0x590, 0x1E00..0x1F00, 0xFF00..0xFF60];
        for c in around.into_iter().flatten().filter_map(char::from_u32) {
            if matches!(c, 'ß' | 'ẞ' | 'ς') {
                continue;
            }
            let ours = fold(c.encode_utf8(&mut [0; 4]));
            let std: String = c.to_lowercase().collect();
            assert_eq!(folded_len(c), ours.len());
            let u = u32::from(c);
            if covered.iter().any(|range| range.contains(&u)) {
                assert_eq!(ours, std, "{c:?} U+{u:04X}");
            } else {
                assert!(ours == c.to_string() || ours == std, "{c:?} U+{u:04X}");
            }
        }
        assert_eq!(fold("ẞ"), "ss");
        assert_eq!(fold("Ⴀ"), "Ⴀ", "Georgian is a documented limit");
    }

    #[test]
    fn folded_ranges_map_back_to_whole_chars() {
        let text = "Straße ÉCOLE";
        let folded = fold(text);
        let at = folded.find("sse").unwrap();
        assert_eq!(to_original(text, &[(at, at + 3)]), [(4, 7)]);
        let at = folded.find("école").unwrap();
        let back = to_original(text, &[(at, at + "école".len())]);
        assert_eq!(&text[back[0].0..back[0].1], "ÉCOLE");
        // Half of "ß" ("s" of "ss") marks the whole "ß"; two ranges in one char.
        let ss = folded.find("ss").unwrap();
        assert_eq!(
            to_original(text, &[(ss, ss + 1), (ss + 1, ss + 2)]),
            [(4, 6), (4, 6)]
        );
        assert_eq!(to_original("abc", &[]), []);
    }

    #[test]
    fn marks_stay_with_their_letter() {
        let text = "cafe\u{301} ok";
        assert_eq!(past_marks(text, 4), 6);
        assert_eq!(past_marks(text, 6), 6);
        assert_eq!(past_marks("e\u{301}", 1), 3);
    }
}
