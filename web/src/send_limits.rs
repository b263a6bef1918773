//! How much one text message may hold, so the composer refuses what the server or
//! the bridge would refuse, with a reason, instead of sending it.
//!
//! Two limits apply. The server takes texts up to [`MAX_TEXT_BYTES`] of UTF-8 (its
//! default; beyond it answers `Error.MessageDataIncorrect`). The bridge relays
//! frames up to [`BRIDGE_MAX_FRAME_BYTES`] (its default; beyond it closes the
//! connection with 1009). A text travels as one frame: base64 of the AES-CTR
//! ciphertext of the packet's JSON, and CTR keeps the length, so the frame is
//! `4 * ceil(json / 3)` bytes, where JSON escaping grows a byte of text to at most
//! six (`\u0001`). [`frame_bytes_bound`] works that out, and a compile-time check
//! shows that every text within the first limit fits the second: the composer
//! only has to count bytes.

use miricat_shared::codec::DEFAULT_MAX_LINE_BYTES;
use miricat_shared::packet::message::DEFAULT_MAX_TEXT_BYTES;

use crate::sizes::thousands;

/// Longest text, in bytes of UTF-8, the server takes (its default).
pub const MAX_TEXT_BYTES: usize = DEFAULT_MAX_TEXT_BYTES;

/// Longest frame the bridge relays (its default `--max-frame-bytes`).
pub const BRIDGE_MAX_FRAME_BYTES: usize = DEFAULT_MAX_LINE_BYTES;

/// From this size on the composer shows how much of the limit is used.
pub const COUNTER_FROM_BYTES: usize = MAX_TEXT_BYTES * 3 / 4;

/// Most bytes JSON makes of one byte of text: a control character is `\u00XX`.
const JSON_BYTES_PER_TEXT_BYTE: usize = 6;

/// Upper bound on the JSON around the text of a `Message.CreateTextMessage`, with
/// the longest packet ID and room ID (checked in the tests).
const ENVELOPE_BYTES: usize = 160;

/// The longest frame a text of `text_bytes` bytes can become.
pub const fn frame_bytes_bound(text_bytes: usize) -> usize {
    (ENVELOPE_BYTES + JSON_BYTES_PER_TEXT_BYTE * text_bytes).div_ceil(3) * 4
}

// Every text the composer lets through fits in one bridge frame.
const _: () = assert!(frame_bytes_bound(MAX_TEXT_BYTES) <= BRIDGE_MAX_FRAME_BYTES);

/// How a text stands against the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSize {
    /// Well within: no counter.
    Fine,
    /// Near the limit: show the count.
    Near(usize),
    /// Over it: cannot be sent.
    TooLong(usize),
}

/// Where `text` (as it would be sent) stands.
pub fn text_size(text: &str) -> TextSize {
    match text.len() {
        bytes if bytes > MAX_TEXT_BYTES => TextSize::TooLong(bytes),
        bytes if bytes >= COUNTER_FROM_BYTES => TextSize::Near(bytes),
        _ => TextSize::Fine,
    }
}

/// Why a text of `bytes` bytes is not sent, in plain words.
pub fn too_long(bytes: usize) -> String {
    format!(
        "This message is {} bytes; at most {} can be sent. Shorten it or send it in several parts.",
        thousands(bytes),
        thousands(MAX_TEXT_BYTES)
    )
}

#[cfg(test)]
mod tests {
    use miricat_shared::packet::message::CreateTextMessage;
    use miricat_shared::{Body, LineCipher, McpKey, Packet, PacketId};

    use super::*;

    /// The frame the browser sends for `text`, with the longest IDs.
    fn frame(text: &str) -> String {
        let packet = Packet {
            id: PacketId::Value(u64::MAX.to_string()),
            room: Some(u64::MAX),
            body: Body::CreateTextMessage(CreateTextMessage {
                text: text.to_owned(),
            }),
        };
        LineCipher::new(&McpKey::from_bytes([7; 32])).encrypt_line(&packet.encode())
    }

    #[test]
    fn the_envelope_bound_holds() {
        let empty = frame("");
        assert!(empty.len() <= frame_bytes_bound(0), "{}", empty.len());
    }

    #[test]
    fn the_worst_texts_at_the_limit_fit_in_a_bridge_frame() {
        for worst in ["\u{1}", "\"", "\\", "\n", "€", "x"] {
            let text = worst.repeat(MAX_TEXT_BYTES / worst.len());
            let line = frame(&text);
            assert!(
                line.len() <= frame_bytes_bound(text.len()),
                "{worst:?}: {} > bound",
                line.len()
            );
            assert!(line.len() <= BRIDGE_MAX_FRAME_BYTES);
        }
        // The bound is tight for control characters: within the envelope.
        let controls = frame(&"\u{1}".repeat(MAX_TEXT_BYTES));
        assert!(frame_bytes_bound(MAX_TEXT_BYTES) - controls.len() <= ENVELOPE_BYTES);
    }

    #[test]
    fn the_counter_shows_near_the_limit_and_refuses_beyond() {
        assert_eq!(text_size("hello"), TextSize::Fine);
        let near = "x".repeat(COUNTER_FROM_BYTES);
        assert_eq!(text_size(&near), TextSize::Near(COUNTER_FROM_BYTES));
        let full = "é".repeat(MAX_TEXT_BYTES / 2);
        assert_eq!(text_size(&full), TextSize::Near(MAX_TEXT_BYTES));
        let over = format!("{full}x");
        assert_eq!(text_size(&over), TextSize::TooLong(MAX_TEXT_BYTES + 1));
        assert_eq!(
            too_long(2 * 1024 * 1024),
            "This message is 2,097,152 bytes; at most 16,384 can be sent. Shorten it or send it in several parts."
        );
    }
}
