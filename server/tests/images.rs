//! Image upload and download in parts (`WIRE.md` section 9).

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use miricat_shared::packet::message::CreateImageMessage;
use miricat_shared::{Body, PacketKind};

async fn download(c: &mut Client, id: &str) -> Vec<u8> {
    let out = c.session.request_image_download(id).unwrap();
    c.send(&out).await;
    let replies = c.replies(out.id).await;
    let Body::ImageDownloadMeta(meta) = &replies[0].body else {
        panic!("{:?}", replies[0])
    };
    assert_eq!(meta.id, id);
    let mut bytes = Vec::new();
    for (i, p) in replies[1..replies.len() - 1].iter().enumerate() {
        let Body::ImageDownloadPart(part) = &p.body else {
            panic!()
        };
        assert_eq!(part.part, i as u32 + 1);
        bytes.extend(BASE64.decode(&part.data).unwrap());
    }
    assert_eq!(
        replies.last().unwrap().kind(),
        PacketKind::ImageDownloadCompleted
    );
    assert_eq!(bytes.len() as u64, meta.size);
    bytes
}

#[tokio::test]
async fn upload_then_download_round_trips_byte_for_byte() {
    let server = TestServer::start().await;
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    let bytes = sample(200_000);
    let id = upload(&mut alice, &bytes, "image/png").await;
    assert_eq!(id.len(), 32);
    assert_eq!(download(&mut bob, &id).await, bytes);
    let small = sample(10);
    let id2 = upload(&mut alice, &small, "image/webp").await;
    assert_ne!(id, id2);
    assert_eq!(download(&mut alice, &id2).await, small);

    // And it can be posted.
    let mut root = server.root().await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("pics")).await.body else {
        panic!()
    };
    alice.ask(|s| s.join_room(room.room)).await;
    let msg = CreateImageMessage::uploaded(&id);
    let p = alice.ask(|s| s.send_image(room.room, msg)).await;
    assert!(matches!(p.body, Body::ImageMessage(ref m) if m.image == format!("mcp_image://{id}")));
}

#[tokio::test]
async fn uploads_are_rejected_for_size_and_type() {
    let server = TestServer::start_with(|c| c.max_image_bytes = 1000).await;
    let mut c = server.user("alice").await;
    for (size, mime) in [
        (1001, "image/png"),
        (0, "image/png"),
        (10, "image/svg+xml"),
        (10, "text/html"),
    ] {
        let p = c.ask(|s| s.request_image_upload("x", size, mime)).await;
        assert_eq!(p.kind(), PacketKind::ImageUploadRejected, "{size} {mime}");
    }
    for mime in ["image/png", "image/jpeg", "image/gif", "image/webp"] {
        let p = c.ask(|s| s.request_image_upload("x", 1000, mime)).await;
        assert_eq!(p.kind(), PacketKind::ImageUploadAccepted, "{mime}");
    }
}

#[tokio::test]
async fn bad_parts_and_early_completion_are_errors() {
    let server = TestServer::start().await;
    let mut c = server.user("alice").await;
    let p = c
        .ask(|s| s.request_image_upload("x.png", 10, "image/png"))
        .await;
    let Body::ImageUploadAccepted(meta) = p.body else {
        panic!()
    };
    let id = meta.id;
    let part = |c: &mut Client, n: u32, data: &str| {
        c.session
            .upload_image_part(&id, n, data.to_owned())
            .unwrap()
    };
    for out in [
        part(&mut c, 2, &BASE64.encode(b"abc")),
        part(&mut c, 1, "!!not base64"),
        part(&mut c, 1, &BASE64.encode([0u8; 11])),
        c.session
            .upload_image_part("nope", 1, BASE64.encode(b"a"))
            .unwrap(),
        part(&mut c, 1, &BASE64.encode(vec![0u8; 48 * 1024 + 1])),
    ] {
        let p = c.call_packet_any(out).await;
        assert_eq!(error_kind(&p), "PacketDataIncorrect");
    }
    let out = part(&mut c, 1, &BASE64.encode(b"abcde"));
    c.send(&out).await;
    assert_eq!(
        error_kind(&c.ask(|s| s.complete_image_upload(&id)).await),
        "PacketDataIncorrect"
    );
    let out = part(&mut c, 2, &BASE64.encode(b"fghij"));
    c.send(&out).await;
    let p = c.ask(|s| s.complete_image_upload(&id)).await;
    assert_eq!(p.kind(), PacketKind::ImageUploadCompleted);
    assert_eq!(
        error_kind(&c.ask(|s| s.complete_image_upload(&id)).await),
        "PacketDataIncorrect"
    );
    assert_eq!(download(&mut c, &id).await, b"abcdefghij");
    for unknown in ["0123456789abcdef0123456789abcdef", "../miricat.db", "1"] {
        let out = c.session.request_image_download(unknown).unwrap();
        let p = c.call_packet(out).await;
        assert_eq!(error_kind(&p), "PacketDataIncorrect");
    }
}

#[tokio::test]
async fn unreferenced_images_expire_and_referenced_ones_stay() {
    let server =
        TestServer::start_with(|c| c.image_ttl = std::time::Duration::from_millis(1500)).await;
    let mut root = server.root().await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("pics")).await.body else {
        panic!()
    };
    root.ask(|s| s.join_room(room.room)).await;
    let kept = upload(&mut root, b"keep me", "image/png").await;
    let dropped = upload(&mut root, b"drop me", "image/png").await;
    root.ask(|s| s.send_image(room.room, CreateImageMessage::uploaded(&kept)))
        .await;
    let images = server.dir.path().join("miricat.db.images");
    let deadline = tokio::time::Instant::now() + WAIT;
    while images.join(&dropped).exists() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "unreferenced image never removed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let out = root.session.request_image_download(&dropped).unwrap();
    assert_eq!(
        error_kind(&root.call_packet(out).await),
        "PacketDataIncorrect"
    );
    assert_eq!(download(&mut root, &kept).await, b"keep me");
    let msg = CreateImageMessage::uploaded(&dropped);
    assert_eq!(
        error_kind(&root.ask(|s| s.send_image(room.room, msg)).await),
        "MessageDataIncorrect"
    );
}

#[tokio::test]
async fn a_download_bigger_than_the_outbound_bound_is_paced_not_cut() {
    let server = TestServer::start_with(|c| c.outbound.max_bytes = 100 * 1024).await;
    let mut c = server.user("alice").await;
    let bytes = sample(1024 * 1024);
    let id = upload(&mut c, &bytes, "image/jpeg").await;
    assert_eq!(download(&mut c, &id).await, bytes);
}
