//! Everything accepted survives a restart: users, rooms, images, messages, and the
//! root password rules.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use miricat_server::{Config, RunningServer};
use miricat_shared::Body;
use miricat_shared::session::Event;

#[tokio::test]
async fn restart_keeps_users_rooms_and_images() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    root.ask(|s| s.create_user("dave", "pw")).await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("general")).await.body else {
        panic!()
    };
    root.ask(|s| s.join_room(room.room)).await;
    root.ask(|s| s.send_text(room.room, "remember me")).await;
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let Body::ImageUploadAccepted(meta) = root
        .ask(|s| s.request_image_upload("a.gif", bytes.len() as u64, "image/gif"))
        .await
        .body
    else {
        panic!()
    };
    for (i, chunk) in bytes.chunks(48 * 1024).enumerate() {
        let out = root
            .session
            .upload_image_part(&meta.id, i as u32 + 1, BASE64.encode(chunk))
            .unwrap();
        root.send(&out).await;
    }
    root.ask(|s| s.complete_image_upload(&meta.id)).await;
    drop(root);

    let server = server.restart_with(|_| {}).await;
    let mut dave = server.client().await;
    let out = dave.session.login("dave", "pw").unwrap();
    let Event::Accepted { accepted, .. } = dave.call(out).await else {
        panic!("dave cannot log in after a restart")
    };
    assert_eq!(accepted.rooms.len(), 1);
    assert_eq!(
        (accepted.rooms[0].id, accepted.rooms[0].name.as_str()),
        (room.room, "general")
    );
    let out = dave.session.request_image_download(&meta.id).unwrap();
    dave.send(&out).await;
    let replies = dave.replies(out.id).await;
    let mut got = Vec::new();
    for p in &replies {
        if let Body::ImageDownloadPart(part) = &p.body {
            got.extend(BASE64.decode(&part.data).unwrap());
        }
    }
    assert_eq!(got, bytes);
    // New rooms never reuse an old ID.
    let mut root = server.root().await;
    root.ask(|s| s.delete_room(room.room)).await;
    let Body::RoomCreated(again) = root.ask(|s| s.create_room("general")).await.body else {
        panic!()
    };
    assert!(again.room > room.room);
}

#[tokio::test]
async fn root_password_is_generated_once_then_kept_or_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let config = |password: Option<&str>| {
        let mut c = Config::for_tests(dir.path().join("data/miricat.db"), "unused");
        c.root_password = password.map(str::to_owned);
        c
    };
    let server = RunningServer::start(config(None)).await.unwrap();
    let generated = server.generated_root_password().unwrap().to_owned();
    let addr = server.addr();
    Client::connect(addr)
        .await
        .login_ok("root", &generated)
        .await;
    server.stop().await.unwrap();

    // Later starts keep the stored password and generate nothing.
    let server = RunningServer::start(config(None)).await.unwrap();
    assert_eq!(server.generated_root_password(), None);
    Client::connect(server.addr())
        .await
        .login_ok("root", &generated)
        .await;
    server.stop().await.unwrap();

    // A configured password replaces it.
    let server = RunningServer::start(config(Some("new-one"))).await.unwrap();
    assert_eq!(server.generated_root_password(), None);
    Client::connect(server.addr())
        .await
        .login_ok("root", "new-one")
        .await;
    let mut c = Client::connect(server.addr()).await;
    let out = c.session.login("root", &generated).unwrap();
    let Event::Reply { packet, .. } = c.call(out).await else {
        panic!()
    };
    assert_eq!(error_kind(&packet), "UserPasswordInvalid");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn messages_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("miricat.db");
    let server = RunningServer::start(Config::for_tests(&db, ROOT_PASSWORD))
        .await
        .unwrap();
    let mut root = Client::connect(server.addr()).await;
    root.login_ok("root", ROOT_PASSWORD).await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("r")).await.body else {
        panic!()
    };
    root.ask(|s| s.join_room(room.room)).await;
    for i in 0..3 {
        root.ask(|s| s.send_text(room.room, &format!("m{i}"))).await;
    }
    server.stop().await.unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let texts: Vec<String> = conn
        .prepare("SELECT body FROM messages WHERE room = ?1 ORDER BY id")
        .unwrap()
        .query_map([room.room as i64], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(texts, ["m0", "m1", "m2"]);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn stopping_closes_clients_and_flushes() {
    let server = TestServer::start().await;
    let mut c = server.root().await;
    let mut idle = server.client().await;
    // Something for the WAL to hold.
    assert!(matches!(
        c.ask(|s| s.create_room("kept")).await.body,
        Body::RoomCreated(_)
    ));
    // Another connection to the database: SQLite checkpoints and removes the WAL by
    // itself when its last connection closes, so without this one the test would
    // pass whether or not the server checkpoints at shutdown.
    let watcher = rusqlite::Connection::open(server.dir.path().join("miricat.db")).unwrap();
    let rooms: i64 = watcher
        .query_row("SELECT COUNT(*) FROM rooms", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rooms, 1);
    let wal = server.dir.path().join("miricat.db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the WAL holds the room"
    );
    let TestServer { server, dir } = server;
    let stop = tokio::spawn(server.stop());
    c.read_until_closed().await;
    idle.read_until_closed().await;
    stop.await.unwrap().unwrap();
    // The server checkpointed the WAL into the database file and truncated it.
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        0,
        "WAL not checkpointed"
    );
    drop(watcher);
    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("miricat.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let name: String = db
        .query_row("SELECT name FROM rooms", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "kept");
}
