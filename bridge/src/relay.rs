//! The relay: one browser WebSocket and one upstream TCP connection, pumped both
//! ways in one task until either side ends, then both are closed with one reason.
//!
//! Each direction is bounded. Browser to server: frames are read only after the
//! previous batch was written to the server, so a slow server holds the browser in
//! TCP flow control, not in our memory. Server to browser: the server's socket is
//! read only after the previous lines were flushed to the browser, and the line
//! decoder holds at most one line. Nothing is ever dropped silently: if a side
//! cannot keep up the other waits; if a side fails the connection closes.
//!
//! So a stalled direction holds, beyond the kernel's socket buffers, at most two
//! frames and 192 KiB in the bridge: browser to server, tungstenite's read buffer
//! (one frame) and one batch ([`BATCH_BYTES`] plus one frame); server to browser,
//! one upstream read (64 KiB) in the decoder and tungstenite's write buffer (one
//! frame plus 64 KiB, see `upgrade::websocket_config`).
//! `tests/relay/backpressure.rs` measures exactly this bound.
//!
//! The upstream socket is split into borrowed halves (no allocation), and its reads
//! land in one scratch buffer per worker thread, borrowed only within a poll: an
//! idle connection owns no read buffer.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use miricat_shared::codec::{LineDecoder, LineError};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::time::{Instant, Interval, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tracing::{debug, info, warn};

use crate::close::CloseReason;
use crate::keepalive::{idle_watch, next_tick, ping_interval};
use crate::metrics::UpstreamError;
use crate::proxy_protocol::proxy_header;
use crate::server::Shared;
use crate::shutdown::ShutdownSignal;

/// Browser frames gathered into one write to the server, at most (a single
/// longer frame is still written whole).
const BATCH_BYTES: usize = 32 * 1024;

/// Size of the per-thread buffer upstream reads land in.
const SCRATCH_BYTES: usize = 64 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; SCRATCH_BYTES]);
}

/// Who and where one bridged connection is, for the relay and its log lines.
#[derive(Debug)]
pub(crate) struct RelayTarget {
    /// Numbers the connection in logs.
    pub(crate) id: u64,
    /// The real client address (from `X-Forwarded-For` behind a trusted proxy,
    /// with port 0 then, as the header carries none).
    pub(crate) client: SocketAddr,
    /// Where the client reached the bridge: the PROXY header's destination.
    pub(crate) local: SocketAddr,
    /// The upstream's WebSocket path (`/ws` or `/ws/NAME`), for logs, and address.
    pub(crate) upstream_path: String,
    pub(crate) upstream_addr: String,
}

type WsSink<S> = SplitSink<WebSocketStream<S>, Message>;
type WsSource<S> = SplitStream<WebSocketStream<S>>;

/// Per-connection counters shared by the two pumps (same task: relaxed atomics
/// only because the futures must be `Send`).
#[derive(Debug, Default)]
struct Stats {
    frames_up: AtomicU64,
    bytes_up: AtomicU64,
    frames_down: AtomicU64,
    bytes_down: AtomicU64,
    /// Milliseconds after the start when a text frame last went either way.
    last_activity_ms: AtomicU64,
    awaiting_pong: AtomicBool,
    /// The browser's frames are not being read because the server is slow to take
    /// the previous ones: a pong may be waiting unread, so it cannot be missed.
    upstream_stalled: AtomicBool,
}

impl Stats {
    fn touch(&self, started: Instant) {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity_ms.store(ms, Ordering::Relaxed);
    }
}

/// Relays until the connection ends, then closes both sides and logs one line.
pub(crate) async fn relay<S>(
    ws: WebSocketStream<S>,
    target: RelayTarget,
    shared: Arc<Shared>,
    mut shutdown: ShutdownSignal,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let started = Instant::now();
    let stats = Stats::default();
    shared.metrics.connection_opened();
    info!(
        conn = target.id,
        client = %target.client.ip(),
        upstream = %target.upstream_path,
        "connection opened"
    );
    let (mut ws_tx, mut ws_rx) = ws.split();
    let reason = match connect_upstream(&target, &shared, &mut shutdown).await {
        Ok(mut tcp) => {
            let (mut up_rx, mut up_tx) = tcp.split();
            let reason = tokio::select! {
                r = browser_to_upstream(&mut ws_rx, &mut up_tx, &shared, &stats, started) => r,
                r = upstream_to_browser(&mut ws_tx, &mut up_rx, &shared, &stats, started) => r,
                r = idle_watch(&stats.last_activity_ms, started, shared.config.idle_timeout) => r,
                () = shutdown.wait() => CloseReason::Shutdown,
            };
            // Close the server side at once, whoever ended.
            drop(tcp);
            reason
        }
        Err(reason) => reason,
    };
    finish_close(ws_tx, ws_rx, reason, shared.config.close_timeout).await;
    shared.metrics.connection_closed(reason.code());
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    info!(
        conn = target.id,
        client = %target.client.ip(),
        upstream = %target.upstream_path,
        duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        frames_up = load(&stats.frames_up),
        bytes_up = load(&stats.bytes_up),
        frames_down = load(&stats.frames_down),
        bytes_down = load(&stats.bytes_down),
        code = reason.code(),
        reason = reason.text(),
        "connection closed"
    );
}

async fn connect_upstream(
    target: &RelayTarget,
    shared: &Shared,
    shutdown: &mut ShutdownSignal,
) -> Result<TcpStream, CloseReason> {
    let connect = timeout(
        shared.config.connect_timeout,
        TcpStream::connect(target.upstream_addr.as_str()),
    );
    let result = tokio::select! {
        r = connect => r,
        () = shutdown.wait() => return Err(CloseReason::Shutdown),
    };
    let mut tcp = match result {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(error)) => {
            warn!(conn = target.id, upstream = %target.upstream_addr, %error, "upstream connect failed");
            shared.metrics.upstream_error(UpstreamError::Connect);
            return Err(CloseReason::UpstreamUnreachable);
        }
        Err(_elapsed) => {
            warn!(conn = target.id, upstream = %target.upstream_addr, "upstream connect timed out");
            shared.metrics.upstream_error(UpstreamError::Connect);
            return Err(CloseReason::UpstreamUnreachable);
        }
    };
    // Lines are small and latency matters: never wait for Nagle.
    if let Err(error) = tcp.set_nodelay(true) {
        debug!(conn = target.id, %error, "cannot set TCP_NODELAY upstream");
    }
    if shared.config.upstream_proxy_protocol {
        let header = proxy_header(target.client, target.local);
        if let Err(error) = tcp.write_all(&header).await {
            warn!(conn = target.id, %error, "writing the PROXY header failed");
            shared.metrics.upstream_error(UpstreamError::Io);
            return Err(CloseReason::UpstreamFailed);
        }
    }
    Ok(tcp)
}

/// Browser frames to server lines: each text frame plus `\n`, batched when the
/// browser has sent several before we got to them.
async fn browser_to_upstream<S>(
    ws_rx: &mut WsSource<S>,
    up_tx: &mut WriteHalf<'_>,
    shared: &Shared,
    stats: &Stats,
    started: Instant,
) -> CloseReason
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut batch = Vec::new();
    loop {
        let mut frames = 0u64;
        let mut end = take_frame(ws_rx.next().await, &mut batch, &mut frames, stats).err();
        while end.is_none() && batch.len() < BATCH_BYTES {
            let Some(item) = ws_rx.next().now_or_never() else {
                break;
            };
            end = take_frame(item, &mut batch, &mut frames, stats).err();
        }
        if !batch.is_empty() {
            stats.upstream_stalled.store(true, Ordering::Relaxed);
            let written = up_tx.write_all(&batch).await;
            stats.upstream_stalled.store(false, Ordering::Relaxed);
            if let Err(error) = written {
                debug!(%error, "writing to the upstream failed");
                shared.metrics.upstream_error(UpstreamError::Io);
                return CloseReason::UpstreamFailed;
            }
            let bytes = (batch.len() as u64).saturating_sub(frames);
            stats.frames_up.fetch_add(frames, Ordering::Relaxed);
            stats.bytes_up.fetch_add(bytes, Ordering::Relaxed);
            stats.touch(started);
            shared.metrics.to_upstream(frames, bytes);
            batch.clear();
            if batch.capacity() > 2 * BATCH_BYTES {
                batch = Vec::new();
            }
        }
        if let Some(reason) = end {
            return reason;
        }
    }
}

/// Appends one browser message to `batch`, or says why the connection ends.
fn take_frame(
    item: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    batch: &mut Vec<u8>,
    frames: &mut u64,
    stats: &Stats,
) -> Result<(), CloseReason> {
    match item {
        None => Err(CloseReason::BrowserGone),
        Some(Err(error)) => {
            debug!(%error, "browser WebSocket error");
            Err(CloseReason::from_ws_error(&error))
        }
        Some(Ok(Message::Text(text))) => {
            let bytes = text.as_bytes();
            if bytes.iter().any(|&b| b == b'\n' || b == b'\r') {
                return Err(CloseReason::LineBreakInFrame);
            }
            batch.extend_from_slice(bytes);
            batch.push(b'\n');
            *frames += 1;
            Ok(())
        }
        Some(Ok(Message::Binary(_))) => Err(CloseReason::BinaryFrame),
        Some(Ok(Message::Pong(_))) => {
            stats.awaiting_pong.store(false, Ordering::Relaxed);
            Ok(())
        }
        // Tungstenite answers pings itself.
        Some(Ok(Message::Ping(_) | Message::Frame(_))) => Ok(()),
        Some(Ok(Message::Close(frame))) => Err(CloseReason::BrowserClosed(
            frame.map_or(1005, |f| u16::from(f.code)),
        )),
    }
}

/// Server lines to browser frames, and the keepalive pings (they share the sink).
async fn upstream_to_browser<S>(
    ws_tx: &mut WsSink<S>,
    up_rx: &mut ReadHalf<'_>,
    shared: &Shared,
    stats: &Stats,
    started: Instant,
) -> CloseReason
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let max_line = shared.config.max_frame_bytes;
    let mut decoder = LineDecoder::new(max_line);
    let mut ping = ping_interval(shared.config.ping_interval);
    let mut ping_due = false;
    loop {
        if std::mem::take(&mut ping_due) {
            if let Some(reason) = send_ping(ws_tx, &mut ping, stats, &mut ping_due).await {
                return reason;
            }
            continue;
        }
        let read = tokio::select! {
            r = read_into(up_rx, &mut decoder) => r,
            () = next_tick(&mut ping) => {
                ping_due = true;
                continue;
            }
        };
        let n = match read {
            // A partial last line is dropped with the connection: it cannot be a packet.
            Ok(0) => return CloseReason::UpstreamClosed,
            Ok(n) => n,
            Err(error) => {
                debug!(%error, "reading from the upstream failed");
                shared.metrics.upstream_error(UpstreamError::Io);
                return CloseReason::UpstreamFailed;
            }
        };
        let (mut frames, mut bytes) = (0u64, 0u64);
        let end = loop {
            match decoder.next_line() {
                Ok(Some(line)) => {
                    frames += 1;
                    bytes += line.len() as u64;
                    let fed = watched(
                        ws_tx.feed(Message::text(line)),
                        &mut ping,
                        stats,
                        &mut ping_due,
                    );
                    match fed.await {
                        Ok(Ok(())) => {}
                        Ok(Err(_)) => break Some(CloseReason::BrowserGone),
                        Err(reason) => return reason,
                    }
                }
                Ok(None) => break None,
                Err(LineError::TooLong { .. }) => {
                    shared.metrics.upstream_error(UpstreamError::TooLong);
                    break Some(CloseReason::LineTooLong);
                }
                Err(LineError::InvalidUtf8) => {
                    shared.metrics.upstream_error(UpstreamError::InvalidUtf8);
                    break Some(CloseReason::UpstreamInvalidUtf8);
                }
            }
        };
        if frames > 0 {
            // Lines before an error still go out: the close frame follows them.
            stats.frames_down.fetch_add(frames, Ordering::Relaxed);
            stats.bytes_down.fetch_add(bytes, Ordering::Relaxed);
            stats.touch(started);
            shared.metrics.to_browser(frames, bytes);
            if end.is_none() {
                match watched(ws_tx.flush(), &mut ping, stats, &mut ping_due).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return CloseReason::BrowserGone,
                    Err(reason) => return reason,
                }
            }
        }
        if let Some(reason) = end {
            return reason;
        }
        // After a burst, let go of the decoder's grown buffer rather than keep it
        // for the life of a mostly idle connection.
        if n > 8 * 1024 && decoder.pending_bytes() == 0 {
            decoder = LineDecoder::new(max_line);
        }
    }
}

/// The ping tick: a ping still unanswered from the last tick ends the connection,
/// otherwise a new one is sent (watched like any other send).
async fn send_ping<S>(
    ws_tx: &mut WsSink<S>,
    ping: &mut Option<Interval>,
    stats: &Stats,
    ping_due: &mut bool,
) -> Option<CloseReason>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let unanswered = stats.awaiting_pong.swap(true, Ordering::Relaxed);
    if unanswered && !stats.upstream_stalled.load(Ordering::Relaxed) {
        return Some(CloseReason::PongTimeout);
    }
    let sent = watched(
        ws_tx.send(Message::Ping(Default::default())),
        ping,
        stats,
        ping_due,
    );
    match sent.await {
        Ok(Ok(())) => None,
        Ok(Err(_)) => Some(CloseReason::BrowserGone),
        Err(reason) => Some(reason),
    }
}

/// Awaits a send to the browser with the ping watchdog still running, so it fires
/// even while the send is blocked: a ping unanswered for a whole period ends the
/// connection as it would between sends. A ping that falls due meanwhile cannot
/// share the busy sink; `ping_due` has it sent once the send completes.
async fn watched<F, E>(
    send: F,
    ping: &mut Option<Interval>,
    stats: &Stats,
    ping_due: &mut bool,
) -> Result<Result<(), E>, CloseReason>
where
    F: Future<Output = Result<(), E>>,
{
    let mut send = std::pin::pin!(send);
    // Bounded by the sends themselves: each turn is one ping period.
    loop {
        tokio::select! {
            sent = &mut send => return Ok(sent),
            () = next_tick(ping) => {
                let unanswered = stats.awaiting_pong.load(Ordering::Relaxed);
                if unanswered && !stats.upstream_stalled.load(Ordering::Relaxed) {
                    return Err(CloseReason::PongTimeout);
                }
                *ping_due = true;
            }
        }
    }
}

/// Reads what the upstream has into the decoder, through the thread's scratch
/// buffer. Cancel-safe: bytes are pushed within the poll that read them.
async fn read_into(up_rx: &mut ReadHalf<'_>, decoder: &mut LineDecoder) -> io::Result<usize> {
    std::future::poll_fn(|cx| {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut *up_rx).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) => {
                    decoder.push(buf.filled());
                    Poll::Ready(Ok(buf.filled().len()))
                }
                Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
                Poll::Pending => Poll::Pending,
            }
        })
    })
    .await
}

/// Sends our close frame (or the echo of the browser's) and waits a bounded time
/// for the browser's answer, so well-behaved browsers see a clean close. After a
/// refused frame the browser may still be sending it: then the close lingers (see
/// [`linger`]). Everything within `close_timeout`.
async fn finish_close<S>(
    mut ws_tx: WsSink<S>,
    mut ws_rx: WsSource<S>,
    reason: CloseReason,
    close_timeout: Duration,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = Instant::now() + close_timeout;
    if reason.bridge_sends_close() {
        let frame = CloseFrame {
            code: reason.code().into(),
            reason: reason.text().into(),
        };
        let sent = timeout_at(deadline, ws_tx.send(Message::Close(Some(frame)))).await;
        if !matches!(sent, Ok(Ok(()))) {
            return;
        }
        if reason.reader_is_lost() {
            // The reader stands inside the refused frame: what follows is not
            // frames, only bytes to discard.
            if let Ok(mut ws) = ws_tx.reunite(ws_rx) {
                let _ = timeout_at(deadline, linger(ws.get_mut())).await;
            }
            return;
        }
        // Drain until the browser's close frame ends the stream.
        let drain = async { while let Some(Ok(_)) = ws_rx.next().await {} };
        let _ = timeout_at(deadline, drain).await;
    } else if matches!(reason, CloseReason::BrowserClosed(_)) {
        // Tungstenite queued the echo of the browser's close frame: send it.
        let _ = timeout_at(deadline, ws_tx.flush()).await;
    }
}

/// Most bytes read and discarded after our close frame (a 2 MiB message typed into
/// the page, say, twice the default frame limit, fits).
const LINGER_BYTES: usize = 4 << 20;

/// The lingering close: half-closes our side (the close frame is on its way), then
/// reads and discards what the browser still sends until its end, at most
/// [`LINGER_BYTES`] (the caller bounds the time). Dropping a socket with unread
/// input makes the kernel send a reset, which can overtake the close frame so the
/// browser sees 1006 instead of our code; a browser still sending a refused 2 MiB
/// frame is the usual case.
async fn linger<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut discard = vec![0; 16 * 1024];
    let mut left = LINGER_BYTES;
    while left > 0 {
        match stream.read(&mut discard).await {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}
