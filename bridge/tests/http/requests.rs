//! Hostile or broken HTTP clients: slow heads, huge heads, garbage.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

async fn bridge_with_request_timeout(timeout: Duration) -> Bridge {
    let upstream = echo_upstream().await;
    let config = miricat_bridge::Config {
        request_timeout: timeout,
        ..quick_close(miricat_bridge::Config::for_upstream(upstream.to_string()))
    };
    Bridge::start(config).await
}

async fn response_to(bridge: &Bridge, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(bridge.addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut raw = Vec::new();
    let _ = within(stream.read_to_end(&mut raw)).await;
    raw
}

#[tokio::test]
async fn a_head_that_never_ends_is_cut_off_with_408() {
    let bridge = bridge_with_request_timeout(Duration::from_millis(200)).await;
    let raw = response_to(&bridge, b"GET /ws HTTP/1.1\r\nHost: localhost\r\n").await;
    assert!(
        raw.starts_with(b"HTTP/1.1 408 "),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    // A client that says nothing at all is just closed.
    assert!(response_to(&bridge, b"").await.is_empty());
    bridge.stop().await;
}

#[tokio::test]
async fn oversized_heads_and_garbage_are_refused() {
    let bridge = bridge_with_request_timeout(Duration::from_secs(10)).await;
    let mut huge = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
    for i in 0..400 {
        huge.extend_from_slice(format!("X-Padding-{i}: {}\r\n", "y".repeat(20)).as_bytes());
    }
    huge.extend_from_slice(b"\r\n");
    let raw = response_to(&bridge, &huge).await;
    assert!(
        raw.starts_with(b"HTTP/1.1 431 "),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    let raw = response_to(
        &bridge,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    )
    .await;
    assert!(
        raw.starts_with(b"HTTP/1.1 400 "),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    let raw = response_to(
        &bridge,
        b"POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
    )
    .await;
    assert!(
        raw.starts_with(b"HTTP/1.1 413 "),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    let raw = response_to(
        &bridge,
        b"DELETE /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        raw.starts_with(b"HTTP/1.1 405 "),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    bridge.stop().await;
}
