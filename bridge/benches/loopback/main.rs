//! Loopback benchmark of the relay against the physical floor (direct TCP) and an
//! established relay (websocat), each role in its own process:
//!
//! - latency: p50/p99 round trip of 200-byte messages over one connection, every
//!   process pinned to CPU 0 (`taskset -c 0`);
//! - throughput: messages per second echoed over 8 pipelining connections, pinned
//!   likewise, then unpinned;
//! - memory: the relay's RSS growth per idle connection with 5,000 connections
//!   open (each has carried one round trip).
//!
//! Run: `cargo bench -p miricat-bridge --bench loopback` (`-- --quick` for a short
//! smoke run). The relays take turns, run after run, and each figure is the median
//! of its runs, so that a noisy neighbour on a shared machine hits all alike.
//! websocat is looked up on PATH and in ~/.cargo/bin (`cargo install websocat`);
//! without it its row is skipped. Its equivalent mode is
//! `websocat -t -E ws-l:127.0.0.1:P tcp:127.0.0.1:Q`.
//!
//! The same binary is the echo upstream (`loopback echo`) and the load generator
//! (`loopback load ...`, see `load.rs`).

mod load;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const IDLE_CONNECTIONS: u64 = 5_000;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("echo") => load::echo(),
        Some("load") => load::load(&args[1..]),
        _ => orchestrate(args.iter().any(|a| a == "--quick")),
    }
}

/// One contestant: how to start it in front of the echo upstream.
struct Relay {
    name: &'static str,
    /// Program and arguments (`{listen}`/`{upstream}` are replaced by ports);
    /// `None` is direct TCP to the echo upstream.
    command: Option<(PathBuf, Vec<String>)>,
}

/// Processes started for one round of measurements, killed on drop.
struct Running {
    children: Vec<Child>,
    /// Where each relay listens (direct TCP: the echo upstream itself).
    addrs: Vec<SocketAddr>,
    pids: Vec<Option<u32>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
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
        .stderr(Stdio::null());
    Ok(command.spawn()?)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn free_port() -> Result<u16, BoxError> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
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

/// Starts one echo upstream and every relay in front of it.
fn start(relays: &[Relay], pinned: bool) -> Result<Running, BoxError> {
    let me = std::env::current_exe()?;
    let mut echo = spawn(pinned, &me, &strings(&["echo"]), false)?;
    let mut port = String::new();
    BufReader::new(echo.stdout.take().ok_or("echo stdout")?).read_line(&mut port)?;
    let upstream: u16 = port.trim().parse()?;
    let mut running = Running {
        children: vec![echo],
        addrs: Vec::new(),
        pids: Vec::new(),
    };
    for relay in relays {
        let Some((program, template)) = &relay.command else {
            running.addrs.push(([127, 0, 0, 1], upstream).into());
            running.pids.push(None);
            continue;
        };
        let listen = free_port()?;
        let args: Vec<String> = template
            .iter()
            .map(|a| {
                a.replace("{listen}", &listen.to_string())
                    .replace("{upstream}", &upstream.to_string())
            })
            .collect();
        let child = spawn(pinned, program, &args, false)?;
        running.pids.push(Some(child.id()));
        running.children.push(child);
        wait_for_port(listen)?;
        running.addrs.push(([127, 0, 0, 1], listen).into());
    }
    Ok(running)
}

/// Runs the load generator once and returns its `RESULT` fields.
fn run_load(
    pinned: bool,
    mode: &str,
    ws: bool,
    addr: SocketAddr,
    arg: u64,
) -> Result<String, BoxError> {
    let me = std::env::current_exe()?;
    let kind = if ws { "ws" } else { "tcp" };
    let args = strings(&["load", mode, kind, &addr.to_string(), &arg.to_string()]);
    let output = spawn(pinned, &me, &args, false)?.wait_with_output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(str::to_owned)
        .ok_or_else(|| format!("{mode} against {addr}: no result ({})", output.status).into())
}

fn field(result: &str, key: &str) -> f64 {
    result
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn rss_kib(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
}

/// RSS growth of the relay `pid` per connection while `count` idle WebSocket
/// connections are open through it.
fn idle_cost(pid: u32, addr: SocketAddr, count: u64) -> Result<f64, BoxError> {
    let before = rss_kib(pid)?;
    let me = std::env::current_exe()?;
    let args = strings(&["load", "idle", "ws", &addr.to_string(), &count.to_string()]);
    let mut load = spawn(false, &me, &args, true)?;
    let mut ready = String::new();
    BufReader::new(load.stdout.take().ok_or("load stdout")?).read_line(&mut ready)?;
    if ready.trim() != "READY" {
        let _ = load.kill();
        return Err(format!("idle load against {addr} failed").into());
    }
    let after = rss_kib(pid)?;
    drop(load.stdin.take());
    let _ = load.wait();
    Ok(after.saturating_sub(before) as f64 / count as f64)
}

/// The 1-minute load average, to judge how quiet the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
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

fn orchestrate(quick: bool) -> Result<(), BoxError> {
    let bridge = PathBuf::from(env!("CARGO_BIN_EXE_miricat-bridge"));
    let mut relays = vec![
        Relay {
            name: "direct TCP",
            command: None,
        },
        Relay {
            name: "miricat-bridge",
            command: Some((
                bridge,
                strings(&[
                    "--listen",
                    "127.0.0.1:{listen}",
                    "--upstream",
                    "127.0.0.1:{upstream}",
                    "--max-per-ip",
                    "100000",
                    "--max-connections",
                    "100000",
                ]),
            )),
        },
    ];
    match find_websocat() {
        Some(websocat) => relays.push(Relay {
            name: "websocat",
            command: Some((
                websocat,
                strings(&[
                    "-t",
                    "-E",
                    "ws-l:127.0.0.1:{listen}",
                    "tcp:127.0.0.1:{upstream}",
                ]),
            )),
        }),
        None => eprintln!("websocat not found (cargo install websocat): its row is skipped"),
    }
    let (runs, rounds, millis, idle) = if quick {
        (1u32, 2_000, 1_000, 200)
    } else {
        (9, 10_000, 2_000, IDLE_CONNECTIONS)
    };
    let load_before = load_average();
    let n = relays.len();
    let (mut p50, mut p99) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    let (mut pinned_tp, mut unpinned_tp) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    {
        let running = start(&relays, true)?;
        for _ in 0..runs {
            for (i, relay) in relays.iter().enumerate() {
                let ws = relay.command.is_some();
                let result = run_load(true, "latency", ws, running.addrs[i], rounds)?;
                p50[i].push(field(&result, "p50_us"));
                p99[i].push(field(&result, "p99_us"));
            }
        }
        for _ in 0..runs.div_ceil(2) {
            for (i, relay) in relays.iter().enumerate() {
                let ws = relay.command.is_some();
                let result = run_load(true, "throughput", ws, running.addrs[i], millis)?;
                pinned_tp[i].push(field(&result, "msgs_per_s"));
            }
        }
    }
    {
        let running = start(&relays, false)?;
        for _ in 0..runs.div_ceil(2) {
            for (i, relay) in relays.iter().enumerate() {
                let ws = relay.command.is_some();
                let result = run_load(false, "throughput", ws, running.addrs[i], millis)?;
                unpinned_tp[i].push(field(&result, "msgs_per_s"));
            }
        }
    }
    let mut per_conn = vec![f64::NAN; n];
    for (i, relay) in relays.iter().enumerate() {
        if relay.command.is_some() {
            let running = start(std::slice::from_ref(relay), false)?;
            let pid = running.pids[0].ok_or("no relay pid")?;
            per_conn[i] = idle_cost(pid, running.addrs[0], idle)?;
        }
    }
    println!(
        "{runs} latency runs of {rounds} round trips, {} throughput runs of {millis} ms per mode, {idle} idle connections; medians",
        runs.div_ceil(2)
    );
    println!(
        "load average before/after: {load_before} / {} (others' work on CPU 0 widens p99 for every relay)",
        load_average()
    );
    println!(
        "{:<16} {:>9} {:>9} {:>15} {:>17} {:>14}",
        "relay", "p50 µs", "p99 µs", "msgs/s pinned", "msgs/s unpinned", "KiB/idle conn"
    );
    for (i, relay) in relays.iter().enumerate() {
        println!(
            "{:<16} {:>9.1} {:>9.1} {:>15.0} {:>17.0} {:>14.1}",
            relay.name,
            median(p50[i].clone()),
            median(p99[i].clone()),
            median(pinned_tp[i].clone()),
            median(unpinned_tp[i].clone()),
            per_conn[i]
        );
    }
    Ok(())
}
