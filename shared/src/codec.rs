//! Splitting a byte stream into MCP lines (`WIRE.md` section 1).
//!
//! One packet per line, terminated by `\n` (a `\r\n` is accepted too). The decoder is
//! sans-IO: push whatever bytes a socket read produced, then pull complete lines. It
//! never buffers more than the configured maximum line length plus one read, so a peer
//! cannot make it grow without bound.

use thiserror::Error;

/// Default bound on one line: 1 MiB, as `WIRE.md` section 1 suggests.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;

/// A drained buffer larger than this is released rather than kept for reuse, so a
/// long-lived connection that once received a large line does not hold that memory
/// while idle.
const KEEP_BUFFER_BYTES: usize = 64 * 1024;

/// Why a line could not be produced. Both are fatal for the stream: after a too-long
/// line the decoder cannot know where the next packet starts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LineError {
    /// A line (without its terminator) is longer than the limit.
    #[error("line longer than {limit} bytes")]
    TooLong {
        /// The configured maximum.
        limit: usize,
    },
    /// A complete line is not valid UTF-8.
    #[error("line is not valid UTF-8")]
    InvalidUtf8,
}

/// Incremental line splitter with a length bound.
///
/// Call [`LineDecoder::push`] with received bytes, then [`LineDecoder::next_line`]
/// until it returns `Ok(None)`. Lines that are empty or whitespace only are skipped
/// (a public MCP server follows each plaintext line with an empty one). The `\n` and
/// an optional `\r` before it are removed; nothing else is changed.
#[derive(Debug)]
pub struct LineDecoder {
    buf: Vec<u8>,
    /// Start of the first byte not yet returned.
    start: usize,
    /// Bytes from `start` already searched for `\n` without finding one.
    searched: usize,
    max_line_bytes: usize,
}

impl LineDecoder {
    /// A decoder that rejects lines longer than `max_line_bytes` (terminator excluded).
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            searched: 0,
            max_line_bytes,
        }
    }

    /// Changes the longest accepted line from here on: a server reads the handshake
    /// under a small limit (it is a few hundred bytes) and raises it once the
    /// connection is secured, so a peer that has proved nothing cannot make it
    /// buffer a full-size line.
    pub fn set_max_line_bytes(&mut self, max_line_bytes: usize) {
        self.max_line_bytes = max_line_bytes;
    }

    /// Appends bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start == self.buf.len() {
            self.release_drained();
        } else if self.start > self.buf.len() / 2 {
            // Compact once most of the buffer has been consumed, so long-lived
            // connections keep a buffer the size of their longest line.
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Empties a fully consumed buffer, giving large ones back to the allocator.
    fn release_drained(&mut self) {
        if self.buf.capacity() > KEEP_BUFFER_BYTES {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
        self.start = 0;
        self.searched = 0;
    }

    /// Bytes buffered but not yet returned as a line (a partial line at most,
    /// once [`LineDecoder::next_line`] has returned `Ok(None)`).
    pub fn pending_bytes(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next complete, non-blank line, `Ok(None)` when more bytes are needed.
    pub fn next_line(&mut self) -> Result<Option<String>, LineError> {
        loop {
            let unread = &self.buf[self.start..];
            let Some(offset) = unread[self.searched..].iter().position(|&b| b == b'\n') else {
                self.searched = unread.len();
                if unread.len() > self.max_line_bytes + 1 {
                    // `+ 1` leaves room for a `\r` whose `\n` has not arrived yet.
                    return Err(LineError::TooLong {
                        limit: self.max_line_bytes,
                    });
                }
                return Ok(None);
            };
            let end = self.searched + offset;
            let mut line = &unread[..end];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            let too_long = line.len() > self.max_line_bytes;
            let blank = line.iter().all(u8::is_ascii_whitespace);
            let text = if too_long || blank {
                None
            } else {
                Some(std::str::from_utf8(line).map(str::to_owned))
            };
            self.start += end + 1;
            self.searched = 0;
            if self.start == self.buf.len() {
                self.release_drained();
            }
            if too_long {
                return Err(LineError::TooLong {
                    limit: self.max_line_bytes,
                });
            }
            match text {
                None => continue,
                Some(Ok(text)) => return Ok(Some(text)),
                Some(Err(_)) => return Err(LineError::InvalidUtf8),
            }
        }
    }
}

impl Default for LineDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(decoder: &mut LineDecoder) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(line) = decoder.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn splits_on_newline_and_crlf_and_skips_blank_lines() {
        let mut d = LineDecoder::new(100);
        d.push(b"one\ntwo\r\n\n  \r\nthr");
        assert_eq!(lines(&mut d), ["one", "two"]);
        assert_eq!(d.pending_bytes(), 3);
        d.push(b"ee\n");
        assert_eq!(lines(&mut d), ["three"]);
        assert_eq!(d.pending_bytes(), 0);
    }

    #[test]
    fn keeps_inner_whitespace_and_a_lone_carriage_return_inside() {
        let mut d = LineDecoder::new(100);
        d.push(b" a\rb \n");
        assert_eq!(lines(&mut d), [" a\rb "]);
    }

    #[test]
    fn rejects_a_partial_line_over_the_limit_without_waiting_for_its_end() {
        let mut d = LineDecoder::new(4);
        d.push(b"12345");
        assert_eq!(
            d.next_line(),
            Ok(None),
            "a `\\r` may still end it at 4 bytes"
        );
        d.push(b"6");
        assert_eq!(d.next_line(), Err(LineError::TooLong { limit: 4 }));
    }

    #[test]
    fn accepts_a_line_exactly_at_the_limit_with_crlf() {
        let mut d = LineDecoder::new(4);
        d.push(b"1234\r");
        assert_eq!(d.next_line(), Ok(None));
        d.push(b"\n");
        assert_eq!(d.next_line(), Ok(Some("1234".to_owned())));
    }

    #[test]
    fn rejects_a_complete_line_over_the_limit() {
        let mut d = LineDecoder::new(4);
        d.push(b"12345\nok\n");
        assert_eq!(d.next_line(), Err(LineError::TooLong { limit: 4 }));
    }

    #[test]
    fn the_limit_can_be_raised_after_the_first_line() {
        let mut d = LineDecoder::new(8);
        d.push(
            b"short
0123456789
",
        );
        assert_eq!(d.next_line().unwrap().as_deref(), Some("short"));
        d.set_max_line_bytes(64);
        assert_eq!(d.next_line().unwrap().as_deref(), Some("0123456789"));
    }

    #[test]
    fn reports_invalid_utf8_and_goes_on() {
        let mut d = LineDecoder::new(10);
        d.push(b"\xff\xfe\nok\n");
        assert_eq!(d.next_line(), Err(LineError::InvalidUtf8));
        assert_eq!(d.next_line(), Ok(Some("ok".to_owned())));
    }

    #[test]
    fn releases_a_large_buffer_once_drained() {
        let mut d = LineDecoder::new(1 << 20);
        d.push(&[b'x'; 200_000]);
        d.push(b"\n");
        assert_eq!(d.next_line().unwrap().map(|l| l.len()), Some(200_000));
        assert!(
            d.buf.capacity() <= KEEP_BUFFER_BYTES,
            "an idle decoder holds no large buffer"
        );
    }

    #[test]
    fn byte_at_a_time_gives_the_same_lines() {
        let input = b"{\"a\":1}\r\n\n{\"b\":\"\xc3\xa9\"}\nrest";
        let mut d = LineDecoder::new(64);
        let mut out = Vec::new();
        for b in input {
            d.push(std::slice::from_ref(b));
            out.extend(lines(&mut d));
        }
        assert_eq!(out, ["{\"a\":1}", "{\"b\":\"é\"}"]);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// However a stream of lines is cut into reads, the decoder yields the same
        /// non-blank lines in order.
        #[test]
        fn any_chunking_yields_the_same_lines(
            lines in proptest::collection::vec("[^\n\r]{0,40}", 0..20),
            cuts in proptest::collection::vec(0usize..400, 0..30),
            crlf in any::<bool>(),
        ) {
            let terminator = if crlf { "\r\n" } else { "\n" };
            let stream: String = lines.iter().map(|l| format!("{l}{terminator}")).collect();
            let bytes = stream.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut d = LineDecoder::new(1000);
            let mut got = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                d.push(&bytes[from..cut.max(from)]);
                from = cut.max(from);
                while let Some(line) = d.next_line().unwrap() {
                    got.push(line);
                }
            }
            let expected: Vec<&String> = lines.iter().filter(|l| !l.trim_ascii().is_empty()).collect();
            prop_assert_eq!(got.iter().collect::<Vec<_>>(), expected);
        }

        /// Arbitrary bytes never panic the decoder, and its buffer stays bounded.
        #[test]
        fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..20)) {
            let mut d = LineDecoder::new(32);
            for chunk in chunks {
                d.push(&chunk);
                loop {
                    match d.next_line() {
                        Ok(Some(_)) | Err(LineError::InvalidUtf8) => {}
                        Ok(None) => break,
                        Err(LineError::TooLong { .. }) => return Ok(()),
                    }
                }
                prop_assert!(d.pending_bytes() <= 33);
            }
        }
    }
}
