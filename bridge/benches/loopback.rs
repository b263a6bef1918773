//! Loopback benchmark of the relay against the physical floor (direct TCP) and an
//! established relay (websocat), each in its own processes:
//!
//! - latency: p50/p99 round trip of 200-byte messages over one connection;
//! - throughput: messages per second echoed over 8 pipelining connections;
//! - memory: the relay's RSS per idle connection with 5,000 connections open.
//!
//! Run: `cargo bench -p miricat-bridge --bench loopback` (add `-- --quick` for a
//! short smoke run). Latency and the first throughput figure run with every process
//! pinned to CPU 0 (`taskset -c 0`); a second throughput figure runs unpinned.
//! websocat is looked up on PATH and in ~/.cargo/bin (`cargo install websocat`);
//! without it its row is skipped.
//!
//! The same binary is the echo upstream (`loopback echo`) and the load generator
//! (`loopback load ...`), so the three roles run as separate processes.

use std::io::{BufRead, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as TokioBufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

const MESSAGE_BYTES: usize = 200;
const THROUGHPUT_CONNECTIONS: usize = 8;
/// Messages in flight per connection during the throughput run.
const WINDOW: usize = 64;
const IDLE_CONNECTIONS: usize = 5_000;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("echo") => echo(),
        Some("load") => load(&args[1..]),
        _ => orchestrate(args.iter().any(|a| a == "--quick")),
    }
}

// ---------------------------------------------------------------------------
// Echo upstream: prints its port, echoes bytes until killed.

fn echo() -> Result<(), BoxError> {
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

fn load(args: &[String]) -> Result<(), BoxError> {
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

// ---------------------------------------------------------------------------
// Orchestrator.

struct Relay {
    name: &'static str,
    /// `None` is direct TCP to the echo upstream.
    command: Option<(PathBuf, Vec<String>)>,
    ws: bool,
}

fn free_port() -> Result<u16, BoxError> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn(pinned: bool, program: &PathBuf, args: &[String], stdin: bool) -> Result<Child, BoxError> {
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("0").arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::inherit());
    Ok(command.spawn()?)
}

fn wait_for_port(port: u16) -> Result<(), BoxError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if StdStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(format!("nothing listens on {port}").into())
}

fn rss_kib(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
}

/// Runs the load generator and returns its RESULT fields.
fn run_load(
    pinned: bool,
    mode: &str,
    relay: &Relay,
    addr: SocketAddr,
    arg: u64,
) -> Result<String, BoxError> {
    let me = std::env::current_exe()?;
    let kind = if relay.ws { "ws" } else { "tcp" };
    let args: Vec<String> = ["load", mode, kind, &addr.to_string(), &arg.to_string()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let output = {
        let child = spawn(pinned, &me, &args, false)?;
        child.wait_with_output()?
    };
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(str::to_owned)
        .ok_or_else(|| format!("{} {mode}: no result ({})", relay.name, output.status).into())
}

struct Running {
    echo: Child,
    relay: Option<Child>,
    addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        for child in [Some(&mut self.echo), self.relay.as_mut()]
            .into_iter()
            .flatten()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start(relay: &Relay, pinned: bool) -> Result<Running, BoxError> {
    let me = std::env::current_exe()?;
    let mut echo = spawn(pinned, &me, &["echo".to_owned()], false)?;
    let mut port = String::new();
    BufReader::new(echo.stdout.take().ok_or("echo stdout")?).read_line(&mut port)?;
    let upstream_port: u16 = port.trim().parse()?;
    let Some((program, template)) = &relay.command else {
        return Ok(Running {
            echo,
            relay: None,
            addr: ([127, 0, 0, 1], upstream_port).into(),
        });
    };
    let listen_port = free_port()?;
    let args: Vec<String> = template
        .iter()
        .map(|a| {
            a.replace("{listen}", &listen_port.to_string())
                .replace("{upstream}", &upstream_port.to_string())
        })
        .collect();
    let child = spawn(pinned, program, &args, false)?;
    wait_for_port(listen_port)?;
    Ok(Running {
        echo,
        relay: Some(child),
        addr: ([127, 0, 0, 1], listen_port).into(),
    })
}

fn find_websocat() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("websocat"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cargo/bin/websocat"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn field<'a>(result: &'a str, key: &str) -> &'a str {
    result
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("?")
}

fn orchestrate(quick: bool) -> Result<(), BoxError> {
    let bridge = PathBuf::from(env!("CARGO_BIN_EXE_miricat-bridge"));
    let mut relays = vec![
        Relay {
            name: "direct TCP",
            command: None,
            ws: false,
        },
        Relay {
            name: "miricat-bridge",
            command: Some((
                bridge,
                [
                    "--listen",
                    "127.0.0.1:{listen}",
                    "--upstream",
                    "127.0.0.1:{upstream}",
                    "--max-per-ip",
                    "100000",
                    "--max-connections",
                    "100000",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            )),
            ws: true,
        },
    ];
    match find_websocat() {
        Some(websocat) => relays.push(Relay {
            name: "websocat",
            command: Some((
                websocat,
                [
                    "-t",
                    "-E",
                    "ws-l:127.0.0.1:{listen}",
                    "tcp:127.0.0.1:{upstream}",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            )),
            ws: true,
        }),
        None => eprintln!("websocat not found (cargo install websocat): its row is skipped"),
    }
    let (rounds, millis, idle) = if quick {
        (2_000, 1_000, 200)
    } else {
        (20_000, 4_000, IDLE_CONNECTIONS as u64)
    };
    println!(
        "{:<16} {:>9} {:>9} {:>16} {:>18} {:>14}",
        "relay", "p50 µs", "p99 µs", "msgs/s pinned", "msgs/s unpinned", "KiB/idle conn"
    );
    for relay in &relays {
        let lat = {
            let running = start(relay, true)?;
            run_load(true, "latency", relay, running.addr, rounds)?
        };
        let pinned = {
            let running = start(relay, true)?;
            run_load(true, "throughput", relay, running.addr, millis)?
        };
        let unpinned = {
            let running = start(relay, false)?;
            run_load(false, "throughput", relay, running.addr, millis)?
        };
        let per_conn = match relay.command {
            None => "-".to_owned(),
            Some(_) => {
                let running = start(relay, false)?;
                let pid = running.relay.as_ref().ok_or("relay")?.id();
                let before = rss_kib(pid)?;
                let me = std::env::current_exe()?;
                let args: Vec<String> = [
                    "load",
                    "idle",
                    "ws",
                    &running.addr.to_string(),
                    &idle.to_string(),
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                let mut load = spawn(false, &me, &args, true)?;
                let mut ready = String::new();
                BufReader::new(load.stdout.take().ok_or("load stdout")?).read_line(&mut ready)?;
                if ready.trim() != "READY" {
                    return Err(format!("{}: idle load failed", relay.name).into());
                }
                let after = rss_kib(pid)?;
                drop(load.stdin.take());
                let _ = load.wait();
                format!("{:.1}", (after.saturating_sub(before)) as f64 / idle as f64)
            }
        };
        println!(
            "{:<16} {:>9} {:>9} {:>16} {:>18} {:>14}",
            relay.name,
            field(&lat, "p50_us"),
            field(&lat, "p99_us"),
            field(&pinned, "msgs_per_s"),
            field(&unpinned, "msgs_per_s"),
            per_conn
        );
    }
    Ok(())
}
