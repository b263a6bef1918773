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

#[tokio::test]
async fn one_address_cannot_hold_more_than_its_share_of_sockets() {
    use tokio::io::AsyncReadExt;
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        max_per_ip: 1,
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    // max_per_ip + 8 idle sockets are held; the next one is closed at once.
    let mut held = Vec::new();
    for _ in 0..9 {
        held.push(tokio::net::TcpStream::connect(bridge.addr).await.unwrap());
    }
    let mut extra = tokio::net::TcpStream::connect(bridge.addr).await.unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(within(extra.read(&mut buf)).await.unwrap_or(0), 0);
    // Freeing one lets a new client in.
    drop(held.pop());
    let health = within(async {
        loop {
            let mut stream = tokio::net::TcpStream::connect(bridge.addr).await.unwrap();
            use tokio::io::AsyncWriteExt;
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut raw = Vec::new();
            let _ = stream.read_to_end(&mut raw).await;
            if !raw.is_empty() {
                return raw;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(health.starts_with(b"HTTP/1.1 200"));
    bridge.stop().await;
}
