//! `miricat bench`: a load generator. N clients sign in (registering `bench-<i>` on
//! first use), join one room, send M messages at a total rate R, and every delivery
//! to every member (the sender's own echo included) is timed from send to receipt.
//!
//! Each message's text carries its send time in microseconds since the run started,
//! measured on one monotonic clock shared by all clients of this process.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use miricat_shared::packet::extension::ExtensionSet;
use miricat_shared::packet::{Body, ErrorKind, RoomId};
use serde_json::json;
use tokio::sync::mpsc;

use crate::CliError;
use crate::args::{BenchArgs, ConnectArgs};
use crate::connection::{ConnectOptions, Connection};
use crate::output::Format;
use crate::transport::ServerAddr;

/// How long to wait for stragglers after the last message was sent.
const DRAIN: Duration = Duration::from_secs(10);

/// Runs the benchmark and prints its report.
pub async fn run(connect: &ConnectArgs, args: &BenchArgs, format: Format) -> Result<(), CliError> {
    if args.clients == 0 || args.messages == 0 || args.rate.is_nan() || args.rate <= 0.0 {
        return Err(CliError::Usage(
            "--clients, --messages and --rate must be positive".into(),
        ));
    }
    let server = ServerAddr::parse(&connect.server)?;
    let timeout = Duration::from_secs(connect.timeout_secs.max(1));
    let progress = |text: &str| {
        if format == Format::Text {
            eprintln!("bench: {text}");
        }
    };

    progress(&format!("connecting {} clients", args.clients));
    let setup_started = Instant::now();
    let opened: Vec<Result<(Connection, Duration), CliError>> =
        futures_util::stream::iter(0..args.clients)
            .map(|i| open_bench_client(server.clone(), i, args, timeout))
            .buffer_unordered(args.connect_concurrency.max(1))
            .collect()
            .await;
    let mut clients = Vec::with_capacity(args.clients);
    let mut open_times = Vec::with_capacity(args.clients);
    for result in opened {
        let (connection, took) = result?;
        clients.push(connection);
        open_times.push(micros(took));
    }
    let setup_secs = setup_started.elapsed().as_secs_f64();

    let room = find_or_create_room(&clients[0], connect, &server, &args.room_name, timeout).await?;
    progress(&format!(
        "all signed in after {setup_secs:.1} s; joining room {room}"
    ));
    // Joining pushes N²/2 `Room.Joined` packets with growing member lists. Drop them,
    // then make one round trip per client so everything queued before the
    // measurement has been read: that backlog is not message latency.
    for client in &mut clients {
        client.set_keep_pushes(false);
    }
    let joins = clients.iter_mut().map(|client| super::join(client, room));
    for joined in futures_util::future::join_all(joins).await {
        joined?;
    }
    let syncs = clients
        .iter_mut()
        .map(|client| client.call(|s| s.require_room_list()));
    for synced in futures_util::future::join_all(syncs).await {
        synced?;
    }
    for client in &mut clients {
        client.set_keep_pushes(true);
    }

    progress(&format!(
        "sending {} messages at {} msg/s",
        args.messages, args.rate
    ));
    let start = Instant::now();
    let mut senders = Vec::with_capacity(clients.len());
    let mut tasks = Vec::with_capacity(clients.len());
    for client in clients {
        let (tx, rx) = mpsc::channel::<u64>(64);
        senders.push(tx);
        tasks.push(tokio::spawn(client_task(
            client,
            room,
            rx,
            start,
            args.messages,
        )));
    }
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    for seq in 0..args.messages as u64 {
        tokio::time::sleep_until((start + interval.mul_f64(seq as f64)).into()).await;
        let index = usize::try_from(seq).unwrap_or(0) % senders.len();
        if senders[index].send(seq).await.is_err() {
            return Err(CliError::Connection(format!(
                "client bench-{index} stopped early"
            )));
        }
    }
    drop(senders);
    let send_secs = start.elapsed().as_secs_f64();

    let mut latencies = Vec::new();
    let mut last_receipt = 0u64;
    for task in tasks {
        let outcome = task
            .await
            .map_err(|e| CliError::Connection(format!("client task failed: {e}")))??;
        latencies.extend(outcome.latencies_us);
        last_receipt = last_receipt.max(outcome.last_receipt_us);
    }
    let expected = args.messages * args.clients;
    let report = Report {
        clients: args.clients,
        messages: args.messages,
        rate: args.rate,
        setup_secs,
        open: Percentiles::of(&mut open_times),
        latency: Percentiles::of(&mut latencies),
        delivered: latencies.len(),
        expected,
        send_secs,
        deliveries_per_sec: latencies.len() as f64 / (last_receipt.max(1) as f64 / 1e6),
    };
    report.print(format);
    if report.delivered < expected {
        return Err(CliError::Timeout(format!(
            "{} of {expected} deliveries arrived",
            report.delivered
        )));
    }
    Ok(())
}

/// Signs in `bench-<i>`, registering the account on first use.
///
/// Registers first and signs in only when the name is taken: a sign-in for an
/// unknown user is a failed sign-in, which the server throttles per address, so
/// the other order would lock a first run of many clients out.
async fn open_bench_client(
    server: ServerAddr,
    i: usize,
    args: &BenchArgs,
    timeout: Duration,
) -> Result<(Connection, Duration), CliError> {
    let mut options = ConnectOptions {
        server,
        username: format!("bench-{i}"),
        password: args.bench_password.clone(),
        register: true,
        protocol: crate::args::Protocol::V2_1,
        timeout,
        extensions: ExtensionSet::EMPTY,
    };
    let started = Instant::now();
    match Connection::open(&options).await {
        Err(CliError::Auth(e)) if e.kind == ErrorKind::UserAlreadyExists => {
            options.register = false;
            let started = Instant::now();
            Connection::open(&options)
                .await
                .map(|c| (c, started.elapsed()))
        }
        other => other.map(|c| (c, started.elapsed())),
    }
}

async fn find_or_create_room(
    any_client: &Connection,
    connect: &ConnectArgs,
    server: &ServerAddr,
    name: &str,
    timeout: Duration,
) -> Result<RoomId, CliError> {
    if let Some(room) = any_client.accepted().rooms.iter().find(|r| r.name == name) {
        return Ok(room.id);
    }
    let Some(user) = connect.user.clone() else {
        return Err(CliError::Usage(format!(
            "room {name:?} does not exist; pass --user root (and MIRICAT_PASSWORD) to create it"
        )));
    };
    let password = super::read_secret("MIRICAT_PASSWORD", &format!("Password for {user}: "))?;
    let options = ConnectOptions {
        server: server.clone(),
        username: user,
        password,
        register: false,
        protocol: connect.protocol,
        timeout,
        extensions: ExtensionSet::EMPTY,
    };
    let mut root = Connection::open(&options).await?;
    let reply = root.call(|s| s.create_room(name)).await?;
    root.close().await;
    match reply.body {
        Body::RoomCreated(created) => Ok(created.room),
        other => Err(CliError::Unexpected(format!(
            "{} to Room.Create",
            other.kind()
        ))),
    }
}

struct ClientOutcome {
    latencies_us: Vec<u64>,
    last_receipt_us: u64,
}

/// One client: sends the sequence numbers it is told to, and times every bench
/// message it receives.
async fn client_task(
    mut connection: Connection,
    room: RoomId,
    mut to_send: mpsc::Receiver<u64>,
    start: Instant,
    total: usize,
) -> Result<ClientOutcome, CliError> {
    let mut outcome = ClientOutcome {
        latencies_us: Vec::with_capacity(total),
        last_receipt_us: 0,
    };
    let mut deadline = None;
    while outcome.latencies_us.len() < total {
        let push = if deadline.is_none() {
            tokio::select! {
                seq = to_send.recv() => {
                    match seq {
                        Some(seq) => {
                            let text = format!("bench:{seq}:{}", micros(start.elapsed()));
                            connection.send(|s| s.send_text(room, &text)).await?;
                        }
                        None => deadline = Some(tokio::time::Instant::now() + DRAIN),
                    }
                    continue;
                }
                push = connection.next_push(None) => push?,
            }
        } else {
            connection.next_push(deadline).await?
        };
        let Some(packet) = push else { break };
        if let Some(sent) = bench_send_time(&packet.body) {
            let now = micros(start.elapsed());
            outcome.latencies_us.push(now.saturating_sub(sent));
            outcome.last_receipt_us = now;
        }
    }
    connection.close().await;
    Ok(outcome)
}

/// The send time carried by a bench message (`bench:<seq>:<micros>`).
fn bench_send_time(body: &Body) -> Option<u64> {
    let Body::TextMessage(m) = body else {
        return None;
    };
    m.text
        .strip_prefix("bench:")?
        .split(':')
        .nth(1)?
        .parse()
        .ok()
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// p50/p90/p99/max of microsecond samples.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Percentiles {
    p50: u64,
    p90: u64,
    p99: u64,
    max: u64,
}

impl Percentiles {
    fn of(samples: &mut [u64]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_unstable();
        let at = |q: f64| {
            samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1]
        };
        Self {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: at(1.0),
        }
    }

    fn json(self) -> serde_json::Value {
        let ms = |us: u64| us as f64 / 1000.0;
        json!({"p50_ms": ms(self.p50), "p90_ms": ms(self.p90), "p99_ms": ms(self.p99), "max_ms": ms(self.max)})
    }

    fn text(self) -> String {
        let ms = |us: u64| us as f64 / 1000.0;
        format!(
            "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        )
    }
}

struct Report {
    clients: usize,
    messages: usize,
    rate: f64,
    setup_secs: f64,
    open: Percentiles,
    latency: Percentiles,
    delivered: usize,
    expected: usize,
    send_secs: f64,
    deliveries_per_sec: f64,
}

impl Report {
    fn print(&self, format: Format) {
        match format {
            Format::Json => println!(
                "{}",
                json!({
                    "clients": self.clients, "messages": self.messages, "rate": self.rate,
                    "setup_secs": self.setup_secs, "connect_handshake_signin": self.open.json(),
                    "delivery_latency": self.latency.json(), "delivered": self.delivered,
                    "expected": self.expected, "send_secs": self.send_secs,
                    "deliveries_per_sec": self.deliveries_per_sec,
                })
            ),
            Format::Text => {
                println!(
                    "clients {}  messages {}  rate {} msg/s",
                    self.clients, self.messages, self.rate
                );
                println!("connect+handshake+sign-in  {}", self.open.text());
                println!("delivery latency           {}", self.latency.text());
                println!(
                    "delivered {}/{} in {:.2} s sending  ({:.0} deliveries/s)",
                    self.delivered, self.expected, self.send_secs, self.deliveries_per_sec
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut samples: Vec<u64> = (1..=100).rev().collect();
        let p = Percentiles::of(&mut samples);
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50, 90, 99, 100));
        assert_eq!(Percentiles::of(&mut []), Percentiles::default());
        assert_eq!(Percentiles::of(&mut [7]).p50, 7);
    }
}
