//! The client session state machine. See the module docs of [`super`] for the call
//! order.

use std::collections::{BTreeSet, HashMap};

use thiserror::Error;

use crate::crypto::{CryptoError, KeyPair, LineCipher, PublicKey};
use crate::line::{LineForm, classify};
use crate::packet::auth::{Accepted, Credentials};
use crate::packet::extension::{Extension, ExtensionSet};
use crate::packet::file::{ImagePart, ImageRef, ImageUploadRequest};
use crate::packet::handshake::{Handshake, VERSION_2_0, VERSION_2_1};
use crate::packet::history::RequireHistory;
use crate::packet::message::{CreateImageMessage, CreateTextMessage};
use crate::packet::room::{RoomName, RoomRef, RoomSummary};
use crate::packet::user::Username;
use crate::packet::{
    Body, DecodeError, ErrorPacket, Packet, PacketId, PacketKind, RoomField, RoomId,
};

use super::extensions::Negotiation;
use super::pending::{PendingRequests, TimedOut};

/// The protocol version a session offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolVersion {
    /// MCP 2.1.0: packet IDs on every request.
    #[default]
    V2_1,
    /// MCP 2.0.0: no IDs; replies are matched by type and order (`WIRE.md` section 10).
    V2_0,
}

impl ProtocolVersion {
    /// The version string of the handshake.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_1 => VERSION_2_1,
            Self::V2_0 => VERSION_2_0,
        }
    }
}

/// Our handle on a request: the number in its packet ID.
pub type RequestId = u64;

/// A request line to write, and the ID its replies will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Matches [`Event::Reply::request`].
    pub id: RequestId,
    /// The encrypted line, without `\n`.
    pub line: String,
}

/// Why the handshake failed. The connection cannot be used afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HandshakeFailure {
    /// The server answered with an error (`UnsupportedVersion`, `PacketDataIncorrect`).
    #[error("server refused the handshake: {0}")]
    Refused(ErrorPacket),
    /// The server's public key is unusable.
    #[error("server sent a bad public key: {0}")]
    BadServerKey(CryptoError),
}

/// A line that could not be used; the session goes on.
#[derive(Debug, Error)]
pub enum ProtocolError {
    /// Neither plaintext JSON nor a line that decrypts under our key.
    #[error("undecryptable line: {0}")]
    Crypto(#[from] CryptoError),
    /// JSON that is not a valid packet.
    #[error("bad packet: {0}")]
    Decode(#[from] DecodeError),
    /// A packet before the handshake that is not its reply.
    #[error("unexpected {0} before the handshake")]
    BeforeHandshake(PacketKind),
}

/// Misuse of the session by its caller.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    /// Requests need the key; wait for [`Event::Secured`].
    #[error("the handshake is not complete")]
    NotSecured,
    /// A request of an extension the server did not agree to at sign-in (or before
    /// signing in at all): see [`ClientSession::offer_extensions`].
    #[error("the server has not agreed to the {0} extension")]
    NotAgreed(Extension),
    /// A kind servers send, not a request (see [`PacketKind::is_client_request`]).
    #[error("{0} is not a request a client sends")]
    NotARequest(PacketKind),
}

/// What a received line meant.
#[derive(Debug)]
pub enum Event {
    /// The handshake completed; encryption is on. Log in or register now.
    Secured,
    /// The handshake failed; close the connection.
    HandshakeRejected(HandshakeFailure),
    /// Login or Register succeeded; heartbeats are now due (see
    /// [`ClientSession::poll_heartbeat`]).
    Accepted {
        /// The Login/Register request.
        request: RequestId,
        /// Rooms and heartbeat rate.
        accepted: Accepted,
    },
    /// A reply (possibly an `Error`) to one of our requests.
    Reply {
        /// The request it answers.
        request: RequestId,
        /// That request's kind.
        request_kind: PacketKind,
        /// The reply itself.
        packet: Packet,
        /// No more replies will come for this request (false only mid-download).
        last: bool,
    },
    /// A packet that answers none of our requests: other users' messages and room
    /// changes, `Error.HeartbeatTimeout`, unknown types.
    Push(Packet),
    /// A line that could not be read. Not fatal.
    ProtocolError(ProtocolError),
}

#[derive(Debug)]
enum Phase {
    AwaitingHandshake,
    /// Boxed: the AES key schedule is large and sessions are many on a server's tests.
    Secured(Box<LineCipher>),
}

/// A client's view of one MCP connection.
#[derive(Debug)]
pub struct ClientSession {
    version: ProtocolVersion,
    keypair: KeyPair,
    phase: Phase,
    next_id: RequestId,
    pending: PendingRequests,
    username: Option<String>,
    heartbeat_rate_ms: Option<u64>,
    next_heartbeat_at: Option<u64>,
    joined: BTreeSet<RoomId>,
    /// For MCP 2.0 messages without a room: where each user last spoke.
    last_room_of_user: HashMap<String, RoomId>,
    extensions: Negotiation,
}

impl ClientSession {
    /// A session offering `version`, with a key pair made for this connection only.
    pub fn new(version: ProtocolVersion, keypair: KeyPair) -> Self {
        Self {
            version,
            keypair,
            phase: Phase::AwaitingHandshake,
            next_id: 1,
            pending: PendingRequests::default(),
            username: None,
            heartbeat_rate_ms: None,
            next_heartbeat_at: None,
            joined: BTreeSet::new(),
            last_room_of_user: HashMap::new(),
            extensions: Negotiation::default(),
        }
    }

    /// The version this session offers.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// How long a request (the handshake included) may wait for its reply before
    /// [`ClientSession::poll_timeouts`] reports it; `None` (the default) waits for ever.
    /// A live connection is never silent for long (heartbeats keep it busy), so a
    /// request unanswered for many seconds was lost.
    pub fn set_request_timeout(&mut self, timeout_ms: Option<u64>) {
        self.pending.set_timeout(timeout_ms);
    }

    /// The plaintext handshake line to send first. It waits for its reply like any
    /// request, so an unanswered handshake times out too.
    pub fn handshake_line(&mut self) -> String {
        let (id, wire_id) = self.fresh_wire_id();
        let body = Body::Handshake(Handshake {
            version: self.version.as_str().to_owned(),
            public_key: self.keypair.public().to_hex(),
        });
        self.pending.push(id, &body, None);
        Packet::new(wire_id, body).encode_request()
    }

    /// Whether the handshake completed.
    pub fn is_secured(&self) -> bool {
        matches!(self.phase, Phase::Secured(_))
    }

    /// Whether Login/Register succeeded.
    pub fn is_signed_in(&self) -> bool {
        self.heartbeat_rate_ms.is_some()
    }

    /// The heartbeat rate the server announced, once signed in.
    pub fn heartbeat_rate_ms(&self) -> Option<u64> {
        self.heartbeat_rate_ms
    }

    /// Offers `extensions` at the next [`ClientSession::login`] or
    /// [`ClientSession::register`] (`docs/extensions.md`). Servers that do not know
    /// extensions ignore the offer; offering none (the default) sends the plain Login.
    pub fn offer_extensions(&mut self, extensions: ExtensionSet) {
        self.extensions.offer(extensions);
    }

    /// The extensions the server agreed to at sign-in, among those offered. Empty
    /// until [`Event::Accepted`], and for a server that does not know extensions.
    pub fn agreed_extensions(&self) -> ExtensionSet {
        self.extensions.agreed()
    }

    /// Rooms this connection has joined (as confirmed by the server).
    pub fn joined_rooms(&self) -> impl Iterator<Item = RoomId> + '_ {
        self.joined.iter().copied()
    }

    /// Requests still waiting for a reply (not answered, not timed out): `(id, kind)`,
    /// oldest first.
    pub fn pending_requests(&self) -> impl Iterator<Item = (RequestId, PacketKind)> + '_ {
        self.pending.waiting().map(|p| (p.id, p.kind))
    }

    /// Requests kept, timed-out ones included (to check the bound on them).
    #[cfg(test)]
    pub(super) fn kept_requests(&self) -> usize {
        self.pending.len()
    }

    /// Starts the deadline of requests sent since the last call and returns those not
    /// answered in time, which stop waiting. Call it after sending requests and
    /// whenever [`ClientSession::next_timeout_at`] comes. A reply that arrives after
    /// its request timed out is still reported as that request's [`Event::Reply`].
    pub fn poll_timeouts(&mut self, now: u64) -> Vec<TimedOut> {
        self.pending.poll_timeouts(now)
    }

    /// When to call [`ClientSession::poll_timeouts`] next (ms): the earliest deadline,
    /// or `0` (at once) when a request sent since the last poll has not started its
    /// clock. `None` when nothing waits or no timeout is set.
    pub fn next_timeout_at(&self) -> Option<u64> {
        self.pending.next_timeout_at()
    }

    fn fresh_wire_id(&mut self) -> (RequestId, PacketId) {
        let id = self.next_id;
        self.next_id += 1;
        let wire = match self.version {
            ProtocolVersion::V2_1 => PacketId::from(id),
            ProtocolVersion::V2_0 => PacketId::None,
        };
        (id, wire)
    }

    fn cipher(&self) -> Result<&LineCipher, SessionError> {
        match &self.phase {
            Phase::Secured(cipher) => Ok(cipher),
            Phase::AwaitingHandshake => Err(SessionError::NotSecured),
        }
    }

    /// Builds, encrypts and records any request. The typed methods below are thin
    /// wrappers over this.
    ///
    /// An extension's request is refused ([`SessionError::NotAgreed`]) unless the
    /// server agreed to that extension, and a kind that is not a request at all
    /// ([`SessionError::NotARequest`]) always.
    pub fn request(&mut self, body: Body, room: Option<RoomId>) -> Result<Outgoing, SessionError> {
        self.cipher()?;
        let kind = body.kind();
        if !kind.is_client_request() {
            return Err(SessionError::NotARequest(kind));
        }
        self.extensions.check_request(kind)?;
        let (id, wire_id) = self.fresh_wire_id();
        let packet = Packet {
            id: wire_id,
            room,
            body,
        };
        let line = self.cipher()?.encrypt_line(&packet.encode_request());
        // MCP 2.0 servers never answer Room.RequireList (WIRE.md section 10).
        let never_answered = kind.reply_kinds().is_empty()
            || (self.version == ProtocolVersion::V2_0 && kind == PacketKind::RoomRequireList);
        if !never_answered {
            self.pending.push(id, &packet.body, room);
        }
        Ok(Outgoing { id, line })
    }

    /// `Authentication.Login`, offering the extensions set by
    /// [`ClientSession::offer_extensions`].
    pub fn login(&mut self, username: &str, password: &str) -> Result<Outgoing, SessionError> {
        let credentials = self.sign_in_credentials(username, password);
        self.request(Body::Login(credentials), None)
    }

    /// `Authentication.Register` (signs in on success), offering extensions like
    /// [`ClientSession::login`].
    pub fn register(&mut self, username: &str, password: &str) -> Result<Outgoing, SessionError> {
        let credentials = self.sign_in_credentials(username, password);
        self.request(Body::Register(credentials), None)
    }

    fn sign_in_credentials(&mut self, username: &str, password: &str) -> Credentials {
        self.username = Some(username.to_owned());
        Credentials {
            extensions: self.extensions.offer_field(),
            ..Credentials::new(username, password)
        }
    }

    /// `Message.CreateTextMessage`.
    pub fn send_text(&mut self, room: RoomId, text: &str) -> Result<Outgoing, SessionError> {
        let body = Body::CreateTextMessage(CreateTextMessage {
            text: text.to_owned(),
        });
        self.request(body, Some(room))
    }

    /// `Message.CreateImageMessage`.
    pub fn send_image(
        &mut self,
        room: RoomId,
        image: CreateImageMessage,
    ) -> Result<Outgoing, SessionError> {
        self.request(Body::CreateImageMessage(image), Some(room))
    }

    /// `File.RequestImageUpload`.
    pub fn request_image_upload(
        &mut self,
        name: &str,
        size: u64,
        mime: &str,
    ) -> Result<Outgoing, SessionError> {
        let request = ImageUploadRequest {
            name: name.to_owned(),
            size,
            mime: mime.to_owned(),
        };
        self.request(Body::RequestImageUpload(request), None)
    }

    /// `File.ImageUploadPart`: `data` is the base64 of at most 48 KiB.
    pub fn upload_image_part(
        &mut self,
        image_id: &str,
        part: u32,
        data: String,
    ) -> Result<Outgoing, SessionError> {
        let part = ImagePart {
            id: image_id.to_owned(),
            part,
            data,
        };
        self.request(Body::ImageUploadPart(part), None)
    }

    /// `File.ImageUploadCompleted`.
    pub fn complete_image_upload(&mut self, image_id: &str) -> Result<Outgoing, SessionError> {
        self.request(Body::ImageUploadCompleted(image_ref(image_id)), None)
    }

    /// `File.RequestImageDownload`: replies are meta, parts, then completion.
    pub fn request_image_download(&mut self, image_id: &str) -> Result<Outgoing, SessionError> {
        self.request(Body::RequestImageDownload(image_ref(image_id)), None)
    }

    /// `User.Create` (root only).
    pub fn create_user(
        &mut self,
        username: &str,
        password: &str,
    ) -> Result<Outgoing, SessionError> {
        self.request(Body::UserCreate(credentials(username, password)), None)
    }

    /// `User.Delete` (root only).
    pub fn delete_user(&mut self, username: &str) -> Result<Outgoing, SessionError> {
        let body = Body::UserDelete(Username {
            username: username.to_owned(),
        });
        self.request(body, None)
    }

    /// `Room.Create` (root only).
    pub fn create_room(&mut self, name: &str) -> Result<Outgoing, SessionError> {
        self.request(
            Body::RoomCreate(RoomName {
                name: name.to_owned(),
            }),
            None,
        )
    }

    /// `Room.Update` (root only): renames a room.
    pub fn rename_room(&mut self, room: RoomId, name: &str) -> Result<Outgoing, SessionError> {
        let body = Body::RoomUpdate(RoomSummary {
            room,
            name: name.to_owned(),
        });
        self.request(body, None)
    }

    /// `Room.Delete` (root only).
    pub fn delete_room(&mut self, room: RoomId) -> Result<Outgoing, SessionError> {
        self.request(Body::RoomDelete(RoomRef { room }), None)
    }

    /// `Room.Join`.
    pub fn join_room(&mut self, room: RoomId) -> Result<Outgoing, SessionError> {
        self.request(Body::RoomJoin(RoomRef { room }), None)
    }

    /// `Room.Leave`.
    pub fn leave_room(&mut self, room: RoomId) -> Result<Outgoing, SessionError> {
        self.request(Body::RoomLeave(RoomRef { room }), None)
    }

    /// `Room.RequireList`.
    pub fn require_room_list(&mut self) -> Result<Outgoing, SessionError> {
        self.request(Body::RoomRequireList, None)
    }

    /// `Message.RequireHistory` (`history/1`): a page of `room`'s past messages,
    /// answered by one `Message.History`. Refused with [`SessionError::NotAgreed`]
    /// unless the server agreed to `history/1` at sign-in.
    pub fn require_history(
        &mut self,
        room: RoomId,
        range: RequireHistory,
    ) -> Result<Outgoing, SessionError> {
        self.request(Body::RequireHistory(range), Some(room))
    }

    /// When the next heartbeat is due (ms), once signed in.
    pub fn next_heartbeat_at(&self) -> Option<u64> {
        self.next_heartbeat_at
    }

    /// The ping line when a heartbeat is due at `now`, and schedules the next one.
    pub fn poll_heartbeat(&mut self, now: u64) -> Option<String> {
        let (due, rate) = (self.next_heartbeat_at?, self.heartbeat_rate_ms?);
        if now < due {
            return None;
        }
        self.next_heartbeat_at = Some(now.saturating_add(rate));
        let (_, wire_id) = self.fresh_wire_id();
        let line = self
            .cipher()
            .ok()?
            .encrypt_line(&Packet::new(wire_id, Body::Ping).encode_request());
        Some(line)
    }

    /// Reads one received line. Blank lines give `None`.
    pub fn handle_line(&mut self, line: &str, now: u64) -> Option<Event> {
        let json = match (&self.phase, classify(line)) {
            (_, LineForm::Blank) => return None,
            (_, LineForm::Plain(json)) => json.to_owned(),
            (Phase::AwaitingHandshake, LineForm::Cipher(_)) => {
                return Some(Event::ProtocolError(CryptoError::NotBase64.into()));
            }
            (Phase::Secured(cipher), LineForm::Cipher(text)) => match cipher.decrypt_line(text) {
                Ok(json) => json.trim().to_owned(),
                Err(e) => return Some(Event::ProtocolError(e.into())),
            },
        };
        let packet = match Packet::decode_from_server(&json) {
            Ok(packet) => packet,
            Err(e) => return Some(Event::ProtocolError(e.into())),
        };
        Some(match self.phase {
            Phase::AwaitingHandshake => self.handle_handshake_reply(packet),
            Phase::Secured(_) => self.handle_packet(packet, now),
        })
    }

    fn handle_handshake_reply(&mut self, packet: Packet) -> Event {
        if matches!(packet.body, Body::Handshake(_) | Body::Error(_)) {
            self.pending.forget_kind(PacketKind::Handshake);
        }
        match packet.body {
            Body::Handshake(handshake) => match PublicKey::from_hex(&handshake.public_key) {
                Ok(peer) => {
                    let key = self.keypair.shared_secret(&peer).mcp_key();
                    self.phase = Phase::Secured(Box::new(LineCipher::new(&key)));
                    Event::Secured
                }
                Err(e) => Event::HandshakeRejected(HandshakeFailure::BadServerKey(e)),
            },
            Body::Error(error) => Event::HandshakeRejected(HandshakeFailure::Refused(error)),
            other => Event::ProtocolError(ProtocolError::BeforeHandshake(other.kind())),
        }
    }

    fn handle_packet(&mut self, mut packet: Packet, now: u64) -> Event {
        let kind = packet.kind();
        let about_me = self.is_about_me(&packet);
        self.extensions.strip_unagreed(&mut packet);
        let Some((index, pending)) = self
            .pending
            .find(&packet, self.version, about_me)
            .and_then(|index| Some((index, self.pending.get(index)?)))
        else {
            self.track_push(&mut packet);
            return Event::Push(packet);
        };
        let (request, request_kind, request_room) = (pending.id, pending.kind, pending.room);
        let last = request_kind.is_final_reply(kind);
        if last {
            self.pending.remove(index);
        }
        if packet.room.is_none() && kind.room_field() != RoomField::Absent {
            packet.room = request_room;
        }
        self.track_reply(&packet);
        match packet.body {
            Body::Accepted(accepted) => {
                self.extensions.accepted(&accepted);
                let rate = accepted.heartbeat_rate;
                self.heartbeat_rate_ms = Some(rate);
                self.next_heartbeat_at = (rate > 0).then(|| now.saturating_add(rate));
                Event::Accepted { request, accepted }
            }
            body => Event::Reply {
                request,
                request_kind,
                packet: Packet { body, ..packet },
                last,
            },
        }
    }

    /// In MCP 2.0 mode, whether an ID-less packet can be a reply to us at all:
    /// messages and room membership changes must be about our own user.
    fn is_about_me(&self, packet: &Packet) -> bool {
        let me = self.username.as_deref();
        match &packet.body {
            Body::TextMessage(m) => Some(m.user.as_str()) == me,
            Body::ImageMessage(m) => Some(m.user.as_str()) == me,
            Body::RoomJoined(j) => Some(j.user.as_str()) == me,
            Body::RoomLeft(l) => Some(l.user.as_str()) == me,
            _ => true,
        }
    }

    fn track_reply(&mut self, packet: &Packet) {
        match &packet.body {
            Body::RoomJoined(j) => {
                self.joined.insert(j.room);
            }
            Body::RoomLeft(l) => {
                self.joined.remove(&l.room);
            }
            Body::TextMessage(m) => self.remember_room(&m.user, packet.room),
            Body::ImageMessage(m) => self.remember_room(&m.user, packet.room),
            _ => {}
        }
    }

    fn track_push(&mut self, packet: &mut Packet) {
        let me = self.username.as_deref();
        let user = match &packet.body {
            Body::RoomDeleted(r) => {
                self.joined.remove(&r.room);
                return;
            }
            // Our own membership changing without a request waiting for it: an MCP
            // 2.0 server that answers a join with AccessDenied and then joins us
            // anyway, say. The connection is in (or out of) the room all the same.
            Body::RoomJoined(j) if Some(j.user.as_str()) == me => {
                self.joined.insert(j.room);
                return;
            }
            Body::RoomLeft(l) if Some(l.user.as_str()) == me => {
                self.joined.remove(&l.room);
                return;
            }
            Body::TextMessage(m) => m.user.clone(),
            Body::ImageMessage(m) => m.user.clone(),
            _ => return,
        };
        if packet.room.is_none() {
            // MCP 2.0: the only joined room, else where this user last spoke.
            packet.room = match self.joined.len() {
                1 => self.joined.first().copied(),
                _ => self.last_room_of_user.get(&user).copied(),
            };
        }
        self.remember_room(&user, packet.room);
    }

    fn remember_room(&mut self, user: &str, room: Option<RoomId>) {
        /// Bound on remembered speakers, so a chatty server cannot grow this map.
        const MAX_REMEMBERED_USERS: usize = 4096;
        if let Some(room) = room {
            if self.last_room_of_user.len() >= MAX_REMEMBERED_USERS {
                self.last_room_of_user.clear();
            }
            if self.last_room_of_user.get(user) != Some(&room) {
                self.last_room_of_user.insert(user.to_owned(), room);
            }
        }
    }
}

fn credentials(username: &str, password: &str) -> Credentials {
    Credentials::new(username, password)
}

fn image_ref(id: &str) -> ImageRef {
    ImageRef { id: id.to_owned() }
}
