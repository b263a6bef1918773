//! The benchmark's echo upstream and load generator roles.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as TokioBufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::BoxError;

const MESSAGE_BYTES: usize = 200;
const THROUGHPUT_CONNECTIONS: usize = 8;
/// Messages in flight per connection during the throughput run.
const WINDOW: usize = 64;

// ---------------------------------------------------------------------------
// Echo upstream: prints its port, echoes bytes until killed.

pub fn echo() -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?.port());
        std::io::stdout().flush()?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let (mut r, mut w) = stream.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    })
}

// ---------------------------------------------------------------------------
// Load generator: `load latency|throughput|idle ws|tcp ADDR ARG`.

pub fn load(args: &[String]) -> Result<(), BoxError> {
    let [mode, kind, addr, arg] = args else {
        return Err("usage: load latency|throughput|idle ws|tcp ADDR ARG".into());
    };
    let addr: SocketAddr = addr.parse()?;
    let ws = kind == "ws";
    let arg: u64 = arg.parse()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match mode.as_str() {
            "latency" => latency(ws, addr, arg).await,
            "throughput" => throughput(ws, addr, Duration::from_millis(arg)).await,
            "idle" => idle(ws, addr, arg as usize).await,
            _ => Err("unknown mode".into()),
        }
    })
}

fn message(i: u64) -> String {
    let mut text = format!("{{\"n\":{i},\"pad\":\"");
    while text.len() < MESSAGE_BYTES - 2 {
        text.push('x');
    }
    text.push_str("\"}");
    text
}

/// One echoing connection, WebSocket or raw TCP lines.
enum Conn {
    Ws(Box<tokio_tungstenite::WebSocketStream<TcpStream>>),
    Tcp(TokioBufReader<TcpStream>),
}

impl Conn {
    async fn open(ws: bool, addr: SocketAddr) -> Result<Self, BoxError> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        if ws {
            let url = format!("ws://{addr}/ws");
            let (stream, _) = tokio_tungstenite::client_async(url, tcp).await?;
            Ok(Conn::Ws(Box::new(stream)))
        } else {
            Ok(Conn::Tcp(TokioBufReader::new(tcp)))
        }
    }

    async fn send(&mut self, text: &str) -> Result<(), BoxError> {
        match self {
            Conn::Ws(ws) => ws.send(Message::text(text)).await?,
            Conn::Tcp(tcp) => {
                let mut line = Vec::with_capacity(text.len() + 1);
                line.extend_from_slice(text.as_bytes());
                line.push(b'\n');
                tcp.get_mut().write_all(&line).await?;
            }
        }
        Ok(())
    }

    async fn receive(&mut self) -> Result<usize, BoxError> {
        match self {
            Conn::Ws(ws) => loop {
                match ws.next().await {
                    // websocat keeps the line's `\n` in the frame: strip it.
                    Some(Ok(Message::Text(t))) => {
                        return Ok(t.as_str().trim_end_matches('\n').len());
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    other => return Err(format!("unexpected {other:?}").into()),
                }
            },
            Conn::Tcp(tcp) => {
                let mut line = Vec::new();
                tcp.read_until(b'\n', &mut line).await?;
                Ok(line.len().saturating_sub(1))
            }
        }
    }
}

async fn latency(ws: bool, addr: SocketAddr, rounds: u64) -> Result<(), BoxError> {
    let mut conn = Conn::open(ws, addr).await?;
    let mut samples = Vec::with_capacity(rounds as usize);
    for i in 0..rounds + rounds / 5 {
        let text = message(i);
        let start = Instant::now();
        conn.send(&text).await?;
        let got = conn.receive().await?;
        let elapsed = start.elapsed();
        if got != text.len() {
            return Err(format!("echo of {} bytes came back as {got}", text.len()).into());
        }
        if i >= rounds / 5 {
            samples.push(elapsed);
        }
    }
    samples.sort_unstable();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "RESULT p50_us={:.1} p99_us={:.1}",
        pct(0.50).as_secs_f64() * 1e6,
        pct(0.99).as_secs_f64() * 1e6
    );
    Ok(())
}

async fn throughput(ws: bool, addr: SocketAddr, duration: Duration) -> Result<(), BoxError> {
    let received = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..THROUGHPUT_CONNECTIONS {
        let conn = Conn::open(ws, addr).await?;
        let (received, stop) = (Arc::clone(&received), Arc::clone(&stop));
        tasks.push(tokio::spawn(pump(conn, received, stop)));
    }
    // Warm up, then count over `duration`.
    tokio::time::sleep(duration / 4).await;
    let before = received.load(Ordering::Relaxed);
    let start = Instant::now();
    tokio::time::sleep(duration).await;
    let count = received.load(Ordering::Relaxed) - before;
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    println!(
        "RESULT msgs_per_s={:.0}",
        count as f64 / elapsed.as_secs_f64()
    );
    std::process::exit(0);
}

/// Keeps `WINDOW` messages in flight on one connection until `stop`.
async fn pump(conn: Conn, received: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> Result<(), BoxError> {
    let window = Arc::new(Semaphore::new(WINDOW));
    let text = message(0);
    match conn {
        Conn::Ws(ws) => {
            let (mut tx, mut rx) = (*ws).split();
            let w = Arc::clone(&window);
            let writer = tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let permit = match w.try_acquire() {
                        Ok(p) => p,
                        Err(_) => {
                            tx.flush().await?;
                            w.acquire().await?
                        }
                    };
                    permit.forget();
                    tx.feed(Message::text(text.as_str())).await?;
                }
                Ok::<_, BoxError>(())
            });
            while let Some(Ok(msg)) = rx.next().await {
                if msg.is_text() {
                    received.fetch_add(1, Ordering::Relaxed);
                    window.add_permits(1);
                }
            }
            writer.abort();
        }
        Conn::Tcp(tcp) => {
            let (r, mut w_half) = tcp.into_inner().into_split();
            let w = Arc::clone(&window);
            let writer = tokio::spawn(async move {
                let mut line = text.into_bytes();
                line.push(b'\n');
                let mut out = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let permit = match w.try_acquire() {
                        Ok(p) => p,
                        Err(_) => {
                            w_half.write_all(&out).await?;
                            out.clear();
                            w.acquire().await?
                        }
                    };
                    permit.forget();
                    out.extend_from_slice(&line);
                }
                Ok::<_, BoxError>(())
            });
            let mut reader = TokioBufReader::new(r);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).await.unwrap_or(0) > 0 {
                line.clear();
                received.fetch_add(1, Ordering::Relaxed);
                window.add_permits(1);
            }
            writer.abort();
        }
    }
    Ok(())
}

async fn idle(ws: bool, addr: SocketAddr, count: usize) -> Result<(), BoxError> {
    let mut conns = Vec::with_capacity(count);
    for i in 0..count {
        let mut conn = Conn::open(ws, addr).await?;
        // One round trip: the relay has connected upstream and carried a line.
        conn.send(&message(i as u64)).await?;
        conn.receive().await?;
        conns.push(conn);
    }
    println!("READY");
    std::io::stdout().flush()?;
    // Hold the connections until the orchestrator closes our stdin.
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await?;
    drop(conns);
    Ok(())
}
