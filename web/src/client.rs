//! The chat client's logic without any I/O: sign-in, reconnection, rejoining rooms,
//! the outbox of messages written while offline, root's administration requests
//! (`admin`), and turning MCP events into UI [`Action`]s.
//!
//! Like the `shared` session it wraps, it is sans-IO: the connection service
//! (`services::connection`) feeds it socket events, user commands and the time, and
//! carries out the [`Effect`]s it returns (open a socket, send a line, arm a timer,
//! dispatch an action). That keeps every rule here testable natively against an
//! in-memory server.
//!
//! # Call order
//! 1. [`ChatClient::sign_in`]: returns [`Effect::Open`]; open a WebSocket.
//! 2. When it opens, [`ChatClient::on_open`] with a fresh key pair; feed each text
//!    frame to [`ChatClient::on_line`].
//! 3. When it closes, [`ChatClient::on_close`]; it may return
//!    [`Effect::ReconnectIn`]: when that timer fires (or the tab becomes visible or
//!    the browser comes online) call [`ChatClient::reconnect_now`].
//! 4. Once online, call [`ChatClient::poll_heartbeat`] at
//!    [`ChatClient::next_heartbeat_at`].

use std::collections::{BTreeSet, HashMap, VecDeque};

use downloads::Download;
pub use downloads::DownloadAsk;
use images::Upload;
pub use images::{ImageBytes, is_web_image_url, upload_size_refusal, web_image_host};

use miricat_shared::session::{ClientSession, Event, HandshakeFailure, Outgoing, ProtocolVersion};
use miricat_shared::{KeyPair, RoomId};

use self::admin::AdminRequest;
use crate::backoff::Backoff;
use crate::failures::{explain_close, explain_error};
use crate::state::{Action, Delivery, Phase};

/// What the caller must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a WebSocket to the bridge (closing any other first).
    Open,
    /// Send this line as one text frame.
    Send(String),
    /// Close the WebSocket; no reconnect follows.
    Close,
    /// Call [`ChatClient::reconnect_now`] after this many milliseconds.
    ReconnectIn(u32),
    /// Dispatch this to the UI state.
    Ui(Action),
    /// The upload has parts to send: call [`ChatClient::next_upload_part`] while
    /// [`ChatClient::upload_has_parts`] and the socket is not backed up.
    PumpUpload,
    /// Verified image bytes to show: make a `blob:` URL and dispatch it as
    /// [`crate::state::ImageView::Ready`].
    ShowImage(ImageBytes),
    /// Worth a line in the browser console, not the user's attention.
    Log(String),
}

/// Who signs in, and how. The password lives only here, in memory, for this tab.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Account name.
    pub username: String,
    /// Password (never stored, never logged).
    pub password: String,
    /// Create the account (first sign-in only; reconnects log in).
    pub register: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("register", &self.register)
            .finish_non_exhaustive()
    }
}

/// What a request we sent was for, to route its reply.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    SignIn,
    Message(u64),
    Join(RoomId),
    Leave(RoomId),
    Admin(AdminRequest),
    RoomList,
    /// `File.RequestImageUpload` of upload number N.
    UploadSlot(u64),
    /// `File.ImageUploadCompleted` of upload number N.
    UploadComplete(u64),
    /// `Message.CreateImageMessage` posting upload number `number` to `room`.
    PostImage {
        number: u64,
        room: RoomId,
    },
    /// `Message.CreateImageMessage` of an image address, to this room.
    PostImageUrl(RoomId),
    /// `File.RequestImageDownload` of image `id`, this tab's download number
    /// `attempt` (replies to an abandoned attempt are told apart by it).
    Download {
        id: String,
        attempt: u64,
    },
}

/// Where a written message is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OutboxState {
    /// Waiting for a connection (and the room's join) to send it.
    Queued,
    /// Sent on the current connection as this request.
    InFlight(u64),
    /// Refused by the server; kept for a retry.
    Failed,
}

#[derive(Debug, Clone)]
struct OutboxMessage {
    local_id: u64,
    room: RoomId,
    text: String,
    state: OutboxState,
}

/// The client. One per tab.
#[derive(Debug, Default)]
pub struct ChatClient {
    credentials: Option<Credentials>,
    phase: Phase,
    session: Option<ClientSession>,
    backoff: Backoff,
    /// Rooms the user wants to be in: rejoined after every reconnect.
    wanted_rooms: BTreeSet<RoomId>,
    outbox: Vec<OutboxMessage>,
    requests: HashMap<u64, Purpose>,
    next_local_id: u64,
    /// The current socket opened (to tell "unreachable" from "dropped").
    socket_opened: bool,
    /// This tab has signed in at least once: losses from then on reconnect.
    signed_in_once: bool,
    /// The last failure was final: the next close must not schedule a reconnect.
    stopped: bool,
    /// The image being uploaded.
    upload: Option<Upload>,
    /// Uploads started in this tab, to number them.
    uploads_started: u64,
    /// `mcp_image://` images by ID: wanted, arriving, or settled.
    downloads: HashMap<String, Download>,
    /// Wanted images in the order they were asked for.
    download_queue: VecDeque<String>,
    /// Downloads requested in this tab, to number them.
    downloads_started: u64,
}

impl ChatClient {
    /// The connection phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The signed-in (or signing-in) user.
    pub fn username(&self) -> Option<&str> {
        self.credentials.as_ref().map(|c| c.username.as_str())
    }

    /// Starts signing in: a new socket, handshake, then Login or Register.
    ///
    /// Signing in as someone else drops the previous user's rooms and outbox.
    pub fn sign_in(&mut self, credentials: Credentials) -> Vec<Effect> {
        if self.username() != Some(credentials.username.as_str()) {
            self.wanted_rooms.clear();
            self.outbox.clear();
            self.signed_in_once = false;
        }
        // The form may name another bridge, so another server: its image 5 is not
        // the image 5 already shown.
        self.upload = None;
        self.downloads.clear();
        self.download_queue.clear();
        let username = credentials.username.clone();
        self.credentials = Some(credentials);
        self.stopped = false;
        self.backoff.reset();
        let mut effects = vec![Effect::Ui(Action::SignInStarted { username })];
        effects.extend(self.open());
        effects
    }

    fn open(&mut self) -> Vec<Effect> {
        self.session = None;
        self.requests.clear();
        self.socket_opened = false;
        self.phase = Phase::Connecting;
        vec![
            Effect::Ui(Action::Phase(Phase::Connecting, None)),
            Effect::Open,
        ]
    }

    /// The socket opened: start the handshake with `keypair` (fresh per connection).
    pub fn on_open(&mut self, keypair: KeyPair) -> Vec<Effect> {
        let mut session = ClientSession::new(ProtocolVersion::V2_1, keypair);
        let hello = session.handshake_line();
        self.session = Some(session);
        self.socket_opened = true;
        self.phase = Phase::Securing;
        vec![
            Effect::Ui(Action::Phase(Phase::Securing, None)),
            Effect::Send(hello),
        ]
    }

    /// One text frame from the bridge, at `now` (epoch ms).
    pub fn on_line(&mut self, line: &str, now: u64) -> Vec<Effect> {
        let Some(session) = self.session.as_mut() else {
            return vec![Effect::Log("line without a session, ignored".to_owned())];
        };
        match session.handle_line(line, now) {
            None => Vec::new(),
            Some(Event::Secured) => self.secured(),
            Some(Event::HandshakeRejected(failure)) => {
                let why = match &failure {
                    HandshakeFailure::Refused(error) => explain_error(error),
                    HandshakeFailure::BadServerKey(e) => {
                        format!("the server's key is unusable ({e})")
                    }
                };
                self.stop(format!("The server refused the secure connection: {why}"))
            }
            Some(Event::Accepted { accepted, .. }) => self.accepted(accepted, now),
            Some(Event::Reply {
                request,
                packet,
                last,
                ..
            }) => {
                let purpose = if last {
                    self.requests.remove(&request)
                } else {
                    self.requests.get(&request).cloned()
                };
                match purpose {
                    Some(purpose) => self.reply(purpose, packet, now),
                    None => self.push(packet, now),
                }
            }
            Some(Event::Push(packet)) => self.push(packet, now),
            Some(Event::ProtocolError(e)) => {
                vec![Effect::Log(format!("unreadable line from the server: {e}"))]
            }
        }
    }

    /// The socket closed with `code` and `reason`. `jitter` is a random number in
    /// `[0, 1)` that spreads reconnects out.
    pub fn on_close(&mut self, code: u16, reason: &str, jitter: f64) -> Vec<Effect> {
        let was = self.phase;
        self.session = None;
        self.requests.clear();
        for message in &mut self.outbox {
            if matches!(message.state, OutboxState::InFlight(_)) {
                // Maybe delivered, maybe not: sending again risks a duplicate,
                // dropping it risks losing what the user wrote. Never lose it.
                message.state = OutboxState::Queued;
            }
        }
        let explanation = explain_close(code, reason, self.socket_opened);
        let mut effects = self.images_on_close();
        if self.stopped || self.credentials.is_none() || was == Phase::Idle {
            self.phase = Phase::Idle;
            return effects;
        }
        if !self.signed_in_once {
            // The first sign-in failed to connect: say why on the form and let the
            // user try again (perhaps with another bridge address).
            effects.extend(self.stop(explanation));
            return effects;
        }
        let delay = self.backoff.next_delay_ms(jitter);
        self.phase = Phase::Offline;
        let seconds = delay.div_ceil(1000);
        effects.extend([
            Effect::Ui(Action::Phase(
                Phase::Offline,
                Some(format!("{explanation} Reconnecting in {seconds} s…")),
            )),
            Effect::ReconnectIn(delay),
        ]);
        effects
    }

    /// Try again now (the backoff timer fired, the tab became visible, or the browser
    /// came back online). Does nothing unless waiting to reconnect.
    pub fn reconnect_now(&mut self) -> Vec<Effect> {
        if self.phase == Phase::Offline && self.credentials.is_some() && !self.stopped {
            self.open()
        } else {
            Vec::new()
        }
    }

    /// Signs out: forgets the password, the outbox and the rooms.
    pub fn sign_out(&mut self) -> Vec<Effect> {
        *self = Self {
            next_local_id: self.next_local_id,
            ..Self::default()
        };
        vec![Effect::Close, Effect::Ui(Action::SignedOut)]
    }

    /// Writes a message to `room`: shown at once as pending, sent when possible.
    pub fn send_text(&mut self, room: RoomId, text: &str, now: u64) -> Vec<Effect> {
        self.next_local_id += 1;
        let local_id = self.next_local_id;
        self.outbox.push(OutboxMessage {
            local_id,
            room,
            text: text.to_owned(),
            state: OutboxState::Queued,
        });
        let mut effects = vec![Effect::Ui(Action::OwnMessageQueued {
            local_id,
            room,
            text: text.to_owned(),
            time_ms: now,
        })];
        effects.extend(self.flush_room(room));
        effects
    }

    /// Sends a failed message again.
    pub fn retry(&mut self, local_id: u64) -> Vec<Effect> {
        let Some(message) = self
            .outbox
            .iter_mut()
            .find(|m| m.local_id == local_id && m.state == OutboxState::Failed)
        else {
            return Vec::new();
        };
        message.state = OutboxState::Queued;
        let room = message.room;
        let mut effects = vec![delivery(local_id, Delivery::Pending, None)];
        effects.extend(self.flush_room(room));
        effects
    }

    /// Joins `room` now, or once reconnected.
    pub fn join(&mut self, room: RoomId) -> Vec<Effect> {
        self.wanted_rooms.insert(room);
        let mut effects = vec![Effect::Ui(Action::JoinRequested(room))];
        if self.phase == Phase::Online {
            effects.extend(self.request(Purpose::Join(room), |s| s.join_room(room)));
        }
        effects
    }

    /// Leaves `room`. Messages still queued for it fail (they cannot be delivered).
    pub fn leave(&mut self, room: RoomId, now: u64) -> Vec<Effect> {
        self.wanted_rooms.remove(&room);
        let mut effects = self.fail_room(room, "You left the room before it was sent.");
        let joined_here = self
            .session
            .as_ref()
            .is_some_and(|s| s.joined_rooms().any(|r| r == room));
        if self.phase == Phase::Online && joined_here {
            effects.push(Effect::Ui(Action::LeaveRequested(room)));
            effects.extend(self.request(Purpose::Leave(room), |s| s.leave_room(room)));
        } else if let Some(user) = self.username().map(str::to_owned) {
            effects.push(Effect::Ui(Action::MemberLeft {
                room,
                user,
                time_ms: now,
            }));
        }
        effects
    }

    /// Asks the server for the full room list.
    pub fn refresh_rooms(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Online {
            return Vec::new();
        }
        self.request(Purpose::RoomList, ClientSession::require_room_list)
    }

    /// A heartbeat line when one is due at `now`.
    pub fn poll_heartbeat(&mut self, now: u64) -> Vec<Effect> {
        match (self.phase, self.session.as_mut()) {
            (Phase::Online, Some(session)) => session
                .poll_heartbeat(now)
                .map(Effect::Send)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// When the next heartbeat is due (epoch ms), while online.
    pub fn next_heartbeat_at(&self) -> Option<u64> {
        match self.phase {
            Phase::Online => self.session.as_ref()?.next_heartbeat_at(),
            _ => None,
        }
    }

    /// Messages not yet confirmed by the server (queued, in flight or failed).
    #[cfg(test)]
    pub fn unconfirmed_messages(&self) -> usize {
        self.outbox.len()
    }

    /// Sends every queued message for `room`, if it is joined on this connection.
    fn flush_room(&mut self, room: RoomId) -> Vec<Effect> {
        let joined_here = self.phase == Phase::Online
            && self
                .session
                .as_ref()
                .is_some_and(|s| s.joined_rooms().any(|r| r == room));
        if !joined_here {
            return Vec::new();
        }
        let queued: Vec<(u64, String)> = self
            .outbox
            .iter()
            .filter(|m| m.room == room && m.state == OutboxState::Queued)
            .map(|m| (m.local_id, m.text.clone()))
            .collect();
        queued
            .into_iter()
            .flat_map(|(local_id, text)| self.send_message(local_id, room, &text))
            .collect()
    }

    fn send_message(&mut self, local_id: u64, room: RoomId, text: &str) -> Vec<Effect> {
        let Some(session) = self.session.as_mut() else {
            return Vec::new();
        };
        match session.send_text(room, text) {
            Ok(Outgoing { id, line }) => {
                self.requests.insert(id, Purpose::Message(local_id));
                if let Some(m) = self.outbox.iter_mut().find(|m| m.local_id == local_id) {
                    m.state = OutboxState::InFlight(id);
                }
                vec![Effect::Send(line)]
            }
            Err(e) => vec![Effect::Log(format!("message not sent: {e}"))],
        }
    }

    /// Marks every unsent message for `room` failed with `why`.
    fn fail_room(&mut self, room: RoomId, why: &str) -> Vec<Effect> {
        self.outbox
            .iter_mut()
            .filter(|m| m.room == room && m.state != OutboxState::Failed)
            .map(|m| {
                m.state = OutboxState::Failed;
                delivery(m.local_id, Delivery::Failed(why.to_owned()), None)
            })
            .collect()
    }

    /// Sends a request built by `build` and remembers what it was for.
    fn request(
        &mut self,
        purpose: Purpose,
        build: impl FnOnce(
            &mut ClientSession,
        ) -> Result<Outgoing, miricat_shared::session::SessionError>,
    ) -> Vec<Effect> {
        let Some(session) = self.session.as_mut() else {
            return Vec::new();
        };
        match build(session) {
            Ok(Outgoing { id, line }) => {
                self.requests.insert(id, purpose);
                vec![Effect::Send(line)]
            }
            Err(e) => vec![Effect::Log(format!("request not sent: {e}"))],
        }
    }

    /// A failure that retrying cannot fix (wrong password, refused handshake, or
    /// the first connection failing): back to the sign-in form.
    fn stop(&mut self, why: String) -> Vec<Effect> {
        self.stopped = true;
        self.phase = Phase::Idle;
        self.session = None;
        if let Some(creds) = self.credentials.as_mut() {
            creds.password.clear();
        }
        vec![Effect::Close, Effect::Ui(Action::Stopped(why))]
    }
}

fn delivery(local_id: u64, delivery: Delivery, time_ms: Option<u64>) -> Effect {
    Effect::Ui(Action::OwnMessageDelivery {
        local_id,
        delivery,
        time_ms,
    })
}

mod admin;
mod downloads;
mod images;
mod inbound;

#[cfg(test)]
mod tests;
