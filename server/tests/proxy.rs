//! PROXY protocol v2 at the start of a connection: honoured from trusted bridges,
//! a reason to close from anyone else.

mod common;

use std::net::SocketAddr;

use common::*;
use ppp::v2::{Builder, Command, Protocol, Version};

fn header(source: &str) -> Vec<u8> {
    let src: SocketAddr = source.parse().unwrap();
    let dst: SocketAddr = "127.0.0.1:3072".parse().unwrap();
    Builder::with_addresses(Version::Two | Command::Proxy, Protocol::Stream, (src, dst))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_trusted_bridge_may_send_a_header_and_plain_connections_still_work() {
    let server = TestServer::start_with(|c| {
        c.trusted_bridges = vec!["127.0.0.0/8".parse().unwrap()];
        c.max_connections_per_ip = 1;
    })
    .await;
    let mut bridged = Client::raw(server.addr()).await;
    bridged.send_bytes(&header("203.0.113.9:4000")).await;
    let hs = bridged.session.handshake_line();
    bridged.send_raw(&hs).await;
    let line = bridged.read_line().await.unwrap();
    assert!(matches!(
        bridged.session.handle_line(&line, 0),
        Some(miricat_shared::session::Event::Secured)
    ));
    bridged.login_ok("root", ROOT_PASSWORD).await;

    // The per-address limit counts the carried address: a second browser behind the
    // same bridge with another address is fine, the same address again is not.
    let mut other = Client::raw(server.addr()).await;
    other.send_bytes(&header("203.0.113.10:4000")).await;
    let hs = other.session.handshake_line();
    other.send_raw(&hs).await;
    let line = other.read_line().await.unwrap();
    assert!(
        matches!(
            other.session.handle_line(&line, 0),
            Some(miricat_shared::session::Event::Secured)
        ),
        "{line}"
    );
    let mut same = Client::raw(server.addr()).await;
    same.send_bytes(&header("203.0.113.9:4001")).await;
    same.send_raw("{}").await;
    assert!(same.read_until_closed().await.is_empty());

    // A plain connection from the bridge's own address works as usual.
    let mut plain = server.client().await;
    plain.login_ok("root", ROOT_PASSWORD).await;
}

#[tokio::test]
async fn a_header_from_an_untrusted_address_closes_the_connection() {
    let server = TestServer::start_with(|c| {
        c.trusted_bridges = vec!["10.9.9.9/32".parse().unwrap()];
    })
    .await;
    let mut c = Client::raw(server.addr()).await;
    c.send_bytes(&header("203.0.113.9:4000")).await;
    let hs = c.session.handshake_line();
    c.send_raw(&hs).await;
    assert!(c.read_until_closed().await.is_empty());
    // Without a header, the same client is served.
    let mut ok = server.client().await;
    ok.login_ok("root", ROOT_PASSWORD).await;
}
