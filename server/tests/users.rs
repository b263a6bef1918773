//! Root's account administration.

mod common;

use common::*;
use miricat_shared::Body;
use miricat_shared::session::Event;

#[tokio::test]
async fn root_creates_and_deletes_users() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let p = root.ask(|s| s.create_user("dave", "pw")).await;
    assert!(matches!(p.body, Body::UserCreated(ref u) if u.username == "dave"));
    let mut dave = server.client().await;
    dave.login_ok("dave", "pw").await;
    assert_eq!(
        error_kind(&root.ask(|s| s.create_user("dave", "x")).await),
        "UserAlreadyExists"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.create_user("erin", "")).await),
        "UserPasswordRequired"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.create_user("", "pw")).await),
        "PacketDataIncorrect"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.delete_user("nobody")).await),
        "UserNotFound"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.create_user("root", "pw")).await),
        "AccessDenied"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.delete_user("root")).await),
        "AccessDenied"
    );
    let p = root
        .call_json("x", r#"{"type":"User.Delete.x","data":{"user":"dave"}}"#)
        .await;
    assert_eq!(error_kind(&p), "PacketDataIncorrect");

    // Non-root: denied whatever the data.
    for p in [
        dave.ask(|s| s.create_user("frank", "pw")).await,
        dave.ask(|s| s.create_user("dave", "")).await,
        dave.ask(|s| s.delete_user("dave")).await,
        dave.ask(|s| s.delete_user("nobody")).await,
    ] {
        assert_eq!(error_kind(&p), "AccessDenied");
    }
}

#[tokio::test]
async fn deleting_a_connected_user_closes_its_connections() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("general")).await.body else {
        panic!()
    };
    root.ask(|s| s.join_room(room.room)).await;
    let mut dave = server.user("dave").await;
    let mut dave2 = server.client().await;
    dave2.login_ok("dave", "pw").await;
    dave.ask(|s| s.join_room(room.room)).await;
    assert!(matches!(root.push().await.body, Body::RoomJoined(_)));

    let p = root.ask(|s| s.delete_user("dave")).await;
    assert!(matches!(p.body, Body::UserDeleted(ref u) if u.username == "dave"));
    dave.read_until_closed().await;
    dave2.read_until_closed().await;
    assert!(matches!(root.push().await.body, Body::RoomLeft(ref l) if l.user == "dave"));
    // The account is gone.
    let mut again = server.client().await;
    let out = again.session.login("dave", "pw").unwrap();
    let Event::Reply { packet, .. } = again.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "UserNotFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_deleted_while_signing_in_does_not_stay_signed_in() {
    // Slow hashing widens the window between checking the password and signing in,
    // where root's User.Delete lands.
    let server = TestServer::start_with(|c| {
        c.password_hashing.memory_kib = 8 * 1024;
        c.password_hashing.iterations = 2;
    })
    .await;
    let mut root = server.root().await;
    for round in 0..3 {
        let name = format!("eve{round}");
        root.ask(|s| s.create_user(&name, "pw")).await;
        let mut eve = server.client().await;
        let login = eve.session.login(&name, "pw").unwrap();
        eve.send(&login).await;
        // Not waiting for an event: placing the delete inside the password check,
        // which takes far longer than this.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let delete = root.session.delete_user(&name).unwrap();
        let p = root.call_packet(delete).await;
        assert!(matches!(p.body, Body::UserDeleted(_)), "{p:?}");
        // Refused, or closed (with or without Accepted first): never left signed in.
        match eve.read_line().await {
            None => {}
            Some(line) => match eve.session.handle_line(&line, 1) {
                Some(Event::Accepted { .. }) => {
                    eve.read_until_closed().await;
                }
                Some(Event::Reply { packet, .. }) => {
                    assert_eq!(error_kind(&packet), "UserNotFound")
                }
                other => panic!("{other:?}"),
            },
        }
    }
}
