//! The connection driver: runs the sans-IO [`ChatClient`] against a real WebSocket
//! and real timers, and forwards its UI actions to the state reducer.
//!
//! It owns the socket, the heartbeat, request-deadline, reconnect and connect timers,
//! and the listeners that reconnect at once when the tab becomes visible or the
//! browser comes back online. It remembers per bridge which MCP version worked. It
//! also times the handshake (key generation plus shared secret) for the
//! `data-handshake-ms` figure.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use miricat_shared::{KeyPair, RoomId};
use yew::Callback;

use super::clock::{jitter, now_ms, since_page_start_ms};
use super::persist::Persister;
use super::socket::{Socket, SocketEvent};
use super::{page, storage, store};
use crate::client::{
    ChatClient, Credentials, DEFAULT_REQUEST_TIMEOUT_MS, DownloadAsk, Effect, ImageBytes,
};
use crate::image_cache::{CachedImage, ImageCache};
use crate::state::{Action, ImageView, Phase, Restored};
use crate::stored::AccountKey;

/// How long reading this browser's stored copy may hold up a sign-in: past it the
/// sign-in goes ahead without it (and nothing is written over it).
const STORE_READ_LIMIT_MS: u32 = 3_000;

/// Upload parts are handed to the socket while less than this is queued in it.
const UPLOAD_BUFFER_BYTES: u32 = 512 * 1024;

/// How soon to look again when the socket's queue was full during an upload.
const UPLOAD_PUMP_MS: u32 = 15;

/// A cheap, clonable handle on the one connection of this tab.
#[derive(Clone)]
pub struct Connection {
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

struct Inner {
    client: ChatClient,
    dispatch: Callback<Action>,
    bridge_url: String,
    socket: Option<Socket>,
    /// Bumped for every socket: events from an older one are ignored.
    epoch: u64,
    reconnect_timer: Option<Timeout>,
    heartbeat_timer: Option<(u64, Timeout)>,
    /// Polls the client's request deadlines, at the time it asked for.
    deadline_timer: Option<(u64, Timeout)>,
    /// Gives up on a socket that does not open in time (the handshake and sign-in
    /// have their own deadlines in the client once it does).
    connect_timer: Option<Timeout>,
    /// How long a socket may take to open, and a request to be answered.
    request_timeout_ms: u64,
    /// Sends more upload parts once the socket has drained.
    upload_timer: Option<Timeout>,
    /// The images shown, as `blob:` URLs, bounded in count and bytes; all freed
    /// on sign-out.
    images: ImageCache,
    /// Page visibility and network listeners, removed with the connection.
    listeners: Vec<EventListener>,
    /// The key pair for the next socket, made ahead of time: the first one while
    /// the sign-in form is shown, later ones while the browser connects. Either way
    /// its cost stays off the handshake's critical path, and the first one also
    /// warms the engine's optimised code for the shared secret. Each is used once.
    next_keypair: Option<Result<KeyPair, String>>,
    /// Makes the first key pair once the page has rendered.
    warm_up_timer: Option<Timeout>,
    /// Key generation time of the current socket, until the handshake completes.
    keygen_ms: Option<f64>,
    /// When the user pressed sign in, until the first `Accepted`.
    sign_in_started: Option<f64>,
    /// Keeps this browser's copy of the signed-in account.
    persister: Persister,
    /// Bumped by every sign-in and sign-out: a stored copy read for an earlier one
    /// is not used.
    sign_in_epoch: u64,
    /// Proceeds with a sign-in whose stored copy is slow to read.
    store_read_timer: Option<Timeout>,
}

impl Connection {
    /// A connection that reports to `dispatch`. Nothing happens until
    /// [`Connection::sign_in`]. Requests wait [`DEFAULT_REQUEST_TIMEOUT_MS`] for an
    /// answer unless the page's `?request-timeout-ms=` says otherwise.
    pub fn new(dispatch: Callback<Action>) -> Self {
        let request_timeout_ms =
            page::request_timeout_query_parameter().unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS);
        let mut client = ChatClient::default();
        client.set_request_timeout_ms(request_timeout_ms);
        let connection = Self {
            inner: Rc::new(RefCell::new(Inner {
                client,
                dispatch,
                bridge_url: String::new(),
                socket: None,
                epoch: 0,
                reconnect_timer: None,
                heartbeat_timer: None,
                deadline_timer: None,
                connect_timer: None,
                request_timeout_ms,
                upload_timer: None,
                images: ImageCache::default(),
                listeners: Vec::new(),
                next_keypair: None,
                warm_up_timer: None,
                keygen_ms: None,
                sign_in_started: None,
                persister: Persister::default(),
                sign_in_epoch: 0,
                store_read_timer: None,
            })),
        };
        connection.listen_for_comebacks();
        let weak = connection.weak();
        let warm_up = Timeout::new(0, move || {
            if let Some(connection) = Self::from_weak(&weak) {
                connection.prepare_keypair();
            }
        });
        connection.inner.borrow_mut().warm_up_timer = Some(warm_up);
        connection
    }

    /// Signs in (or registers) through the bridge at `bridge_url`, offering first
    /// the MCP version that worked with it last time.
    ///
    /// What this browser stored of the account is read first (a few ms) and shown
    /// as the socket opens; then the stored copy is kept up to date.
    pub fn sign_in(&self, credentials: Credentials, bridge_url: String) {
        let protocol = storage::first_protocol_offer(&bridge_url, now_ms());
        let key = AccountKey {
            bridge_url: bridge_url.clone(),
            username: credentials.username.clone(),
        };
        let epoch = {
            let mut inner = self.inner.borrow_mut();
            inner.bridge_url = bridge_url;
            inner.sign_in_started = Some(since_page_start_ms());
            inner.sign_in_epoch += 1;
            inner.sign_in_epoch
        };
        // A fresh sign-in forgets the images shown so far (see ChatClient::sign_in).
        self.revoke_images();
        // Whichever comes first, the stored copy or the time limit, signs in.
        let proceed = Rc::new(RefCell::new(Some((credentials, protocol, key.clone()))));
        let weak = self.weak();
        let slow = Rc::clone(&proceed);
        let timer = Timeout::new(STORE_READ_LIMIT_MS, move || {
            if let (Some(connection), Some((credentials, protocol, _))) =
                (Self::from_weak(&weak), slow.borrow_mut().take())
            {
                web_sys::console::warn_1(
                    &"signing in without the stored copy: it was slow to read".into(),
                );
                connection.run(|client| client.sign_in(credentials, protocol));
            }
        });
        self.inner.borrow_mut().store_read_timer = Some(timer);
        let weak = self.weak();
        wasm_bindgen_futures::spawn_local(async move {
            let restored = match store::load(&key).await {
                Ok(restored) => Some(restored),
                Err(e) => {
                    web_sys::console::warn_1(&format!("nothing read back: {e}").into());
                    None
                }
            };
            let Some(connection) = Self::from_weak(&weak) else {
                return;
            };
            if connection.inner.borrow().sign_in_epoch != epoch {
                return;
            }
            let Some((credentials, protocol, key)) = proceed.borrow_mut().take() else {
                return;
            };
            connection.inner.borrow_mut().store_read_timer = None;
            connection.sign_in_with(credentials, protocol, key, restored);
        });
    }

    /// Signs in, showing `restored` at once; keeps the stored copy from then on
    /// unless it could not be read (it would be overwritten).
    fn sign_in_with(
        &self,
        credentials: Credentials,
        protocol: miricat_shared::session::ProtocolVersion,
        key: AccountKey,
        restored: Option<Restored>,
    ) {
        let persister = self.inner.borrow().persister.clone();
        if let Some(restored) = &restored
            && let Some(account) = &restored.account
        {
            persister.restore_drafts(&account.drafts);
        }
        let readable = restored.is_some();
        self.run(|client| {
            let mut effects = client.sign_in(credentials, protocol);
            effects.extend(client.restore(restored.unwrap_or_default()));
            effects
        });
        if readable {
            persister.start(key);
        }
    }

    /// The writer of this browser's stored copy (the provider feeds it the state).
    pub fn persister(&self) -> Persister {
        self.inner.borrow().persister.clone()
    }

    /// Sends (or queues) a message.
    pub fn send_text(&self, room: RoomId, text: &str) {
        self.run(|client| client.send_text(room, text, now_ms()));
    }

    /// Retries a failed message.
    pub fn retry(&self, local_id: u64) {
        self.run(|client| client.retry(local_id));
    }

    /// Asks for the page of `room`'s history before its oldest entry (`history/1`).
    pub fn load_older(&self, room: RoomId) {
        self.run(|client| client.load_older(room));
    }

    /// Joins a room.
    pub fn join(&self, room: RoomId) {
        self.run(|client| client.join(room));
    }

    /// Leaves a room.
    pub fn leave(&self, room: RoomId) {
        self.run(|client| client.leave(room, now_ms()));
    }

    /// Creates a room (root only).
    pub fn create_room(&self, name: &str) {
        self.run(|client| client.create_room(name));
    }

    /// Renames a room (root only).
    pub fn rename_room(&self, room: RoomId, name: &str) {
        self.run(|client| client.rename_room(room, name));
    }

    /// Deletes a room (root only).
    pub fn delete_room(&self, room: RoomId) {
        self.run(|client| client.delete_room(room));
    }

    /// Creates an account (root only).
    pub fn create_user(&self, username: &str, password: &str) {
        self.run(|client| client.create_user(username, password));
    }

    /// Deletes an account (root only).
    pub fn delete_user(&self, username: &str) {
        self.run(|client| client.delete_user(username));
    }

    /// Asks for the full room list.
    pub fn refresh_rooms(&self) {
        self.run(ChatClient::refresh_rooms);
    }

    /// Uploads an image and posts it to `room`.
    pub fn start_upload(&self, room: RoomId, name: &str, bytes: Vec<u8>) {
        self.run(|client| client.start_upload(room, name, bytes));
    }

    /// Cancels the upload.
    pub fn cancel_upload(&self) {
        self.run(ChatClient::cancel_upload);
    }

    /// Posts an image by URL.
    pub fn post_image_url(&self, room: RoomId, url: &str) {
        self.run(|client| client.post_image_url(room, url));
    }

    /// Shows an `mcp_image://` image: downloads it when `ask` allows and it is
    /// not in memory, or keeps it in memory longer when it is.
    pub fn load_image(&self, image_id: &str, ask: DownloadAsk) {
        self.inner.borrow_mut().images.touch(image_id);
        self.run(|client| client.load_image(image_id, ask));
    }

    /// Signs out and forgets the password; with `forget`, also this browser's
    /// stored copy of the account.
    pub fn sign_out(&self, forget: bool) {
        let key = {
            let mut inner = self.inner.borrow_mut();
            inner.sign_in_epoch += 1;
            inner.store_read_timer = None;
            inner.persister.stop()
        };
        if forget && let Some(key) = key {
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = store::forget(&key).await {
                    web_sys::console::warn_1(&format!("the stored copy stays: {e}").into());
                }
            });
        }
        self.run(ChatClient::sign_out);
        self.revoke_images();
    }

    /// Frees the `blob:` URLs of every image shown.
    fn revoke_images(&self) {
        let images = self.inner.borrow_mut().images.clear();
        for image in images {
            let _ = web_sys::Url::revoke_object_url(&image.url);
        }
    }

    fn weak(&self) -> Weak<RefCell<Inner>> {
        Rc::downgrade(&self.inner)
    }

    fn from_weak(weak: &Weak<RefCell<Inner>>) -> Option<Self> {
        weak.upgrade().map(|inner| Self { inner })
    }

    /// Runs one client step and carries out its effects.
    fn run(&self, step: impl FnOnce(&mut ChatClient) -> Vec<Effect>) {
        let effects = step(&mut self.inner.borrow_mut().client);
        self.apply(effects);
    }

    fn apply(&self, effects: Vec<Effect>) {
        let mut actions = Vec::new();
        for effect in effects {
            match effect {
                Effect::Open => self.open_socket(),
                Effect::Send(line) => {
                    let inner = self.inner.borrow();
                    if let Some(Err(e)) = inner.socket.as_ref().map(|s| s.send(&line)) {
                        web_sys::console::warn_1(&format!("line not sent: {e}").into());
                    }
                }
                Effect::Close => {
                    let mut inner = self.inner.borrow_mut();
                    inner.socket = None;
                    inner.connect_timer = None;
                    inner.reconnect_timer = None;
                }
                Effect::ReconnectIn(delay) => {
                    let weak = self.weak();
                    let timer = Timeout::new(delay, move || {
                        if let Some(connection) = Self::from_weak(&weak) {
                            connection.run(ChatClient::reconnect_now);
                        }
                    });
                    self.inner.borrow_mut().reconnect_timer = Some(timer);
                }
                Effect::Ui(action) => actions.push(action),
                Effect::Log(text) => web_sys::console::info_1(&text.into()),
                Effect::ProtocolWorked(version) => {
                    storage::remember_protocol(&self.inner.borrow().bridge_url, version, now_ms());
                }
                Effect::PumpUpload => self.schedule_upload_pump(0),
                Effect::ShowImage(image) => actions.extend(self.show_image(image)),
            }
        }
        self.after_step(&mut actions);
        let dispatch = self.inner.borrow().dispatch.clone();
        // Dispatch with no borrow held: a render may call back into the connection.
        for action in actions {
            dispatch.emit(action);
        }
    }

    /// Bookkeeping after every step: the heartbeat and deadline timers follow the
    /// client, and the first `Online` is timed.
    fn after_step(&self, actions: &mut Vec<Action>) {
        let mut inner = self.inner.borrow_mut();
        let phase = inner.client.phase();
        if phase == Phase::Online
            && let Some(started) = inner.sign_in_started.take()
        {
            let now = since_page_start_ms();
            actions.push(Action::SignInMeasured {
                sign_in_ms: now - started,
                page_ms: now,
            });
        }
        let heartbeat_at = inner.client.next_heartbeat_at();
        inner.heartbeat_timer = self.follow(inner.heartbeat_timer.take(), heartbeat_at, |client| {
            client.poll_heartbeat(now_ms())
        });
        let deadline_at = inner.client.next_timeout_at();
        inner.deadline_timer = self.follow(inner.deadline_timer.take(), deadline_at, |client| {
            client.poll_timeouts(now_ms(), jitter())
        });
    }

    /// A timer that runs `step` at `due` (epoch ms): `timer` if it is already set
    /// for that time, a new one otherwise, none when nothing is due.
    fn follow(
        &self,
        timer: Option<(u64, Timeout)>,
        due: Option<u64>,
        step: fn(&mut ChatClient) -> Vec<Effect>,
    ) -> Option<(u64, Timeout)> {
        let due = due?;
        if let Some(timer) = timer.filter(|(at, _)| *at == due) {
            return Some(timer);
        }
        let weak = self.weak();
        let delay = u32::try_from(due.saturating_sub(now_ms())).unwrap_or(u32::MAX);
        let timer = Timeout::new(delay, move || {
            if let Some(connection) = Self::from_weak(&weak) {
                connection.run(step);
            }
        });
        Some((due, timer))
    }

    fn schedule_upload_pump(&self, delay_ms: u32) {
        let weak = self.weak();
        let timer = Timeout::new(delay_ms, move || {
            if let Some(connection) = Self::from_weak(&weak) {
                connection.pump_upload();
            }
        });
        self.inner.borrow_mut().upload_timer = Some(timer);
    }

    /// Hands upload parts to the socket until its queue fills, then looks again
    /// shortly: the browser never holds more than about [`UPLOAD_BUFFER_BYTES`].
    fn pump_upload(&self) {
        loop {
            let room = {
                let inner = self.inner.borrow();
                inner
                    .socket
                    .as_ref()
                    .is_some_and(|s| s.buffered_amount() < UPLOAD_BUFFER_BYTES)
            };
            if !room || !self.inner.borrow().client.upload_has_parts() {
                break;
            }
            self.run(ChatClient::next_upload_part);
        }
        if self.inner.borrow().client.upload_has_parts() {
            self.schedule_upload_pump(UPLOAD_PUMP_MS);
        }
    }

    /// Puts verified image bytes behind a `blob:` URL for an `<img>`.
    ///
    /// Past the cache's bounds the least recently shown images are freed, and
    /// their messages say so (see [`ChatClient::forget_image`]).
    fn show_image(&self, image: ImageBytes) -> Vec<Action> {
        let url = match object_url(&image.bytes, &image.mime) {
            Ok(url) => url,
            Err(why) => {
                let view = ImageView::Failed(format!("The image could not be shown: {why}."));
                return vec![Action::Image { id: image.id, view }];
            }
        };
        let mut inner = self.inner.borrow_mut();
        let inserted = inner.images.insert(CachedImage {
            id: image.id.clone(),
            url: url.clone(),
            bytes: image.bytes.len() as u64,
        });
        let mut actions = vec![Action::Image {
            id: image.id,
            view: ImageView::Ready(url),
        }];
        if let Some(old) = inserted.replaced {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
        for freed in inserted.evicted {
            let _ = web_sys::Url::revoke_object_url(&freed.url);
            let view = inner.client.forget_image(&freed.id);
            actions.push(Action::Image { id: freed.id, view });
        }
        actions
    }

    fn open_socket(&self) {
        let weak = self.weak();
        let (epoch, url) = {
            let mut inner = self.inner.borrow_mut();
            inner.socket = None;
            inner.reconnect_timer = None;
            inner.epoch += 1;
            (inner.epoch, inner.bridge_url.clone())
        };
        let on_event = {
            let weak = weak.clone();
            move |event| {
                if let Some(connection) = Self::from_weak(&weak) {
                    connection.on_socket_event(epoch, event);
                }
            }
        };
        match Socket::open(&url, on_event) {
            Ok(socket) => {
                let limit =
                    u32::try_from(self.inner.borrow().request_timeout_ms).unwrap_or(u32::MAX);
                let connect_timer = Timeout::new(limit, move || {
                    if let Some(connection) = Self::from_weak(&weak) {
                        connection.not_opened(epoch);
                    }
                });
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.socket = Some(socket);
                    inner.connect_timer = Some(connect_timer);
                }
                // The socket connects in the background (another browser process):
                // make its key pair meanwhile, unless one is ready.
                self.prepare_keypair();
            }
            Err(e) => {
                // An address the browser refuses outright: nothing to retry.
                let why = format!("Cannot use the bridge address {url}: {e}");
                self.run(|client| {
                    let mut effects = client.on_close(1006, "", now_ms(), 0.0);
                    effects.push(Effect::Ui(Action::Error(why)));
                    effects
                });
            }
        }
    }

    /// Generates the next connection's key pair (and times it) unless one is ready.
    fn prepare_keypair(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.next_keypair.is_none() {
            let started = since_page_start_ms();
            let keypair = KeyPair::generate().map_err(|e| e.to_string());
            inner.keygen_ms = Some(since_page_start_ms() - started);
            inner.next_keypair = Some(keypair);
        }
    }

    /// The socket of `epoch` did not open in time: the bridge is unreachable.
    fn not_opened(&self, epoch: u64) {
        let current = {
            let mut inner = self.inner.borrow_mut();
            let current = inner.epoch == epoch && inner.client.phase() == Phase::Connecting;
            if current {
                inner.socket = None;
            }
            current
        };
        if current {
            self.run(|client| client.on_close(1006, "", now_ms(), jitter()));
        }
    }

    fn on_socket_event(&self, epoch: u64, event: SocketEvent) {
        if self.inner.borrow().epoch != epoch {
            return;
        }
        match event {
            SocketEvent::Open => {
                self.inner.borrow_mut().connect_timer = None;
                let keypair = self.inner.borrow_mut().next_keypair.take();
                let keypair =
                    keypair.unwrap_or_else(|| KeyPair::generate().map_err(|e| e.to_string()));
                match keypair {
                    Ok(keypair) => self.run(|client| client.on_open(keypair)),
                    Err(e) => self.apply(vec![
                        Effect::Close,
                        Effect::Ui(Action::Stopped(format!(
                            "This browser cannot make secure keys: {e}"
                        ))),
                    ]),
                }
            }
            SocketEvent::Line(line) => {
                let securing = self.inner.borrow().client.phase() == Phase::Securing;
                let started = since_page_start_ms();
                let mut effects = self.inner.borrow_mut().client.on_line(&line, now_ms());
                let elapsed = since_page_start_ms() - started;
                // The reply that secured the session computed the shared secret.
                let secured_now =
                    securing && self.inner.borrow().client.phase() == Phase::SigningIn;
                let keygen = self.inner.borrow_mut().keygen_ms.take_if(|_| secured_now);
                if let Some(keygen) = keygen {
                    effects.push(Effect::Ui(Action::HandshakeMeasured(keygen + elapsed)));
                }
                self.apply(effects);
            }
            SocketEvent::Closed { code, reason } => {
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.socket = None;
                    inner.connect_timer = None;
                }
                self.run(|client| client.on_close(code, &reason, now_ms(), jitter()));
            }
        }
    }

    /// Reconnects at once (skipping the backoff) when the tab is shown again or the
    /// network returns: that is when the user is looking.
    fn listen_for_comebacks(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = self.weak();
        let online = EventListener::new(&window, "online", move |_| {
            if let Some(connection) = Self::from_weak(&weak) {
                connection.run(ChatClient::reconnect_now);
            }
        });
        let mut listeners = vec![online];
        if let Some(document) = window.document() {
            let weak = self.weak();
            listeners.push(EventListener::new(
                &document,
                "visibilitychange",
                move |_| {
                    if page::is_visible()
                        && let Some(connection) = Self::from_weak(&weak)
                    {
                        connection.run(ChatClient::reconnect_now);
                    }
                },
            ));
        }
        self.inner.borrow_mut().listeners = listeners;
    }
}

/// A `blob:` URL holding `bytes` as `mime`.
fn object_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
        .map_err(|_| "the browser refused to hold it".to_owned())
}
