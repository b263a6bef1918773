//! The Host allowlist: a DNS-rebinding name gets 421 (and its Origin no longer
//! passes as "our own"), while configured names, IP literals and localhost work.

use crate::support::*;

const REFUSED_HOSTS: &str = "miricat_bridge_connections_refused_total{reason=\"host\"}";

#[tokio::test]
async fn a_rebinding_host_gets_421_while_configured_names_and_ip_literals_work() {
    let upstream = echo_upstream().await;
    let config = quick_close(miricat_bridge::Config {
        public_hosts: vec!["chat.example.com".into()],
        ..miricat_bridge::Config::for_upstream(upstream.to_string())
    });
    let bridge = Bridge::start(config).await;
    let port = bridge.addr.port();

    // A page on evil.example whose name now resolves to the bridge.
    let evil_host = format!("evil.example:{port}");
    let evil_origin = format!("http://evil.example:{port}");
    let stream = connect_from(2, bridge.addr, Buffers::default()).await;
    let page = http_get_on(stream, &evil_host, "/healthz", &[]).await;
    assert_eq!(page.status, 421);
    assert_eq!(
        page.text(),
        "this bridge does not answer for that host name\n"
    );
    let stream = connect_from(2, bridge.addr, Buffers::default()).await;
    let socket = websocket_on(
        stream,
        &bridge.url("/ws"),
        &[("Host", &evil_host), ("Origin", &evil_origin)],
    )
    .await;
    assert_eq!(refusal_status(socket.map(|_| unreachable!())), 421);
    assert_eq!(metric(bridge.addr, REFUSED_HOSTS).await, 2);

    // The configured name, IP literals and localhost are served.
    for host in [
        format!("chat.example.com:{port}"),
        "CHAT.example.com".to_owned(),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("localhost:{port}"),
    ] {
        let stream = tokio::net::TcpStream::connect(bridge.addr).await.unwrap();
        let health = http_get_on(stream, &host, "/healthz", &[]).await;
        assert_eq!(health.status, 200, "{host}");
    }
    let own_host = format!("chat.example.com:{port}");
    let own_origin = format!("http://chat.example.com:{port}");
    let mut ws = connect_with(
        &bridge.url("/ws"),
        &[("Host", &own_host), ("Origin", &own_origin)],
    )
    .await
    .unwrap();
    send_text(&mut ws, "through the public name").await;
    assert_eq!(next_text(&mut ws).await, "through the public name");

    // An allowed Host does not make a foreign Origin our own.
    let ip_host = format!("127.0.0.1:{port}");
    let foreign = connect_with(
        &bridge.url("/ws"),
        &[("Host", &ip_host), ("Origin", &evil_origin)],
    )
    .await;
    assert_eq!(refusal_status(foreign), 403);
    assert_eq!(metric(bridge.addr, REFUSED_HOSTS).await, 2);
    bridge.stop().await;
}
