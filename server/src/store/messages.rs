//! The `messages` table: every accepted message, so nothing accepted is lost on a
//! restart (MCP has no history request yet; the data is kept for when it does).

use miricat_shared::RoomId;
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
    /// Stores a message (and marks its uploaded image referenced) in one transaction.
    /// Returns `false`, storing nothing, when the referenced image no longer exists
    /// (the unreferenced-image sweep removed it a moment ago).
    pub async fn insert_message(&self, message: NewMessage) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(id) = &message.image_id
                && tx.execute("UPDATE images SET referenced = 1 WHERE id = ?1", [id])? == 0
            {
                return Ok(false);
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
            tx.commit()?;
            Ok(true)
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
