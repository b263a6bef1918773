//! Who is connected and who is in which room: the in-memory state every connection
//! shares, and the fan-out of pushes (`WIRE.md` section 7).
//!
//! One std `Mutex` guards it; it is never held across an `.await`, and pushing to a
//! connection only appends to its [`Outbox`], so holding the lock while fanning out
//! to hundreds of members stays short. Rooms are also in SQLite (the source of truth
//! at start-up); names are checked for uniqueness by the database.
//!
//! A change's reply to its requester is queued under the same lock as the pushes it
//! causes, so every connection sees changes in one order: nobody gets a push about a
//! room before the `Accepted` that lists the rooms, messages reach every member in
//! the same order, and a rename's reply cannot overtake a later rename's push. The
//! caller waits for room first ([`Outbox::room_for_reply`]).
//!
//! Messages are fanned out from the database thread, right after each is stored
//! ([`Hub::deliver`]), so every connection receives them in the order of their IDs
//! (`docs/extensions.md`). Nothing may therefore call the store while holding the
//! hub's lock; nothing here does (the hub is memory only).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use miricat_shared::packet::history::HistoryMessage;
use miricat_shared::packet::message::MessageId;
use miricat_shared::packet::room::{Joined, Left, RoomInfo, RoomRef, RoomSummary};
use miricat_shared::{Body, Packet, PacketId, RoomId};

use crate::outbox::{Frame, Outbox, PushError};
use crate::store::rooms::StoredRoom;

/// A connection's server-wide number, for logs and membership.
pub type ConnId = u64;

/// Why a room operation did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomError {
    /// No room with that ID.
    NotFound,
    /// The connection has not joined it.
    NotMember,
}

#[derive(Debug)]
struct Member {
    user: Arc<str>,
    outbox: Arc<Outbox>,
    rooms: BTreeSet<RoomId>,
    /// Agreed to `history/1`: its messages carry `messageId`.
    message_ids: bool,
}

#[derive(Debug)]
struct Room {
    name: String,
    /// Member connections and their users.
    members: BTreeMap<ConnId, Arc<str>>,
    /// Connections per user present, for `allUsers` and presence.
    presence: BTreeMap<Arc<str>, usize>,
}

impl Room {
    fn all_users(&self) -> Vec<String> {
        self.presence.keys().map(|u| u.to_string()).collect()
    }
}

#[derive(Debug, Default)]
struct Inner {
    conns: HashMap<ConnId, Member>,
    rooms: BTreeMap<RoomId, Room>,
}

/// The shared state. See the module docs.
#[derive(Debug, Default)]
pub struct Hub {
    inner: Mutex<Inner>,
}

/// A push: one JSON text shared by every recipient (each writer encrypts it with its
/// own key).
fn push_frame(body: Body) -> Frame {
    Frame::Encrypted(Arc::from(Packet::new(PacketId::DontHaveId, body).encode()))
}

impl Inner {
    /// Queues `conn`'s reply (see the module docs on ordering).
    fn reply_to(&self, conn: ConnId, reply: &Packet) {
        if let Some(member) = self.conns.get(&conn) {
            member
                .outbox
                .queue_reply(Frame::Encrypted(Arc::from(reply.encode())));
        }
    }

    fn push_to(&self, conns: impl IntoIterator<Item = ConnId>, frame: &Frame) {
        for id in conns {
            if let Some(member) = self.conns.get(&id)
                && member.outbox.push(frame.clone()) == Err(PushError::Overflow)
            {
                tracing::info!(conn = id, "closing a connection that cannot keep up");
            }
        }
    }

    fn push_to_all_but(&self, except: ConnId, frame: &Frame) {
        let ids: Vec<ConnId> = self
            .conns
            .keys()
            .copied()
            .filter(|&c| c != except)
            .collect();
        self.push_to(ids, frame);
    }

    /// Removes `conn` from `room`; pushes `Room.Left` to the rest when that was the
    /// user's last connection there. Returns the `Left` data.
    fn remove_member(&mut self, conn: ConnId, room_id: RoomId) -> Option<Left> {
        let room = self.rooms.get_mut(&room_id)?;
        let user = room.members.remove(&conn)?;
        let last = match room.presence.get_mut(&user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            _ => {
                room.presence.remove(&user);
                true
            }
        };
        let left = Left {
            room: room_id,
            user: user.to_string(),
        };
        if last {
            let others: Vec<ConnId> = room.members.keys().copied().collect();
            self.push_to(others, &push_frame(Body::RoomLeft(left.clone())));
        }
        if let Some(member) = self.conns.get_mut(&conn) {
            member.rooms.remove(&room_id);
        }
        Some(left)
    }
}

impl Hub {
    /// A hub knowing the stored rooms, with nobody connected.
    pub fn new(rooms: Vec<StoredRoom>) -> Self {
        let inner = Inner {
            conns: HashMap::new(),
            rooms: rooms
                .into_iter()
                .map(|r| {
                    (
                        r.id,
                        Room {
                            name: r.name,
                            members: BTreeMap::new(),
                            presence: BTreeMap::new(),
                        },
                    )
                })
                .collect(),
        };
        Self {
            inner: Mutex::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update below leaves the maps consistent before anything can panic.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a signed-in connection and queues its `Accepted`, which `accepted`
    /// builds from the rooms as they are now. `message_ids`: the connection agreed to
    /// `history/1`, so the messages it is sent carry their `messageId`.
    pub fn sign_in(
        &self,
        conn: ConnId,
        user: Arc<str>,
        outbox: Arc<Outbox>,
        message_ids: bool,
        accepted: impl FnOnce(Vec<RoomInfo>) -> Packet,
    ) {
        let mut inner = self.lock();
        let rooms = inner
            .rooms
            .iter()
            .map(|(&id, room)| RoomInfo {
                id,
                name: room.name.clone(),
                all_users: room.all_users(),
            })
            .collect();
        inner.conns.insert(
            conn,
            Member {
                user,
                outbox,
                rooms: BTreeSet::new(),
                message_ids,
            },
        );
        inner.reply_to(conn, &accepted(rooms));
    }

    /// Forgets a closed connection: it leaves its rooms (pushing `Room.Left` where it
    /// was its user's last connection).
    pub fn sign_out(&self, conn: ConnId) {
        let mut inner = self.lock();
        let Some(member) = inner.conns.get(&conn) else {
            return;
        };
        let rooms: Vec<RoomId> = member.rooms.iter().copied().collect();
        for room in rooms {
            inner.remove_member(conn, room);
        }
        inner.conns.remove(&conn);
    }

    /// Closes every connection of `user` (a deleted account).
    pub fn close_user(&self, user: &str) -> usize {
        let inner = self.lock();
        let mut closed = 0;
        for member in inner.conns.values().filter(|m| &*m.user == user) {
            member.outbox.close();
            closed += 1;
        }
        closed
    }

    /// Closes every signed-in connection.
    pub fn close_all(&self) {
        for member in self.lock().conns.values() {
            member.outbox.close();
        }
    }

    /// Whether a room exists.
    pub fn room_exists(&self, room: RoomId) -> bool {
        self.lock().rooms.contains_key(&room)
    }

    /// Every room as `Room.List` entries.
    pub fn room_list(&self) -> Vec<RoomSummary> {
        self.lock()
            .rooms
            .iter()
            .map(|(&room, r)| RoomSummary {
                room,
                name: r.name.clone(),
            })
            .collect()
    }

    /// Adds a created room, answers `Room.Created` to `creator` and pushes it to every
    /// other signed-in client.
    pub fn add_room(&self, creator: ConnId, reply_id: PacketId, summary: RoomSummary) {
        let mut inner = self.lock();
        inner.rooms.insert(
            summary.room,
            Room {
                name: summary.name.clone(),
                members: BTreeMap::new(),
                presence: BTreeMap::new(),
            },
        );
        inner.push_to_all_but(creator, &push_frame(Body::RoomCreated(summary.clone())));
        inner.reply_to(creator, &Packet::new(reply_id, Body::RoomCreated(summary)));
    }

    /// Renames a room, answers `Room.Updated` to `by` and pushes it to every other
    /// signed-in client.
    pub fn rename_room(&self, by: ConnId, reply_id: PacketId, summary: RoomSummary) {
        let mut inner = self.lock();
        if let Some(room) = inner.rooms.get_mut(&summary.room) {
            room.name = summary.name.clone();
        }
        inner.push_to_all_but(by, &push_frame(Body::RoomUpdated(summary.clone())));
        inner.reply_to(by, &Packet::new(reply_id, Body::RoomUpdated(summary)));
    }

    /// Removes a room (its members simply stop being members), answers `Room.Deleted`
    /// to `by` and pushes it to every other signed-in client; no `Room.Left`.
    pub fn remove_room(&self, by: ConnId, reply_id: PacketId, room_id: RoomId) {
        let mut inner = self.lock();
        if let Some(room) = inner.rooms.remove(&room_id) {
            for conn in room.members.keys() {
                if let Some(member) = inner.conns.get_mut(conn) {
                    member.rooms.remove(&room_id);
                }
            }
        }
        let deleted = Body::RoomDeleted(RoomRef { room: room_id });
        inner.push_to_all_but(by, &push_frame(deleted.clone()));
        inner.reply_to(by, &Packet::new(reply_id, deleted));
    }

    /// Joins `conn` to a room and answers `Room.Joined`, pushing it to the other
    /// members unless `conn` was already a member.
    pub fn join(&self, conn: ConnId, reply_id: PacketId, room_id: RoomId) -> Result<(), RoomError> {
        let mut inner = self.lock();
        let user = inner
            .conns
            .get(&conn)
            .map(|m| m.user.clone())
            .ok_or(RoomError::NotFound)?;
        let room = inner.rooms.get_mut(&room_id).ok_or(RoomError::NotFound)?;
        let newly = room.members.insert(conn, user.clone()).is_none();
        if newly {
            *room.presence.entry(user.clone()).or_default() += 1;
        }
        let joined = Joined {
            room: room_id,
            user: user.to_string(),
            all_users: room.all_users(),
        };
        if newly {
            let others: Vec<ConnId> = room
                .members
                .keys()
                .copied()
                .filter(|&c| c != conn)
                .collect();
            if let Some(member) = inner.conns.get_mut(&conn) {
                member.rooms.insert(room_id);
            }
            inner.push_to(others, &push_frame(Body::RoomJoined(joined.clone())));
        }
        inner.reply_to(conn, &Packet::new(reply_id, Body::RoomJoined(joined)));
        Ok(())
    }

    /// Takes `conn` out of a room and answers `Room.Left`.
    pub fn leave(&self, conn: ConnId, reply_id: PacketId, room: RoomId) -> Result<(), RoomError> {
        let mut inner = self.lock();
        let r = inner.rooms.get(&room).ok_or(RoomError::NotFound)?;
        if !r.members.contains_key(&conn) {
            return Err(RoomError::NotMember);
        }
        let left = inner
            .remove_member(conn, room)
            .ok_or(RoomError::NotMember)?;
        inner.reply_to(conn, &Packet::new(reply_id, Body::RoomLeft(left)));
        Ok(())
    }

    /// Checks that `conn` may send to `room`.
    pub fn check_member(&self, conn: ConnId, room: RoomId) -> Result<(), RoomError> {
        let inner = self.lock();
        let r = inner.rooms.get(&room).ok_or(RoomError::NotFound)?;
        if r.members.contains_key(&conn) {
            Ok(())
        } else {
            Err(RoomError::NotMember)
        }
    }

    /// Answers a stored message's sender with it and pushes it to every other member
    /// of its room; connections that agreed to `history/1` get it with `id` as its
    /// `messageId`, the others exactly as before. Called on the database thread right
    /// after the message is stored (see the module docs).
    pub fn deliver(
        &self,
        sender: ConnId,
        reply_id: PacketId,
        room: RoomId,
        message: HistoryMessage,
        id: MessageId,
    ) {
        let plain = message.clone().with_message_id(None).into_body();
        let with_id = message.with_message_id(Some(id)).into_body();
        let frame = |body: &Body| {
            let packet = Packet::in_room(PacketId::DontHaveId, room, body.clone());
            Frame::Encrypted(Arc::from(packet.encode()))
        };
        let (plain_frame, id_frame) = (frame(&plain), frame(&with_id));
        let inner = self.lock();
        if let Some(r) = inner.rooms.get(&room) {
            let (agreed, others): (Vec<ConnId>, Vec<ConnId>) = r
                .members
                .keys()
                .copied()
                .filter(|&c| c != sender)
                .partition(|c| inner.conns.get(c).is_some_and(|m| m.message_ids));
            inner.push_to(others, &plain_frame);
            inner.push_to(agreed, &id_frame);
        }
        let body = match inner.conns.get(&sender) {
            Some(member) if member.message_ids => with_id,
            _ => plain,
        };
        inner.reply_to(sender, &Packet::in_room(reply_id, room, body));
    }

    /// Signed-in connections (diagnostics and tests).
    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OutboundLimits;

    /// A join in a big room must cost the hub one member list and one serialisation,
    /// shared by every recipient, not one per member (issue 12, item 3).
    #[tokio::test]
    async fn a_join_push_is_serialised_once_and_shared() {
        let hub = Hub::new(vec![StoredRoom {
            id: 1,
            name: "big".into(),
        }]);
        let mut outboxes = Vec::new();
        for conn in 0..50u64 {
            let outbox = Arc::new(Outbox::new(OutboundLimits::default()));
            hub.sign_in(
                conn,
                Arc::from(format!("u{conn}")),
                outbox.clone(),
                false,
                |_| Packet::new(PacketId::DontHaveId, Body::RoomRequireList),
            );
            hub.join(conn, PacketId::from("j"), 1).unwrap();
            let mut drained = Vec::new();
            assert!(outbox.take_all(&mut drained).await);
            outboxes.push(outbox);
        }
        for outbox in &outboxes[..49] {
            let mut drained = Vec::new();
            assert!(outbox.take_all(&mut drained).await);
        }
        let outbox = Arc::new(Outbox::new(OutboundLimits::default()));
        hub.sign_in(99, Arc::from("late"), outbox, false, |_| {
            Packet::new(PacketId::DontHaveId, Body::RoomRequireList)
        });
        hub.join(99, PacketId::from("j"), 1).unwrap();
        let mut pushes = Vec::new();
        for outbox in &outboxes {
            let mut drained = Vec::new();
            assert!(outbox.take_all(&mut drained).await);
            assert_eq!(drained.len(), 1);
            let Some(Frame::Encrypted(json)) = drained.pop() else {
                panic!("expected the join push")
            };
            pushes.push(json);
        }
        assert!(pushes[0].contains("\"u49\"") && pushes[0].contains("\"late\""));
        assert!(
            pushes.iter().all(|p| Arc::ptr_eq(p, &pushes[0])),
            "every member must share one serialised push"
        );
    }
}
