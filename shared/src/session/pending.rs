//! The requests a client session waits on: which reply answers which request
//! (`WIRE.md` sections 6 and 10), and when each one stops being worth waiting for.
//!
//! # Deadlines
//! A request's clock starts at the first [`PendingRequests::poll_timeouts`] after it
//! was sent, not when it was built: the typed request methods take no time, and the
//! caller writes the line and polls in the same turn. Until then
//! [`PendingRequests::next_timeout_at`] reports it as due at once, so a caller that
//! sleeps until that time cannot forget to start it.
//!
//! A request that timed out is no longer *waiting* (it is not listed and cannot be
//! timed out twice) but it is remembered, up to [`MAX_EXPIRED`] of them: a reply that
//! comes late still finds its request, so the caller can correct what it showed
//! ("not answered") instead of mistaking the reply for a push.

use std::collections::VecDeque;

use crate::packet::{Body, ErrorKind, Packet, PacketId, PacketKind, RoomId};

use super::client::{ProtocolVersion, RequestId};

/// Timed-out requests remembered for their late replies. Beyond this the oldest are
/// forgotten, so a server that never answers cannot grow the queue.
pub const MAX_EXPIRED: usize = 64;

/// A request that was not answered before its deadline. It is no longer pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut {
    /// The request.
    pub request: RequestId,
    /// Its kind (`Handshake` for the handshake itself).
    pub request_kind: PacketKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deadline {
    /// Sent, clock not started yet (see the module docs).
    Unarmed,
    /// Waiting until this time (ms).
    At(u64),
    /// Timed out: kept only to recognise a late reply.
    Expired,
}

#[derive(Debug)]
pub(super) struct Pending {
    pub(super) id: RequestId,
    pub(super) kind: PacketKind,
    /// The request's top-level room (messages), given to replies that lack one.
    pub(super) room: Option<RoomId>,
    /// The room a room request is about, to match MCP 2.0 replies by it.
    subject: Option<RoomId>,
    deadline: Deadline,
}

/// The requests of one connection, oldest first.
#[derive(Debug, Default)]
pub(super) struct PendingRequests {
    queue: VecDeque<Pending>,
    /// `None`: requests wait for ever.
    timeout_ms: Option<u64>,
}

impl PendingRequests {
    pub(super) fn set_timeout(&mut self, timeout_ms: Option<u64>) {
        self.timeout_ms = timeout_ms;
    }

    pub(super) fn push(&mut self, id: RequestId, body: &Body, room: Option<RoomId>) {
        self.queue.push_back(Pending {
            id,
            kind: body.kind(),
            room,
            subject: room_subject(body),
            deadline: Deadline::Unarmed,
        });
    }

    /// Requests still waiting (not answered, not timed out), oldest first.
    pub(super) fn waiting(&self) -> impl Iterator<Item = &Pending> + '_ {
        self.queue
            .iter()
            .filter(|p| p.deadline != Deadline::Expired)
    }

    /// Every request kept, timed-out ones included.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(super) fn get(&self, index: usize) -> Option<&Pending> {
        self.queue.get(index)
    }

    pub(super) fn remove(&mut self, index: usize) {
        self.queue.remove(index);
    }

    /// Forgets every request of `kind` (the handshake, once answered).
    pub(super) fn forget_kind(&mut self, kind: PacketKind) {
        self.queue.retain(|p| p.kind != kind);
    }

    /// The request `packet` answers, if any. `about_me` says whether an ID-less
    /// packet concerns our own user (only then can it be an MCP 2.0 reply).
    pub(super) fn find(
        &self,
        packet: &Packet,
        version: ProtocolVersion,
        about_me: bool,
    ) -> Option<usize> {
        let kind = packet.kind();
        if matches!(&packet.body, Body::Error(e) if e.kind == ErrorKind::HeartbeatTimeout) {
            // Sent when the server gives up on the connection: it answers nothing.
            return None;
        }
        let can_answer =
            |p: &Pending| kind == PacketKind::Error || p.kind.reply_kinds().contains(&kind);
        match (&packet.id, version) {
            (PacketId::Value(wire), _) => {
                let id: RequestId = wire.parse().ok()?;
                self.queue.iter().position(|p| p.id == id && can_answer(p))
            }
            (PacketId::None, ProtocolVersion::V2_0) if about_me => {
                // No IDs: the oldest request this can answer, and about the same room
                // when both name one (a Joined for room 1 never answers a join of 2).
                let reply_subject = reply_room(&packet.body);
                self.queue.iter().position(|p| {
                    can_answer(p)
                        && (kind == PacketKind::Error
                            || p.subject.is_none()
                            || reply_subject.is_none()
                            || p.subject == reply_subject)
                })
            }
            _ => None,
        }
    }

    /// Starts the clock of requests sent since the last call and returns those whose
    /// deadline passed at `now`, oldest first. They stop waiting.
    pub(super) fn poll_timeouts(&mut self, now: u64) -> Vec<TimedOut> {
        let Some(timeout) = self.timeout_ms else {
            return Vec::new();
        };
        let mut timed_out = Vec::new();
        for pending in &mut self.queue {
            match pending.deadline {
                Deadline::Unarmed => pending.deadline = Deadline::At(now.saturating_add(timeout)),
                Deadline::At(due) if now >= due => {
                    pending.deadline = Deadline::Expired;
                    timed_out.push(TimedOut {
                        request: pending.id,
                        request_kind: pending.kind,
                    });
                }
                Deadline::At(_) | Deadline::Expired => {}
            }
        }
        self.forget_oldest_expired();
        timed_out
    }

    /// When [`Self::poll_timeouts`] must run next: the earliest deadline, or `0`
    /// (at once) while a request's clock has not started.
    pub(super) fn next_timeout_at(&self) -> Option<u64> {
        self.timeout_ms?;
        self.queue
            .iter()
            .filter_map(|p| match p.deadline {
                Deadline::Unarmed => Some(0),
                Deadline::At(due) => Some(due),
                Deadline::Expired => None,
            })
            .min()
    }

    fn forget_oldest_expired(&mut self) {
        let mut expired = self
            .queue
            .iter()
            .filter(|p| p.deadline == Deadline::Expired)
            .count();
        while expired > MAX_EXPIRED {
            if let Some(index) = self
                .queue
                .iter()
                .position(|p| p.deadline == Deadline::Expired)
            {
                self.queue.remove(index);
            }
            expired -= 1;
        }
    }
}

/// The room a room request is about.
fn room_subject(body: &Body) -> Option<RoomId> {
    match body {
        Body::RoomJoin(r) | Body::RoomLeave(r) | Body::RoomDelete(r) => Some(r.room),
        Body::RoomUpdate(r) => Some(r.room),
        _ => None,
    }
}

/// The room a room reply is about.
fn reply_room(body: &Body) -> Option<RoomId> {
    match body {
        Body::RoomJoined(j) => Some(j.room),
        Body::RoomLeft(l) => Some(l.room),
        Body::RoomDeleted(r) => Some(r.room),
        Body::RoomUpdated(r) => Some(r.room),
        _ => None,
    }
}
