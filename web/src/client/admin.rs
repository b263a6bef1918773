//! Root's administration: create, rename and delete rooms, create and delete users.
//!
//! The server alone decides who may do this (it answers `Error.AccessDenied` to
//! anyone but root); the client only sends the request, turns the reply into an
//! [`AdminOutcome`] and a refusal into a plain sentence for the error banner.

use miricat_shared::session::{ClientSession, Outgoing, SessionError};
use miricat_shared::{Body, Packet, RoomId};

use super::{ChatClient, Effect, Purpose};
use crate::state::{Action, AdminOutcome, Phase};

/// An administrative request in flight, kept to route and explain its reply.
/// Holds no password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AdminRequest {
    CreateRoom(String),
    RenameRoom { room: RoomId, name: String },
    DeleteRoom(RoomId),
    CreateUser(String),
    DeleteUser(String),
}

impl AdminRequest {
    /// What failed, for the start of the error banner's sentence.
    fn attempt(&self) -> String {
        match self {
            Self::CreateRoom(name) => format!("create the room \"{name}\""),
            Self::RenameRoom { name, .. } => format!("rename the room to \"{name}\""),
            Self::DeleteRoom(_) => "delete the room".to_owned(),
            Self::CreateUser(name) => format!("create the user \"{name}\""),
            Self::DeleteUser(name) => format!("delete the user \"{name}\""),
        }
    }
}

impl ChatClient {
    /// Creates a room (root only; the server refuses others).
    pub fn create_room(&mut self, name: &str) -> Vec<Effect> {
        self.admin(AdminRequest::CreateRoom(name.to_owned()), |s| {
            s.create_room(name)
        })
    }

    /// Renames `room` to `name` (root only).
    pub fn rename_room(&mut self, room: RoomId, name: &str) -> Vec<Effect> {
        let request = AdminRequest::RenameRoom {
            room,
            name: name.to_owned(),
        };
        self.admin(request, |s| s.rename_room(room, name))
    }

    /// Deletes `room` for everyone (root only). Ask the user to confirm first.
    pub fn delete_room(&mut self, room: RoomId) -> Vec<Effect> {
        self.admin(AdminRequest::DeleteRoom(room), |s| s.delete_room(room))
    }

    /// Creates an account that can sign in with `password` (root only).
    pub fn create_user(&mut self, username: &str, password: &str) -> Vec<Effect> {
        self.admin(AdminRequest::CreateUser(username.to_owned()), |s| {
            s.create_user(username, password)
        })
    }

    /// Deletes an account; the server signs its sessions out (root only). Ask the
    /// user to confirm first.
    pub fn delete_user(&mut self, username: &str) -> Vec<Effect> {
        self.admin(AdminRequest::DeleteUser(username.to_owned()), |s| {
            s.delete_user(username)
        })
    }

    /// Sends an administrative request, or says why not: unlike messages these are
    /// not queued while offline, as the user should see them succeed or fail.
    fn admin(
        &mut self,
        request: AdminRequest,
        build: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Vec<Effect> {
        if self.phase != Phase::Online {
            return vec![Effect::Ui(Action::Error(format!(
                "You are offline: {} once reconnected.",
                request.attempt()
            )))];
        }
        let mut effects = self.request(Purpose::Admin(request), build);
        if effects.iter().any(|e| matches!(e, Effect::Send(_))) {
            // The notice is about the last request: an older one would mislead
            // next to this one's result.
            effects.insert(0, Effect::Ui(Action::DismissAdminNotice));
        }
        effects
    }

    /// The server's answer to an administrative request.
    pub(super) fn admin_reply(
        &mut self,
        request: AdminRequest,
        packet: Packet,
        now: u64,
    ) -> Vec<Effect> {
        let outcome = match (request, &packet.body) {
            (AdminRequest::CreateRoom(_), Body::RoomCreated(r)) => AdminOutcome::RoomCreated {
                id: r.room,
                name: r.name.clone(),
            },
            (AdminRequest::RenameRoom { .. }, Body::RoomUpdated(r)) => AdminOutcome::RoomRenamed {
                id: r.room,
                name: r.name.clone(),
            },
            (AdminRequest::DeleteRoom(_), Body::RoomDeleted(r)) => {
                let mut effects = self.forget_room(r.room);
                effects.push(Effect::Ui(Action::AdminDone(AdminOutcome::RoomDeleted(
                    r.room,
                ))));
                return effects;
            }
            (AdminRequest::CreateUser(_), Body::UserCreated(u)) => {
                AdminOutcome::UserCreated(u.username.clone())
            }
            (AdminRequest::DeleteUser(_), Body::UserDeleted(u)) => {
                AdminOutcome::UserDeleted(u.username.clone())
            }
            (request, body) => {
                let note = format!("unexpected {} in reply to {request:?}", body.kind());
                let mut effects = vec![Effect::Log(note)];
                effects.extend(self.push(packet, now));
                return effects;
            }
        };
        vec![Effect::Ui(Action::AdminDone(outcome))]
    }

    /// The server refused an administrative request, for the reason `why` (the
    /// error already in plain words).
    pub(super) fn admin_failed(request: &AdminRequest, why: &str) -> Vec<Effect> {
        vec![Effect::Ui(Action::Error(format!(
            "Could not {}: {why}",
            request.attempt()
        )))]
    }
}
