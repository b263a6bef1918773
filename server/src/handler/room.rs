//! `Room.*`: administration (root), membership and the room list.

use std::sync::Arc;

use miricat_shared::packet::room::{RoomName, RoomRef, RoomSummary};
use miricat_shared::{Body, ErrorKind, Packet, PacketId};
use tokio::time::Instant;

use super::{internal_error, valid_name};
use crate::connection::Conn;
use crate::hub::RoomError;
use crate::store::StoreError;
use crate::store::rooms::RoomWrite;

/// Answers a room write the store did not make: a taken name, a room deleted
/// meanwhile, or a database failure.
async fn write_failed<T>(
    conn: &mut Conn,
    id: &PacketId,
    outcome: Result<RoomWrite<T>, StoreError>,
) {
    match outcome {
        Ok(RoomWrite::Done(_)) => {}
        Ok(RoomWrite::NameTaken) => {
            conn.error(id, ErrorKind::RoomAlreadyExists, "room name taken")
                .await
        }
        Ok(RoomWrite::NotFound) => room_error(conn, id, RoomError::NotFound).await,
        Err(e) => internal_error(conn, id, &e).await,
    }
}

async fn room_error(conn: &mut Conn, id: &PacketId, error: RoomError) {
    match error {
        RoomError::NotFound => {
            conn.error(id, ErrorKind::RoomNotFound, "no such room")
                .await
        }
        RoomError::NotMember => {
            conn.error(
                id,
                ErrorKind::UserDontConnected,
                "you have not joined this room",
            )
            .await
        }
    }
}

/// Whether `name` may name a room; if not, the requester is told why.
async fn check_name(conn: &mut Conn, id: &PacketId, name: &str) -> bool {
    let ok = valid_name(name, conn.shared.config.max_room_name_chars);
    if !ok {
        conn.error(
            id,
            ErrorKind::RoomDataIncorrect,
            "room name is empty or too long",
        )
        .await;
    }
    ok
}

/// `Room.Create`.
pub async fn create(conn: &mut Conn, id: PacketId, request: RoomName) {
    if !check_name(conn, &id, &request.name).await {
        return;
    }
    let shared = conn.shared.clone();
    match shared.store.create_room(&request.name).await {
        Ok(RoomWrite::Done(room)) => {
            let summary = RoomSummary {
                room,
                name: request.name,
            };
            tracing::info!(room, "room created");
            shared.hub.add_room(conn.id, id, summary);
        }
        failed => write_failed(conn, &id, failed).await,
    }
}

/// `Room.Update`: rename.
pub async fn update(conn: &mut Conn, id: PacketId, request: RoomSummary) {
    if !check_name(conn, &id, &request.name).await {
        return;
    }
    let shared = conn.shared.clone();
    if !shared.hub.room_exists(request.room) {
        return room_error(conn, &id, RoomError::NotFound).await;
    }
    match shared.store.rename_room(request.room, &request.name).await {
        Ok(RoomWrite::Done(())) => {
            tracing::info!(room = request.room, "room renamed");
            shared.hub.rename_room(conn.id, id, request);
        }
        failed => write_failed(conn, &id, failed).await,
    }
}

/// `Room.Delete`: members get `Room.Deleted` like everyone else, no `Room.Left`.
pub async fn delete(conn: &mut Conn, id: PacketId, request: RoomRef) {
    let shared = conn.shared.clone();
    if !shared.hub.room_exists(request.room) {
        return room_error(conn, &id, RoomError::NotFound).await;
    }
    match shared.store.delete_room(request.room).await {
        Ok(true) => {
            tracing::info!(room = request.room, "room deleted");
            shared.hub.remove_room(conn.id, id, request.room);
        }
        Ok(false) => room_error(conn, &id, RoomError::NotFound).await,
        Err(e) => internal_error(conn, &id, &e).await,
    }
}

/// Whether this connection and its user may change membership now; if not, the
/// requester is told so and nothing changes ([`crate::membership_rate`]).
async fn membership_allowed(conn: &mut Conn, id: &PacketId) -> bool {
    let shared = conn.shared.clone();
    let user = conn.user.clone().unwrap_or_else(|| Arc::from(""));
    let allowed = shared
        .membership
        .allow(&mut conn.membership, &user, Instant::now());
    if !allowed {
        tracing::debug!("membership change refused: too fast");
        conn.error(
            id,
            ErrorKind::AccessDenied,
            "joining and leaving rooms too fast; try again in a few seconds",
        )
        .await;
    }
    allowed
}

/// `Room.Join`.
pub async fn join(conn: &mut Conn, id: PacketId, request: RoomRef) {
    if !membership_allowed(conn, &id).await {
        return;
    }
    if let Err(e) = conn.shared.hub.join(conn.id, id.clone(), request.room) {
        room_error(conn, &id, e).await;
    }
}

/// `Room.Leave`.
pub async fn leave(conn: &mut Conn, id: PacketId, request: RoomRef) {
    if !membership_allowed(conn, &id).await {
        return;
    }
    if let Err(e) = conn.shared.hub.leave(conn.id, id.clone(), request.room) {
        room_error(conn, &id, e).await;
    }
}

/// `Room.RequireList`.
pub async fn list(conn: &mut Conn, id: PacketId) {
    let rooms = conn.shared.hub.room_list();
    conn.send(Packet::new(id, Body::RoomList(rooms))).await;
}

/// Shared by the message handlers: the `RoomNotFound` / `UserDontConnected` checks.
pub async fn check_member(conn: &mut Conn, id: &PacketId, room: u64) -> bool {
    match conn.shared.hub.check_member(conn.id, room) {
        Ok(()) => true,
        Err(e) => {
            room_error(conn, id, e).await;
            false
        }
    }
}
