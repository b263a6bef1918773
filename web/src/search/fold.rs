//! Case folding for search. Each char folds on its own (the text is lowercased in
//! one go, but the one context lowercase knows, the final sigma, folds away), so
//! the folding of a piece of text is always a piece of the folding of the whole (a
//! word found in the original is found in the folded copy, wherever it starts).
//!
//! Unicode's lowercase for every script, plus the foldings of full case folding
//! that lowercase alone misses and chat hits: "ß" and "ẞ" fold to "ss", the final
//! "ς" to "σ". Both sides of a search go through this folding, so "ÉCOLE" finds
//! "école", "STRASSE" finds "straße" and "ΟΔΟΣ" finds "οδος".
//!
//! In the browser the lowercase is the page's own (`String.prototype.toLowerCase`):
//! std's would link Unicode's case tables into the wasm, 8.4 KB of its gzip
//! (measured). Natively (tests, benchmarks) it is std's; both follow Unicode's
//! default case conversion, where the only context a lowercase looks at is the
//! final sigma, which the folding maps away.
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
    let lower = lowercase(text);
    out.reserve(lower.len());
    for c in lower.chars() {
        match c {
            // "ẞ" lowercases to "ß".
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c => out.push(c),
        }
    }
}

/// The folding of `text`, as a new string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Unicode's lowercase of `text`: the browser's in the browser.
#[cfg(target_arch = "wasm32")]
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// Unicode's lowercase of `text`: std's natively.
#[cfg(not(target_arch = "wasm32"))]
fn lowercase(text: &str) -> String {
    text.to_lowercase()
}

/// How many chars the folding of `c` has: one, but for the two-letter foldings.
/// Unicode's lowercase gives one char for every char but "İ" ("i" and a dot
/// above); the test over every char below holds std's tables to this.
fn folded_chars(c: char) -> usize {
    match c {
        'ß' | 'ẞ' | 'İ' => 2,
        _ => 1,
    }
}

/// Turns byte ranges of `folded` (the folding of `text`; ranges sorted, not
/// overlapping, not empty) into byte ranges of `text` on char boundaries: a range
/// covers every char whose folding it touches. One pass over both texts, no
/// memory besides the answer. A `folded` that is not the folding of `text` gives
/// wrong ranges, still on char boundaries of `text`.
pub fn to_original(text: &str, folded: &str, ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut cursor = Cursor {
        chars: text.char_indices(),
        folded_chars: folded.chars(),
        folded: 0..0,
        original: 0..0,
    };
    ranges
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

/// A walk over a text's chars and its folding's, with where each char is in the
/// text and its folding.
struct Cursor<'a> {
    chars: std::str::CharIndices<'a>,
    folded_chars: std::str::Chars<'a>,
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
            let len: usize = (&mut self.folded_chars)
                .take(folded_chars(c))
                .map(char::len_utf8)
                .sum();
            self.folded = self.folded.end..self.folded.end + len;
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
    /// exceptions), into as many chars as `folded_chars` says.
    #[test]
    fn every_char_folds_as_std_lowercases() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let ours = fold(c.encode_utf8(&mut [0; 4]));
            assert_eq!(folded_chars(c), ours.chars().count(), "{c:?}");
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
        assert_eq!(to_original(text, &folded, &[(at, at + 3)]), [(4, 7)]);
        let at = folded.find("école").unwrap();
        let back = to_original(text, &folded, &[(at, at + "école".len())]);
        assert_eq!(&text[back[0].0..back[0].1], "ÉCOLE");
        // Half of "ß" ("s" of "ss") marks the whole "ß"; two ranges in one char.
        let ss = folded.find("ss").unwrap();
        assert_eq!(
            to_original(text, &folded, &[(ss, ss + 1), (ss + 1, ss + 2)]),
            [(4, 6), (4, 6)]
        );
        assert_eq!(to_original("abc", "abc", &[]), []);
        // Marks past the dotted capital I (two chars folded) still land on it and
        // after it.
        let text = "İx Éy";
        let folded = fold(text);
        let at = folded.find('x').unwrap();
        assert_eq!(
            to_original(text, &folded, &[(0, 1), (at, at + 1)]),
            [(0, 2), (2, 3)]
        );
        let at = folded.find("éy").unwrap();
        assert_eq!(to_original(text, &folded, &[(at, at + 3)]), [(4, 7)]);
    }

    #[test]
    fn marks_stay_with_their_letter() {
        let text = "cafe\u{301} ok";
        assert_eq!(past_marks(text, 4), 6);
        assert_eq!(past_marks(text, 6), 6);
        assert_eq!(past_marks("e\u{301}", 1), 3);
    }
}
