//! Rooms: root-only administration, membership, presence pushes and which error
//! wins (`WIRE.md` section 7).

mod common;

use common::*;
use miricat_shared::packet::room::RoomSummary;
use miricat_shared::{Body, PacketId, PacketKind};

async fn create(root: &mut Client, name: &str) -> u64 {
    match root.ask(|s| s.create_room(name)).await.body {
        Body::RoomCreated(RoomSummary { room, name: n }) => {
            assert_eq!(n, name);
            room
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn root_creates_renames_and_deletes_and_everyone_hears() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let mut alice = server.user("alice").await;
    let id = create(&mut root, "general").await;
    let p = alice.push().await;
    assert_eq!(p.id, PacketId::DontHaveId);
    assert!(matches!(p.body, Body::RoomCreated(ref s) if s.room == id && s.name == "general"));

    let p = root.ask(|s| s.rename_room(id, "lobby")).await;
    assert!(matches!(p.body, Body::RoomUpdated(ref s) if s.room == id && s.name == "lobby"));
    assert!(matches!(alice.push().await.body, Body::RoomUpdated(ref s) if s.name == "lobby"));
    // Renaming to its own name is fine.
    let p = root.ask(|s| s.rename_room(id, "lobby")).await;
    assert_eq!(p.kind(), PacketKind::RoomUpdated);
    alice.push().await;

    let p = alice.ask(|s| s.require_room_list()).await;
    let Body::RoomList(list) = p.body else {
        panic!()
    };
    assert_eq!(
        list,
        [RoomSummary {
            room: id,
            name: "lobby".into()
        }]
    );

    alice.ask(|s| s.join_room(id)).await;
    let p = root.ask(|s| s.delete_room(id)).await;
    assert!(matches!(p.body, Body::RoomDeleted(r) if r.room == id));
    // The member gets Deleted only, no Left.
    assert!(matches!(alice.push().await.body, Body::RoomDeleted(r) if r.room == id));
    alice.assert_no_push().await;
    let p = alice.ask(|s| s.send_text(id, "hello?")).await;
    assert_eq!(error_kind(&p), "RoomNotFound");
    let p = alice.ask(|s| s.require_room_list()).await;
    assert!(matches!(p.body, Body::RoomList(l) if l.is_empty()));
}

#[tokio::test]
async fn room_name_errors() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let a = create(&mut root, "a").await;
    let b = create(&mut root, "b").await;
    assert_eq!(
        error_kind(&root.ask(|s| s.create_room("a")).await),
        "RoomAlreadyExists"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.rename_room(b, "a")).await),
        "RoomAlreadyExists"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.create_room("")).await),
        "RoomDataIncorrect"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.create_room("   ")).await),
        "RoomDataIncorrect"
    );
    let long = "x".repeat(65);
    assert_eq!(
        error_kind(&root.ask(|s| s.create_room(&long)).await),
        "RoomDataIncorrect"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.rename_room(a, "")).await),
        "RoomDataIncorrect"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.rename_room(999, "zz")).await),
        "RoomNotFound"
    );
    assert_eq!(
        error_kind(&root.ask(|s| s.delete_room(999)).await),
        "RoomNotFound"
    );
    // Malformed data wins over a missing room.
    assert_eq!(
        error_kind(&root.ask(|s| s.rename_room(999, "")).await),
        "RoomDataIncorrect"
    );
    // Missing room wins over a taken name.
    assert_eq!(
        error_kind(&root.ask(|s| s.rename_room(999, "a")).await),
        "RoomNotFound"
    );
    let p = root
        .call_json(
            "u",
            r#"{"type":"Room.Update.u","data":{"room":"one","name":"x"}}"#,
        )
        .await;
    assert_eq!(error_kind(&p), "PacketDataIncorrect");
}

#[tokio::test]
async fn only_root_administers_and_access_wins_over_everything() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let id = create(&mut root, "general").await;
    let mut alice = server.user("alice").await;
    root.assert_no_push().await;
    for p in [
        alice.ask(|s| s.create_room("mine")).await,
        alice.ask(|s| s.create_room("general")).await,
        alice.ask(|s| s.create_room("")).await,
        alice.ask(|s| s.rename_room(id, "mine")).await,
        alice.ask(|s| s.rename_room(999, "general")).await,
        alice.ask(|s| s.delete_room(id)).await,
        alice.ask(|s| s.delete_room(999)).await,
    ] {
        assert_eq!(error_kind(&p), "AccessDenied");
    }
    let p = alice
        .call_json("d", r#"{"type":"Room.Delete.d","data":{"nope":1}}"#)
        .await;
    assert_eq!(error_kind(&p), "AccessDenied");
    // Nothing happened: no pushes, the room is still there.
    root.assert_no_push().await;
    let p = alice.ask(|s| s.require_room_list()).await;
    assert!(matches!(p.body, Body::RoomList(l) if l.len() == 1));
}

#[tokio::test]
async fn join_and_leave_with_presence() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let id = create(&mut root, "general").await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    root.ask(|s| s.join_room(id)).await;

    let p = alice.ask(|s| s.join_room(id)).await;
    let Body::RoomJoined(j) = p.body else {
        panic!()
    };
    assert_eq!((j.room, j.user.as_str()), (id, "alice"));
    assert_eq!(j.all_users, ["alice", "root"]);
    let p = root.push().await;
    assert!(matches!(p.body, Body::RoomJoined(ref j) if j.user == "alice"));
    assert_eq!(p.id, PacketId::DontHaveId);
    // Bob is not in the room and hears nothing.
    bob.assert_no_push().await;

    // Joining again answers Joined and pushes nothing.
    let p = alice.ask(|s| s.join_room(id)).await;
    assert_eq!(p.kind(), PacketKind::RoomJoined);
    root.assert_no_push().await;

    // A second connection of alice: allUsers lists her once.
    let mut alice2 = server.client().await;
    alice2.login_ok("alice", "pw").await;
    let p = alice2.ask(|s| s.join_room(id)).await;
    let Body::RoomJoined(j) = p.body else {
        panic!()
    };
    assert_eq!(j.all_users, ["alice", "root"]);
    root.push().await;
    alice.push().await;

    // Leaving from one connection while the other stays: no Left for others.
    let p = alice2.ask(|s| s.leave_room(id)).await;
    assert!(matches!(p.body, Body::RoomLeft(ref l) if l.user == "alice" && l.room == id));
    root.assert_no_push().await;
    // Her last connection leaves: the rest hear it.
    alice.ask(|s| s.leave_room(id)).await;
    assert!(matches!(root.push().await.body, Body::RoomLeft(ref l) if l.user == "alice"));

    assert_eq!(
        error_kind(&alice.ask(|s| s.leave_room(id)).await),
        "UserDontConnected"
    );
    assert_eq!(
        error_kind(&alice.ask(|s| s.leave_room(999)).await),
        "RoomNotFound"
    );
    assert_eq!(
        error_kind(&alice.ask(|s| s.join_room(999)).await),
        "RoomNotFound"
    );

    // A closed connection leaves its rooms.
    bob.ask(|s| s.join_room(id)).await;
    assert!(matches!(root.push().await.body, Body::RoomJoined(ref j) if j.user == "bob"));
    drop(bob);
    let p = root.push().await;
    assert!(matches!(p.body, Body::RoomLeft(ref l) if l.user == "bob" && l.room == id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_signing_in_while_rooms_change_misses_nothing() {
    // `Accepted` is queued under the same lock as room pushes: what it lists plus the
    // pushes after it is exactly the room list, never a push before `Accepted`.
    const ROOMS: usize = 60;
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let admin = tokio::spawn(async move {
        for i in 0..ROOMS {
            create(&mut root, &format!("r{i}")).await;
        }
        root
    });
    let mut clients = Vec::new();
    for _ in 0..6 {
        let mut c = server.client().await;
        let out = c.session.login("root", ROOT_PASSWORD).unwrap();
        c.send(&out).await;
        clients.push(c);
    }
    let _root = admin.await.unwrap();
    for mut c in clients {
        let miricat_shared::session::Event::Accepted { accepted, .. } = c.next_event().await else {
            panic!("the first event after Login must be Accepted")
        };
        let mut known: Vec<u64> = accepted.rooms.iter().map(|r| r.id).collect();
        let out = c.session.require_room_list().unwrap();
        c.send(&out).await;
        let list = loop {
            match c.next_event().await {
                miricat_shared::session::Event::Push(p) => match p.body {
                    Body::RoomCreated(s) => known.push(s.room),
                    other => panic!("{other:?}"),
                },
                miricat_shared::session::Event::Reply { packet, .. } => break packet,
                other => panic!("{other:?}"),
            }
        };
        let Body::RoomList(list) = list.body else {
            panic!()
        };
        assert_eq!(list.len(), ROOMS);
        assert_eq!(known, list.iter().map(|r| r.room).collect::<Vec<_>>());
    }
}
