//! The `messages` table: every accepted message, so nothing accepted is lost on a
//! restart, and `history/1` can serve it ([`super::history`]).
//!
//! A message's ID is its rowid. Rows are never deleted (not even with their room,
//! whose ID is never reused either), so IDs are never reused and increase in the
//! order messages were stored: the `messageId` of `docs/extensions.md`.

use miricat_shared::RoomId;
use miricat_shared::packet::history::HistoryMessage;
use miricat_shared::packet::lenient::Timestamp;
use miricat_shared::packet::message::{ImageMessage, MessageId, TextMessage};
use rusqlite::params;

use super::{Store, StoreError};

/// What kind of message a row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// `body` is the text.
    Text,
    /// `body` is the image reference (`mcp_image://<id>` or a URL).
    Image,
}

impl MessageKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
        }
    }

    /// The kind stored as `text` (the table's CHECK allows only the two).
    pub(super) fn from_stored(text: &str) -> Self {
        if text == "image" {
            Self::Image
        } else {
            Self::Text
        }
    }

    /// The message as it goes out: `body` is the text or the image reference.
    pub(super) fn wire_message(self, body: String, user: String, time_ms: u64) -> HistoryMessage {
        let time = Timestamp(time_ms);
        match self {
            Self::Text => HistoryMessage::Text(TextMessage {
                text: body,
                user,
                time,
                message_id: None,
            }),
            Self::Image => HistoryMessage::Image(ImageMessage {
                image: body,
                user,
                time,
                message_id: None,
            }),
        }
    }
}

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Room it was sent to.
    pub room: RoomId,
    /// Sender.
    pub username: String,
    /// Server stamp, Unix ms.
    pub time_ms: u64,
    /// Text or image.
    pub kind: MessageKind,
    /// Text, or image reference.
    pub body: String,
    /// An uploaded image this message references, kept from the unreferenced-image
    /// sweep from now on.
    pub image_id: Option<String>,
}

impl Store {
    /// Stores a message (and marks its uploaded image referenced) in one transaction,
    /// then, still on the database thread, hands it to `on_stored` with its new ID:
    /// whatever `on_stored` sends goes out in the order of the IDs. Returns the ID, or
    /// `None`, storing nothing, when the referenced image no longer exists (the
    /// unreferenced-image sweep removed it a moment ago).
    pub async fn insert_message(
        &self,
        message: NewMessage,
        on_stored: impl FnOnce(MessageId, HistoryMessage) + Send + 'static,
    ) -> Result<Option<MessageId>, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(id) = &message.image_id
                && tx.execute("UPDATE images SET referenced = 1 WHERE id = ?1", [id])? == 0
            {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO messages (room, username, time_ms, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    message.room as i64,
                    message.username,
                    message.time_ms as i64,
                    message.kind.as_str(),
                    message.body
                ],
            )?;
            let id = tx.last_insert_rowid() as MessageId;
            tx.commit()?;
            let NewMessage {
                username,
                time_ms,
                kind,
                body,
                ..
            } = message;
            on_stored(id, kind.wire_message(body, username, time_ms));
            Ok(Some(id))
        })
        .await
    }

    /// How many messages a room has (tests and diagnostics).
    pub async fn message_count(&self, room: RoomId) -> Result<u64, StoreError> {
        self.call(move |conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM messages WHERE room = ?1",
                [room as i64],
                |row| row.get::<_, i64>(0),
            )? as u64)
        })
        .await
    }
}
