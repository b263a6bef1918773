//! `Message.RequireHistory` (`history/1`, `docs/extensions.md` section 2): a member's
//! page of a room's stored messages.
//!
//! Errors in the document's order: not signed in (the dispatcher), not agreed to
//! `history/1`, malformed data (the decoder), no such room, not a member. Pages are
//! paced per connection ([`crate::Config::history_rate`]): they wait, never fail.

use miricat_shared::packet::history::{History, MAX_HISTORY_REPLY_BYTES, RequireHistory};
use miricat_shared::{Body, ErrorKind, Packet, PacketId, RoomId};

use super::internal_error;
use super::room::check_member;
use crate::connection::Conn;
use crate::store::history::HistoryQuery;

/// Serves one history request.
pub async fn require(conn: &mut Conn, id: PacketId, room: Option<RoomId>, request: RequireHistory) {
    if conn.history.is_none() {
        // As for any type this server does not serve: a connection that did not ask
        // for the extension sees no sign of it.
        return conn
            .error(
                &id,
                ErrorKind::PacketDataIncorrect,
                "this server does not serve that packet type",
            )
            .await;
    }
    let Some(room) = room else {
        // The decoder already refuses a history request without a room.
        return conn
            .error(&id, ErrorKind::PacketDataIncorrect, "no room")
            .await;
    };
    if !check_member(conn, &id, room).await {
        return;
    }
    let query = HistoryQuery {
        room,
        before: request.before,
        after: request.after,
        limit: request.effective_limit(),
        max_bytes: MAX_HISTORY_REPLY_BYTES.saturating_sub(envelope_len(&id, room)),
    };
    if let Some(pace) = &mut conn.history {
        let wait = pace.take(tokio::time::Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
    let shared = conn.shared.clone();
    match shared.store.history(query).await {
        Ok(page) => {
            tracing::debug!(
                room,
                entries = page.messages.len(),
                more = page.more,
                "history page"
            );
            conn.send(Packet::in_room(id, room, Body::History(page)))
                .await;
        }
        Err(e) => internal_error(conn, &id, &e).await,
    }
}

/// The bytes of the reply around its entries: its type (with the request's ID, which
/// the client chose), room and `more`.
fn envelope_len(id: &PacketId, room: RoomId) -> usize {
    let empty = History {
        messages: Vec::new(),
        more: false,
    };
    Packet::in_room(id.clone(), room, Body::History(empty))
        .encode()
        .len()
}
