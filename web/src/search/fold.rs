//! Case folding for search, one char at a time so the folding of a piece of text
//! is always a piece of the folding of the whole (a word found in the original is
//! found in the folded copy, wherever it starts).
//!
//! Std's Unicode lowercase for every script, plus the foldings of full case
//! folding that lowercase alone misses and chat hits: "ß" and "ẞ" fold to "ss", the
//! final "ς" to "σ". Both sides of a search go through this folding, so "ÉCOLE"
//! finds "école", "STRASSE" finds "straße" and "ΟΔΟΣ" finds "οδός". (Lowercase
//! links core's case tables into the wasm, about 7 KB gzip by estimate: an exact mapping for
//! every script was judged worth it over a hand-kept subset.)
//!
//! Known limits, on purpose: no normalization, so "é" typed as one code point
//! does not match "e" + U+0301 (the combining accent); accents are not ignored
//! ("ecole" does not find "école"); Turkish dotless "ı" is its own letter.

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
        'ς' => out.push('σ'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => out.extend(c.to_lowercase()),
    }
}

/// How many bytes the folding of `c` takes.
fn folded_len(c: char) -> usize {
    match c {
        'ß' | 'ẞ' => 2,
        'ς' => 'σ'.len_utf8(),
        c if c.is_ascii() => 1,
        c => c.to_lowercase().map(char::len_utf8).sum(),
    }
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

    /// Every char folds as std's lowercase does (but for the full-folding
    /// exceptions), and `folded_len` agrees with the folding.
    #[test]
    fn every_char_folds_as_std_lowercases() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let ours = fold(c.encode_utf8(&mut [0; 4]));
            assert_eq!(folded_len(c), ours.len(), "{c:?}");
            if !matches!(c, 'ß' | 'ẞ' | 'ς') {
                assert_eq!(ours, c.to_lowercase().collect::<String>(), "{c:?}");
            }
        }
        assert_eq!(fold("ႠᏣⰀ"), "ⴀꮳⰰ", "Georgian, Cherokee, Glagolitic");
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
