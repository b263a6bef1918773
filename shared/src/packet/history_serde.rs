//! The reader of one `Message.History` entry ([`HistoryEntry`]), written by hand.
//!
//! Derived, the entry was `#[serde(flatten)]` over an adjacently tagged enum: serde
//! then buffers every entry into its generic `Content` tree and reads the message
//! again from that, which compiles a second copy of the text and image message
//! readers (and serde's whole `Content` machinery) into the browser's wasm, about
//! 19 KB before wasm-opt. This reader takes the same JSON: the keys in any order,
//! `type` naming the message's kind (a string, as serde_json reads identifiers), `data`
//! read by the same [`TextMessage`] / [`ImageMessage`] readers as a pushed message,
//! `room` required, other keys ignored, a repeated key refused. `data` is kept as raw
//! JSON until the whole entry is read (the `type` may come after it), so entries
//! are read from JSON only, the one format the protocol has.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::history::{HistoryEntry, HistoryMessage};
use super::message::{ImageMessage, TextMessage};
use super::room::RoomId;

/// The `type` names of the two kinds of entry.
const KINDS: &[&str] = &["Message.TextMessage", "Message.ImageMessage"];

/// Which message an entry holds, from its `type`.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Image,
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindVisitor;
        impl Visitor<'_> for KindVisitor {
            type Value = Kind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("variant identifier")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Kind, E> {
                match v {
                    "Message.TextMessage" => Ok(Kind::Text),
                    "Message.ImageMessage" => Ok(Kind::Image),
                    _ => Err(E::unknown_variant(v, KINDS)),
                }
            }
        }
        d.deserialize_identifier(KindVisitor)
    }
}

impl<'de> Deserialize<'de> for HistoryEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = HistoryEntry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct HistoryEntry")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HistoryEntry, A::Error> {
        let mut kind: Option<Kind> = None;
        let mut data: Option<Box<RawValue>> = None;
        let mut room: Option<RoomId> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" if kind.is_some() => return Err(de::Error::duplicate_field("type")),
                "type" => kind = Some(map.next_value()?),
                "data" if data.is_some() => return Err(de::Error::duplicate_field("data")),
                "data" => data = Some(map.next_value()?),
                "room" if room.is_some() => return Err(de::Error::duplicate_field("room")),
                "room" => room = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        let data = data.ok_or_else(|| de::Error::missing_field("data"))?;
        let room = room.ok_or_else(|| de::Error::missing_field("room"))?;
        let message = match kind {
            Kind::Text => serde_json::from_str::<TextMessage>(data.get()).map(HistoryMessage::Text),
            Kind::Image => {
                serde_json::from_str::<ImageMessage>(data.get()).map(HistoryMessage::Image)
            }
        }
        .map_err(de::Error::custom)?;
        Ok(HistoryEntry { message, room })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// What the entry was before: serde's derive, flattened over an adjacently
    /// tagged enum. The tests check the hand-written reader takes what it took.
    #[derive(Deserialize)]
    struct Derived {
        #[serde(flatten)]
        message: DerivedMessage,
        room: RoomId,
    }

    #[derive(Deserialize)]
    #[serde(tag = "type", content = "data")]
    enum DerivedMessage {
        #[serde(rename = "Message.TextMessage")]
        Text(TextMessage),
        #[serde(rename = "Message.ImageMessage")]
        Image(ImageMessage),
    }

    /// Reads `json` with both readers, checks they agree, and returns ours.
    fn read(json: &str) -> Result<HistoryEntry, serde_json::Error> {
        let ours = serde_json::from_str::<HistoryEntry>(json);
        let derived = serde_json::from_str::<Derived>(json).map(|d| HistoryEntry {
            message: match d.message {
                DerivedMessage::Text(m) => HistoryMessage::Text(m),
                DerivedMessage::Image(m) => HistoryMessage::Image(m),
            },
            room: d.room,
        });
        assert_eq!(ours.as_ref().ok(), derived.as_ref().ok(), "{json}");
        ours
    }

    #[test]
    fn reads_entries_in_any_key_order_and_ignores_other_keys() {
        let data = r#"{"text":"hi","user":"ann","time":1,"messageId":2}"#;
        for json in [
            format!(r#"{{"type":"Message.TextMessage","data":{data},"room":3}}"#),
            format!(r#"{{"room":3,"data":{data},"x":[1,{{}}],"type":"Message.TextMessage"}}"#),
            format!(r#"{{"data":{data},"type":"Message.TextMessage","room":3}}"#),
            format!(r#"{{"ty\u0070e":"Message.TextMessage","data":{data},"room":3}}"#),
        ] {
            let entry = read(&json).unwrap();
            assert_eq!((entry.room, entry.message_id()), (3, Some(2)), "{json}");
            assert!(matches!(entry.message, HistoryMessage::Text(ref m) if m.text == "hi"));
        }
        let image = read(
            r#"{"type":"Message.ImageMessage","data":{"image":"mcp_image://1","user":"b","time":1},"room":1}"#,
        )
        .unwrap();
        assert!(matches!(image.message, HistoryMessage::Image(_)));
    }

    #[test]
    fn refuses_what_the_derived_reader_refused() {
        let data = r#"{"text":"hi","user":"ann","time":1}"#;
        for bad in [
            format!(r#"{{"type":"Message.TextMessage","data":{data}}}"#),
            format!(r#"{{"data":{data},"room":1}}"#),
            r#"{"type":"Message.TextMessage","room":1}"#.to_owned(),
            r#"{"type":"Message.TextMessage","data":null,"room":1}"#.to_owned(),
            format!(r#"{{"type":"Message.ImageMessage","data":{data},"room":1}}"#),
            format!(r#"{{"type":"Room.Joined","data":{data},"room":1}}"#),
            format!(r#"{{"type":0,"data":{data},"room":1}}"#),
            format!(r#"{{"type":null,"data":{data},"room":1}}"#),
            format!(r#"{{"type":"Message.TextMessage","data":{data},"room":1,"room":2}}"#),
            format!(r#"{{"type":"Message.TextMessage","type":0,"data":{data},"room":1}}"#),
            format!(r#"{{"type":"Message.TextMessage","data":{data},"data":{data},"room":1}}"#),
            format!(r#"{{"type":"Message.TextMessage","data":{data},"room":-1}}"#),
            format!(r#"{{"type":"Message.TextMessage","data":{data},"room":"1"}}"#),
            format!(r#"{{"type":"Message.TextMessage","data":{data},"room":1.0}}"#),
            format!(r#"["Message.TextMessage",{data},1]"#),
            "null".to_owned(),
        ] {
            assert!(read(&bad).is_err(), "{bad}");
        }
    }
}
