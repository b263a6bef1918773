//! Connection teardown (issue 12, item 6): a connection closed for being slow has its
//! socket shut within a second or two, even while the server was in the middle of
//! writing to it, and the honest client flooding the room keeps being served.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::*;
use miricat_shared::session::Event;
use miricat_shared::{Body, PacketKind, RoomId};
use tokio::time::Instant;

const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// Whether some process still holds the server's end of the TCP connection between
/// `server` and `client` open: `/proc/net/tcp` lists it with the inode of its socket
/// while a descriptor refers to it, and with inode 0 (or not at all) once the server
/// has closed it and only the kernel finishes it off.
fn server_end_is_open(server: SocketAddr, client: SocketAddr) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let port = |field: &str| {
        let hex = field.rsplit(':').next().unwrap_or_default();
        u16::from_str_radix(hex, 16).unwrap_or_default()
    };
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 9
            && port(fields[1]) == server.port()
            && port(fields[2]) == client.port()
            && fields[9] != "0"
    })
}

#[tokio::test]
async fn a_slow_connection_is_shut_soon_after_it_is_closed() {
    let server = TestServer::start_with(|c| c.outbound.max_bytes = 1024 * 1024).await;
    let mut root = server.root().await;
    let room: RoomId = match root.ask(|s| s.create_room("flood")).await.body {
        Body::RoomCreated(summary) => summary.room,
        other => panic!("{other:?}"),
    };
    // The slow member: a small receive window, and it never reads.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(ATTACKER, 0)).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr()).await.unwrap();
    let slow_addr = stream.local_addr().unwrap();
    let mut slow = Client::from_stream(stream).handshake().await;
    let out = slow.session.register("slow", "pw").unwrap();
    slow.send(&out).await;
    assert!(matches!(slow.reply(out.id).await, Event::Accepted { .. }));
    assert_eq!(
        slow.ask(|s| s.join_room(room)).await.kind(),
        PacketKind::RoomJoined
    );
    assert!(server_end_is_open(server.addr(), slow_addr));

    let mut alice = server.user("alice").await;
    assert_eq!(
        alice.ask(|s| s.join_room(room)).await.kind(),
        PacketKind::RoomJoined
    );
    let text = "x".repeat(15_000);
    let start = Instant::now();
    let mut closed_at = None;
    for _ in 0..2000 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the slow member was never closed"
        );
        let reply = alice.ask(|s| s.send_text(room, &text)).await;
        assert_eq!(reply.kind(), PacketKind::TextMessage);
        let left = alice.take_backlog().into_iter().any(|e| {
            matches!(e, Event::Push(p) if matches!(&p.body, Body::RoomLeft(l) if l.user == "slow"))
        });
        if left {
            closed_at = Some(Instant::now());
            break;
        }
    }
    let closed_at = closed_at.expect("the slow member was never closed");
    // The slot was freed when it left the room; its socket must follow within a
    // second or two (the server was blocked writing to it when it was closed).
    let mut shut = false;
    while closed_at.elapsed() < Duration::from_secs(3) {
        if !server_end_is_open(server.addr(), slow_addr) {
            shut = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        shut,
        "the server still held the slow connection's socket 3 s after closing it"
    );
    // Alice was never disturbed.
    assert_eq!(
        alice.ask(|s| s.send_text(room, "done")).await.kind(),
        PacketKind::TextMessage
    );
    drop(slow);
}
