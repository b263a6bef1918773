//! What the server sends: the handshake's completion, `Accepted`, replies to our
//! requests (routed by what each request was for) and pushes from other users,
//! each turned into UI actions and follow-up requests.

use std::collections::BTreeSet;

use miricat_shared::packet::ErrorPacket;
use miricat_shared::packet::auth::Accepted;
use miricat_shared::{Body, ErrorKind, Packet, RoomId};

use super::{ChatClient, Effect, OutboxState, Purpose, delivery};
use crate::failures::explain_error;
use crate::state::{Action, Content, Delivery, Phase, RoomListing};

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
        let existing: BTreeSet<RoomId> = accepted.rooms.iter().map(|r| r.id).collect();
        let listing = accepted
            .rooms
            .into_iter()
            .map(|r| RoomListing {
                id: r.id,
                name: r.name,
                members: Some(r.all_users),
            })
            .collect();
        let mut effects = vec![
            Effect::Ui(Action::Phase(Phase::Online, None)),
            Effect::Ui(Action::SignedIn(listing)),
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
        if let Body::Error(error) = &packet.body {
            return self.failed(purpose, error, now);
        }
        match (purpose, packet.body) {
            (Purpose::Message(local_id), Body::TextMessage(message)) => {
                self.outbox.retain(|m| m.local_id != local_id);
                vec![delivery(
                    local_id,
                    Delivery::Sent,
                    Some(message.time.millis()),
                )]
            }
            (Purpose::Join(room), Body::RoomJoined(joined)) => {
                let mut effects = vec![Effect::Ui(Action::MemberJoined {
                    room,
                    user: joined.user,
                    all_users: joined.all_users,
                    time_ms: now,
                })];
                effects.extend(self.flush_room(room));
                effects
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

    fn failed(&mut self, purpose: Purpose, error: &ErrorPacket, now: u64) -> Vec<Effect> {
        let why = explain_error(error);
        match purpose {
            Purpose::SignIn => self.stop(why),
            Purpose::Message(local_id) => {
                if let Some(m) = self.outbox.iter_mut().find(|m| m.local_id == local_id) {
                    m.state = OutboxState::Failed;
                }
                vec![delivery(local_id, Delivery::Failed(why), None)]
            }
            Purpose::Join(room) => {
                self.wanted_rooms.remove(&room);
                let mut effects = vec![
                    Effect::Ui(Action::JoinFailed(room)),
                    Effect::Ui(Action::Error(format!("Could not join the room: {why}"))),
                ];
                effects.extend(self.fail_room(room, &why));
                effects
            }
            Purpose::Leave(room) if error.kind == ErrorKind::UserDontConnected => {
                // Already out: the server agrees with what the user wanted.
                let user = self.username().unwrap_or_default().to_owned();
                vec![Effect::Ui(Action::MemberLeft {
                    room,
                    user,
                    time_ms: now,
                })]
            }
            Purpose::Leave(_) => vec![Effect::Ui(Action::Error(format!(
                "Could not leave the room: {why}"
            )))],
            Purpose::Admin(request) => Self::admin_failed(&request, &why),
            Purpose::RoomList => vec![Effect::Ui(Action::Error(format!(
                "Could not refresh the room list: {why}"
            )))],
            Purpose::UploadSlot(_)
            | Purpose::UploadComplete(_)
            | Purpose::PostImage { .. }
            | Purpose::PostImageUrl(_)
            | Purpose::Download { .. } => self.image_failed(purpose, error),
        }
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
            Body::TextMessage(m) => room.map(|room| Action::Message {
                room,
                sender: m.user,
                content: Content::Text(m.text),
                time_ms: m.time.millis(),
            }),
            Body::ImageMessage(m) => room.map(|room| Action::Message {
                room,
                sender: m.user,
                content: Content::Image(m.image),
                time_ms: m.time.millis(),
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
