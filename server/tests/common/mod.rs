//! Test helpers: a server on 127.0.0.1:0 with a temporary database, and a real TCP
//! client driven by `miricat_shared::session::ClientSession`.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use miricat_server::{Config, RunningServer};
use miricat_shared::session::{
    ClientSession, Event, Outgoing, ProtocolVersion, RequestId, SessionError,
};
use miricat_shared::{Body, KeyPair, LineCipher, Packet, PacketId, PacketKind, PublicKey};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The root password every test server gets.
pub const ROOT_PASSWORD: &str = "root-secret";
/// How long any single expected event may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// A running server and its data directory.
pub struct TestServer {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
        let dir = tempfile::tempdir().unwrap();
        let server = RunningServer::start(config_in(&dir, tweak)).await.unwrap();
        Self { server, dir }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Stops the server and starts a new one on the same data.
    pub async fn restart_with(self, tweak: impl FnOnce(&mut Config)) -> Self {
        let Self { server, dir } = self;
        server.stop().await.unwrap();
        let server = RunningServer::start(config_in(&dir, tweak)).await.unwrap();
        Self { server, dir }
    }

    pub async fn client(&self) -> Client {
        Client::connect(self.addr()).await
    }

    pub async fn root(&self) -> Client {
        let mut c = self.client().await;
        c.login_ok("root", ROOT_PASSWORD).await;
        c
    }

    /// A client registered (and signed in) as `name`.
    pub async fn user(&self, name: &str) -> Client {
        self.user_from(name, IpAddr::from([127, 0, 0, 1])).await
    }

    /// A client registered (and signed in) as `name`, connecting from `local`
    /// (127.0.0.2 and up for attackers).
    pub async fn user_from(&self, name: &str, local: IpAddr) -> Client {
        let mut c = Client::connect_from(self.addr(), local).await;
        let out = c.session.register(name, "pw").unwrap();
        c.send(&out).await;
        match c.next_event().await {
            Event::Accepted { .. } => c,
            other => panic!("register {name}: {other:?}"),
        }
    }
}

pub fn config_in(dir: &tempfile::TempDir, tweak: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::for_tests(dir.path().join("miricat.db"), ROOT_PASSWORD);
    tweak(&mut config);
    config
}

/// A connected client.
pub struct Client {
    pub session: ClientSession,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    /// Events read while waiting for something else.
    backlog: VecDeque<Event>,
    now: u64,
    keypair: KeyPair,
    /// This connection's line cipher, for hand-made packets.
    pub cipher: Option<LineCipher>,
}

impl Client {
    /// Connects without a handshake.
    pub async fn raw(addr: SocketAddr) -> Self {
        Self::raw_from(addr, IpAddr::from([127, 0, 0, 1])).await
    }

    /// Connects from `local` (another loopback address, for an attacker) without a
    /// handshake.
    pub async fn raw_from(addr: SocketAddr, local: IpAddr) -> Self {
        Self::from_stream(connect_from(addr, local).await)
    }

    /// Connects from `local` and completes the handshake.
    pub async fn connect_from(addr: SocketAddr, local: IpAddr) -> Self {
        let c = Self::raw_from(addr, local).await;
        c.handshake().await
    }

    /// Wraps a connected stream (nothing sent yet).
    pub fn from_stream(stream: TcpStream) -> Self {
        let (r, w) = stream.into_split();
        let keypair = KeyPair::generate().unwrap();
        Self {
            session: ClientSession::new(ProtocolVersion::V2_1, keypair.clone()),
            reader: BufReader::new(r),
            writer: w,
            backlog: VecDeque::new(),
            now: 0,
            keypair,
            cipher: None,
        }
    }

    /// Connects and completes the handshake.
    pub async fn connect(addr: SocketAddr) -> Self {
        Self::raw(addr).await.handshake().await
    }

    /// Completes the handshake on a fresh connection.
    pub async fn handshake(self) -> Self {
        let mut c = self;
        let hs = c.session.handshake_line();
        c.send_raw(&hs).await;
        let reply = c.read_line().await.expect("no handshake reply");
        let packet = Packet::decode(&reply).unwrap();
        let Body::Handshake(h) = &packet.body else {
            panic!("handshake: {reply}")
        };
        let peer = PublicKey::from_hex(&h.public_key).unwrap();
        c.cipher = Some(LineCipher::new(&c.keypair.shared_secret(&peer).mcp_key()));
        match c.session.handle_line(&reply, 0) {
            Some(Event::Secured) => c,
            other => panic!("handshake: {other:?}"),
        }
    }

    pub async fn send_raw(&mut self, line: &str) {
        self.writer.write_all(line.as_bytes()).await.unwrap();
        self.writer.write_all(b"\n").await.unwrap();
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    pub async fn send(&mut self, out: &Outgoing) {
        self.send_raw(&out.line).await;
    }

    /// The next raw line, `None` at EOF.
    pub async fn read_line(&mut self) -> Option<String> {
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
                .await
                .expect("timed out waiting for a line")
                .ok()?;
            if n == 0 {
                return None;
            }
            if !line.trim().is_empty() {
                return Some(line.trim_end().to_owned());
            }
        }
    }

    /// Waits for the server to close the connection, returning the lines before it.
    pub async fn read_until_closed(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(line) = self.read_line().await {
            lines.push(line);
        }
        lines
    }

    /// The next event from the server.
    pub async fn next_event(&mut self) -> Event {
        if let Some(e) = self.backlog.pop_front() {
            return e;
        }
        self.next_event_fresh().await
    }

    /// Signs in and expects success.
    pub async fn login_ok(&mut self, user: &str, password: &str) {
        let out = self.session.login(user, password).unwrap();
        self.send(&out).await;
        match self.reply(out.id).await {
            Event::Accepted { .. } => {}
            other => panic!("login {user}: {other:?}"),
        }
    }

    /// Sends a request and returns the final reply's event.
    pub async fn call(&mut self, out: Outgoing) -> Event {
        self.send(&out).await;
        self.reply(out.id).await
    }

    /// Sends a request and returns the reply packet (panics on Accepted).
    pub async fn call_packet(&mut self, out: Outgoing) -> Packet {
        match self.call(out).await {
            Event::Reply { packet, .. } => packet,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    /// Waits for the reply to `id`, keeping other events in the backlog.
    pub async fn reply(&mut self, id: RequestId) -> Event {
        let mut skipped = Vec::new();
        let found = loop {
            let e = self.next_event_fresh().await;
            match &e {
                Event::Accepted { request, .. } if *request == id => break e,
                Event::Reply {
                    request,
                    last: true,
                    ..
                } if *request == id => break e,
                _ => skipped.push(e),
            }
        };
        self.backlog.extend(skipped);
        found
    }

    /// Every reply to `id` up to the last (image downloads have several).
    pub async fn replies(&mut self, id: RequestId) -> Vec<Packet> {
        let mut out = Vec::new();
        loop {
            match self.next_event_fresh().await {
                Event::Reply {
                    request,
                    packet,
                    last,
                    ..
                } if request == id => {
                    out.push(packet);
                    if last {
                        return out;
                    }
                }
                other => self.backlog.push_back(other),
            }
        }
    }

    async fn next_event_fresh(&mut self) -> Event {
        loop {
            let line = self
                .read_line()
                .await
                .expect("server closed the connection");
            self.now += 1;
            if let Some(event) = self.session.handle_line(&line, self.now) {
                return event;
            }
        }
    }

    /// The next push (skipping nothing else: any other event is a failure).
    pub async fn push(&mut self) -> Packet {
        match self.next_event().await {
            Event::Push(p) => p,
            other => panic!("expected a push, got {other:?}"),
        }
    }

    /// Takes the events read so far while waiting for replies (pushes, mostly).
    pub fn take_backlog(&mut self) -> Vec<Event> {
        self.backlog.drain(..).collect()
    }

    /// Forgets every push received so far (a round trip, then the backlog is dropped).
    pub async fn drain_pushes(&mut self) {
        let out = self.session.require_room_list().unwrap();
        self.call(out).await;
        self.backlog.clear();
    }

    /// Proves nothing was pushed so far: a round trip, then no push may have arrived
    /// before its reply (the server queues pushes in order).
    pub async fn assert_no_push(&mut self) {
        let out = self.session.require_room_list().unwrap();
        let reply = self.call(out).await;
        assert!(matches!(reply, Event::Reply { .. }));
        let pushes: Vec<_> = self.backlog.drain(..).collect();
        assert!(pushes.is_empty(), "unexpected events: {pushes:?}");
    }
}

impl Client {
    /// Builds a request with the session, sends it and returns the final reply.
    pub async fn ask(
        &mut self,
        f: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Packet {
        let out = f(&mut self.session).unwrap();
        self.call_packet(out).await
    }

    /// Like [`Client::ask`], returning the event (for Login/Register).
    pub async fn ask_event(
        &mut self,
        f: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Event {
        let out = f(&mut self.session).unwrap();
        self.call(out).await
    }

    /// Sends a request the session does not track (upload parts) and returns the
    /// next packet carrying its ID.
    pub async fn call_packet_any(&mut self, out: Outgoing) -> Packet {
        self.send(&out).await;
        self.packet_with_id(&PacketId::from(out.id)).await
    }

    /// Encrypts and sends hand-made packet JSON.
    pub async fn send_json(&mut self, json: &str) {
        let line = self.cipher.as_ref().unwrap().encrypt_line(json);
        self.send_raw(&line).await;
    }

    /// Waits for the next packet carrying `id` (reply or not), keeping others.
    pub async fn packet_with_id(&mut self, id: &PacketId) -> Packet {
        let mut skipped = Vec::new();
        let found = loop {
            let e = self.next_event_fresh().await;
            match e {
                Event::Push(p) if &p.id == id => break p,
                Event::Reply { packet, .. } if &packet.id == id => break packet,
                other => skipped.push(other),
            }
        };
        self.backlog.extend(skipped);
        found
    }

    /// The next line exactly as the server wrote it, decrypted when it is not
    /// plaintext: for checking wire shapes the typed packets would hide.
    pub async fn next_wire_json(&mut self) -> serde_json::Value {
        let line = self
            .read_line()
            .await
            .expect("server closed the connection");
        let json = if line.starts_with('{') {
            line
        } else {
            self.cipher.as_ref().unwrap().decrypt_line(&line).unwrap()
        };
        serde_json::from_str(&json).unwrap()
    }

    /// Sends hand-made JSON whose type carries ID `id` and returns the reply.
    pub async fn call_json(&mut self, id: &str, json: &str) -> Packet {
        self.send_json(json).await;
        self.packet_with_id(&PacketId::from(id)).await
    }
}

/// A TCP connection to `addr` from the loopback address `local` (tests send hostile
/// traffic from 127.0.0.2 and up while honest clients use 127.0.0.1).
pub async fn connect_from(addr: SocketAddr, local: IpAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(local, 0)).unwrap();
    tokio::time::timeout(WAIT, socket.connect(addr))
        .await
        .expect("connect timed out")
        .unwrap()
}

/// Uploads `bytes` as an image and returns its ID.
pub async fn upload(c: &mut Client, bytes: &[u8], mime: &str) -> String {
    use base64::Engine as _;
    let p = c
        .ask(|s| s.request_image_upload("cat.png", bytes.len() as u64, mime))
        .await;
    let Body::ImageUploadAccepted(meta) = p.body else {
        panic!("{p:?}")
    };
    assert_eq!(meta.size, bytes.len() as u64);
    for (i, chunk) in bytes.chunks(48 * 1024).enumerate() {
        let out = c
            .session
            .upload_image_part(
                &meta.id,
                i as u32 + 1,
                base64::engine::general_purpose::STANDARD.encode(chunk),
            )
            .unwrap();
        c.send(&out).await;
    }
    let p = c.ask(|s| s.complete_image_upload(&meta.id)).await;
    assert!(
        matches!(p.body, Body::ImageUploadCompleted(ref r) if r.id == meta.id),
        "{p:?}"
    );
    meta.id
}

/// `len` bytes of a repeating, not quite periodic pattern.
pub fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// The error kind of a reply, panicking if it is not an error.
pub fn error_kind(packet: &Packet) -> String {
    match &packet.body {
        Body::Error(e) => e.kind.as_str().to_owned(),
        other => panic!("expected an error, got {:?}", other.kind()),
    }
}

/// The reply's kind.
pub fn kind(packet: &Packet) -> PacketKind {
    packet.kind()
}
