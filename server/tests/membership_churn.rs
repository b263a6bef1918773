//! Membership churn (issue 12, item 3): joins and leaves are limited per connection
//! and per user, refused with `Error.AccessDenied`, and a member looping them in a
//! room of 500 disconnects nobody.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::*;
use miricat_shared::{Body, PacketKind, RoomId};
use tokio::time::Instant;

const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

async fn create_room(server: &TestServer, name: &str) -> RoomId {
    let mut root = server.root().await;
    match root.ask(|s| s.create_room(name)).await.body {
        Body::RoomCreated(summary) => summary.room,
        other => panic!("{other:?}"),
    }
}

/// Joins then leaves `room` until a change is refused (at most `rounds` rounds);
/// returns how many changes were made before the first refusal.
async fn churn_until_refused(c: &mut Client, room: RoomId, rounds: usize) -> Option<usize> {
    let mut changes = 0;
    for _ in 0..rounds {
        for join in [true, false] {
            let reply = if join {
                c.ask(|s| s.join_room(room)).await
            } else {
                c.ask(|s| s.leave_room(room)).await
            };
            match reply.kind() {
                PacketKind::RoomJoined | PacketKind::RoomLeft => changes += 1,
                _ => {
                    assert_eq!(error_kind(&reply), "AccessDenied");
                    return Some(changes);
                }
            }
        }
    }
    None
}

#[tokio::test]
async fn joins_and_leaves_past_the_burst_are_refused_per_connection_and_per_user() {
    let server = TestServer::start().await;
    let room = create_room(&server, "lobby").await;
    let limits = miricat_server::membership_rate::MembershipLimits::default();
    let mut mallory = server.user_from("mallory", ATTACKER).await;
    let made = churn_until_refused(&mut mallory, room, 200)
        .await
        .expect("churn was never refused");
    let burst = limits.per_connection.burst as usize;
    // The burst, plus what the bucket refilled while the loop ran.
    assert!(
        (burst..burst + 10).contains(&made),
        "{made} changes before the refusal"
    );
    // A second connection of the same user gets its own connection bucket but shares
    // the user's: it is refused after the rest of the user's burst.
    let mut mallory2 = Client::connect_from(server.addr(), ATTACKER).await;
    mallory2.login_ok("mallory", "pw").await;
    let made2 = churn_until_refused(&mut mallory2, room, 200)
        .await
        .expect("the second connection was never refused");
    let user_burst = limits.per_user.burst as usize;
    assert!(made + made2 < user_burst + 20, "{made} + {made2} changes");
    // Someone else, on 127.0.0.1, joins, chats and leaves as usual.
    let mut alice = server.user("alice").await;
    let mut bob = server.user("bob").await;
    assert_eq!(
        alice.ask(|s| s.join_room(room)).await.kind(),
        PacketKind::RoomJoined
    );
    assert_eq!(
        bob.ask(|s| s.join_room(room)).await.kind(),
        PacketKind::RoomJoined
    );
    alice.drain_pushes().await;
    assert_eq!(
        bob.ask(|s| s.send_text(room, "still here")).await.kind(),
        PacketKind::TextMessage
    );
    let push = alice.push().await;
    assert!(matches!(push.body, Body::TextMessage(ref m) if m.text == "still here"));
    assert_eq!(
        alice.ask(|s| s.leave_room(room)).await.kind(),
        PacketKind::RoomLeft
    );
    // A refused change changed nothing: mallory's last successful change decides
    // whether she is a member.
    let reply = mallory.ask(|s| s.send_text(room, "x")).await;
    let member = made % 2 == 1;
    assert_eq!(reply.kind() == PacketKind::TextMessage, member, "{reply:?}");
}

/// A room of 100 members with 60-character names, so every `Room.Joined` carries as
/// many bytes as one in a room of 500 with short names (handshakes in a debug build
/// are too slow for 500 clients in a test; the load tool, `fanout-bench`, runs 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_churning_member_disconnects_nobody_in_a_big_room() {
    const MEMBERS: usize = 100;
    // Members not reading during the churn, and a small outbound bound: the limited
    // churn queues about 140 KB of member lists for each (16 joins of 8.5 KB), and
    // each must still be connected afterwards. Receive buffers stay above the 64 KiB
    // loopback segment: below it the kernel paces a reader that catches up by its
    // zero-window probe timer, and draining the setup's 430 KB of pushes took minutes
    // on a loaded machine (a CI failure).
    let server = TestServer::start_with(|c| c.outbound.max_bytes = 160 * 1024).await;
    let room = create_room(&server, "big").await;
    let addr = server.addr();
    let mut tasks = tokio::task::JoinSet::new();
    let mut members = Vec::with_capacity(MEMBERS);
    for batch in 0..MEMBERS / 10 {
        for i in 0..10 {
            let name = format!("member-{:03}-{}", batch * 10 + i, "x".repeat(49));
            tasks.spawn(async move {
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                socket.set_recv_buffer_size(256 * 1024).unwrap();
                let stream = socket.connect(addr).await.unwrap();
                let mut c = Client::from_stream(stream).handshake().await;
                let out = c.session.register(&name, "pw").unwrap();
                c.send(&out).await;
                assert!(matches!(
                    c.reply(out.id).await,
                    miricat_shared::session::Event::Accepted { .. }
                ));
                let joined = c.ask(|s| s.join_room(room)).await;
                assert_eq!(joined.kind(), PacketKind::RoomJoined);
                c
            });
        }
        while let Some(c) = tasks.join_next().await {
            members.push(c.unwrap());
        }
    }
    // Forget the pushes about each other's joins.
    for member in &mut members {
        member.drain_pushes().await;
    }
    // The churn: members are not reading meanwhile (their pushes queue up).
    let mut mallory = server.user_from("mallory", ATTACKER).await;
    let start = Instant::now();
    // `made`: changes that pushed something (a join while a member pushes nothing).
    let (mut made, mut refused, mut member) = (0u32, 0u32, false);
    for _ in 0..400 {
        if start.elapsed() > Duration::from_secs(6) {
            break;
        }
        for join in [true, false] {
            let reply = if join {
                mallory.ask(|s| s.join_room(room)).await
            } else {
                mallory.ask(|s| s.leave_room(room)).await
            };
            match reply.kind() {
                PacketKind::RoomJoined | PacketKind::RoomLeft => {
                    if member != join {
                        made += 1;
                    }
                    member = join;
                }
                _ => match error_kind(&reply).as_str() {
                    "AccessDenied" => refused += 1,
                    // Leaving after a refused join: not a member.
                    "UserDontConnected" if !join && !member => {}
                    other => panic!("unexpected {other}"),
                },
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert!(refused > 0, "{made} changes, none refused");
    let limit = miricat_server::membership_rate::MembershipLimits::default().per_connection;
    let allowed = f64::from(limit.burst) + limit.per_second * elapsed + 1.0;
    assert!(
        f64::from(made) <= allowed,
        "{made} changes in {elapsed:.1} s, at most {allowed:.0} allowed"
    );
    // Every member is still connected and gets the next message.
    let mut speaker = members.pop().unwrap();
    speaker.drain_pushes().await;
    assert_eq!(
        speaker
            .ask(|s| s.send_text(room, "anyone there?"))
            .await
            .kind(),
        PacketKind::TextMessage
    );
    let mut readers = tokio::task::JoinSet::new();
    for mut member in members {
        readers.spawn(async move {
            // Each allowed change pushed one Room.Joined or Room.Left, then the text.
            let mut membership_pushes = 0;
            for _ in 0..1000 {
                let push = member.push().await;
                match &push.body {
                    Body::TextMessage(m) => {
                        assert_eq!(m.text, "anyone there?");
                        return membership_pushes;
                    }
                    Body::RoomJoined(_) | Body::RoomLeft(_) => membership_pushes += 1,
                    other => panic!("unexpected push {:?}", other.kind()),
                }
            }
            panic!("no message after 1000 pushes");
        });
    }
    while let Some(done) = readers.join_next().await {
        assert_eq!(
            done.unwrap(),
            made,
            "every member got every allowed change, once"
        );
    }
}
