//! The chat client's logic without any I/O: sign-in (offering MCP 2.1 and falling
//! back to 2.0, `version`), reconnection, rejoining rooms, the outbox of messages
//! written while offline (`outbox`), requests that come to nothing: refused, past
//! their deadline or cut off by a close (`failed`), root's administration requests
//! (`admin`), images (`images`), a room's past messages from servers with `history/1`
//! (`history`), and turning MCP events into UI [`Action`]s
//! (`inbound`).
//!
//! Like the `shared` session it wraps, it is sans-IO: the connection service
//! (`services::connection`) feeds it socket events, user commands and the time, and
//! carries out the [`Effect`]s it returns (open a socket, send a line, arm a timer,
//! dispatch an action). That keeps every rule here testable natively against an
//! in-memory server.
//!
//! # Call order
//! 1. [`ChatClient::sign_in`] with the protocol version to offer first: returns
//!    [`Effect::Open`]; open a WebSocket.
//! 2. When it opens, [`ChatClient::on_open`] with a fresh key pair; feed each text
//!    frame to [`ChatClient::on_line`].
//! 3. When it closes, [`ChatClient::on_close`]; it may return
//!    [`Effect::ReconnectIn`]: when that timer fires (or the tab becomes visible or
//!    the browser comes online) call [`ChatClient::reconnect_now`].
//! 4. Once online, call [`ChatClient::poll_heartbeat`] at
//!    [`ChatClient::next_heartbeat_at`].
//! 5. After every step, call [`ChatClient::poll_timeouts`] at
//!    [`ChatClient::next_timeout_at`] (which is "at once" right after a request was
//!    sent: that starts its deadline).

use std::collections::{BTreeSet, HashMap, VecDeque};

use downloads::Download;
pub use downloads::DownloadAsk;
use images::Upload;
pub use images::{ImageBytes, is_web_image_url, upload_size_refusal, web_image_host};
use outbox::OutboxMessage;

use miricat_shared::session::{
    ClientSession, Event, Outgoing, ProtocolVersion, RequestId, SessionError,
};
use miricat_shared::{KeyPair, RoomId};

use self::admin::AdminRequest;
use crate::backoff::Backoff;
use crate::failures::explain_close;
use crate::state::{Action, Delivery, Phase};

/// How long a request may go unanswered, unless the page says otherwise: long
/// enough for a loaded server, short enough that nothing looks stuck.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 15_000;

/// What the caller must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a WebSocket to the bridge (closing any other first).
    Open,
    /// Send this line as one text frame.
    Send(String),
    /// Close the WebSocket. A reconnect follows only if an
    /// [`Effect::ReconnectIn`] comes after it.
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
    /// This bridge's server signed us in with this protocol version: remember it for
    /// the bridge's address, and offer it first next time.
    ProtocolWorked(ProtocolVersion),
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
    /// `Message.RequireHistory` of `room`: `page` of its history (`history/1`).
    History {
        room: RoomId,
        page: history::Page,
    },
    /// `File.RequestImageDownload` of image `id`, this tab's download number
    /// `attempt` (replies to an abandoned attempt are told apart by it).
    Download {
        id: String,
        attempt: u64,
    },
}

/// The client. One per tab.
#[derive(Debug, Default)]
pub struct ChatClient {
    credentials: Option<Credentials>,
    phase: Phase,
    session: Option<ClientSession>,
    backoff: Backoff,
    /// Which protocol version to offer, and whether the other one was tried yet in
    /// this connection attempt.
    protocol: version::Offer,
    /// `None`: [`DEFAULT_REQUEST_TIMEOUT_MS`].
    request_timeout_ms: Option<u64>,
    /// Rooms the user wants to be in: rejoined after every reconnect.
    wanted_rooms: BTreeSet<RoomId>,
    outbox: Vec<OutboxMessage>,
    /// What each request on this connection was for. Requests that timed out stay
    /// (until the connection closes), so a late reply still finds its purpose.
    requests: HashMap<RequestId, Purpose>,
    /// The last request sent, while nothing at all has arrived from the server
    /// since: if the connection closes now, this is what it closed on.
    last_unanswered: Option<RequestId>,
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
    /// What is known of each room's history on the server (`history/1`).
    histories: history::Histories,
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

    /// Sets how long any request (the handshake and sign-in included) may go
    /// unanswered before it is marked failed. Tests shorten it.
    pub fn set_request_timeout_ms(&mut self, timeout_ms: u64) {
        self.request_timeout_ms = Some(timeout_ms);
    }

    fn request_timeout_ms(&self) -> u64 {
        self.request_timeout_ms
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS)
    }

    /// Starts signing in: a new socket, handshake (offering `protocol` first, the
    /// version that worked with this bridge last time), then Login or Register.
    ///
    /// Signing in as someone else drops the previous user's rooms and outbox.
    pub fn sign_in(&mut self, credentials: Credentials, protocol: ProtocolVersion) -> Vec<Effect> {
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
        // Message IDs are the server's: another bridge's server numbers its own.
        self.histories.clear();
        let username = credentials.username.clone();
        self.credentials = Some(credentials);
        self.protocol = version::Offer::new(protocol);
        self.stopped = false;
        self.backoff.reset();
        let mut effects = vec![Effect::Ui(Action::SignInStarted { username })];
        effects.extend(self.open());
        effects
    }

    fn open(&mut self) -> Vec<Effect> {
        self.session = None;
        self.requests.clear();
        self.last_unanswered = None;
        self.socket_opened = false;
        self.phase = Phase::Connecting;
        vec![
            Effect::Ui(Action::Phase(Phase::Connecting, None)),
            Effect::Open,
        ]
    }

    /// The socket opened: start the handshake with `keypair` (fresh per connection).
    pub fn on_open(&mut self, keypair: KeyPair) -> Vec<Effect> {
        let mut session = ClientSession::new(self.protocol.current(), keypair);
        session.set_request_timeout(Some(self.request_timeout_ms()));
        // Servers that do not know extensions ignore the offer.
        session.offer_extensions(history::offered_extensions());
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
        // The server is reading and answering: a close from now on is not about
        // the request sent last.
        self.last_unanswered = None;
        match session.handle_line(line, now) {
            None => Vec::new(),
            Some(Event::Secured) => self.secured(),
            Some(Event::HandshakeRejected(failure)) => self.handshake_rejected(&failure),
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

    /// The socket closed with `code` and `reason`, at `now`. `jitter` is a random
    /// number in `[0, 1)` that spreads reconnects out.
    pub fn on_close(&mut self, code: u16, reason: &str, now: u64, jitter: f64) -> Vec<Effect> {
        let was = self.phase;
        let explanation = explain_close(code, reason, self.socket_opened);
        let mut effects = self.settle_interrupted(code, reason, &explanation, now);
        self.session = None;
        effects.extend(self.images_on_close());
        if self.stopped || self.credentials.is_none() || was == Phase::Idle {
            self.phase = Phase::Idle;
            return effects;
        }
        effects.extend(self.connection_lost(explanation, jitter));
        effects
    }

    /// The connection is unusable for `why`: back to the sign-in form when this tab
    /// never signed in (the user may try another bridge), else offline with a
    /// reconnect scheduled.
    fn connection_lost(&mut self, why: String, jitter: f64) -> Vec<Effect> {
        if !self.signed_in_once {
            return self.stop(why);
        }
        self.session = None;
        let delay = self.backoff.next_delay_ms(jitter);
        self.phase = Phase::Offline;
        let seconds = delay.div_ceil(1000);
        vec![
            Effect::Ui(Action::Phase(
                Phase::Offline,
                Some(format!("{why} Reconnecting in {seconds} s…")),
            )),
            Effect::ReconnectIn(delay),
        ]
    }

    /// Try again now (the backoff timer fired, the tab became visible, or the browser
    /// came back online). Does nothing unless waiting to reconnect.
    pub fn reconnect_now(&mut self) -> Vec<Effect> {
        if self.phase == Phase::Offline && self.credentials.is_some() && !self.stopped {
            self.protocol.new_attempt();
            self.open()
        } else {
            Vec::new()
        }
    }

    /// Signs out: forgets the password, the outbox and the rooms.
    pub fn sign_out(&mut self) -> Vec<Effect> {
        *self = Self {
            next_local_id: self.next_local_id,
            request_timeout_ms: self.request_timeout_ms,
            ..Self::default()
        };
        vec![Effect::Close, Effect::Ui(Action::SignedOut)]
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
        if self.phase == Phase::Online && self.joined_here(room) {
            effects.push(Effect::Ui(Action::LeaveRequested(room)));
            effects.extend(self.request(Purpose::Leave(room), |s| s.leave_room(room)));
        } else {
            effects.extend(self.left(room, now));
        }
        effects
    }

    /// We are out of `room`.
    fn left(&self, room: RoomId, now: u64) -> Option<Effect> {
        let user = self.username()?.to_owned();
        Some(Effect::Ui(Action::MemberLeft {
            room,
            user,
            time_ms: now,
        }))
    }

    /// Whether this connection is in `room`, as the server confirmed.
    fn joined_here(&self, room: RoomId) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.joined_rooms().any(|r| r == room))
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

    /// Sends a request built by `build` and remembers what it was for.
    fn request(
        &mut self,
        purpose: Purpose,
        build: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Vec<Effect> {
        match self.send_request(purpose, build) {
            Ok((_, line)) => vec![Effect::Send(line)],
            Err(log) => vec![log],
        }
    }

    /// [`ChatClient::request`], also giving the request's ID; the error is a line
    /// for the console (there is no connection, or it is not secured yet).
    fn send_request(
        &mut self,
        purpose: Purpose,
        build: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Result<(RequestId, String), Effect> {
        let Some(session) = self.session.as_mut() else {
            return Err(Effect::Log("request not sent: not connected".to_owned()));
        };
        match build(session) {
            Ok(Outgoing { id, line }) => {
                self.requests.insert(id, purpose);
                self.last_unanswered = Some(id);
                Ok((id, line))
            }
            Err(e) => Err(Effect::Log(format!("request not sent: {e}"))),
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
mod failed;
mod failure;
mod history;
mod images;
mod inbound;
mod outbox;
mod restore;
mod version;

#[cfg(test)]
mod tests;
