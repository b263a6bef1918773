//! `Message.RequireHistory` and `Message.History`: the requests and pages of the
//! `history/1` extension (`docs/extensions.md` section 2), in the Message family (the
//! room is the packet's top-level `room`). Only connections that agreed to
//! `history/1` send or receive them.

use serde::{Deserialize, Serialize};

use super::message::{ImageMessage, MessageId, TextMessage};
use super::room::RoomId;

/// Most entries a `Message.History` page carries; a larger `limit` is served as this.
pub const MAX_HISTORY_LIMIT: u64 = 200;
/// Entries per page when the request names no `limit`.
pub const DEFAULT_HISTORY_LIMIT: u64 = 50;
/// Most bytes of JSON in one `Message.History` packet (a page stops before passing it,
/// keeping at least one entry): with base64 and encryption it stays well under the
/// 1 MiB line limit of `WIRE.md` section 1.
pub const MAX_HISTORY_REPLY_BYTES: usize = 512 * 1024;

/// `Message.RequireHistory` data (`history/1`): the newest `limit` messages of the
/// packet's room with an ID in `after < id < before`. Every field is optional; the
/// reader refuses zero, negative and non-integer values (`Error.PacketDataIncorrect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequireHistory {
    /// Only messages with an ID below this one (page back with the oldest ID held).
    #[serde(
        default,
        deserialize_with = "positive::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub before: Option<MessageId>,
    /// Only messages with an ID above this one (fill the gap after the newest held).
    #[serde(
        default,
        deserialize_with = "positive::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub after: Option<MessageId>,
    /// How many at most, `1 ..=` [`MAX_HISTORY_LIMIT`] (more is served as that);
    /// [`DEFAULT_HISTORY_LIMIT`] when absent.
    #[serde(
        default,
        deserialize_with = "positive::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u64>,
}

impl RequireHistory {
    /// The number of entries a server serves for this request.
    pub fn effective_limit(&self) -> u64 {
        self.limit
            .unwrap_or(DEFAULT_HISTORY_LIMIT)
            .clamp(1, MAX_HISTORY_LIMIT)
    }

    /// Whether no ID can lie in the range (`after >= before - 1`): an empty page, not
    /// an error.
    pub fn is_empty_range(&self) -> bool {
        match (self.after, self.before) {
            (Some(after), Some(before)) => after.saturating_add(1) >= before,
            _ => false,
        }
    }
}

/// `Message.History` data (`history/1`): one page, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The page's messages, oldest first.
    pub messages: Vec<HistoryEntry>,
    /// Whether the room holds more messages of the requested range, older than the
    /// first entry.
    pub more: bool,
}

/// One message of a history page: the packet the server would push for it, without an
/// ID in its type (`{"type":"Message.TextMessage","data":{...},"room":1}`). Read by
/// the hand-written reader in [`super::history_serde`] (smaller than serde's
/// flatten, with the same rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The message, with its `type` and `data`.
    #[serde(flatten)]
    pub message: HistoryMessage,
    /// Its room.
    pub room: RoomId,
}

impl HistoryEntry {
    /// The message's server ID (our server always sets it).
    pub fn message_id(&self) -> Option<MessageId> {
        self.message.message_id()
    }
}

/// A stored message of either kind, as history pages and the server's fan-out carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum HistoryMessage {
    /// A `Message.TextMessage`.
    #[serde(rename = "Message.TextMessage")]
    Text(TextMessage),
    /// A `Message.ImageMessage`.
    #[serde(rename = "Message.ImageMessage")]
    Image(ImageMessage),
}

impl HistoryMessage {
    /// The message's server ID.
    pub fn message_id(&self) -> Option<MessageId> {
        match self {
            Self::Text(m) => m.message_id,
            Self::Image(m) => m.message_id,
        }
    }

    /// The same message with `id` as its server ID (or none).
    pub fn with_message_id(mut self, id: Option<MessageId>) -> Self {
        match &mut self {
            Self::Text(m) => m.message_id = id,
            Self::Image(m) => m.message_id = id,
        }
        self
    }

    /// The packet body it is pushed as.
    pub fn into_body(self) -> super::Body {
        match self {
            Self::Text(m) => super::Body::TextMessage(m),
            Self::Image(m) => super::Body::ImageMessage(m),
        }
    }
}

/// Strict readers for the request's numbers: a positive integer, nothing else.
mod positive {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    pub(super) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        struct Positive;
        impl Visitor<'_> for Positive {
            type Value = Option<u64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a positive integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                if v == 0 {
                    Err(E::custom("must be positive"))
                } else {
                    Ok(Some(v))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("must be positive"))
                    .and_then(|v| self.visit_u64(v))
            }
            /// An integer too large for `u64` reaches us as a float: still a
            /// positive integer (a `limit` of 10^30 is served as the maximum).
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                if v >= u64::MAX as f64 {
                    Ok(Some(u64::MAX))
                } else {
                    Err(E::custom("must be an integer"))
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        d.deserialize_any(Positive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_history_matches_the_document_and_refuses_bad_numbers() {
        let json = r#"{"before":4711,"limit":2}"#;
        let r: RequireHistory = serde_json::from_str(json).unwrap();
        assert_eq!((r.before, r.after, r.limit), (Some(4711), None, Some(2)));
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        assert_eq!(
            serde_json::to_string(&RequireHistory::default()).unwrap(),
            "{}"
        );
        let r: RequireHistory = serde_json::from_str(r#"{"after":9,"limit":null}"#).unwrap();
        assert_eq!(
            (r.after, r.effective_limit()),
            (Some(9), DEFAULT_HISTORY_LIMIT)
        );
        let huge: RequireHistory =
            serde_json::from_str(r#"{"limit":1000000000000000000000000000000}"#).unwrap();
        assert_eq!(huge.effective_limit(), MAX_HISTORY_LIMIT);
        for bad in [
            r#"{"limit":0}"#,
            r#"{"limit":-1}"#,
            r#"{"limit":2.5}"#,
            r#"{"limit":"5"}"#,
            r#"{"before":0}"#,
            r#"{"before":-4}"#,
            r#"{"after":"1"}"#,
            r#"{"after":[1]}"#,
            r#"{"before":1e3}"#,
            r#"{"limit":1.0}"#,
            r#""x""#,
        ] {
            assert!(
                serde_json::from_str::<RequireHistory>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn limits_clamp_and_ranges_can_be_empty() {
        let limit = |limit| RequireHistory {
            limit: Some(limit),
            ..RequireHistory::default()
        };
        assert_eq!(limit(1).effective_limit(), 1);
        assert_eq!(limit(201).effective_limit(), MAX_HISTORY_LIMIT);
        assert_eq!(limit(u64::MAX).effective_limit(), MAX_HISTORY_LIMIT);
        let range = |after, before| RequireHistory {
            after: Some(after),
            before: Some(before),
            limit: None,
        };
        assert!(range(5, 6).is_empty_range());
        assert!(range(7, 6).is_empty_range());
        assert!(range(u64::MAX, u64::MAX).is_empty_range());
        assert!(!range(5, 7).is_empty_range());
        assert!(!RequireHistory::default().is_empty_range());
    }

    #[test]
    fn history_matches_the_document_example() {
        let json = r#"{"messages":[{"type":"Message.TextMessage","data":{"text":"hi","user":"ann","time":1764698300000,"messageId":4702},"room":1},{"type":"Message.ImageMessage","data":{"image":"mcp_image://31","user":"bob","time":1764698350000,"messageId":4705},"room":1}],"more":true}"#;
        let h: History = serde_json::from_str(json).unwrap();
        assert!(h.more);
        assert_eq!(
            h.messages
                .iter()
                .map(HistoryEntry::message_id)
                .collect::<Vec<_>>(),
            [Some(4702), Some(4705)]
        );
        assert!(matches!(&h.messages[1].message, HistoryMessage::Image(m) if m.user == "bob"));
        assert_eq!(serde_json::to_string(&h).unwrap(), json);
        // The document writes `room` before `data`; JSON order does not matter.
        let reordered = r#"{"messages":[{"type":"Message.TextMessage","room":1,"data":{"text":"hi","user":"ann","time":1,"messageId":2}}],"more":false}"#;
        let h: History = serde_json::from_str(reordered).unwrap();
        assert_eq!(
            (h.messages[0].room, h.messages[0].message_id()),
            (1, Some(2))
        );
        // An entry must be a message packet without an ID.
        for bad in [
            r#"{"messages":[{"type":"Room.Joined","data":{},"room":1}],"more":false}"#,
            r#"{"messages":[{"type":"Message.TextMessage","data":{"text":"t"},"room":1}],"more":false}"#,
            r#"{"messages":[],"more":"no"}"#,
        ] {
            assert!(serde_json::from_str::<History>(bad).is_err(), "{bad}");
        }
    }
}
