//! Printing what arrives: human-readable text, or one JSON object per line (`--json`)
//! for scripts. Every peer-controlled string is escaped on the way (see
//! [`crate::escape`]): field by field in text, over the whole line in JSON.

use std::time::{SystemTime, UNIX_EPOCH};

use miricat_shared::packet::{Body, Packet};
use serde_json::json;

use crate::escape::{escape_inline as safe, escape_json, escape_message};

/// Text or JSON lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON object per line.
    Json,
}

impl Format {
    /// From the `--json` flag.
    pub fn from_json_flag(json: bool) -> Self {
        if json { Self::Json } else { Self::Text }
    }
}

/// `HH:MM:SS` (UTC) of a Unix-millisecond time.
pub fn clock(millis: u64) -> String {
    let secs = millis / 1000;
    format!(
        "{:02}:{:02}:{:02}",
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Unix milliseconds now.
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// One line describing a received packet (more for a multi-line message, its extra
/// lines indented), or `None` for packets not worth showing. Safe to print.
pub fn describe(packet: &Packet, format: Format) -> Option<String> {
    let line = describe_raw(packet, format)?;
    Some(match format {
        Format::Text => line,
        Format::Json => escape_json(line),
    })
}

/// A JSON value as one line that is safe to print.
pub fn json_line(value: &serde_json::Value) -> String {
    escape_json(value.to_string())
}

/// [`describe`] with the text fields escaped and the JSON not yet.
fn describe_raw(packet: &Packet, format: Format) -> Option<String> {
    let room = packet.room;
    let room_label = room.map_or_else(|| "?".to_owned(), |r| r.to_string());
    match (&packet.body, format) {
        (Body::TextMessage(m), Format::Text) => {
            Some(format!("[{room_label}] {} {}: {}", clock(m.time.millis()), safe(&m.user), escape_message(&m.text)))
        }
        (Body::TextMessage(m), Format::Json) => Some(
            with_message_id(json!({"event": "message", "room": room, "user": m.user, "time": m.time.millis(), "text": m.text}), m.message_id)
                .to_string(),
        ),
        (Body::ImageMessage(m), Format::Text) => {
            Some(format!("[{room_label}] {} {} sent an image: {}", clock(m.time.millis()), safe(&m.user), safe(&m.image.to_string())))
        }
        (Body::ImageMessage(m), Format::Json) => Some(
            with_message_id(json!({"event": "image", "room": room, "user": m.user, "time": m.time.millis(), "image": m.image}), m.message_id)
                .to_string(),
        ),
        (Body::RoomJoined(j), Format::Text) => Some(format!("[{}] {} joined", j.room, safe(&j.user))),
        (Body::RoomJoined(j), Format::Json) => {
            Some(json!({"event": "joined", "room": j.room, "user": j.user, "members": j.all_users}).to_string())
        }
        (Body::RoomLeft(l), Format::Text) => Some(format!("[{}] {} left", l.room, safe(&l.user))),
        (Body::RoomLeft(l), Format::Json) => Some(json!({"event": "left", "room": l.room, "user": l.user}).to_string()),
        (Body::RoomCreated(r), Format::Text) => Some(format!("room {} created: {}", r.room, safe(&r.name))),
        (Body::RoomUpdated(r), Format::Text) => Some(format!("room {} renamed: {}", r.room, safe(&r.name))),
        (Body::RoomDeleted(r), Format::Text) => Some(format!("room {} deleted", r.room)),
        (Body::RoomCreated(r) | Body::RoomUpdated(r), Format::Json) => Some(
            json!({"event": if matches!(packet.body, Body::RoomCreated(_)) { "room-created" } else { "room-renamed" },
                   "room": r.room, "name": r.name})
            .to_string(),
        ),
        (Body::RoomDeleted(r), Format::Json) => Some(json!({"event": "room-deleted", "room": r.room}).to_string()),
        (Body::Error(e), Format::Text) => Some(format!("error: {} ({})", e.kind.explanation(), safe(&e.to_string()))),
        (Body::Error(e), Format::Json) => {
            Some(json!({"event": "error", "kind": e.kind.as_str(), "message": e.message}).to_string())
        }
        _ => None,
    }
}

/// Adds the server's `messageId` (`history/1`) to a message's JSON line when it has
/// one; plain servers' messages print as before.
fn with_message_id(mut line: serde_json::Value, id: Option<u64>) -> serde_json::Value {
    if let (Some(id), Some(object)) = (id, line.as_object_mut()) {
        object.insert("messageId".to_owned(), id.into());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use miricat_shared::packet::PacketId;
    use miricat_shared::packet::lenient::Timestamp;
    use miricat_shared::packet::message::TextMessage;

    #[test]
    fn describes_messages_as_text_and_json() {
        let packet = Packet::in_room(
            PacketId::DontHaveId,
            3,
            Body::TextMessage(TextMessage {
                text: "hi".into(),
                user: "ann".into(),
                time: Timestamp(3_723_000),
                message_id: None,
            }),
        );
        assert_eq!(
            describe(&packet, Format::Text).unwrap(),
            "[3] 01:02:03 ann: hi"
        );
        let json: serde_json::Value =
            serde_json::from_str(&describe(&packet, Format::Json).unwrap()).unwrap();
        assert_eq!(json["text"], "hi");
        assert_eq!(json["room"], 3);
        assert!(
            json.get("messageId").is_none(),
            "plain messages print as before"
        );
        let mut with_id = packet.clone();
        if let Body::TextMessage(m) = &mut with_id.body {
            m.message_id = Some(4711);
        }
        let json: serde_json::Value =
            serde_json::from_str(&describe(&with_id, Format::Json).unwrap()).unwrap();
        assert_eq!(json["messageId"], 4711);
        assert_eq!(
            describe(&with_id, Format::Text),
            describe(&packet, Format::Text)
        );
    }
}
