//! Upstream outages and graceful shutdown.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::support::*;

#[tokio::test]
async fn upstream_down_then_back() {
    let upstream = Upstream::start().await;
    let addr = upstream.addr;
    drop(upstream);
    let bridge = Bridge::start(quick_close(miricat_bridge::Config::for_upstream(
        addr.to_string(),
    )))
    .await;

    let mut ws = connect(&bridge.url("/ws")).await;
    assert_eq!(close_of(&mut ws).await.0, 1011);
    let health = http_get(bridge.addr, "/healthz", &[]).await;
    assert_eq!(health.status, 503);

    // The server comes back on the same port: new connections work again.
    let listener = TcpListener::bind(addr).await.unwrap();
    let mut ws = connect(&bridge.url("/ws")).await;
    let (mut server, _) = within(listener.accept()).await.unwrap();
    send_text(&mut ws, "back").await;
    assert_eq!(read_exactly(&mut server, 5).await, b"back\n");
    server.write_all(b"welcome\n").await.unwrap();
    assert_eq!(next_text(&mut ws).await, "welcome");
    bridge.stop().await;
}

#[tokio::test]
async fn shutdown_closes_clients_with_1001_stops_accepting_and_returns() {
    let upstream = Upstream::start().await;
    let bridge = Bridge::start(upstream.config()).await;
    let addr = bridge.addr;
    let mut first = connect(&bridge.url("/ws")).await;
    let mut first_server = upstream.accept().await;
    let mut second = connect(&bridge.url("/ws")).await;
    let mut second_server = upstream.accept().await;
    // An HTTP client that connected and said nothing must not hold the shutdown up.
    let _idle_http = TcpStream::connect(addr).await.unwrap();

    let started = Instant::now();
    let stopping = tokio::spawn(bridge.stop());
    for ws in [&mut first, &mut second] {
        let (code, reason, _) = close_of(ws).await;
        assert_eq!((code, reason.as_str()), (1001, "bridge shutting down"));
    }
    expect_eof(&mut first_server).await;
    expect_eof(&mut second_server).await;
    within(stopping).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

#[tokio::test]
async fn shutdown_drops_clients_that_never_finish_closing_after_the_grace_period() {
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        shutdown_grace: Duration::from_millis(300),
        close_timeout: Duration::from_secs(60),
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;
    // Connected, but never reads: it will not answer the close frame.
    let mut stuck = connect(&bridge.url("/ws")).await;
    let _server = upstream.accept().await;
    let started = Instant::now();
    bridge.stop().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    // The bridge dropped the socket: the client sees the close frame, then the end.
    let (code, _, _) = close_of(&mut stuck).await;
    assert_eq!(code, 1001);
}
