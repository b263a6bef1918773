//! The attacker of `fanout --attack`, from its own loopback addresses so a server
//! on 127.0.0.1 tells it apart from the honest clients:
//!
//! - `from`: holds `idle_sockets` TCP connections that never send a byte, reopening
//!   each (after a second) when the server closes it;
//! - `from + 1`: a registered user that loops `Room.Join` / `Room.Leave` on the
//!   measured room as fast as the replies come;
//! - `from + 2`: `guessers` connections trying wrong root passwords in a loop,
//!   reconnecting when the server closes them.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use miricat_shared::Body;
use tokio::io::AsyncReadExt;
use tokio::task::JoinHandle;

use super::{Secured, connect_from, read_line, secure, tcp};

/// What the attacker managed, for the report.
#[derive(Debug, Default)]
struct Counts {
    idle_open: AtomicU64,
    idle_peak: AtomicU64,
    idle_closed_by_server: AtomicU64,
    idle_refused: AtomicU64,
    churn_done: AtomicU64,
    churn_refused: AtomicU64,
    guesses: AtomicU64,
    guess_connections: AtomicU64,
}

/// The running attacker.
pub struct Attack {
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
    tasks: Vec<JoinHandle<()>>,
}

/// The summary line printed after the phase.
pub struct Report(Arc<Counts>);

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.0;
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        write!(
            f,
            "idle sockets: peak {} open, {} at the end, {} closed by the server, {} refused; \
             join/leave: {} done, {} refused; password guesses: {} answered on {} connections",
            n(&c.idle_peak),
            n(&c.idle_open),
            n(&c.idle_closed_by_server),
            n(&c.idle_refused),
            n(&c.churn_done),
            n(&c.churn_refused),
            n(&c.guesses),
            n(&c.guess_connections),
        )
    }
}

fn next(ip: Ipv4Addr, by: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(u32::from(ip).wrapping_add(by)))
}

impl Attack {
    /// Starts every part of the attack (registering the churning user first).
    pub async fn start(
        addr: SocketAddr,
        room: u64,
        from: Ipv4Addr,
        idle_sockets: usize,
        guessers: usize,
    ) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(Counts::default());
        let mut tasks = Vec::new();
        for _ in 0..idle_sockets {
            tasks.push(tokio::spawn(hold_idle(
                addr,
                next(from, 0),
                stop.clone(),
                counts.clone(),
            )));
        }
        let user = format!("churn{}", std::process::id());
        let churner = connect_from(addr, Some(next(from, 1)), &user, "pw", true).await?;
        tasks.push(tokio::spawn(churn(
            churner,
            room,
            stop.clone(),
            counts.clone(),
        )));
        for _ in 0..guessers {
            tasks.push(tokio::spawn(guess(
                addr,
                next(from, 2),
                stop.clone(),
                counts.clone(),
            )));
        }
        Ok(Self {
            stop,
            counts,
            tasks,
        })
    }

    /// Stops the attack, closing every socket, and reports what it did.
    pub async fn stop(self) -> Report {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.abort();
            let _ = task.await;
        }
        Report(self.counts)
    }
}

async fn hold_idle(addr: SocketAddr, from: IpAddr, stop: Arc<AtomicBool>, counts: Arc<Counts>) {
    while !stop.load(Ordering::Relaxed) {
        match tcp(addr, Some(from)).await {
            Ok(mut socket) => {
                let open = counts.idle_open.fetch_add(1, Ordering::Relaxed) + 1;
                counts.idle_peak.fetch_max(open, Ordering::Relaxed);
                let mut buf = [0u8; 1024];
                // Read (and ignore) until the server closes it.
                while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
                counts.idle_open.fetch_sub(1, Ordering::Relaxed);
                counts.idle_closed_by_server.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                counts.idle_refused.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn churn(mut conn: super::Conn, room: u64, stop: Arc<AtomicBool>, counts: Arc<Counts>) {
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        for verb in ["Join", "Leave"] {
            seq += 1;
            let id = format!("c{seq}");
            let json = format!(r#"{{"type":"Room.{verb}.{id}","data":{{"room":{room}}}}}"#);
            match conn.call(&id, &json).await {
                Ok(p) if matches!(p.body, Body::Error(_)) => {
                    counts.churn_refused.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {
                    counts.churn_done.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => return,
            }
        }
    }
}

async fn guess(addr: SocketAddr, from: IpAddr, stop: Arc<AtomicBool>, counts: Arc<Counts>) {
    let mut attempt = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let Ok(Secured {
            mut session,
            mut reader,
            mut writer,
            ..
        }) = secure(addr, Some(from)).await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        counts.guess_connections.fetch_add(1, Ordering::Relaxed);
        loop {
            attempt += 1;
            let Ok(out) = session.login("root", &format!("guess-{attempt}")) else {
                break;
            };
            use tokio::io::AsyncWriteExt as _;
            if writer
                .write_all(format!("{}\n", out.line).as_bytes())
                .await
                .is_err()
            {
                break;
            }
            // The reply (any line) or the close.
            match read_line(&mut reader).await {
                Ok(line) => {
                    let _ = session.handle_line(&line, 0);
                    counts.guesses.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => break,
            }
        }
    }
}
