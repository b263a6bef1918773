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

#[tokio::test]
async fn a_user_deleted_while_signing_in_does_not_stay_signed_in() {
    // The server holds eve's sign-in after her password was checked and before her
    // connection counts as signed in: root's User.Delete lands exactly there, when
    // there is no connection of hers to close yet.
    let pause = miricat_server::hooks::Pause::new();
    let hooks = miricat_server::hooks::Hooks {
        before_sign_in: Some(pause.clone()),
    };
    let server = TestServer::start_with(|c| c.hooks = hooks).await;
    let mut root = server.client().await;
    let login = root.session.login("root", ROOT_PASSWORD).unwrap();
    root.send(&login).await;
    tokio::time::timeout(WAIT, pause.reached()).await.unwrap();
    pause.release();
    assert!(matches!(root.reply(login.id).await, Event::Accepted { .. }));
    root.ask(|s| s.create_user("eve", "pw")).await;

    let mut eve = server.client().await;
    let login = eve.session.login("eve", "pw").unwrap();
    eve.send(&login).await;
    tokio::time::timeout(WAIT, pause.reached()).await.unwrap();
    let p = root.ask(|s| s.delete_user("eve")).await;
    assert!(matches!(p.body, Body::UserDeleted(_)), "{p:?}");
    pause.release();
    // The one right outcome: the sign-in is refused as for an unknown user, and the
    // connection stays open, not signed in.
    match eve.reply(login.id).await {
        Event::Reply { packet, .. } => assert_eq!(error_kind(&packet), "UserNotFound"),
        other => panic!("signed in to a deleted account: {other:?}"),
    }
    let p = eve
        .call_json("q1", r#"{"type":"Room.RequireList.q1"}"#)
        .await;
    assert_eq!(error_kind(&p), "AccessDenied");
}
