//! Bounded buffering: a side that does not read stalls the other side in TCP flow
//! control instead of filling the bridge's memory, and no data is lost.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

/// Bytes pushed at the bridge in each test. The kernel may buffer tens of MiB
/// on loopback (tcp_rmem autotuning), so the stall has to come well before this.
const TOTAL: u64 = 96 << 20;
const LINE: usize = 16 * 1024;

/// Waits until `progress` has not moved for a while and returns where it stopped.
/// There is no event for "nothing happens", so this is the one timed wait.
async fn stalled_at(progress: &mut watch::Receiver<u64>) -> u64 {
    loop {
        match tokio::time::timeout(Duration::from_millis(500), progress.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) => panic!("the writer finished: nothing held it back"),
            Err(_) => return *progress.borrow(),
        }
    }
}

fn line(i: u64) -> Vec<u8> {
    let mut line = format!("{i:08}").into_bytes();
    line.resize(LINE, b'x');
    line
}

#[tokio::test]
async fn a_slow_browser_holds_the_server_back_and_loses_nothing() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    // A browser with a small receive window that does not read for now.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    let tcp = socket.connect(bridge.addr).await.unwrap();
    let (mut ws, _) = within(tokio_tungstenite::client_async(bridge.url("/ws"), tcp))
        .await
        .unwrap();
    let mut server = upstream.accept().await;

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
    assert!(
        stalled < TOTAL * 2 / 3,
        "server wrote {stalled} bytes unhindered"
    );

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
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    // A server with a small receive window that does not read for now.
    let (server, _) = within(upstream.listener.accept()).await.unwrap();
    let server: TcpStream = server;

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
    assert!(
        stalled < TOTAL * 2 / 3,
        "browser sent {stalled} bytes unhindered"
    );

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
