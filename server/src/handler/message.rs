//! `Message.CreateTextMessage` and `Message.CreateImageMessage`: stamped with the
//! sender and the server's time, stored, answered, and pushed to the room's other
//! members only (with its `messageId` to connections that agreed to `history/1`).

use miricat_shared::packet::message::{CreateImageMessage, CreateTextMessage, MCP_IMAGE_SCHEME};
use miricat_shared::{ErrorKind, PacketId, RoomId};

use super::internal_error;
use super::room::check_member;
use crate::connection::Conn;
use crate::images::is_image_id;
use crate::store::messages::{MessageKind, NewMessage};
use crate::store::now_ms;

/// `Message.CreateTextMessage`: refused when empty or longer than
/// [`crate::Config::max_text_bytes`] (malformed data, so before the room checks).
pub async fn text(conn: &mut Conn, id: PacketId, room: Option<RoomId>, m: CreateTextMessage) {
    let max = conn.shared.config.max_text_bytes;
    if m.text.len() > max {
        let message = format!("message longer than {max} bytes");
        return conn
            .error(&id, ErrorKind::MessageDataIncorrect, &message)
            .await;
    }
    let Some(room) = room.filter(|_| !m.text.trim().is_empty()) else {
        return conn
            .error(&id, ErrorKind::MessageDataIncorrect, "empty message")
            .await;
    };
    if !check_member(conn, &id, room).await {
        return;
    }
    let (username, time_ms) = stamp(conn);
    let stored = NewMessage {
        room,
        username,
        time_ms,
        kind: MessageKind::Text,
        body: m.text,
        image_id: None,
    };
    deliver(conn, id, stored).await;
}

/// `Message.CreateImageMessage`: an uploaded image (`mcp_image://<id>`, which must
/// exist) or an `http(s)` URL.
pub async fn image(conn: &mut Conn, id: PacketId, room: Option<RoomId>, m: CreateImageMessage) {
    let (reference, image_id) = match check_reference(conn, &m).await {
        Ok(found) => found,
        Err(message) => {
            return conn
                .error(&id, ErrorKind::MessageDataIncorrect, message)
                .await;
        }
    };
    let Some(room) = room else {
        return conn
            .error(&id, ErrorKind::MessageDataIncorrect, "no room")
            .await;
    };
    if !check_member(conn, &id, room).await {
        return;
    }
    let (username, time_ms) = stamp(conn);
    let stored = NewMessage {
        room,
        username,
        time_ms,
        kind: MessageKind::Image,
        body: reference,
        image_id,
    };
    deliver(conn, id, stored).await;
}

/// The reference an image message will carry, and the uploaded image's ID if any.
async fn check_reference(
    conn: &Conn,
    m: &CreateImageMessage,
) -> Result<(String, Option<String>), &'static str> {
    if let Some(image) = m.image.as_deref().filter(|i| !i.trim().is_empty()) {
        let image_id = image
            .strip_prefix(MCP_IMAGE_SCHEME)
            .filter(|id| is_image_id(id))
            .ok_or("image must be mcp_image://<id>")?;
        return match conn.shared.store.image(image_id).await {
            Ok(Some(_)) => Ok((image.to_owned(), Some(image_id.to_owned()))),
            Ok(None) => Err("no such image"),
            Err(e) => {
                tracing::error!(error = %e, "image lookup failed");
                Err("image lookup failed")
            }
        };
    }
    // Not trimmed: the `ImageMessage` carries the reference exactly as sent
    // (`WIRE.md` section 9), so a URL with any whitespace is refused instead.
    let url = m.url.as_deref().unwrap_or_default();
    if url.len() > conn.shared.config.max_text_bytes {
        return Err("image URL too long");
    }
    let lower = url.to_ascii_lowercase();
    let after_scheme = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    if after_scheme.is_some_and(|rest| !rest.is_empty()) && !url.chars().any(char::is_whitespace) {
        Ok((url.to_owned(), None))
    } else {
        Err("a message needs an uploaded image or an http(s) URL")
    }
}

fn stamp(conn: &Conn) -> (String, u64) {
    let user = conn.user.as_deref().unwrap_or_default().to_owned();
    (user, now_ms())
}

/// Stores the message, answers the sender and pushes to the room's other members
/// (from the database thread, so in the order of the message IDs).
async fn deliver(conn: &mut Conn, id: PacketId, stored: NewMessage) {
    let shared = conn.shared.clone();
    let (sender, room, reply_id) = (conn.id, stored.room, id.clone());
    let fan_out = move |message_id, message| {
        shared
            .hub
            .deliver(sender, reply_id, room, message, message_id);
    };
    match conn.shared.store.insert_message(stored, fan_out).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            conn.error(&id, ErrorKind::MessageDataIncorrect, "no such image")
                .await
        }
        Err(e) => internal_error(conn, &id, &e).await,
    }
}
