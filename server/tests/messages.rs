//! Messages: fanned out only to the room's members, stamped by the server.

mod common;

use common::*;
use miricat_shared::packet::message::CreateImageMessage;
use miricat_shared::{Body, PacketId};

async fn room_with(server: &TestServer, members: &mut [&mut Client]) -> u64 {
    let mut root = server.root().await;
    let Body::RoomCreated(s) = root.ask(|s| s.create_room("general")).await.body else {
        panic!()
    };
    for m in members.iter_mut() {
        m.ask(|x| x.join_room(s.room)).await;
    }
    s.room
}

#[tokio::test]
async fn members_see_each_other_and_outsiders_see_nothing() {
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    let mut carol = server.user("carol").await;
    let room = room_with(&server, &mut [&mut alice, &mut bob]).await;
    // Drain the creation and join pushes.
    while !matches!(alice.push().await.body, Body::RoomJoined(ref j) if j.user == "bob") {}
    carol.push().await; // Room.Created
    bob.push().await; // Room.Created

    let p = alice.ask(|s| s.send_text(room, "hi bob")).await;
    let Body::TextMessage(m) = &p.body else {
        panic!()
    };
    assert_eq!((m.text.as_str(), m.user.as_str()), ("hi bob", "alice"));
    assert_eq!(p.room, Some(room));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(m.time.millis().abs_diff(now) < 60_000);

    let pushed = bob.push().await;
    assert_eq!(pushed.id, PacketId::DontHaveId);
    assert_eq!(pushed.room, Some(room));
    assert!(
        matches!(pushed.body, Body::TextMessage(ref t) if t.text == "hi bob" && t.user == "alice")
    );

    let p = bob.ask(|s| s.send_text(room, "hi alice")).await;
    assert!(matches!(p.body, Body::TextMessage(_)));
    assert!(matches!(alice.push().await.body, Body::TextMessage(ref t) if t.user == "bob"));
    // The sender gets only its reply, not a push as well.
    alice.assert_no_push().await;
    carol.assert_no_push().await;
    assert_eq!(
        error_kind(&carol.ask(|s| s.send_text(room, "let me in")).await),
        "UserDontConnected"
    );
    assert_eq!(
        error_kind(&carol.ask(|s| s.send_text(999, "x")).await),
        "RoomNotFound"
    );
    bob.assert_no_push().await;
}

#[tokio::test]
async fn the_server_stamps_user_and_time() {
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    let room = room_with(&server, &mut [&mut alice, &mut bob]).await;
    let json = format!(
        r#"{{"type":"Message.CreateTextMessage.f1","data":{{"text":"forged","user":"root","time":5}},"room":{room}}}"#
    );
    let p = alice.call_json("f1", &json).await;
    let Body::TextMessage(m) = p.body else {
        panic!("{p:?}")
    };
    assert_eq!(m.user, "alice");
    assert!(m.time.millis() > 1_600_000_000_000);
}

#[tokio::test]
async fn message_data_errors_win_over_room_errors() {
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let room = room_with(&server, &mut [&mut alice]).await;
    assert_eq!(
        error_kind(&alice.ask(|s| s.send_text(room, "")).await),
        "MessageDataIncorrect"
    );
    assert_eq!(
        error_kind(&alice.ask(|s| s.send_text(999, "")).await),
        "MessageDataIncorrect"
    );
    let p = alice
        .call_json(
            "n",
            r#"{"type":"Message.CreateTextMessage.n","data":{"text":"x"}}"#,
        )
        .await;
    assert_eq!(error_kind(&p), "MessageDataIncorrect");
    let p = alice
        .call_json(
            "t",
            &format!(r#"{{"type":"Message.CreateTextMessage.t","data":{{}},"room":{room}}}"#),
        )
        .await;
    assert_eq!(error_kind(&p), "MessageDataIncorrect");
    let empty = CreateImageMessage::default();
    assert_eq!(
        error_kind(&alice.ask(|s| s.send_image(room, empty)).await),
        "MessageDataIncorrect"
    );
    let bad = CreateImageMessage::url("javascript:alert(1)");
    assert_eq!(
        error_kind(&alice.ask(|s| s.send_image(room, bad)).await),
        "MessageDataIncorrect"
    );
    let unknown = CreateImageMessage::uploaded("0123456789abcdef0123456789abcdef");
    assert_eq!(
        error_kind(&alice.ask(|s| s.send_image(room, unknown)).await),
        "MessageDataIncorrect"
    );
}

#[tokio::test]
async fn image_messages_by_url_reach_members() {
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    let room = room_with(&server, &mut [&mut alice, &mut bob]).await;
    while !matches!(alice.push().await.body, Body::RoomJoined(_)) {}
    let url = CreateImageMessage::url("https://example.com/cat.png");
    let p = alice.ask(|s| s.send_image(room, url)).await;
    assert!(
        matches!(p.body, Body::ImageMessage(ref m) if m.image == "https://example.com/cat.png" && m.user == "alice")
    );
    assert!(matches!(bob.push().await.body, Body::RoomCreated(_)));
    assert!(
        matches!(bob.push().await.body, Body::ImageMessage(ref m) if m.image == "https://example.com/cat.png")
    );
    let mut carol = server.user("carol").await;
    carol.assert_no_push().await;
}

#[tokio::test]
async fn an_image_url_is_carried_unchanged_or_refused() {
    // `WIRE.md` section 9: the ImageMessage carries the reference unchanged, so a
    // reference the server would have to clean up is refused instead.
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let room = room_with(&server, &mut [&mut alice]).await;
    let url = "HTTPS://Example.com/a%20cat.png?x=1#y";
    let p = alice
        .ask(|s| s.send_image(room, CreateImageMessage::url(url)))
        .await;
    assert!(
        matches!(p.body, Body::ImageMessage(ref m) if m.image == url),
        "{p:?}"
    );
    for bad in [
        " https://example.com/cat.png",
        "https://example.com/cat.png\n",
        "https://",
        "ftp://example.com/cat.png",
    ] {
        let p = alice
            .ask(|s| s.send_image(room, CreateImageMessage::url(bad)))
            .await;
        assert_eq!(error_kind(&p), "MessageDataIncorrect", "{bad:?}");
    }
}

/// Every text message `c` sees (its replies and pushes), until it has seen `count`.
async fn texts_seen(c: &mut Client, count: usize) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < count {
        let packet = match c.next_event().await {
            miricat_shared::session::Event::Reply { packet, .. } => packet,
            miricat_shared::session::Event::Push(packet) => packet,
            _ => continue,
        };
        if let Body::TextMessage(m) = packet.body {
            seen.push(m.text);
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_member_sees_messages_in_the_same_order() {
    // The sender's reply is queued under the same lock as the pushes to the others,
    // so two members talking at once cannot each see their own message first.
    const EACH: usize = 150;
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    let mut carol = server.user("carol").await;
    let room = room_with(&server, &mut [&mut alice, &mut bob, &mut carol]).await;
    for c in [&mut alice, &mut bob, &mut carol] {
        c.drain_pushes().await; // the creation and join pushes
    }
    let talk = |mut c: Client, name: &'static str| async move {
        for i in 0..EACH {
            let out = c.session.send_text(room, &format!("{name} {i}")).unwrap();
            c.send(&out).await;
        }
        let seen = texts_seen(&mut c, 2 * EACH).await;
        (c, seen)
    };
    let a = tokio::spawn(talk(alice, "alice"));
    let b = tokio::spawn(talk(bob, "bob"));
    let carol_seen = texts_seen(&mut carol, 2 * EACH).await;
    let (_alice, alice_seen) = a.await.unwrap();
    let (_bob, bob_seen) = b.await.unwrap();
    assert_eq!(alice_seen, carol_seen);
    assert_eq!(bob_seen, carol_seen);
}

#[tokio::test]
async fn texts_and_urls_over_the_length_limit_are_refused_and_not_stored() {
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    let room = room_with(&server, &mut [&mut alice, &mut bob]).await;
    bob.drain_pushes().await;
    // The default is 16 KiB of UTF-8, counted in bytes: 4-byte characters fill it
    // with a quarter as many characters.
    let limit = miricat_shared::packet::message::DEFAULT_MAX_TEXT_BYTES;
    let fits = "🐈".repeat(limit / 4);
    assert_eq!(fits.len(), limit);
    let p = alice.ask(|s| s.send_text(room, &fits)).await;
    assert!(matches!(p.body, Body::TextMessage(ref m) if m.text == fits));
    assert!(matches!(bob.push().await.body, Body::TextMessage(ref m) if m.text == fits));
    for over in [
        format!("{fits}x"),
        "🐈".repeat(limit / 4 + 1),
        "x".repeat(200_000),
    ] {
        let out = alice.session.send_text(room, &over).unwrap();
        let id = PacketId::from(out.id);
        let p = alice.call_packet(out).await;
        assert_eq!(error_kind(&p), "MessageDataIncorrect");
        assert_eq!(p.id, id, "answered with the request's ID");
    }
    let long_url = format!("https://example.com/{}", "a".repeat(limit));
    let p = alice
        .ask(|s| s.send_image(room, CreateImageMessage::url(long_url)))
        .await;
    assert_eq!(error_kind(&p), "MessageDataIncorrect");
    // Too long is malformed data, so it wins over the room checks.
    let p = alice.ask(|s| s.send_text(999, &format!("{fits}x"))).await;
    assert_eq!(error_kind(&p), "MessageDataIncorrect");
    bob.assert_no_push().await;

    // Only the message that fitted was stored; a configured limit replaces the default.
    let server = server.restart_with(|c| c.max_text_bytes = 10).await;
    let mut alice = server.client().await;
    alice.login_ok("alice", "pw").await;
    alice.ask(|s| s.join_room(room)).await;
    assert!(matches!(
        alice.ask(|s| s.send_text(room, "0123456789")).await.body,
        Body::TextMessage(_)
    ));
    let p = alice.ask(|s| s.send_text(room, "0123456789a")).await;
    assert_eq!(error_kind(&p), "MessageDataIncorrect");
    let stored = rusqlite::Connection::open(server.dir.path().join("miricat.db"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(stored, 2);
}
