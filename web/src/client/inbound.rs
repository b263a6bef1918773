//! What the server sends: the handshake's completion, `Accepted`, replies to our
//! requests (routed by what each request was for) and pushes from other users,
//! each turned into UI actions and follow-up requests.

use std::collections::BTreeSet;

use miricat_shared::packet::auth::Accepted;
use miricat_shared::packet::room::Joined;
use miricat_shared::{Body, Packet, RoomId};

use super::failure::Failure;
use super::{ChatClient, Effect, Purpose};
use crate::failures::explain_error;
use crate::state::{Action, Content, Phase, RoomListing};

impl ChatClient {
    pub(super) fn secured(&mut self) -> Vec<Effect> {
        self.phase = Phase::SigningIn;
        let Some(creds) = self.credentials.clone() else {
            return vec![Effect::Close];
        };
        let mut effects = vec![Effect::Ui(Action::Phase(Phase::SigningIn, None))];
        effects.extend(self.request(Purpose::SignIn, |s| {
            if creds.register {
                s.register(&creds.username, &creds.password)
            } else {
                s.login(&creds.username, &creds.password)
            }
        }));
        effects
    }

    pub(super) fn accepted(&mut self, accepted: Accepted, _now: u64) -> Vec<Effect> {
        self.phase = Phase::Online;
        self.signed_in_once = true;
        self.requests
            .retain(|_, purpose| *purpose != Purpose::SignIn);
        self.backoff.reset();
        if let Some(creds) = self.credentials.as_mut() {
            // The account exists now: reconnects log in.
            creds.register = false;
        }
        // Built by inserting, not `collect` (which sorts: more code in the wasm).
        let mut existing = BTreeSet::new();
        existing.extend(accepted.rooms.iter().map(|r| r.id));
        let listing = accepted
            .rooms
            .into_iter()
            .map(|r| RoomListing {
                id: r.id,
                name: r.name,
                members: Some(r.all_users),
            })
            .collect();
        let protocol = self.protocol.current();
        let mut effects = vec![
            Effect::Ui(Action::Phase(Phase::Online, None)),
            Effect::Ui(Action::SignedIn(listing)),
            Effect::Ui(Action::ProtocolInUse(protocol)),
            Effect::ProtocolWorked(protocol),
        ];
        let gone: Vec<RoomId> = self.wanted_rooms.difference(&existing).copied().collect();
        for room in gone {
            self.wanted_rooms.remove(&room);
            effects.extend(self.fail_room(room, "The room no longer exists."));
        }
        let rejoin: Vec<RoomId> = self.wanted_rooms.iter().copied().collect();
        for room in rejoin {
            effects.push(Effect::Ui(Action::JoinRequested(room)));
            effects.extend(self.request(Purpose::Join(room), |s| s.join_room(room)));
        }
        effects.extend(self.request_wanted_downloads());
        effects
    }

    pub(super) fn reply(&mut self, purpose: Purpose, packet: Packet, now: u64) -> Vec<Effect> {
        if let Body::Error(error) = packet.body {
            return self.failed(purpose, &Failure::Refused(error), now);
        }
        match (purpose, packet.body) {
            (Purpose::Message(local_id), Body::TextMessage(message)) => {
                if let Some(room) = packet.room {
                    self.history_saw(room, message.message_id);
                }
                self.message_sent(local_id, message.time.millis(), message.message_id)
            }
            (Purpose::History { room, page }, Body::History(history)) => {
                self.history_page(room, page, history)
            }
            (Purpose::Join(room), Body::RoomJoined(joined)) => {
                self.now_in_room(Joined { room, ..joined }, now)
            }
            (Purpose::Admin(request), body) => {
                self.admin_reply(request, Packet { body, ..packet }, now)
            }
            (
                purpose @ (Purpose::UploadSlot(_)
                | Purpose::UploadComplete(_)
                | Purpose::PostImage { .. }
                | Purpose::PostImageUrl(_)
                | Purpose::Download { .. }),
                body,
            ) => self.image_reply(purpose, body),
            (_, body) => self.push(Packet { body, ..packet }, now),
        }
    }

    /// This connection is in the room `joined` names: the answer to our join, a
    /// late one after the join timed out, or an MCP 2.0 server joining us after
    /// answering `AccessDenied`. The room is wanted again (rejoined after
    /// reconnects) and what waited for it is sent.
    fn now_in_room(&mut self, joined: Joined, now: u64) -> Vec<Effect> {
        let room = joined.room;
        self.wanted_rooms.insert(room);
        let mut effects = vec![Effect::Ui(Action::MemberJoined {
            room,
            user: joined.user,
            all_users: joined.all_users,
            time_ms: now,
        })];
        effects.extend(self.flush_room(room));
        effects.extend(self.history_on_join(room));
        effects
    }

    /// A room was deleted: it is no longer rejoined and what was written for it
    /// cannot be delivered.
    pub(super) fn forget_room(&mut self, room: RoomId) -> Vec<Effect> {
        self.wanted_rooms.remove(&room);
        self.fail_room(room, "The room was deleted.")
    }

    /// Packets nobody asked for: others' messages and membership, room changes.
    pub(super) fn push(&mut self, packet: Packet, now: u64) -> Vec<Effect> {
        let room = packet.room;
        let action = match packet.body {
            Body::RoomJoined(j)
                if self.username() == Some(j.user.as_str()) && self.joined_here(j.room) =>
            {
                return self.now_in_room(j, now);
            }
            Body::TextMessage(m) => room.map(|room| {
                self.history_saw(room, m.message_id);
                Action::Message {
                    room,
                    sender: m.user,
                    content: Content::Text(m.text),
                    time_ms: m.time.millis(),
                    message_id: m.message_id,
                }
            }),
            Body::ImageMessage(m) => room.map(|room| {
                self.history_saw(room, m.message_id);
                Action::Message {
                    room,
                    sender: m.user,
                    content: Content::Image(m.image),
                    time_ms: m.time.millis(),
                    message_id: m.message_id,
                }
            }),
            Body::RoomJoined(j) => Some(Action::MemberJoined {
                room: j.room,
                user: j.user,
                all_users: j.all_users,
                time_ms: now,
            }),
            Body::RoomLeft(l) => Some(Action::MemberLeft {
                room: l.room,
                user: l.user,
                time_ms: now,
            }),
            Body::RoomCreated(r) | Body::RoomUpdated(r) => Some(Action::RoomUpserted {
                id: r.room,
                name: r.name,
            }),
            Body::RoomDeleted(r) => {
                let mut effects = self.forget_room(r.room);
                effects.push(Effect::Ui(Action::RoomRemoved(r.room)));
                return effects;
            }
            Body::RoomList(rooms) => Some(Action::RoomsListed(
                rooms
                    .into_iter()
                    .map(|r| RoomListing {
                        id: r.room,
                        name: r.name,
                        members: None,
                    })
                    .collect(),
            )),
            Body::Error(error) => {
                if let Some(effects) = self.part_failed(&packet.id, &error) {
                    return effects;
                }
                Some(Action::Error(explain_error(&error)))
            }
            other => {
                return vec![Effect::Log(format!("ignored {} packet", other.kind()))];
            }
        };
        action.map(Effect::Ui).into_iter().collect()
    }
}
