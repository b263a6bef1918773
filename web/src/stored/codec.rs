//! The records' encoding: a flat run of length-prefixed fields, `<bytes>:<text>`
//! each (`5:hello3:4212:`). No escaping, so any text round-trips, and reading is
//! a few lines of code: a serde-derived JSON encoding of the same records cost
//! the wasm about 11 KB gzipped.

use super::StoredError;

/// Longest length prefix read: ten digits is far past any record's size.
const MAX_LENGTH_DIGITS: usize = 10;

/// Builds a record.
#[derive(Debug, Default)]
pub struct FieldWriter {
    out: String,
}

impl FieldWriter {
    /// Appends a text field.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&text.len().to_string());
        self.out.push(':');
        self.out.push_str(text);
        self
    }

    /// Appends a number.
    pub fn number(&mut self, n: u64) -> &mut Self {
        self.text(&n.to_string())
    }

    /// Appends a number or an empty field.
    pub fn maybe(&mut self, n: Option<u64>) -> &mut Self {
        match n {
            Some(n) => self.number(n),
            None => self.text(""),
        }
    }

    /// The record.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Reads a record's fields in order.
#[derive(Debug)]
pub struct FieldReader<'a> {
    rest: &'a str,
}

impl<'a> FieldReader<'a> {
    /// Reads `record`.
    pub fn new(record: &'a str) -> Self {
        Self { rest: record }
    }

    /// The next text field.
    pub fn text(&mut self) -> Result<&'a str, StoredError> {
        let colon = self
            .rest
            .bytes()
            .take(MAX_LENGTH_DIGITS + 1)
            .position(|b| b == b':')
            .ok_or(StoredError::Malformed("a field without its length"))?;
        let len: usize = self.rest[..colon]
            .parse()
            .map_err(|_| StoredError::Malformed("a field length that is not a number"))?;
        let body = &self.rest[colon + 1..];
        let text = body
            .get(..len)
            .ok_or(StoredError::Malformed("a field cut short"))?;
        self.rest = &body[len..];
        Ok(text)
    }

    /// The next field, as a number.
    pub fn number(&mut self) -> Result<u64, StoredError> {
        self.text()?
            .parse()
            .map_err(|_| StoredError::Malformed("a number field that is not a number"))
    }

    /// The next field, a number or empty.
    pub fn maybe(&mut self) -> Result<Option<u64>, StoredError> {
        match self.text()? {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| StoredError::Malformed("a number field that is not a number")),
        }
    }

    /// Whether every field was read.
    pub fn is_done(&self) -> bool {
        self.rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_round_trips() {
        let mut w = FieldWriter::default();
        w.text("")
            .text("5:x")
            .text("é😀\n\u{1}")
            .number(42)
            .maybe(None);
        let record = w.finish();
        let mut r = FieldReader::new(&record);
        assert_eq!(r.text().unwrap(), "");
        assert_eq!(r.text().unwrap(), "5:x");
        assert_eq!(r.text().unwrap(), "é😀\n\u{1}");
        assert_eq!(r.number().unwrap(), 42);
        assert_eq!(r.maybe().unwrap(), None);
        assert!(r.is_done());
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        for record in ["", "3", "3:ab", "x:abc", "99999999999:a", "2:é", "1:x"] {
            let mut r = FieldReader::new(record);
            let first = r.text();
            let second = r.number();
            assert!(first.is_err() || second.is_err(), "{record:?}");
        }
    }

    // Native only: proptest is a native dev-dependency.
    #[cfg(not(target_arch = "wasm32"))]
    mod proptests {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_fields_round_trip(fields in proptest::collection::vec(any::<String>(), 0..8)) {
                let mut w = FieldWriter::default();
                for field in &fields {
                    w.text(field);
                }
                let record = w.finish();
                let mut r = FieldReader::new(&record);
                for field in &fields {
                    prop_assert_eq!(r.text().unwrap(), field.as_str());
                }
                prop_assert!(r.is_done());
            }

            /// A record cut anywhere, or any text at all, reads as fields or an
            /// error: never a panic, and never more fields than it has bytes.
            #[test]
            fn damaged_and_random_records_never_panic(
                fields in proptest::collection::vec(any::<String>(), 1..6),
                cut in any::<prop::sample::Index>(),
                random in any::<String>(),
            ) {
                let mut w = FieldWriter::default();
                for field in &fields {
                    w.text(field).number(7);
                }
                let record = w.finish();
                let mut end = cut.index(record.len() + 1);
                while !record.is_char_boundary(end) {
                    end -= 1;
                }
                for damaged in [&record[..end], random.as_str()] {
                    let mut r = FieldReader::new(damaged);
                    let mut read = 0;
                    while !r.is_done() && r.text().is_ok() {
                        read += 1;
                        prop_assert!(read <= damaged.len());
                    }
                }
            }
        }
    }
}
