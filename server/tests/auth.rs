//! Login and Register: every error case of `WIRE.md` section 8, and what is allowed
//! before signing in.

mod common;

use common::*;
use miricat_shared::session::Event;
use miricat_shared::{Body, PacketId};

async fn login_error(server: &TestServer, user: &str, password: &str) -> String {
    let mut c = server.client().await;
    let out = c.session.login(user, password).unwrap();
    match c.call(out).await {
        Event::Reply { packet, .. } => error_kind(&packet),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn login_succeeds_with_rooms_and_heartbeat_rate() {
    let server = TestServer::start_with(|c| c.heartbeat_ms = 12_345).await;
    let mut root = server.root().await;
    root.ask(|s| s.create_room("general")).await;
    let mut c = server.client().await;
    let out = c.session.login("root", ROOT_PASSWORD).unwrap();
    let Event::Accepted { accepted, .. } = c.call(out).await else {
        panic!("not accepted")
    };
    assert_eq!(accepted.heartbeat_rate, 12_345);
    assert_eq!(accepted.rooms.len(), 1);
    assert_eq!(accepted.rooms[0].name, "general");
}

#[tokio::test]
async fn login_errors() {
    let server = TestServer::start().await;
    server.user("alice").await;
    assert_eq!(login_error(&server, "nobody", "pw").await, "UserNotFound");
    assert_eq!(
        login_error(&server, "alice", "").await,
        "UserPasswordRequired"
    );
    assert_eq!(
        login_error(&server, "alice", "wrong").await,
        "UserPasswordInvalid"
    );
    assert_eq!(
        login_error(&server, "root", "wrong").await,
        "UserPasswordInvalid"
    );
    let mut c = server.client().await;
    let p = c
        .call_json(
            "m1",
            r#"{"type":"Authentication.Login.m1","data":{"username":5}}"#,
        )
        .await;
    assert_eq!(error_kind(&p), "AuthDataIncorrect");
    let p = c
        .call_json("m2", r#"{"type":"Authentication.Register.m2"}"#)
        .await;
    assert_eq!(error_kind(&p), "AuthDataIncorrect");
}

#[tokio::test]
async fn register_signs_in_and_refuses_taken_names_and_empty_passwords() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    let out = c.session.register("bob", "pw").unwrap();
    assert!(matches!(c.call(out).await, Event::Accepted { .. }));
    let mut c = server.client().await;
    let out = c.session.register("bob", "other").unwrap();
    let Event::Reply { packet, .. } = c.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "UserAlreadyExists");
    let out = c.session.register("root", "x").unwrap();
    let Event::Reply { packet, .. } = c.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "UserAlreadyExists");
    let out = c.session.register("carol", "").unwrap();
    let Event::Reply { packet, .. } = c.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "UserPasswordRequired");
    let out = c.session.register("", "pw").unwrap();
    let Event::Reply { packet, .. } = c.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "AuthDataIncorrect");
    // The registered password works.
    let mut c = server.client().await;
    c.login_ok("bob", "pw").await;
}

#[tokio::test]
async fn register_can_be_turned_off() {
    let server = TestServer::start_with(|c| c.allow_register = false).await;
    let mut c = server.client().await;
    let out = c.session.register("bob", "pw").unwrap();
    let Event::Reply { packet, .. } = c.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "AccessDenied");
    // Even with malformed data, access is refused first.
    let p = c
        .call_json("r", r#"{"type":"Authentication.Register.r","data":{}}"#)
        .await;
    assert_eq!(error_kind(&p), "AccessDenied");
    c.login_ok("root", ROOT_PASSWORD).await;
}

#[tokio::test]
async fn a_second_login_is_refused() {
    let server = TestServer::start().await;
    let mut c = server.root().await;
    let out = c.session.login("root", ROOT_PASSWORD).unwrap();
    c.send(&out).await;
    let p = c.packet_with_id(&PacketId::from(out.id)).await;
    assert_eq!(error_kind(&p), "AccessDenied");
    let out = c.session.register("zed", "pw").unwrap();
    c.send(&out).await;
    let p = c.packet_with_id(&PacketId::from(out.id)).await;
    assert_eq!(error_kind(&p), "AccessDenied");
}

#[tokio::test]
async fn requests_before_login_are_denied_and_pings_ignored() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    let ping = c
        .cipher
        .as_ref()
        .unwrap()
        .encrypt_line(r#"{"type":"Heartbeat.Ping.p"}"#);
    c.send_raw(&ping).await;
    let requests = [
        c.session.require_room_list().unwrap(),
        c.session.join_room(1).unwrap(),
        c.session.send_text(1, "hi").unwrap(),
        c.session.create_room("x").unwrap(),
        c.session
            .request_image_upload("a.png", 10, "image/png")
            .unwrap(),
    ];
    for out in requests {
        let id = out.id;
        c.send(&out).await;
        let p = c.packet_with_id(&PacketId::from(id)).await;
        // The ping got nothing: this is the first line back.
        assert_eq!(error_kind(&p), "AccessDenied");
    }
    // Malformed data before login: still AccessDenied.
    let p = c
        .call_json("j", r#"{"type":"Room.Join.j","data":{"room":"x"}}"#)
        .await;
    assert_eq!(error_kind(&p), "AccessDenied");
    assert!(matches!(p.body, Body::Error(_)));
}

#[tokio::test]
async fn a_second_handshake_is_malformed_not_denied_even_before_login() {
    // `WIRE.md` section 7: AccessDenied before login is for everything *other than*
    // the handshake and Login/Register; a handshake on a secured connection is
    // malformed, well-formed data or not.
    let server = TestServer::start().await;
    for signed_in in [false, true] {
        let mut c = server.client().await;
        if signed_in {
            c.login_ok("root", ROOT_PASSWORD).await;
        }
        for (id, json) in [
            (
                "h1",
                r#"{"type":"Handshake.Handshake.h1","data":{"version":"2.1.0","publicKey":"02"}}"#,
            ),
            ("h2", r#"{"type":"Handshake.Handshake.h2","data":{}}"#),
            ("h3", r#"{"type":"Handshake.Handshake.h3"}"#),
        ] {
            let p = c.call_json(id, json).await;
            assert_eq!(error_kind(&p), "PacketDataIncorrect", "{json}");
            assert_eq!(p.id, PacketId::from(id));
        }
    }
}
