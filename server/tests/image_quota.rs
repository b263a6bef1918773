//! Image storage bounds (issue 12, item 2): a per-user quota, a total cap and a floor
//! of free disk space, each answered with `File.ImageUploadRejected`, while an honest
//! user on 127.0.0.1 keeps uploading and what was accepted stays downloadable.

mod common;

use std::net::IpAddr;

use common::*;
use miricat_server::image_quota::ImageStorageLimits;
use miricat_shared::{Body, PacketKind};

const ATTACKER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

fn limits(per_user: u64, total: u64) -> ImageStorageLimits {
    ImageStorageLimits {
        per_user_bytes: per_user,
        total_bytes: total,
        min_free_disk_bytes: 0,
    }
}

async fn request(c: &mut Client, size: u64) -> PacketKind {
    c.ask(|s| s.request_image_upload("x.png", size, "image/png"))
        .await
        .kind()
}

#[tokio::test]
async fn one_user_cannot_store_more_than_its_quota() {
    let server = TestServer::start_with(|c| c.image_storage = limits(300_000, 10_000_000)).await;
    let mut mallory = server.user_from("mallory", ATTACKER).await;
    let mut alice = server.user("alice").await;
    let kept = upload(&mut mallory, &sample(200_000), "image/png").await;
    // Stored bytes count: 200,000 + 100,001 is one byte too many.
    assert_eq!(
        request(&mut mallory, 100_001).await,
        PacketKind::ImageUploadRejected
    );
    // An upload in progress counts at its announced size, so uploads at once cannot
    // add up past the quota either.
    assert_eq!(
        request(&mut mallory, 60_000).await,
        PacketKind::ImageUploadAccepted
    );
    assert_eq!(
        request(&mut mallory, 40_001).await,
        PacketKind::ImageUploadRejected
    );
    // The same user on a second connection shares the quota.
    let mut mallory2 = Client::connect_from(server.addr(), ATTACKER).await;
    mallory2.login_ok("mallory", "pw").await;
    assert_eq!(
        request(&mut mallory2, 40_001).await,
        PacketKind::ImageUploadRejected
    );
    // Abandoning the upload in progress (closing its connection) gives its bytes back.
    drop(mallory);
    let mut freed = false;
    for _ in 0..100 {
        if request(&mut mallory2, 100_000).await == PacketKind::ImageUploadAccepted {
            freed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        freed,
        "the abandoned upload's reservation was never released"
    );
    // Others are not affected, and nothing accepted was lost.
    let bytes = sample(250_000);
    upload(&mut alice, &bytes, "image/png").await;
    let out = alice.session.request_image_download(&kept).unwrap();
    alice.send(&out).await;
    let replies = alice.replies(out.id).await;
    assert_eq!(replies[0].kind(), PacketKind::ImageDownloadMeta);
    assert_eq!(
        replies.last().unwrap().kind(),
        PacketKind::ImageDownloadCompleted
    );
}

#[tokio::test]
async fn all_users_together_cannot_pass_the_total_cap() {
    let server = TestServer::start_with(|c| c.image_storage = limits(1_000_000, 500_000)).await;
    let mut mallory = server.user_from("mallory", ATTACKER).await;
    let mut eve = server.user_from("eve", ATTACKER).await;
    let mut alice = server.user("alice").await;
    upload(&mut mallory, &sample(300_000), "image/png").await;
    upload(&mut eve, &sample(150_000), "image/png").await;
    assert_eq!(
        request(&mut alice, 50_001).await,
        PacketKind::ImageUploadRejected
    );
    upload(&mut alice, &sample(50_000), "image/png").await;
    assert_eq!(
        request(&mut mallory, 1).await,
        PacketKind::ImageUploadRejected
    );
    // Still signed in and served.
    assert_eq!(
        alice.ask(|s| s.require_room_list()).await.kind(),
        PacketKind::RoomList
    );
}

#[tokio::test]
async fn the_stored_usage_survives_a_restart() {
    let server = TestServer::start_with(|c| c.image_storage = limits(300_000, 10_000_000)).await;
    let mut mallory = server.user_from("mallory", ATTACKER).await;
    upload(&mut mallory, &sample(250_000), "image/png").await;
    drop(mallory);
    let server = server
        .restart_with(|c| c.image_storage = limits(300_000, 10_000_000))
        .await;
    let mut mallory = Client::connect_from(server.addr(), ATTACKER).await;
    mallory.login_ok("mallory", "pw").await;
    assert_eq!(
        request(&mut mallory, 50_001).await,
        PacketKind::ImageUploadRejected
    );
    assert_eq!(
        request(&mut mallory, 50_000).await,
        PacketKind::ImageUploadAccepted
    );
}

#[tokio::test]
async fn uploads_are_refused_under_the_free_disk_floor() {
    let server = TestServer::start_with(|c| {
        c.image_storage = ImageStorageLimits {
            min_free_disk_bytes: u64::MAX,
            ..ImageStorageLimits::default()
        }
    })
    .await;
    let mut alice = server.user("alice").await;
    let reply = alice
        .ask(|s| s.request_image_upload("x.png", 10, "image/png"))
        .await;
    assert!(matches!(reply.body, Body::ImageUploadRejected), "{reply:?}");
    // Text still works: the floor only stops uploads.
    assert_eq!(
        alice.ask(|s| s.require_room_list()).await.kind(),
        PacketKind::RoomList
    );
}
