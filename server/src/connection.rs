//! One client connection, from the first byte to the close.
//!
//! 1. The prelude: an optional PROXY v2 header (trusted bridges only, see [`proxy`]).
//! 2. The plaintext handshake ([`accept_handshake`]), answered directly.
//! 3. Encrypted requests, read line by line by this task and served one at a time
//!    (so replies keep request order), throttled by a token bucket.
//!
//! A separate writer task drains the connection's [`Outbox`], encrypting each packet
//! with this connection's key. The reader closes the connection on EOF, an over-long
//! line, silence past three heartbeats (after sending `Error.HeartbeatTimeout`), a
//! kill through the outbox (slow consumer, deleted user) or server shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use miricat_shared::line::{LineForm, classify};
use miricat_shared::session::accept_handshake;
use miricat_shared::{
    DecodeError, ErrorKind, KeyPair, LineCipher, LineDecoder, LineError, Packet, PacketId,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout, timeout_at};
use tracing::Instrument;

use crate::handler;
use crate::hub::ConnId;
use crate::images::Uploads;
use crate::outbox::{Frame, Outbox};
use crate::proxy::{self, read_prelude};
use crate::rate::TokenBucket;
use crate::server::Shared;
use crate::shutdown::Shutdown;

/// How long a closing connection may take to flush its last lines.
const FLUSH_ON_CLOSE: Duration = Duration::from_secs(2);
/// How long a write already under way may go on once the connection is closed:
/// after that the writer gives up on it and the socket is shut, whatever the
/// client's reading speed (issue 12, item 6).
const WRITE_GRACE_AFTER_CLOSE: Duration = Duration::from_secs(1);

/// A connection's state, as request handlers see it.
pub struct Conn {
    /// Server-wide state.
    pub shared: Arc<Shared>,
    /// This connection's number.
    pub id: ConnId,
    /// The outbound queue (replies wait for room in it).
    pub outbox: Arc<Outbox>,
    /// The signed-in user.
    pub user: Option<Arc<str>>,
    /// Whether the signed-in user is root.
    pub is_root: bool,
    /// `Some` once the connection agreed to `history/1` at sign-in: the pace of its
    /// history pages ([`crate::Config::history_rate`]).
    pub history: Option<TokenBucket>,
    /// Image uploads in progress.
    pub uploads: Uploads,
    /// This connection's pace of joins and leaves ([`crate::membership_rate`]).
    pub membership: TokenBucket,
}

impl Conn {
    /// Queues an encrypted reply; `false` once the connection is closed.
    pub async fn send(&self, packet: Packet) -> bool {
        self.outbox
            .reply(Frame::Encrypted(Arc::from(packet.encode())))
            .await
    }

    /// Queues an encrypted `Error.*` reply.
    pub async fn error(&self, id: &PacketId, kind: ErrorKind, message: &str) {
        self.send(Packet::error(id.clone(), kind, message)).await;
    }

    /// Queues a plaintext `Error.PacketDataIncorrect.DontHaveID`: the answer to a line
    /// that could not be decrypted or parsed (the sender may not hold our key).
    async fn unreadable(&self, message: &str) {
        let line = Packet::error(
            PacketId::DontHaveId,
            ErrorKind::PacketDataIncorrect,
            message,
        );
        self.outbox
            .reply(Frame::Plain(Arc::from(line.encode())))
            .await;
    }
}

/// What reading the next line gave.
enum Read {
    Line(String),
    TooLong,
    BadUtf8,
    Eof,
    TimedOut,
    Killed,
    Shutdown,
    Failed(std::io::Error),
}

/// The socket's read half with its line splitter.
struct LineReader {
    socket: OwnedReadHalf,
    decoder: LineDecoder,
}

impl LineReader {
    async fn next(&mut self, deadline: Instant, outbox: &Outbox, shutdown: &mut Shutdown) -> Read {
        let mut buf = [0u8; 4096];
        loop {
            match self.decoder.next_line() {
                Ok(Some(line)) => return Read::Line(line),
                Ok(None) => {}
                Err(LineError::TooLong { .. }) => return Read::TooLong,
                Err(LineError::InvalidUtf8) => return Read::BadUtf8,
            }
            let read = tokio::select! {
                read = timeout_at(deadline, self.socket.read(&mut buf)) => read,
                () = outbox.closed() => return Read::Killed,
                () = shutdown.recv() => return Read::Shutdown,
            };
            match read {
                Err(_) => return Read::TimedOut,
                Ok(Ok(0)) => return Read::Eof,
                Ok(Ok(n)) => self.decoder.push(&buf[..n]),
                Ok(Err(e)) => return Read::Failed(e),
            }
        }
    }
}

fn plain_error(kind: ErrorKind, message: &str) -> Arc<str> {
    Arc::from(Packet::error(PacketId::DontHaveId, kind, message).encode())
}

fn heartbeat_timeout() -> Arc<str> {
    plain_error(ErrorKind::HeartbeatTimeout, "no heartbeat")
}

/// Serves one accepted TCP connection until it closes.
pub async fn serve(
    shared: Arc<Shared>,
    mut socket: TcpStream,
    peer: SocketAddr,
    mut shutdown: Shutdown,
) {
    let id = shared.next_conn_id.fetch_add(1, Ordering::Relaxed);
    let opened = Instant::now();
    let deadline = opened + shared.config.silence_limit();
    let peer_ip = peer.ip().to_canonical();
    let trusted = shared
        .config
        .trusted_bridges
        .iter()
        .any(|net| net.contains(&peer_ip));
    let prelude = tokio::select! {
        prelude = timeout_at(deadline, read_prelude(&mut socket, peer, trusted)) => prelude,
        () = shutdown.recv() => return,
    };
    let prelude = match prelude {
        Ok(Ok(prelude)) => prelude,
        Ok(Err(proxy::ProxyError::Closed)) => return,
        Ok(Err(e)) => {
            tracing::info!(conn = id, %peer, reason = %e, "connection refused");
            return;
        }
        Err(_) => {
            tracing::debug!(conn = id, %peer, "silent connection closed");
            let _ = socket
                .write_all(format!("{}\n", heartbeat_timeout()).as_bytes())
                .await;
            return;
        }
    };
    let span = tracing::info_span!("conn", id, client = %prelude.client);
    async move {
        let Some(_slot) = shared.ip_limits.acquire(prelude.client.ip()) else {
            tracing::info!("too many connections from this address; closed");
            return;
        };
        tracing::info!(via_proxy = prelude.via_proxy, "connection opened");
        let (read_half, mut write_half) = socket.into_split();
        let mut reader = LineReader {
            socket: read_half,
            decoder: LineDecoder::new(shared.config.max_line_bytes),
        };
        reader.decoder.push(&prelude.leftover);
        let outbox = Arc::new(Outbox::new(shared.config.outbound));
        let Some(cipher) = handshake(
            &mut reader,
            &mut write_half,
            deadline,
            &outbox,
            &mut shutdown,
            &shared.handshake_permits,
        )
        .await
        else {
            return;
        };
        let cipher = Arc::new(cipher);
        let write_timeout = shared.config.silence_limit().max(Duration::from_secs(10));
        let writer = tokio::spawn(
            write_loop(write_half, outbox.clone(), cipher.clone(), write_timeout).in_current_span(),
        );
        let mut conn = Conn {
            shared: shared.clone(),
            id,
            outbox: outbox.clone(),
            user: None,
            is_root: false,
            history: None,
            uploads: Uploads::new(),
            membership: shared.membership.connection_bucket(Instant::now()),
        };
        let reason = serve_requests(&mut conn, &mut reader, &cipher, opened, &mut shutdown).await;
        shared.hub.sign_out(id);
        drop(conn);
        let mut writer = writer;
        // A JoinHandle must not be polled again once it has completed (tokio panics).
        let mut writer_done = false;
        if let End::Fatal(line) = &reason {
            let flush = async {
                outbox.reply(Frame::Plain(line.clone())).await;
                outbox.reply(Frame::Close).await;
                let _ = (&mut writer).await;
            };
            writer_done = timeout(FLUSH_ON_CLOSE, flush).await.is_ok();
        }
        outbox.close();
        if !writer_done && timeout(FLUSH_ON_CLOSE, &mut writer).await.is_err() {
            // Never leave the writer running detached with the socket: stop it here,
            // so the socket is closed before this connection's slot is given back.
            writer.abort();
            let _ = writer.await;
        }
        tracing::info!(reason = reason.as_str(), "connection closed");
    }
    .instrument(span)
    .await;
}

/// Reads and answers the handshake; `None` when the connection must close.
async fn handshake(
    reader: &mut LineReader,
    writer: &mut OwnedWriteHalf,
    deadline: Instant,
    outbox: &Outbox,
    shutdown: &mut Shutdown,
    permits: &Semaphore,
) -> Option<LineCipher> {
    let reply = match reader.next(deadline, outbox, shutdown).await {
        Read::Line(line) => {
            // Key generation and the shared secret are big-number work: keep them off
            // the reactor, a few at a time.
            let permit = tokio::select! {
                permit = timeout_at(deadline, permits.acquire()) => permit,
                () = shutdown.recv() => return None,
            };
            let Ok(Ok(_permit)) = permit else {
                return None;
            };
            let result = tokio::task::spawn_blocking(move || {
                let keypair = KeyPair::generate().map_err(|e| e.to_string())?;
                Ok::<_, String>(accept_handshake(&line, &keypair))
            })
            .await;
            match result {
                Ok(Ok(Ok(accepted))) => {
                    let line = format!("{}\n", accepted.reply_line);
                    let sent =
                        timeout(Duration::from_secs(10), writer.write_all(line.as_bytes())).await;
                    return matches!(sent, Ok(Ok(()))).then_some(accepted.cipher);
                }
                Ok(Ok(Err(rejection))) => {
                    tracing::info!(error = %rejection.error, reason = %rejection.reason, "handshake refused");
                    Arc::from(rejection.reply_line)
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "key generation failed");
                    return None;
                }
                Err(_) => return None,
            }
        }
        Read::TooLong | Read::BadUtf8 => {
            plain_error(ErrorKind::PacketDataIncorrect, "expected a handshake")
        }
        Read::TimedOut => heartbeat_timeout(),
        Read::Eof | Read::Killed | Read::Shutdown | Read::Failed(_) => return None,
    };
    let line = format!("{reply}\n");
    let _ = timeout(Duration::from_secs(2), writer.write_all(line.as_bytes())).await;
    let _ = timeout(Duration::from_secs(2), writer.shutdown()).await;
    None
}

/// Why the request loop ended.
enum End {
    /// Send this plaintext line, then close.
    Fatal(Arc<str>),
    Eof,
    Killed,
    Shutdown,
    Failed,
}

impl End {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Fatal(_) => "protocol error or heartbeat timeout",
            Self::Eof => "client closed",
            Self::Killed => "closed by the server",
            Self::Shutdown => "server shutdown",
            Self::Failed => "read error",
        }
    }
}

async fn serve_requests(
    conn: &mut Conn,
    reader: &mut LineReader,
    cipher: &LineCipher,
    opened: Instant,
    shutdown: &mut Shutdown,
) -> End {
    let silence = conn.shared.config.silence_limit();
    let mut bucket = TokenBucket::new(conn.shared.config.rate_limit, Instant::now());
    let mut last_line = opened;
    loop {
        let deadline = if conn.user.is_some() {
            last_line + silence
        } else {
            opened + silence
        };
        let outbox = conn.outbox.clone();
        let line = match reader.next(deadline, &outbox, shutdown).await {
            Read::Line(line) => line,
            Read::BadUtf8 => {
                last_line = Instant::now();
                conn.unreadable("line is not UTF-8").await;
                continue;
            }
            Read::TooLong => {
                return End::Fatal(plain_error(ErrorKind::PacketDataIncorrect, "line too long"));
            }
            Read::TimedOut => return End::Fatal(heartbeat_timeout()),
            Read::Eof => return End::Eof,
            Read::Killed => return End::Killed,
            Read::Shutdown => return End::Shutdown,
            Read::Failed(e) => {
                tracing::debug!(error = %e, "read failed");
                return End::Failed;
            }
        };
        last_line = Instant::now();
        let wait = bucket.take(last_line);
        if !wait.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = outbox.closed() => return End::Killed,
                () = shutdown.recv() => return End::Shutdown,
            }
        }
        handle_line(conn, cipher, &line).await;
        if outbox.is_closed() {
            return End::Killed;
        }
    }
}

/// Decrypts, decodes and serves one line (`WIRE.md` sections 5 and 6).
async fn handle_line(conn: &mut Conn, cipher: &LineCipher, line: &str) {
    match classify(line) {
        LineForm::Blank => {}
        LineForm::Plain(_) => {
            conn.unreadable("requests must be encrypted after the handshake")
                .await
        }
        LineForm::Cipher(text) => match cipher.decrypt_line(text) {
            Err(_) => conn.unreadable("line could not be decrypted").await,
            Ok(json) => match Packet::decode(json.trim()) {
                Ok(packet) => handler::dispatch(conn, packet).await,
                Err(e @ DecodeError::BadData { .. }) => handler::bad_data(conn, &e).await,
                Err(_) => conn.unreadable("not an MCP packet").await,
            },
        },
    }
}

/// Drains the outbox onto the socket, batching whatever is queued into one write.
async fn write_loop(
    mut socket: OwnedWriteHalf,
    outbox: Arc<Outbox>,
    cipher: Arc<LineCipher>,
    write_timeout: Duration,
) {
    let mut frames = Vec::new();
    let mut bytes = Vec::new();
    'outer: while outbox.take_all(&mut frames).await {
        let mut close = false;
        for frame in frames.drain(..) {
            match frame {
                Frame::Encrypted(json) => {
                    bytes.extend_from_slice(cipher.encrypt_line(&json).as_bytes())
                }
                Frame::Plain(line) => bytes.extend_from_slice(line.as_bytes()),
                Frame::Close => {
                    close = true;
                    break;
                }
            }
            bytes.push(b'\n');
        }
        frames.clear();
        if frames.capacity() > 256 {
            frames.shrink_to(64);
        }
        if !bytes.is_empty() {
            let closed_then_grace = async {
                outbox.closed().await;
                tokio::time::sleep(WRITE_GRACE_AFTER_CLOSE).await;
            };
            let written = tokio::select! {
                written = timeout(write_timeout, socket.write_all(&bytes)) => written,
                () = closed_then_grace => {
                    tracing::debug!("closed while a write was under way; abandoned it");
                    break 'outer;
                }
            };
            match written {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "write failed");
                    break 'outer;
                }
                Err(_) => {
                    tracing::info!("client stopped reading; closing");
                    break 'outer;
                }
            }
            outbox.written();
            bytes.clear();
            // Keep a small buffer between bursts: thousands of idle connections
            // must not each hold on to their largest burst.
            if bytes.capacity() > 16 * 1024 {
                bytes = Vec::new();
            }
        }
        if close {
            break;
        }
    }
    outbox.close();
    let _ = timeout(Duration::from_secs(1), socket.shutdown()).await;
}
