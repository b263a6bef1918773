//! The plaintext handshake: version 2.1.0 only, refusals in plaintext with the
//! handshake's ID, then the connection closes.

mod common;

use common::*;
use miricat_shared::{Body, ErrorKind, KeyPair, Packet, PacketId};

#[tokio::test]
async fn accepts_2_1_0_and_answers_with_the_handshake_id() {
    let server = TestServer::start().await;
    let mut c = Client::raw(server.addr()).await;
    let key = KeyPair::generate().unwrap().public().to_hex();
    c.send_raw(&format!(
        r#"{{"type":"Handshake.Handshake.hs-1","data":{{"version":"2.1.0","publicKey":"{key}"}}}}"#
    ))
    .await;
    let reply = Packet::decode(&c.read_line().await.unwrap()).unwrap();
    assert_eq!(reply.id, PacketId::from("hs-1"));
    let Body::Handshake(h) = reply.body else {
        panic!("not a handshake")
    };
    assert_eq!(h.version, "2.1.0");
    assert_eq!(h.public_key.len(), 384);
}

#[tokio::test]
async fn refuses_other_versions_in_plaintext_and_closes() {
    let server = TestServer::start().await;
    let mut c = Client::raw(server.addr()).await;
    let key = KeyPair::generate().unwrap().public().to_hex();
    c.send_raw(&format!(
        r#"{{"type":"Handshake.Handshake.7","data":{{"version":"2.0.0","publicKey":"{key}"}}}}"#
    ))
    .await;
    let lines = c.read_until_closed().await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let reply = Packet::decode(&lines[0]).unwrap();
    assert_eq!(reply.id, PacketId::from("7"));
    assert!(matches!(reply.body, Body::Error(ref e) if e.kind == ErrorKind::UnsupportedVersion));
}

#[tokio::test]
async fn refuses_bad_keys_and_non_handshakes() {
    let server = TestServer::start().await;
    for (line, id) in [
        (
            r#"{"type":"Handshake.Handshake.k","data":{"version":"2.1.0","publicKey":"01"}}"#,
            PacketId::from("k"),
        ),
        (
            r#"{"type":"Handshake.Handshake.z","data":{"version":"2.1.0","publicKey":"xyz"}}"#,
            PacketId::from("z"),
        ),
        (
            r#"{"type":"Authentication.Login.3","data":{"username":"root","password":"x"}}"#,
            PacketId::from("3"),
        ),
        ("garbage", PacketId::DontHaveId),
    ] {
        let mut c = Client::raw(server.addr()).await;
        c.send_raw(line).await;
        let lines = c.read_until_closed().await;
        assert_eq!(lines.len(), 1, "{line}: {lines:?}");
        let reply = Packet::decode(&lines[0]).unwrap();
        assert_eq!(reply.id, id, "{line}");
        assert!(
            matches!(reply.body, Body::Error(ref e) if e.kind == ErrorKind::PacketDataIncorrect),
            "{line}"
        );
    }
}

#[tokio::test]
async fn an_over_long_first_line_is_refused() {
    let server = TestServer::start_with(|c| c.max_line_bytes = 1000).await;
    let mut c = Client::raw(server.addr()).await;
    c.send_bytes(&vec![b'{'; 5000]).await;
    let lines = c.read_until_closed().await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        error_kind(&Packet::decode(&lines[0]).unwrap()),
        "PacketDataIncorrect"
    );
}
