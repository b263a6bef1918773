//! Bounded buffering: a side that does not read stalls the other side in TCP flow
//! control instead of filling the bridge's memory, and no data is lost.
//!
//! When the writer stalls, every byte it wrote is either delivered, queued in one
//! of the four kernel sockets between it and the reader (measured in
//! `/proc/net/tcp`), or held by the bridge; what the bridge holds must stay within
//! the bound `relay.rs` documents.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

/// Bytes pushed at the bridge in each test: far beyond what the kernel and the
/// bridge may hold, so the writer has to stall.
const TOTAL: u64 = 96 << 20;
const LINE: usize = 16 * 1024;
/// The bridge's frame limit in these tests, so that its documented buffer is small.
const MAX_FRAME: usize = 64 * 1024;
/// What `relay.rs` documents the bridge holds per stalled direction, plus one line
/// a writer may have half written and framing overhead.
const BRIDGE_HOLDS_AT_MOST: u64 = (2 * MAX_FRAME + 192 * 1024 + LINE + 4096) as u64;

/// Waits until `progress` has not moved for a second, twice in a row (a pause of
/// the scheduler alone is not a stall), and returns where it stopped. There is no
/// event for "nothing happens", so this is the one timed wait.
async fn stalled_at(progress: &mut watch::Receiver<u64>) -> u64 {
    let mut quiet = 0;
    for _ in 0..10_000 {
        match tokio::time::timeout(Duration::from_secs(1), progress.changed()).await {
            Ok(Ok(())) => quiet = 0,
            Ok(Err(_)) => panic!("the writer finished: nothing held it back"),
            Err(_) => {
                quiet += 1;
                if quiet == 2 {
                    return *progress.borrow();
                }
            }
        }
    }
    panic!("the writer never stalled");
}

/// Bytes queued in the kernel (sent and not yet read, both ends) on the TCP
/// connections of these local ports, from `/proc/net/tcp`.
fn kernel_queued(ports: &[u16]) -> u64 {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("Linux /proc/net/tcp");
    let port_of = |address: &str| {
        address
            .rsplit_once(':')
            .and_then(|(_, port)| u16::from_str_radix(port, 16).ok())
    };
    let mut queued = 0;
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, remote, _state, queues, ..] = fields[..] else {
            continue;
        };
        let ours = [local, remote]
            .iter()
            .any(|a| port_of(a).is_some_and(|p| ports.contains(&p)));
        if let (true, Some((tx, rx))) = (ours, queues.split_once(':')) {
            queued += u64::from_str_radix(tx, 16).unwrap() + u64::from_str_radix(rx, 16).unwrap();
        }
    }
    queued
}

/// Asserts that of `written` bytes, all but the kernel's queues and the bridge's
/// documented buffer were held back in the writer.
fn assert_bridge_holds_little(written: u64, ports: &[u16]) {
    let kernel = kernel_queued(ports);
    let bridge = written.saturating_sub(kernel);
    assert!(
        bridge <= BRIDGE_HOLDS_AT_MOST,
        "stalled after {written} bytes, {kernel} of them in kernel buffers: the bridge holds {bridge}, more than {BRIDGE_HOLDS_AT_MOST}"
    );
    assert!(written < TOTAL, "nothing held the writer back");
}

fn line(i: u64) -> Vec<u8> {
    let mut line = format!("{i:08}").into_bytes();
    line.resize(LINE, b'x');
    line
}

fn small_frames(upstream: &Upstream) -> miricat_bridge::Config {
    miricat_bridge::Config {
        max_frame_bytes: MAX_FRAME,
        ..upstream.config()
    }
}

#[tokio::test]
async fn a_slow_browser_holds_the_server_back_and_loses_nothing() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(small_frames(&upstream)).await;
    // A browser with a small receive window that does not read for now.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    let tcp = socket.connect(bridge.addr).await.unwrap();
    let browser_port = tcp.local_addr().unwrap().port();
    let (mut ws, _) = within(tokio_tungstenite::client_async(bridge.url("/ws"), tcp))
        .await
        .unwrap();
    let mut server = upstream.accept().await;
    let bridge_port = server.peer_addr().unwrap().port();

    let (progress_tx, mut progress) = watch::channel(0u64);
    let writer = tokio::spawn(async move {
        let mut written = 0;
        let mut i = 0;
        while written < TOTAL {
            let mut l = line(i);
            l.push(b'\n');
            server.write_all(&l).await.unwrap();
            written += l.len() as u64;
            i += 1;
            progress_tx.send_replace(written);
        }
        server
    });
    let stalled = stalled_at(&mut progress).await;
    assert_bridge_holds_little(stalled, &[browser_port, bridge_port]);

    // Now read: every line arrives, in order, and the writer finishes.
    let lines = TOTAL.div_ceil(LINE as u64 + 1);
    for i in 0..lines {
        match within(ws.next()).await {
            Some(Ok(Message::Text(text))) => assert_eq!(text.as_bytes(), &line(i)[..]),
            other => panic!("line {i}: {other:?}"),
        }
    }
    let _server = within(writer).await.unwrap();
    bridge.stop().await;
}

#[tokio::test]
async fn a_slow_server_holds_the_browser_back_and_loses_nothing() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(small_frames(&upstream)).await;
    let tcp = TcpStream::connect(bridge.addr).await.unwrap();
    let browser_port = tcp.local_addr().unwrap().port();
    let (mut ws, _) = within(tokio_tungstenite::client_async(bridge.url("/ws"), tcp))
        .await
        .unwrap();
    // A server that does not read for now.
    let (server, _) = within(upstream.listener.accept()).await.unwrap();
    let server: TcpStream = server;
    let bridge_port = server.peer_addr().unwrap().port();

    let (progress_tx, mut progress) = watch::channel(0u64);
    let text = String::from_utf8(line(0)).unwrap();
    let writer = tokio::spawn(async move {
        let mut written = 0;
        while written < TOTAL {
            ws.send(Message::text(text.clone())).await.unwrap();
            written += LINE as u64 + 1;
            progress_tx.send_replace(written);
        }
        ws
    });
    let stalled = stalled_at(&mut progress).await;
    assert_bridge_holds_little(stalled, &[browser_port, bridge_port]);

    let mut server = server;
    let mut received = 0u64;
    let mut buf = vec![0; 256 * 1024];
    let mut newlines = 0u64;
    let expected = TOTAL.div_ceil(LINE as u64 + 1) * (LINE as u64 + 1);
    while received < expected {
        let n = within(server.read(&mut buf)).await.unwrap();
        assert!(n > 0, "upstream closed early");
        received += n as u64;
        newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    assert_eq!(received, expected);
    assert_eq!(newlines, received / (LINE as u64 + 1));
    let _ws = within(writer).await.unwrap();
    bridge.stop().await;
}
