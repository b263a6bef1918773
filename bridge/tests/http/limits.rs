//! Connection limits: 429 per client address, 503 in total, both before the
//! upgrade, and the slots come back when connections close.

use crate::support::*;

#[tokio::test]
async fn per_ip_limit_refuses_with_429_and_frees_slots_on_close() {
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        max_per_ip: 2,
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    let url = bridge.url("/ws");
    let mut first = connect(&url).await;
    let _second = connect(&url).await;
    assert_eq!(refusal_status(connect_with(&url, &[]).await), 429);

    // Closing one frees its slot (the close is complete once the echo arrives).
    within(futures_util::SinkExt::close(&mut first))
        .await
        .unwrap();
    while futures_util::StreamExt::next(&mut first).await.is_some() {}
    let third = within(async {
        loop {
            match connect_with(&url, &[]).await {
                Ok(ws) => return ws,
                Err(_) => tokio::task::yield_now().await,
            }
        }
    })
    .await;
    drop(third);
    bridge.stop().await;
}

#[tokio::test]
async fn total_limit_refuses_with_503() {
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        max_connections: 2,
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    let url = bridge.url("/ws");
    let _a = connect(&url).await;
    let _b = connect(&url).await;
    assert_eq!(refusal_status(connect_with(&url, &[]).await), 503);
    let metrics = http_get(bridge.addr, "/metrics", &[]).await.text();
    assert!(
        metrics
            .contains("miricat_bridge_connections_refused_total{reason=\"max_connections\"} 1\n")
    );
    bridge.stop().await;
}

#[tokio::test]
async fn malformed_upgrades_are_refused_before_anything_is_relayed() {
    let upstream = echo_upstream().await;
    let bridge = Bridge::start(quick_close(miricat_bridge::Config::for_upstream(
        upstream.to_string(),
    )))
    .await;
    // A plain GET on /ws is not an upgrade.
    assert_eq!(http_get(bridge.addr, "/ws", &[]).await.status, 426);
    let wrong_version = http_get(
        bridge.addr,
        "/ws",
        &[
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 8",
        ],
    )
    .await;
    assert_eq!(wrong_version.status, 426);
    assert_eq!(wrong_version.header("Sec-WebSocket-Version"), Some("13"));
    bridge.stop().await;
}

/// How soon a socket over the cap must be closed: far below the request timeout
/// (set to a minute below), which would close an idle socket anyway.
const AT_ONCE: std::time::Duration = std::time::Duration::from_secs(2);

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_share_of_sockets() {
    use tokio::io::AsyncReadExt;
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        max_per_ip: 1,
        request_timeout: std::time::Duration::from_secs(60),
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    let refused = "miricat_bridge_connections_refused_total{reason=\"sockets\"}";
    // 127.0.0.2 holds max_per_ip + 8 idle sockets; its next one is closed at once.
    let mut held = Vec::new();
    for _ in 0..9 {
        held.push(connect_from(2, bridge.addr, Buffers::default()).await);
    }
    let mut extra = connect_from(2, bridge.addr, Buffers::default()).await;
    let mut buf = [0u8; 16];
    let closed = tokio::time::timeout(AT_ONCE, extra.read(&mut buf))
        .await
        .expect("the socket over the cap is closed at once, not by a timeout");
    assert_eq!(closed.unwrap_or(0), 0);
    // The honest client on 127.0.0.1 is not affected, and sees the refusal counted.
    assert_eq!(metric(bridge.addr, refused).await, 1);
    let mut ws = connect(&bridge.url("/ws")).await;
    send_text(&mut ws, "unaffected").await;
    assert_eq!(next_text(&mut ws).await, "unaffected");

    // Freeing one lets 127.0.0.2 in again.
    drop(held.pop());
    let served = within(async {
        for _ in 0..500 {
            use tokio::io::AsyncWriteExt;
            let mut stream = connect_from(2, bridge.addr, Buffers::default()).await;
            // Closed at once while the freed slot is not yet returned: try again.
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await;
            let mut raw = Vec::new();
            let _ = stream.read_to_end(&mut raw).await;
            if raw.starts_with(b"HTTP/1.1 200") {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        false
    });
    assert!(served.await);
    bridge.stop().await;
}
