//! Lines that are not good requests: garbage, wrong keys, plaintext after the
//! handshake, over-long lines, unknown types, missing IDs; and the heartbeat.
//! Nothing a client sends may crash the server or disturb another session.

mod common;

use common::*;
use miricat_shared::crypto::{LineCipher, McpKey};
use miricat_shared::{Body, ErrorKind, Packet, PacketId};

/// Reads the next raw line and decodes it as a plaintext packet.
async fn plain_reply(c: &mut Client) -> Packet {
    let line = c.read_line().await.expect("closed");
    assert!(line.starts_with('{'), "expected plaintext, got {line}");
    Packet::decode(&line).unwrap()
}

fn is_error(p: &Packet, kind: ErrorKind) -> bool {
    matches!(&p.body, Body::Error(e) if e.kind == kind)
}

#[tokio::test]
async fn unreadable_lines_get_a_plaintext_error_and_the_session_goes_on() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.login_ok("root", ROOT_PASSWORD).await;
    let wrong_key = LineCipher::new(&McpKey::from_bytes([7; 32]))
        .encrypt_line(r#"{"type":"Room.RequireList.1","data":null,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#);
    let own_cipher = c.cipher.clone().unwrap();
    let not_json = own_cipher.encrypt_line("hello there");
    let no_type = own_cipher.encrypt_line(r#"{"data":{}}"#);
    let bad_type = own_cipher.encrypt_line(r#"{"type":"Room"}"#);
    for line in [
        "not base64 at all !!!",
        &wrong_key,
        &not_json,
        &no_type,
        &bad_type,
        r#"{"type":"Room.RequireList.9"}"#,
    ] {
        c.send_raw(line).await;
        let p = plain_reply(&mut c).await;
        assert!(
            is_error(&p, ErrorKind::PacketDataIncorrect),
            "{line}: {p:?}"
        );
        assert_eq!(p.id, PacketId::DontHaveId, "{line}");
    }
    // Invalid UTF-8 bytes on the wire.
    c.send_bytes(b"\xff\xfe\xfd\n").await;
    let p = plain_reply(&mut c).await;
    assert!(is_error(&p, ErrorKind::PacketDataIncorrect));
    // Still usable, and nothing was acted on.
    let p = c.ask(|s| s.require_room_list()).await;
    assert!(matches!(p.body, Body::RoomList(ref l) if l.is_empty()));
}

#[tokio::test]
async fn unknown_types_and_missing_ids() {
    let server = TestServer::start().await;
    let mut c = server.root().await;
    for (id, json) in [
        ("a", r#"{"type":"Weird.Thing.a","data":{}}"#),
        (
            "b",
            r#"{"type":"Room.Created.b","data":{"room":1,"name":"x"}}"#,
        ),
        ("c", r#"{"type":"Error.AccessDenied.c","data":null}"#),
        (
            "d",
            r#"{"type":"Handshake.Handshake.d","data":{"version":"2.1.0","publicKey":"02"}}"#,
        ),
        (
            "e.with.dots",
            r#"{"type":"Room.Join.e.with.dots","data":{"room":"x"}}"#,
        ),
    ] {
        let p = c.call_json(id, json).await;
        assert!(
            is_error(&p, ErrorKind::PacketDataIncorrect),
            "{json}: {p:?}"
        );
    }
    // A request without an ID is answered with DontHaveID.
    c.send_json(r#"{"type":"Room.Create","data":{"name":"no-id"}}"#)
        .await;
    let p = c.packet_with_id(&PacketId::DontHaveId).await;
    assert!(
        matches!(p.body, Body::RoomCreated(ref r) if r.name == "no-id"),
        "{p:?}"
    );
}

#[tokio::test]
async fn an_over_long_line_is_refused_and_closes_only_that_connection() {
    let server = TestServer::start_with(|c| c.max_line_bytes = 4096).await;
    let mut other = server.root().await;
    let mut c = server.root().await;
    let long = "A".repeat(10_000);
    c.send_raw(&long).await;
    let lines = c.read_until_closed().await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let p = Packet::decode(&lines[0]).unwrap();
    assert!(is_error(&p, ErrorKind::PacketDataIncorrect));
    assert_eq!(p.id, PacketId::DontHaveId);
    let p = other.ask(|s| s.require_room_list()).await;
    assert!(matches!(p.body, Body::RoomList(_)));
}

#[tokio::test]
async fn a_silent_connection_gets_heartbeat_timeout() {
    // 3 x 400 ms leaves a loaded machine time to sign in before the deadline.
    let server = TestServer::start_with(|c| c.heartbeat_ms = 400).await;
    let mut c = server.client().await;
    c.login_ok("root", ROOT_PASSWORD).await;
    let lines = c.read_until_closed().await;
    assert_eq!(
        lines,
        [r#"{"type":"Error.HeartbeatTimeout.DontHaveID","data":{"message":"no heartbeat"}}"#]
    );
    // Never signed in: closed the same way.
    let mut c = server.client().await;
    let lines = c.read_until_closed().await;
    assert_eq!(lines.len(), 1);
    assert!(is_error(
        &Packet::decode(&lines[0]).unwrap(),
        ErrorKind::HeartbeatTimeout
    ));
}

#[tokio::test]
async fn pings_keep_a_connection_alive() {
    let server = TestServer::start_with(|c| c.heartbeat_ms = 300).await;
    let mut c = server.root().await;
    let cipher = c.cipher.clone().unwrap();
    let started = tokio::time::Instant::now();
    // Ping every 100 ms for well over three heartbeats (900 ms).
    for i in 0..14 {
        let ping = cipher.encrypt_line(&format!(r#"{{"type":"Heartbeat.Ping.p{i}"}}"#));
        c.send_raw(&ping).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(started.elapsed() > std::time::Duration::from_millis(1300));
    let p = c.ask(|s| s.require_room_list()).await;
    assert!(matches!(p.body, Body::RoomList(_)));
}

#[tokio::test]
async fn a_client_that_does_not_read_is_disconnected_not_buffered() {
    let server = TestServer::start_with(|c| {
        c.outbound.max_bytes = 512 * 1024;
        // Large messages fill the lazy client's queue in few requests.
        c.max_text_bytes = 256 * 1024;
        c.rate_limit.per_second = 10_000.0;
        c.rate_limit.burst = 10_000;
    })
    .await;
    let mut root = server.root().await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("flood")).await.body else {
        panic!()
    };
    root.ask(|s| s.join_room(room.room)).await;
    // The lazy client joins and never reads again.
    let mut lazy = server.user("lazy").await;
    lazy.ask(|s| s.join_room(room.room)).await;
    root.push().await;
    let text = "x".repeat(256 * 1024);
    let mut closed = false;
    for i in 0..400 {
        root.ask(|s| s.send_text(room.room, &text)).await;
        if i % 8 != 7 {
            continue;
        }
        if let Some(p) = root_left(&mut root).await {
            assert!(matches!(p.body, Body::RoomLeft(ref l) if l.user == "lazy"));
            closed = true;
            break;
        }
    }
    assert!(closed, "the slow client was never disconnected");
}

/// A `Room.Left` push already received, if any (checked with a round trip).
async fn root_left(root: &mut Client) -> Option<Packet> {
    let out = root.session.require_room_list().unwrap();
    root.send(&out).await;
    let mut left = None;
    loop {
        match root.next_event().await {
            miricat_shared::session::Event::Reply { request, .. } if request == out.id => {
                return left;
            }
            miricat_shared::session::Event::Push(p) => left = Some(p),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_fast_client_is_throttled_not_refused() {
    let server = TestServer::start_with(|c| {
        c.rate_limit.per_second = 40.0;
        c.rate_limit.burst = 5;
    })
    .await;
    let mut c = server.root().await;
    let started = tokio::time::Instant::now();
    let mut ids = Vec::new();
    for _ in 0..45 {
        let out = c.session.require_room_list().unwrap();
        c.send(&out).await;
        ids.push(out.id);
    }
    for id in ids {
        assert!(matches!(
            c.reply(id).await,
            miricat_shared::session::Event::Reply { .. }
        ));
    }
    // 45 requests, 5 free: at least a second of pacing at 40 per second.
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
}

#[tokio::test]
async fn a_plaintext_request_after_the_handshake_is_not_acted_on() {
    // `WIRE.md` section 5: encrypted requests only once the handshake is done.
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let mut alice = server.user("alice").await;
    for line in [
        r#"{"type":"Room.Create.p1","data":{"name":"sneaky"}}"#,
        r#"  {"type":"User.Create.p2","data":{"username":"mallory","password":"pw"}}"#,
    ] {
        root.send_raw(line).await;
        let p = plain_reply(&mut root).await;
        assert!(is_error(&p, ErrorKind::PacketDataIncorrect), "{p:?}");
        assert_eq!(p.id, PacketId::DontHaveId);
    }
    // Nothing happened: no room, no push, no account.
    let p = root.ask(|s| s.require_room_list()).await;
    assert!(
        matches!(p.body, Body::RoomList(ref l) if l.is_empty()),
        "{p:?}"
    );
    alice.assert_no_push().await;
    let mut mallory = server.client().await;
    let out = mallory.session.login("mallory", "pw").unwrap();
    let miricat_shared::session::Event::Reply { packet, .. } = mallory.call(out).await else {
        panic!("mallory signed in")
    };
    assert_eq!(error_kind(&packet), "UserNotFound");
    // A plaintext Login before signing in is refused the same way.
    mallory
        .send_raw(r#"{"type":"Authentication.Login.p3","data":{"username":"root","password":"root-secret"}}"#)
        .await;
    let p = plain_reply(&mut mallory).await;
    assert!(is_error(&p, ErrorKind::PacketDataIncorrect), "{p:?}");
    let p = mallory.ask(|s| s.require_room_list()).await;
    assert_eq!(
        error_kind(&p),
        "AccessDenied",
        "the plaintext login did not sign in"
    );
}
