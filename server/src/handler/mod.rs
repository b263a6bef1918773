//! Serving one decoded request: which requests are allowed when, which error wins
//! (`WIRE.md` section 7), and one file per request family.
//!
//! - [`auth`]: Login and Register.
//! - [`room`]: Create, Update, Delete, Join, Leave, RequireList.
//! - [`message`]: text and image messages.
//! - [`history`]: `history/1` pages of a room's stored messages.
//! - [`file`](mod@file): image upload and download.
//! - [`user`]: root's account administration.

pub mod auth;
pub mod file;
pub mod history;
pub mod message;
pub mod room;
pub mod user;

use miricat_shared::clip::clip;
use miricat_shared::{Body, DecodeError, ErrorKind, Packet, PacketId, PacketKind};

use crate::connection::Conn;

/// Whether a request kind is for root only.
pub fn is_root_only(kind: PacketKind) -> bool {
    matches!(
        kind,
        PacketKind::RoomCreate
            | PacketKind::RoomUpdate
            | PacketKind::RoomDelete
            | PacketKind::UserCreate
            | PacketKind::UserDelete
    )
}

/// The access error a request of `kind` gets before its data is even looked at, if
/// any: the first two rules of the precedence list (not signed in, not root), plus
/// the Login/Register rules (already signed in, registration off).
fn access_error(conn: &Conn, kind: PacketKind) -> Option<(ErrorKind, &'static str)> {
    match kind {
        // The handshake is never "not signed in": a second one is malformed whatever
        // its data (`WIRE.md` section 7 exempts it from the sign-in rule).
        PacketKind::Handshake => None,
        PacketKind::Login | PacketKind::Register => {
            if conn.user.is_some() {
                Some((ErrorKind::AccessDenied, "already signed in"))
            } else if kind == PacketKind::Register && !conn.shared.config.allow_register {
                Some((ErrorKind::AccessDenied, "registration is disabled"))
            } else {
                None
            }
        }
        _ if conn.user.is_none() => Some((ErrorKind::AccessDenied, "sign in first")),
        kind if is_root_only(kind) && !conn.is_root => {
            Some((ErrorKind::AccessDenied, "only root may do this"))
        }
        _ => None,
    }
}

/// Answers a packet of a known type whose data was malformed, after the access rules
/// that take precedence over it.
pub async fn bad_data(conn: &mut Conn, error: &DecodeError) {
    let DecodeError::BadData { kind, .. } = error else {
        return;
    };
    let id = error.reply_id();
    if let Some((kind, message)) = access_error(conn, *kind) {
        conn.error(&id, kind, message).await;
    } else {
        tracing::debug!(error = %clip(&error.to_string()), "malformed request data");
        conn.error(&id, error.reply_error(), "malformed request data")
            .await;
    }
}

/// Serves one request.
pub async fn dispatch(conn: &mut Conn, packet: Packet) {
    let kind = packet.kind();
    let id = packet.id.reply_id();
    tracing::debug!(%kind, "request");
    if kind == PacketKind::Ping {
        // Never answered; before sign-in it is ignored.
        return;
    }
    // Every other request is answered: wait until the client reads what it was sent
    // before, so replies the hub queues under its lock stay bounded. Closed: drop it.
    if !conn.outbox.room_for_reply().await {
        return;
    }
    if let Some((error, message)) = access_error(conn, kind) {
        conn.error(&id, error, message).await;
        return;
    }
    let room = packet.room;
    match packet.body {
        Body::Login(c) => auth::login(conn, id, c).await,
        Body::Register(c) => auth::register(conn, id, c).await,
        Body::CreateTextMessage(m) => message::text(conn, id, room, m).await,
        Body::CreateImageMessage(m) => message::image(conn, id, room, m).await,
        Body::RequireHistory(r) => history::require(conn, id, room, r).await,
        Body::RequestImageUpload(r) => file::request_upload(conn, id, r).await,
        Body::ImageUploadPart(p) => file::upload_part(conn, id, p).await,
        Body::ImageUploadCompleted(r) => file::complete_upload(conn, id, r).await,
        Body::RequestImageDownload(r) => file::download(conn, id, r).await,
        Body::UserCreate(c) => user::create(conn, id, c).await,
        Body::UserDelete(u) => user::delete(conn, id, u).await,
        Body::RoomCreate(r) => room::create(conn, id, r).await,
        Body::RoomUpdate(r) => room::update(conn, id, r).await,
        Body::RoomDelete(r) => room::delete(conn, id, r).await,
        Body::RoomJoin(r) => room::join(conn, id, r).await,
        Body::RoomLeave(r) => room::leave(conn, id, r).await,
        Body::RoomRequireList => room::list(conn, id).await,
        Body::Handshake(_) => {
            conn.error(&id, ErrorKind::PacketDataIncorrect, "already secured")
                .await
        }
        _ => {
            conn.error(
                &id,
                ErrorKind::PacketDataIncorrect,
                "this server does not serve that packet type",
            )
            .await
        }
    }
}

/// A name's validity: not blank, no control characters, at most `max` characters.
pub fn valid_name(name: &str, max: usize) -> bool {
    !name.trim().is_empty() && name.chars().count() <= max && !name.chars().any(char::is_control)
}

/// Answers a request that failed inside the server (database, disk): logged in full,
/// reported to the client without detail.
pub async fn internal_error(
    conn: &mut Conn,
    id: &PacketId,
    error: &(dyn std::fmt::Display + Sync),
) {
    tracing::error!(error = %error, "request failed inside the server");
    conn.error(id, ErrorKind::PacketDataIncorrect, "internal server error")
        .await;
}
