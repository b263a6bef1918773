//! Hostile or broken browsers, from 127.0.0.2 and up, while an honest client on
//! 127.0.0.1 keeps working: a refused frame is answered with a close code the
//! client actually receives, and a client that stops reading is disconnected.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use crate::support::*;

/// The honest client still gets its echo through the named upstream `echo`.
async fn honest_client_is_served(bridge: &Bridge, text: &str) {
    let mut ws = connect(&bridge.url("/ws/echo")).await;
    send_text(&mut ws, text).await;
    assert_eq!(next_text(&mut ws).await, text);
}

#[tokio::test]
async fn a_2_mib_frame_from_a_client_still_sending_gets_1009() {
    let upstream = Upstream::start().await;
    // The default close timeout: the refused frame's rest is drained within it.
    let config = upstream
        .config()
        .with_upstream("echo", echo_upstream().await.to_string());
    let config = miricat_bridge::Config {
        close_timeout: Duration::from_secs(2),
        ..config
    };
    let bridge = Bridge::start(config).await;
    // Small buffers on the client's side: most of the frame is still to be sent
    // when the bridge refuses it, as with a browser on a real network.
    let small = Buffers {
        send: Some(32 * 1024),
        recv: Some(32 * 1024),
    };
    let stream = connect_from(2, bridge.addr, small).await;
    let mut ws = websocket_on(stream, &bridge.url("/ws"), &[]).await.unwrap();
    let mut server = upstream.accept().await;

    let frame = "x".repeat(2 << 20);
    within(ws.send(Message::text(frame)))
        .await
        .expect("the bridge reads the refused frame's rest instead of resetting");
    let close = loop {
        match within(ws.next()).await {
            Some(Ok(Message::Close(Some(CloseFrame { code, reason })))) => {
                break (u16::from(code), reason.to_string());
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected the 1009 close frame, got {other:?}"),
        }
    };
    assert_eq!(close, (1009, "frame too long".to_owned()));
    expect_eof(&mut server).await;
    honest_client_is_served(&bridge, "still here").await;
    bridge.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_after_the_write_timeout() {
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        write_timeout: Duration::from_millis(300),
        // No pings: only the write deadline may end the connection.
        ping_interval: Duration::ZERO,
        ..upstream
            .config()
            .with_upstream("echo", echo_upstream().await.to_string())
    };
    let bridge = Bridge::start(config).await;
    let small = Buffers {
        send: None,
        recv: Some(16 * 1024),
    };
    let stream = connect_from(2, bridge.addr, small).await;
    // Upgraded, then never read from again.
    let _ws = websocket_on(stream, &bridge.url("/ws"), &[]).await.unwrap();
    let server = upstream.accept().await;
    wait_for_metric(bridge.addr, "miricat_bridge_connections_open", 1).await;

    // The server talks until the bridge stops taking its lines: 64 MiB at most.
    let (mut server_rx, server_tx) = server.into_split();
    let talker = talk_until_refused(server_tx, b'y');
    assert_upstream_closed(&mut server_rx).await;
    wait_for_metric(bridge.addr, "miricat_bridge_connections_open", 0).await;
    drop(server_rx);
    within(talker).await.unwrap();
    honest_client_is_served(&bridge, "not pinned").await;
    bridge.stop().await;
}

#[tokio::test]
async fn the_ping_watchdog_fires_while_a_send_to_a_client_that_reads_nothing_is_blocked() {
    use tokio::io::AsyncReadExt;
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        // No write deadline: only the ping watchdog may end the connection.
        write_timeout: Duration::ZERO,
        ping_interval: Duration::from_millis(300),
        ..upstream
            .config()
            .with_upstream("echo", echo_upstream().await.to_string())
    };
    let bridge = Bridge::start(config).await;
    let small = Buffers {
        send: None,
        recv: Some(16 * 1024),
    };
    let stream = connect_from(2, bridge.addr, small).await;
    let mut ws = websocket_on(stream, &bridge.url("/ws"), &[]).await.unwrap();
    let server = upstream.accept().await;
    // Take the first ping off the wire without answering it, then read nothing.
    let mut ping = [0u8; 2];
    within(ws.get_mut().read_exact(&mut ping)).await.unwrap();
    assert_eq!(ping, [0x89, 0x00], "an empty ping frame");

    // Now the server's lines block the bridge's sends to this client.
    let (mut server_rx, server_tx) = server.into_split();
    let talker = talk_until_refused(server_tx, b'z');
    assert_upstream_closed(&mut server_rx).await;
    wait_for_metric(bridge.addr, "miricat_bridge_connections_open", 0).await;
    wait_for_metric(
        bridge.addr,
        "miricat_bridge_close_codes_total{code=\"1001\"}",
        1,
    )
    .await;
    drop(server_rx);
    within(talker).await.unwrap();
    honest_client_is_served(&bridge, "after the watchdog").await;
    bridge.stop().await;
}

/// The server side sends 16 KiB lines until the bridge stops taking them (an
/// error once it closes the upstream); it panics past 64 MiB accepted.
fn talk_until_refused(
    mut server_tx: tokio::net::tcp::OwnedWriteHalf,
    fill: u8,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let line = [vec![fill; 16 * 1024], b"\n".to_vec()].concat();
        for _ in 0..4096 {
            if server_tx.write_all(&line).await.is_err() {
                return;
            }
        }
        panic!("the bridge took 64 MiB for a client that reads nothing");
    })
}

/// The bridge closed its upstream connection: the server side reads its end (or
/// an error) within the test's deadline.
async fn assert_upstream_closed(server_rx: &mut tokio::net::tcp::OwnedReadHalf) {
    let mut upstream_end = [0u8; 1];
    let ended = within(tokio::io::AsyncReadExt::read(server_rx, &mut upstream_end)).await;
    assert!(
        matches!(ended, Ok(0) | Err(_)),
        "the upstream connection is closed"
    );
}
