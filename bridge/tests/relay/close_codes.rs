//! Every close code of the bridge's contract, each from the event that causes it.

use std::time::Duration;

use futures_util::SinkExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

#[tokio::test]
async fn binary_frame_closes_with_1003() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    within(ws.send(Message::binary(vec![1, 2, 3])))
        .await
        .unwrap();
    assert_eq!(close_of(&mut ws).await.0, 1003);
    expect_eof(&mut server).await;
    bridge.stop().await;
}

#[tokio::test]
async fn line_breaks_inside_a_frame_close_with_1007_and_nothing_is_forwarded() {
    for bad in ["two\nlines", "carriage\rreturn", "trailing\n"] {
        let upstream = Upstream::start().await;
        let bridge = Bridge::start(upstream.config()).await;
        let mut ws = connect(&bridge.url("/ws")).await;
        let mut server = upstream.accept().await;
        send_text(&mut ws, "fine").await;
        send_text(&mut ws, bad).await;
        assert_eq!(close_of(&mut ws).await.0, 1007, "{bad:?}");
        let mut got = Vec::new();
        within(server.read_to_end(&mut got)).await.unwrap();
        assert_eq!(got, b"fine\n");
        bridge.stop().await;
    }
}

#[tokio::test]
async fn frames_and_lines_over_the_limit_close_with_1009() {
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        max_frame_bytes: 1024,
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;

    // A frame exactly at the limit passes; one byte more closes.
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    send_text(&mut ws, &"a".repeat(1024)).await;
    assert_eq!(read_exactly(&mut server, 1025).await.len(), 1025);
    send_text(&mut ws, &"b".repeat(1025)).await;
    assert_eq!(close_of(&mut ws).await.0, 1009);
    expect_eof(&mut server).await;

    // A line from the server over the limit, even before its end arrives.
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    server.write_all(&[b'c'; 1024]).await.unwrap();
    server.write_all(b"\n").await.unwrap();
    assert_eq!(next_text(&mut ws).await.len(), 1024);
    server.write_all(&[b'd'; 4096]).await.unwrap();
    assert_eq!(close_of(&mut ws).await.0, 1009);
    bridge.stop().await;
}

#[tokio::test]
async fn unreachable_upstream_closes_with_1011() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let bridge = Bridge::start(quick_close(miricat_bridge::Config::for_upstream(
        port.to_string(),
    )))
    .await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let (code, reason, _) = close_of(&mut ws).await;
    assert_eq!(code, 1011);
    assert_eq!(reason, "server unreachable");
    bridge.stop().await;
}

#[tokio::test]
async fn invalid_utf8_from_the_server_closes_with_1011_after_the_good_lines() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    server.write_all(b"good\n\xff\xfe\n").await.unwrap();
    let (code, reason, texts) = close_of(&mut ws).await;
    assert_eq!((code, texts), (1011, vec!["good".to_owned()]));
    assert_eq!(reason, "server sent invalid UTF-8");
    expect_eof(&mut server).await;
    bridge.stop().await;
}

#[tokio::test]
async fn server_closing_closes_with_1000_and_browser_closing_closes_the_server_side() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;

    let mut ws = connect(&bridge.url("/ws")).await;
    let server = upstream.accept().await;
    drop(server);
    assert_eq!(close_of(&mut ws).await.0, 1000);

    // A clean close from the browser: the server sees EOF at once.
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    within(ws.close(None)).await.unwrap();
    expect_eof(&mut server).await;

    // The browser vanishing without a close frame: the same.
    let ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    drop(ws);
    expect_eof(&mut server).await;
    bridge.stop().await;
}

#[tokio::test]
async fn idle_connections_close_with_1001() {
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        idle_timeout: Duration::from_millis(300),
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    send_text(&mut ws, "activity").await;
    let (code, reason, _) = close_of(&mut ws).await;
    assert_eq!((code, reason.as_str()), (1001, "idle timeout"));
    expect_eof(&mut server).await;
    bridge.stop().await;
}

#[tokio::test]
async fn answered_pings_keep_the_connection_and_a_missing_pong_closes_with_1001() {
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        ping_interval: Duration::from_millis(100),
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;

    // A client that answers pings (tungstenite does, while it reads) stays open.
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    let mut pings = 0;
    while pings < 4 {
        match within(futures_util::StreamExt::next(&mut ws)).await {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("expected pings, got {other:?}"),
        }
    }
    send_text(&mut ws, "still here").await;
    assert_eq!(read_exactly(&mut server, 11).await, b"still here\n");

    // A client that never answers is closed with 1001 after a ping.
    let mut raw = raw_upgrade(bridge.addr).await;
    let _server = upstream.accept().await;
    let (opcodes, code) = read_frames_until_close(&mut raw).await;
    assert!(opcodes.contains(&0x9), "a ping came first: {opcodes:?}");
    assert_eq!(code, 1001);
    bridge.stop().await;
}

/// A WebSocket client by hand that never answers anything.
async fn raw_upgrade(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .await
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        within(stream.read_exact(&mut byte)).await.unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    stream
}

/// Reads unmasked server frames (short ones only) until a close frame.
async fn read_frames_until_close(stream: &mut TcpStream) -> (Vec<u8>, u16) {
    let mut opcodes = Vec::new();
    loop {
        let mut header = [0u8; 2];
        within(stream.read_exact(&mut header)).await.unwrap();
        let opcode = header[0] & 0x0f;
        let len = usize::from(header[1] & 0x7f);
        assert!(len < 126);
        let mut payload = vec![0; len];
        within(stream.read_exact(&mut payload)).await.unwrap();
        opcodes.push(opcode);
        if opcode == 0x8 {
            return (opcodes, u16::from_be_bytes([payload[0], payload[1]]));
        }
    }
}

#[tokio::test]
async fn an_upstream_that_never_answers_closes_with_1011_after_the_connect_timeout() {
    // A listener that never accepts, its queue filled: further SYNs go unanswered.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await {
            Ok(stream) => queued.push(stream.unwrap()),
            Err(_) => break,
        }
        assert!(queued.len() < 64, "the accept queue never filled");
    }
    let config = miricat_bridge::Config {
        connect_timeout: Duration::from_millis(200),
        ..quick_close(miricat_bridge::Config::for_upstream(addr.to_string()))
    };
    let bridge = Bridge::start(config).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let (code, reason, _) = close_of(&mut ws).await;
    assert_eq!((code, reason.as_str()), (1011, "server unreachable"));
    bridge.stop().await;
}
