//! `Message.CreateTextMessage` and `Message.CreateImageMessage`: stamped with the
//! sender and the server's time, stored, answered, and pushed to the room's other
//! members only.

use miricat_shared::packet::lenient::Timestamp;
use miricat_shared::packet::message::{
    CreateImageMessage, CreateTextMessage, ImageMessage, MCP_IMAGE_SCHEME, TextMessage,
};
use miricat_shared::{Body, ErrorKind, PacketId, RoomId};

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
    let (user, time) = stamp(conn);
    let stored = NewMessage {
        room,
        username: user.clone(),
        time_ms: time,
        kind: MessageKind::Text,
        body: m.text.clone(),
        image_id: None,
    };
    let body = Body::TextMessage(TextMessage {
        text: m.text,
        user,
        time: Timestamp(time),
        message_id: None,
    });
    deliver(conn, id, room, stored, body).await;
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
    let (user, time) = stamp(conn);
    let stored = NewMessage {
        room,
        username: user.clone(),
        time_ms: time,
        kind: MessageKind::Image,
        body: reference.clone(),
        image_id,
    };
    let body = Body::ImageMessage(ImageMessage {
        image: reference,
        user,
        time: Timestamp(time),
        message_id: None,
    });
    deliver(conn, id, room, stored, body).await;
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

/// Stores the message, answers the sender and pushes to the room's other members.
async fn deliver(conn: &mut Conn, id: PacketId, room: RoomId, stored: NewMessage, body: Body) {
    let shared = conn.shared.clone();
    match shared.store.insert_message(stored).await {
        Ok(true) => {}
        Ok(false) => {
            return conn
                .error(&id, ErrorKind::MessageDataIncorrect, "no such image")
                .await;
        }
        Err(e) => return internal_error(conn, &id, &e).await,
    }
    shared.hub.deliver(conn.id, id, room, body);
}
