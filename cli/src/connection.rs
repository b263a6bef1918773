//! A signed-in MCP connection driven by [`ClientSession`]: handshake (with the MCP
//! 2.0 fallback of `WIRE.md` section 10), login or register, request/reply, pushes
//! and heartbeats. One task owns it; every wait also sends heartbeats when due.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::{Duration, Instant};

use miricat_shared::KeyPair;
use miricat_shared::packet::auth::Accepted;
use miricat_shared::packet::extension::ExtensionSet;
use miricat_shared::packet::{Body, ErrorKind, Packet, PacketKind};
use miricat_shared::session::{
    ClientSession, Event, Outgoing, ProtocolVersion, RequestId, SessionError, TimedOut,
};

use crate::CliError;
use crate::args::Protocol;
use crate::transport::{ServerAddr, Transport};

/// How to reach the server and sign in.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Where.
    pub server: ServerAddr,
    /// As whom.
    pub username: String,
    /// The password (never printed).
    pub password: String,
    /// Register instead of Login.
    pub register: bool,
    /// Which version(s) to offer.
    pub protocol: Protocol,
    /// How long each step may take: connecting, the handshake, signing in, and
    /// every later reply. A server silent for that long failed to answer.
    pub timeout: Duration,
    /// Extensions to offer at sign-in (`docs/extensions.md`); none for the plain
    /// protocol.
    pub extensions: ExtensionSet,
}

/// An open, signed-in connection.
#[derive(Debug)]
pub struct Connection {
    transport: Transport,
    session: ClientSession,
    started: Instant,
    timeout: Duration,
    accepted: Accepted,
    username: String,
    /// Pushes that arrived while waiting for a reply.
    pushes: VecDeque<Packet>,
    /// Fires when the next heartbeat or request deadline is due; re-armed only when
    /// that time changes, not for every line read.
    wake_timer: Pin<Box<tokio::time::Sleep>>,
    /// Whether pushes that arrive while waiting for a reply are kept for
    /// [`Connection::next_push`] (the default) or dropped.
    keep_pushes: bool,
}

impl Connection {
    /// Connects, completes the handshake and signs in.
    pub async fn open(options: &ConnectOptions) -> Result<Self, CliError> {
        let first = match options.protocol {
            Protocol::V2_0 => ProtocolVersion::V2_0,
            Protocol::Auto | Protocol::V2_1 => ProtocolVersion::V2_1,
        };
        match Self::open_with(options, first).await {
            Err(e) if options.protocol == Protocol::Auto && e.is_unsupported_version() => {
                Self::open_with(options, ProtocolVersion::V2_0).await
            }
            other => other,
        }
    }

    async fn open_with(
        options: &ConnectOptions,
        version: ProtocolVersion,
    ) -> Result<Self, CliError> {
        let transport = Transport::connect(&options.server, options.timeout).await?;
        let keys = KeyPair::generate().map_err(|e| CliError::Connection(e.to_string()))?;
        let mut session = ClientSession::new(version, keys);
        let timeout_ms = u64::try_from(options.timeout.as_millis()).unwrap_or(u64::MAX);
        session.set_request_timeout(Some(timeout_ms));
        session.offer_extensions(options.extensions);
        let mut connection = Self {
            transport,
            session,
            started: Instant::now(),
            timeout: options.timeout,
            accepted: Accepted {
                rooms: Vec::new(),
                heartbeat_rate: 0,
                extensions: None,
            },
            username: options.username.clone(),
            pushes: VecDeque::new(),
            wake_timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            keep_pushes: true,
        };
        let hello = connection.session.handshake_line();
        connection.transport.send(&hello).await?;
        loop {
            match connection.next_event().await? {
                Event::Secured => break,
                Event::HandshakeRejected(failure) => return Err(failure.into()),
                _ => {}
            }
        }
        let request = if options.register {
            connection
                .session
                .register(&options.username, &options.password)?
        } else {
            connection
                .session
                .login(&options.username, &options.password)?
        };
        let request_id = request.id;
        connection.transport.send(&request.line).await?;
        loop {
            match connection.next_event().await? {
                Event::Accepted { accepted, .. } => {
                    connection.accepted = accepted;
                    return Ok(connection);
                }
                Event::Reply {
                    request, packet, ..
                } if request == request_id => {
                    return Err(match packet.body {
                        Body::Error(e) => CliError::Auth(e),
                        other => CliError::Unexpected(format!("{} to a sign-in", other.kind())),
                    });
                }
                Event::Push(packet) => connection.pushes.push_back(packet),
                _ => {}
            }
        }
    }

    /// What the server said on sign-in: the rooms and the heartbeat rate.
    pub fn accepted(&self) -> &Accepted {
        &self.accepted
    }

    /// The extensions the server agreed to at sign-in.
    pub fn agreed_extensions(&self) -> ExtensionSet {
        self.session.agreed_extensions()
    }

    /// Our username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Drop (instead of keeping) pushes that arrive while waiting for replies. The
    /// load generator sets this while its clients join one room: every join pushes
    /// `Room.Joined` with the growing member list to every member, N²/2 packets that
    /// would otherwise pile up in memory.
    pub fn set_keep_pushes(&mut self, keep: bool) {
        self.keep_pushes = keep;
        if !keep {
            self.pushes.clear();
        }
    }

    /// The protocol version in use.
    pub fn version(&self) -> ProtocolVersion {
        self.session.version()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Reads until the session yields an event, sending heartbeats when due. A
    /// request the server leaves unanswered past its deadline ends the wait with
    /// [`CliError::NoAnswer`].
    async fn next_event(&mut self) -> Result<Event, CliError> {
        loop {
            let now = self.now_ms();
            if let Some(ping) = self.session.poll_heartbeat(now) {
                self.transport.send(&ping).await?;
            }
            // Also starts the clock of requests sent since the last pass.
            if let Some(timed_out) = self.session.poll_timeouts(now).first() {
                return Err(self.no_answer(timed_out));
            }
            let wake = [
                self.session.next_heartbeat_at(),
                self.session.next_timeout_at(),
            ]
            .into_iter()
            .flatten()
            .min()
            .map(|at| tokio::time::Instant::from_std(self.started + Duration::from_millis(at)));
            let line = match wake {
                Some(at) => {
                    if self.wake_timer.deadline() != at {
                        self.wake_timer.as_mut().reset(at);
                    }
                    tokio::select! {
                        line = self.transport.recv() => line?,
                        () = self.wake_timer.as_mut() => continue,
                    }
                }
                None => self.transport.recv().await?,
            };
            let Some(line) = line else {
                return Err(CliError::Connection(
                    "the server closed the connection".into(),
                ));
            };
            match self.session.handle_line(&line, self.now_ms()) {
                None => continue,
                Some(Event::Push(packet)) if is_heartbeat_timeout(&packet) => {
                    return Err(CliError::Connection(
                        "the server timed the connection out".into(),
                    ));
                }
                Some(Event::ProtocolError(e)) => {
                    eprintln!(
                        "miricat: ignoring a bad line from the server: {}",
                        crate::escape::escape_inline(&e.to_string())
                    );
                    continue;
                }
                Some(event) => return Ok(event),
            }
        }
    }

    fn no_answer(&self, timed_out: &TimedOut) -> CliError {
        let what = match timed_out.request_kind {
            PacketKind::Handshake => "the handshake".to_owned(),
            PacketKind::Login | PacketKind::Register => "the sign-in".to_owned(),
            kind => kind.to_string(),
        };
        CliError::NoAnswer(format!(
            "the server did not answer {what} within {:?}",
            self.timeout
        ))
    }

    /// Sends a request built by `build` and does not wait (image parts, pings).
    pub async fn send(
        &mut self,
        build: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Result<RequestId, CliError> {
        let outgoing = build(&mut self.session)?;
        self.transport.send(&outgoing.line).await?;
        Ok(outgoing.id)
    }

    /// Sends a request and returns its final reply; an `Error` reply becomes
    /// [`CliError::Server`]. Replies before the final one are passed to `on_partial`.
    pub async fn call_with(
        &mut self,
        build: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
        mut on_partial: impl FnMut(Packet) -> Result<(), CliError>,
    ) -> Result<Packet, CliError> {
        let id = self.send(build).await?;
        loop {
            // The session's deadline bounds the wait (see `next_event`).
            match self.next_event().await? {
                Event::Reply {
                    request,
                    packet,
                    last,
                    ..
                } if request == id => {
                    if let Body::Error(e) = packet.body {
                        return Err(CliError::Server(e));
                    }
                    if last {
                        return Ok(packet);
                    }
                    on_partial(packet)?;
                }
                Event::Push(packet) | Event::Reply { packet, .. } if self.keep_pushes => {
                    self.pushes.push_back(packet);
                }
                _ => {}
            }
        }
    }

    /// Sends a request and returns its one reply.
    pub async fn call(
        &mut self,
        build: impl FnOnce(&mut ClientSession) -> Result<Outgoing, SessionError>,
    ) -> Result<Packet, CliError> {
        self.call_with(build, |packet| {
            Err(CliError::Unexpected(format!(
                "extra reply {}",
                packet.type_string()
            )))
        })
        .await
    }

    /// The next packet that is not a reply to us (messages, room changes), waiting
    /// until `deadline` at the latest (`Ok(None)` then; never without a deadline).
    ///
    /// Cancel-safe except while a due heartbeat is being written, which only blocks
    /// when the socket's send buffer is full.
    pub async fn next_push(
        &mut self,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Option<Packet>, CliError> {
        if let Some(packet) = self.pushes.pop_front() {
            return Ok(Some(packet));
        }
        loop {
            let event = match deadline {
                Some(deadline) => {
                    match tokio::time::timeout_at(deadline, self.next_event()).await {
                        Ok(event) => event?,
                        Err(_) => return Ok(None),
                    }
                }
                None => self.next_event().await?,
            };
            match event {
                Event::Push(packet) | Event::Reply { packet, .. } => return Ok(Some(packet)),
                _ => {}
            }
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        self.transport.close().await;
    }
}

fn is_heartbeat_timeout(packet: &Packet) -> bool {
    matches!(&packet.body, Body::Error(e) if e.kind == ErrorKind::HeartbeatTimeout)
}
