//! The PROXY protocol v2 header on upstream connections, and whose address it carries.

use miricat_bridge::proxy_protocol::SIGNATURE;

use crate::support::*;

/// Reads a v2 TCP/IPv4 header off the upstream side: (source, destination).
async fn read_v4_header(
    server: &mut tokio::net::TcpStream,
) -> (std::net::SocketAddr, std::net::SocketAddr) {
    let header = read_exactly(server, 28).await;
    assert_eq!(&header[..12], &SIGNATURE);
    assert_eq!(&header[12..16], &[0x21, 0x11, 0, 12]);
    let ip = |b: &[u8]| std::net::IpAddr::from([b[0], b[1], b[2], b[3]]);
    let port = |b: &[u8]| u16::from_be_bytes([b[0], b[1]]);
    (
        (ip(&header[16..20]), port(&header[24..26])).into(),
        (ip(&header[20..24]), port(&header[26..28])).into(),
    )
}

#[tokio::test]
async fn the_header_names_the_browser_and_the_bridge_then_lines_follow() {
    let upstream = Upstream::start().await;
    let config = miricat_bridge::Config {
        upstream_proxy_protocol: true,
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;
    let mut ws = connect(&bridge.url("/ws")).await;
    let mut server = upstream.accept().await;
    let (source, destination) = read_v4_header(&mut server).await;
    assert_eq!(source.ip(), std::net::IpAddr::from([127, 0, 0, 1]));
    assert_ne!(source.port(), 0);
    assert_eq!(destination, bridge.addr);
    send_text(&mut ws, "after the header").await;
    assert_eq!(read_exactly(&mut server, 17).await, b"after the header\n");
    bridge.stop().await;
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let upstream = Upstream::start().await;
    let forwarded = [("X-Forwarded-For", "6.6.6.6, 203.0.113.7")];

    // Untrusted peer: the header is ignored.
    let config = miricat_bridge::Config {
        upstream_proxy_protocol: true,
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;
    let _ws = connect_with(&bridge.url("/ws"), &forwarded).await.unwrap();
    let mut server = upstream.accept().await;
    assert_eq!(
        read_v4_header(&mut server).await.0.ip(),
        std::net::IpAddr::from([127, 0, 0, 1])
    );
    bridge.stop().await;

    // Loopback trusted as a proxy: the rightmost untrusted entry is the client.
    let config = miricat_bridge::Config {
        upstream_proxy_protocol: true,
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        max_per_ip: 1,
        ..upstream.config()
    };
    let bridge = Bridge::start(config).await;
    let _ws = connect_with(&bridge.url("/ws"), &forwarded).await.unwrap();
    let mut server = upstream.accept().await;
    let (source, _) = read_v4_header(&mut server).await;
    assert_eq!(source, "203.0.113.7:0".parse().unwrap());
    // The per-IP limit counts that client, not the proxy.
    let again = connect_with(&bridge.url("/ws"), &forwarded).await;
    assert_eq!(refusal_status(again), 429);
    let _other = connect_with(&bridge.url("/ws"), &[("X-Forwarded-For", "203.0.113.8")])
        .await
        .unwrap();
    bridge.stop().await;
}
