//! `fanout-bench`: a load generator for a separately running `miricat-server`.
//!
//! - `fanout`: N clients join one room; messages are sent at a fixed total rate from
//!   the clients in turn, and every other member's delivery latency is recorded
//!   (p50/p99/max), with the server's CPU time and RSS read from `/proc/<pid>`.
//! - `idle`: N authenticated connections that do nothing; reports the server's RSS
//!   growth per connection.
//!
//! - `fanout --attack`: the fan-out measured twice in one run, first alone, then
//!   while an attacker ([`attack`], from 127.0.0.2 and up) holds idle sockets,
//!   churns Join/Leave in the room and guesses root's password; each phase also
//!   times honest sign-ins (a fresh connection, handshake and login, once a second).
//!
//! Run it through `server/benches/fanout.sh`, which builds in release mode, raises the
//! file-descriptor limit and starts the server as its own process.

mod attack;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use clap::{Parser, ValueEnum};
use miricat_shared::session::{ClientSession, Event, ProtocolVersion};
use miricat_shared::{Body, KeyPair, LineCipher, Packet, PublicKey};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{Mutex, Semaphore};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    Fanout,
    Idle,
}

/// Load generator for miricat-server.
#[derive(Debug, Parser)]
struct Args {
    /// What to measure.
    #[arg(long, value_enum)]
    mode: Mode,
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:3072")]
    addr: SocketAddr,
    /// The server's process ID, to read its CPU time and RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// The root password (fanout mode creates the room).
    #[arg(long, default_value = "bench-root")]
    root_password: String,
    /// Number of client connections.
    #[arg(long, default_value_t = 500)]
    clients: usize,
    /// Messages per second in total (fanout).
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Measuring time in seconds (fanout; each phase with --attack).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Measure the fan-out again while an attacker works (fanout).
    #[arg(long)]
    attack: bool,
    /// The attacker's first address; it also uses the next two (loopback: 127.0.0.2
    /// and up reach a server on 127.0.0.1).
    #[arg(long, default_value = "127.0.0.2")]
    attack_from: std::net::Ipv4Addr,
    /// Idle sockets the attacker holds open (reopened when the server closes them).
    #[arg(long, default_value_t = 1000)]
    idle_sockets: usize,
    /// Connections guessing root's password in a loop.
    #[arg(long, default_value_t = 20)]
    guessers: usize,
}

/// A signed-in bench client after the handshake: its key and socket halves.
struct Conn {
    cipher: Arc<LineCipher>,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

async fn read_line(reader: &mut BufReader<OwnedReadHalf>) -> anyhow::Result<String> {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            bail!("server closed the connection");
        }
        if !line.trim().is_empty() {
            return Ok(line);
        }
    }
}

/// A connection after the handshake, not signed in.
struct Secured {
    session: ClientSession,
    cipher: LineCipher,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

/// A TCP connection to `addr`, from `local` when given.
async fn tcp(addr: SocketAddr, local: Option<IpAddr>) -> std::io::Result<TcpStream> {
    let stream = match local {
        None => TcpStream::connect(addr).await?,
        Some(ip) => {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await?
        }
    };
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Connects (from `local` when given) and completes the handshake.
async fn secure(addr: SocketAddr, local: Option<IpAddr>) -> anyhow::Result<Secured> {
    let stream = tcp(addr, local).await?;
    let (r, mut writer) = stream.into_split();
    let mut reader = BufReader::with_capacity(4096, r);
    let keypair = KeyPair::generate()?;
    let mut session = ClientSession::new(ProtocolVersion::V2_1, keypair.clone());
    writer
        .write_all(format!("{}\n", session.handshake_line()).as_bytes())
        .await?;
    let line = read_line(&mut reader).await?;
    let Ok(Packet {
        body: Body::Handshake(h),
        ..
    }) = Packet::decode(line.trim())
    else {
        bail!("handshake refused: {line}");
    };
    let cipher = LineCipher::new(
        &keypair
            .shared_secret(&PublicKey::from_hex(&h.public_key)?)
            .mcp_key(),
    );
    session.handle_line(&line, 0);
    Ok(Secured {
        session,
        cipher,
        reader,
        writer,
    })
}

/// Connects, handshakes and signs in (registering first when `register`).
async fn connect(
    addr: SocketAddr,
    user: &str,
    password: &str,
    register: bool,
) -> anyhow::Result<Conn> {
    connect_from(addr, None, user, password, register).await
}

/// [`connect`] from `local`.
async fn connect_from(
    addr: SocketAddr,
    local: Option<IpAddr>,
    user: &str,
    password: &str,
    register: bool,
) -> anyhow::Result<Conn> {
    let Secured {
        mut session,
        cipher,
        mut reader,
        mut writer,
    } = secure(addr, local).await?;
    let out = if register {
        session.register(user, password)?
    } else {
        session.login(user, password)?
    };
    writer
        .write_all(format!("{}\n", out.line).as_bytes())
        .await?;
    loop {
        let line = read_line(&mut reader).await?;
        match session.handle_line(&line, 0) {
            Some(Event::Accepted { .. }) => break,
            Some(Event::Reply { packet, .. }) => bail!("sign-in refused: {packet:?}"),
            _ => {}
        }
    }
    Ok(Conn {
        cipher: Arc::new(cipher),
        reader,
        writer,
    })
}

impl Conn {
    async fn send(&mut self, json: &str) -> anyhow::Result<()> {
        let line = self.cipher.encrypt_line(json);
        self.writer.write_all(line.as_bytes()).await?;
        self.writer.write_all(b"\n").await?;
        Ok(())
    }

    /// Sends `json` and waits for the packet whose type carries `id`.
    async fn call(&mut self, id: &str, json: &str) -> anyhow::Result<Packet> {
        self.send(json).await?;
        loop {
            let line = read_line(&mut self.reader).await?;
            let packet = Packet::decode(self.cipher.decrypt_line(line.trim())?.trim())?;
            if packet.id.value() == Some(id) {
                return Ok(packet);
            }
        }
    }
}

/// Server CPU seconds (user + system) and RSS in KiB, from `/proc`.
fn server_usage(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    // USER_HZ is 100 on Linux.
    Some((ticks as f64 / 100.0, rss))
}

/// Connects `n` clients as users `prefix0..`, a bounded number at a time.
async fn connect_many(
    args: &Args,
    n: usize,
    prefix: &str,
    register: bool,
) -> anyhow::Result<Vec<Conn>> {
    let gate = Arc::new(Semaphore::new(64));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let gate = gate.clone();
        let addr = args.addr;
        let user = if register {
            format!("{prefix}{i}")
        } else {
            prefix.to_owned()
        };
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            connect(addr, &user, "pw", register).await
        }));
    }
    let mut conns = Vec::with_capacity(n);
    for t in tasks {
        conns.push(t.await??);
    }
    Ok(conns)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn fanout(args: Args) -> anyhow::Result<()> {
    let run = std::process::id();
    let mut root = connect(args.addr, "root", &args.root_password, false)
        .await
        .context("root login")?;
    let created = root
        .call(
            "c",
            &format!(r#"{{"type":"Room.Create.c","data":{{"name":"bench-{run}"}}}}"#),
        )
        .await?;
    let Body::RoomCreated(room) = created.body else {
        bail!("room not created: {created:?}");
    };
    let room = room.room;
    let started = Instant::now();
    let mut conns = connect_many(&args, args.clients, &format!("b{run}x"), true).await?;
    for c in &mut conns {
        c.call(
            "j",
            &format!(r#"{{"type":"Room.Join.j","data":{{"room":{room}}}}}"#),
        )
        .await?;
    }
    println!(
        "{} clients signed in and joined in {:.1} s",
        conns.len(),
        started.elapsed().as_secs_f64()
    );
    // Drain the join pushes (N^2/2 of them, with growing `allUsers` lists) before
    // measuring: a round trip per client reads everything queued before its reply.
    let drains: Vec<_> = conns
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                c.call("d", r#"{"type":"Room.RequireList.d"}"#).await?;
                Ok::<_, anyhow::Error>(c)
            })
        })
        .collect();
    let mut conns = Vec::with_capacity(drains.len());
    for d in drains {
        conns.push(d.await??);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let epoch = Instant::now();
    let latencies = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let received = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    let mut readers = Vec::new();
    for c in conns {
        let Conn {
            cipher,
            mut reader,
            writer,
        } = c;
        writers.push(Arc::new(Mutex::new((cipher.clone(), writer))));
        let latencies = latencies.clone();
        let received = received.clone();
        readers.push(tokio::spawn(async move {
            while let Ok(line) = read_line(&mut reader).await {
                let now = epoch.elapsed().as_micros() as u64;
                // Only short lines can be bench messages; the long ones are the
                // join pushes' `allUsers` lists, not worth decrypting.
                if line.len() > 400 {
                    continue;
                }
                let Ok(json) = cipher.decrypt_line(line.trim()) else {
                    continue;
                };
                let Ok(packet) = Packet::decode(json.trim()) else {
                    continue;
                };
                if let Body::TextMessage(m) = packet.body
                    && packet.id.value().is_none()
                    && let Some(sent) = m
                        .text
                        .strip_prefix("t=")
                        .and_then(|t| t.parse::<u64>().ok())
                {
                    latencies
                        .lock()
                        .map_err(|_| anyhow!("poisoned"))?
                        .push(now.saturating_sub(sent));
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }

    let probe_user = format!("p{run}");
    drop(connect(args.addr, &probe_user, "pw", true).await?);
    let phases: &[bool] = if args.attack {
        &[false, true]
    } else {
        &[false]
    };
    for &attacked in phases {
        let attacker = if attacked {
            let a = attack::Attack::start(
                args.addr,
                room,
                args.attack_from,
                args.idle_sockets,
                args.guessers,
            )
            .await?;
            // Let it reach full strength before measuring.
            tokio::time::sleep(Duration::from_secs(3)).await;
            Some(a)
        } else {
            None
        };
        let label = if attacked {
            "with the attacker"
        } else {
            "without an attacker"
        };
        latencies.lock().map_err(|_| anyhow!("poisoned"))?.clear();
        received.store(0, Ordering::Relaxed);
        let probes = tokio::spawn(time_sign_ins(args.addr, probe_user.clone(), args.seconds));
        let usage_before = args.server_pid.and_then(server_usage);
        let measure_start = Instant::now();
        let total = (args.rate * args.seconds as f64) as u64;
        let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for seq in 0..total {
            ticker.tick().await;
            let writer = writers[seq as usize % writers.len()].clone();
            tokio::spawn(async move {
                let mut w = writer.lock().await;
                let sent = epoch.elapsed().as_micros() as u64;
                let json = format!(
                    r#"{{"type":"Message.CreateTextMessage.m{seq}","data":{{"text":"t={sent}"}},"room":{room}}}"#
                );
                let line = w.0.encrypt_line(&json);
                let _ = w.1.write_all(format!("{line}\n").as_bytes()).await;
            });
        }
        let send_secs = measure_start.elapsed().as_secs_f64();
        let expected = total * (writers.len() as u64 - 1);
        let deadline = Instant::now() + Duration::from_secs(10);
        while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let usage_after = args.server_pid.and_then(server_usage);
        let wall = measure_start.elapsed().as_secs_f64();
        let mut all = std::mem::take(&mut *latencies.lock().map_err(|_| anyhow!("poisoned"))?);
        all.sort_unstable();
        let mut sign_ins = probes.await??;
        sign_ins.sort_unstable();
        println!("== {label}");
        println!(
            "fan-out: {} clients in one room, {} messages at {:.0}/s over {:.1} s",
            args.clients, total, args.rate, send_secs
        );
        println!(
            "delivered {} of {} ({:.2}%)",
            all.len(),
            expected,
            100.0 * all.len() as f64 / expected.max(1) as f64
        );
        println!(
            "delivery latency ms: p50 {:.2}  p99 {:.2}  max {:.2}",
            percentile(&all, 0.50),
            percentile(&all, 0.99),
            percentile(&all, 1.0)
        );
        println!(
            "honest sign-in (connect, handshake, login) ms, {} tries: p50 {:.1}  p99 {:.1}  max {:.1}",
            sign_ins.len(),
            percentile(&sign_ins, 0.50),
            percentile(&sign_ins, 0.99),
            percentile(&sign_ins, 1.0)
        );
        if let (Some((cpu0, _)), Some((cpu1, rss))) = (usage_before, usage_after) {
            println!(
                "server CPU {:.1}% of one core over {:.1} s; RSS {:.1} MiB",
                100.0 * (cpu1 - cpu0) / wall,
                wall,
                rss as f64 / 1024.0
            );
        }
        if let Some(attacker) = attacker {
            println!("attacker: {}", attacker.stop().await);
        }
    }
    let mut members_left = 0;
    for w in &writers {
        if w.lock().await.1.shutdown().await.is_err() {
            members_left += 1;
        }
    }
    drop(writers);
    let mut closed = 0;
    for r in readers {
        if r.is_finished() {
            closed += 1;
        }
        r.abort();
    }
    println!("honest members the server disconnected: {closed} ({members_left} write errors)");
    Ok(())
}

/// Times an honest sign-in (new connection, handshake, login) once a second for
/// `seconds`; the durations in microseconds. A refused or failed one counts as 60 s.
async fn time_sign_ins(addr: SocketAddr, user: String, seconds: u64) -> anyhow::Result<Vec<u64>> {
    let mut times = Vec::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    for _ in 0..seconds {
        ticker.tick().await;
        let started = Instant::now();
        let ok = tokio::time::timeout(Duration::from_secs(60), connect(addr, &user, "pw", false))
            .await
            .is_ok_and(|c| c.is_ok());
        times.push(if ok {
            started.elapsed().as_micros() as u64
        } else {
            60_000_000
        });
    }
    Ok(times)
}

async fn idle(args: Args) -> anyhow::Result<()> {
    let pid = args.server_pid.context("idle mode needs --server-pid")?;
    let run = std::process::id();
    let user = format!("idle{run}");
    // One account for every connection: the bench measures connections, not hashing.
    let first = connect(args.addr, &user, "pw", true).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, before) = server_usage(pid).context("cannot read the server's /proc")?;
    let started = Instant::now();
    let conns = connect_many(&args, args.clients, &user, false).await?;
    println!(
        "{} idle connections signed in in {:.1} s",
        conns.len(),
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, after) = server_usage(pid).context("cannot read the server's /proc")?;
    println!(
        "server RSS {:.1} MiB -> {:.1} MiB: {:.1} KiB per idle authenticated connection",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / conns.len() as f64
    );
    drop(conns);
    drop(first);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match args.mode {
            Mode::Fanout => fanout(args).await,
            Mode::Idle => idle(args).await,
        }
    })
}
