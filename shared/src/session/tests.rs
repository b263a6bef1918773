//! A client session wired to the server-side handshake in memory, with time passed by
//! hand.

use super::*;
use crate::crypto::{KeyPair, LineCipher};
use crate::packet::auth::Accepted;
use crate::packet::extension::{ExtensionNames, ExtensionSet};
use crate::packet::file::{ImageMeta, ImageRef};
use crate::packet::lenient::Timestamp;
use crate::packet::message::TextMessage;
use crate::packet::room::{Joined, RoomInfo};
use crate::packet::{Body, ErrorKind, Packet, PacketId, PacketKind};

/// The server's end of an in-memory connection.
struct Peer {
    cipher: LineCipher,
}

impl Peer {
    fn read(&self, line: &str) -> Packet {
        Packet::decode(self.cipher.decrypt_line(line).unwrap().trim()).unwrap()
    }

    /// A reply with the request's ID (none at all to an MCP 2.0 request, as 2.0
    /// servers send).
    fn reply(&self, request: &Packet, body: Body) -> String {
        let id = match request.id {
            PacketId::None => PacketId::None,
            ref id => id.reply_id(),
        };
        self.cipher.encrypt_line(&Packet::new(id, body).encode())
    }

    fn push(&self, packet: Packet) -> String {
        self.cipher.encrypt_line(&packet.encode())
    }
}

fn secured(version: ProtocolVersion) -> (ClientSession, Peer) {
    let mut client = ClientSession::new(version, KeyPair::generate().unwrap());
    let hello = client.handshake_line();
    let server_keys = KeyPair::generate().unwrap();
    let (reply, cipher) = match version {
        ProtocolVersion::V2_1 => {
            let accepted = accept_handshake(&hello, &server_keys).unwrap();
            (accepted.reply_line, accepted.cipher)
        }
        ProtocolVersion::V2_0 => {
            // An MCP 2.0 server: same exchange, version 2.0.0 and no IDs.
            let Body::Handshake(h) = Packet::decode(&hello).unwrap().body else {
                panic!()
            };
            let peer = crate::PublicKey::from_hex(&h.public_key).unwrap();
            let cipher = LineCipher::new(&server_keys.shared_secret(&peer).mcp_key());
            let reply = Packet::new(
                PacketId::None,
                Body::Handshake(crate::packet::handshake::Handshake {
                    version: "2.0.0".into(),
                    public_key: format!("00{}", server_keys.public().to_hex().to_uppercase()),
                }),
            );
            (reply.encode(), cipher)
        }
    };
    assert!(matches!(
        client.handle_line(&reply, 0),
        Some(Event::Secured)
    ));
    (client, Peer { cipher })
}

/// A plain client (offering no extension), signed in.
fn signed_in(version: ProtocolVersion, rate: u64) -> (ClientSession, Peer) {
    let (mut client, peer) = secured(version);
    sign_in(&mut client, &peer, ExtensionSet::EMPTY, rate, |_| None);
    (client, peer)
}

/// Offers `offered` and logs in through `peer`, whose `Accepted` lists what `agree`
/// says (given the Login it read) in `extensions`. Returns that `Accepted`.
fn sign_in(
    client: &mut ClientSession,
    peer: &Peer,
    offered: ExtensionSet,
    rate: u64,
    agree: impl FnOnce(&Packet) -> Option<ExtensionNames>,
) -> Accepted {
    client.offer_extensions(offered);
    let login = client.login("alice", "pw").unwrap();
    let request = peer.read(&login.line);
    let accepted = Accepted {
        rooms: vec![RoomInfo {
            id: 1,
            name: "general".into(),
            all_users: vec![],
        }],
        heartbeat_rate: rate,
        extensions: agree(&request),
    };
    match client.handle_line(&peer.reply(&request, Body::Accepted(accepted)), 1_000) {
        Some(Event::Accepted { request, accepted }) if request == login.id => accepted,
        event => panic!("{event:?}"),
    }
}

#[test]
fn handshake_then_login_then_heartbeats_on_schedule() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_1, 30_000);
    assert!(client.is_signed_in());
    assert_eq!(client.next_heartbeat_at(), Some(31_000));
    assert_eq!(client.poll_heartbeat(30_999), None);
    let ping = client.poll_heartbeat(31_000).unwrap();
    assert_eq!(peer.read(&ping).kind(), PacketKind::Ping);
    assert_eq!(client.next_heartbeat_at(), Some(61_000));
    assert_eq!(
        client.pending_requests().count(),
        0,
        "pings expect no reply"
    );
}

#[test]
fn requests_before_the_handshake_are_refused() {
    let mut client = ClientSession::new(ProtocolVersion::V2_1, KeyPair::generate().unwrap());
    assert_eq!(
        client.login("a", "b").unwrap_err(),
        SessionError::NotSecured
    );
    assert_eq!(client.poll_heartbeat(u64::MAX), None);
}

#[test]
fn ids_are_fresh_and_replies_match_by_id_and_type() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_1, 30_000);
    let join = client.join_room(1).unwrap();
    let list = client.require_room_list().unwrap();
    assert_ne!(join.id, list.id);
    let join_packet = peer.read(&join.line);
    assert_eq!(join_packet.id, PacketId::from(join.id));

    // The right ID with a type the request cannot get is not a reply.
    let wrong = peer.reply(&join_packet, Body::RoomList(vec![]));
    assert!(matches!(
        client.handle_line(&wrong, 0),
        Some(Event::Push(_))
    ));
    // An unknown ID is not a reply either.
    let stranger = peer.push(Packet::new(PacketId::from(999), Body::RoomList(vec![])));
    assert!(matches!(
        client.handle_line(&stranger, 0),
        Some(Event::Push(_))
    ));

    let joined = Body::RoomJoined(Joined {
        room: 1,
        user: "alice".into(),
        all_users: vec!["alice".into()],
    });
    let event = client.handle_line(&peer.reply(&join_packet, joined), 0);
    assert!(
        matches!(event, Some(Event::Reply { request, request_kind: PacketKind::RoomJoin, last: true, .. }) if request == join.id)
    );
    assert_eq!(client.joined_rooms().collect::<Vec<_>>(), [1]);

    // An error with the request's ID answers it.
    let error = peer.push(Packet::error(
        PacketId::from(list.id),
        ErrorKind::AccessDenied,
        "no",
    ));
    let event = client.handle_line(&error, 0);
    assert!(
        matches!(event, Some(Event::Reply { request, packet: Packet { body: Body::Error(_), .. }, .. }) if request == list.id)
    );
    assert_eq!(client.pending_requests().count(), 0);
}

#[test]
fn a_download_has_several_replies_then_ends() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_1, 30_000);
    let download = client.request_image_download("7").unwrap();
    let request = peer.read(&download.line);
    let meta = ImageMeta {
        id: "7".into(),
        name: "a.png".into(),
        size: 1,
        mime: "image/png".into(),
    };
    let part = crate::packet::file::ImagePart {
        id: "7".into(),
        part: 1,
        data: "AA==".into(),
    };
    for (body, expect_last) in [
        (Body::ImageDownloadMeta(meta), false),
        (Body::ImageDownloadPart(part), false),
        (
            Body::ImageDownloadCompleted(ImageRef { id: "7".into() }),
            true,
        ),
    ] {
        let event = client.handle_line(&peer.reply(&request, body), 0);
        assert!(
            matches!(event, Some(Event::Reply { last, .. }) if last == expect_last),
            "{event:?}"
        );
    }
    assert_eq!(client.pending_requests().count(), 0);
}

#[test]
fn plaintext_errors_garbage_and_blank_lines_after_the_handshake() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_1, 30_000);
    let timeout = r#"{"type":"Error.HeartbeatTimeout.DontHaveID","data":null}"#;
    let event = client.handle_line(timeout, 0);
    assert!(
        matches!(event, Some(Event::Push(Packet { body: Body::Error(e), .. })) if e.kind == ErrorKind::HeartbeatTimeout)
    );
    assert!(client.handle_line("   ", 0).is_none());
    assert!(matches!(
        client.handle_line("not base64 !!!", 0),
        Some(Event::ProtocolError(ProtocolError::Crypto(_)))
    ));
    let wrong_key =
        LineCipher::new(&crate::McpKey::from_bytes([3; 32])).encrypt_line(&"y".repeat(100));
    assert!(matches!(
        client.handle_line(&wrong_key, 0),
        Some(Event::ProtocolError(_))
    ));
    // Still usable afterwards: a join goes out encrypted under the same key and its
    // reply is matched.
    assert_joins(&mut client, &peer, 1);
}

/// Joins `room` through `peer` and checks the whole round trip.
fn assert_joins(client: &mut ClientSession, peer: &Peer, room: u64) {
    let join = client.join_room(room).unwrap();
    let request = peer.read(&join.line);
    assert_eq!(
        request.body,
        Body::RoomJoin(crate::packet::room::RoomRef { room })
    );
    let joined = Body::RoomJoined(Joined {
        room,
        user: "alice".into(),
        all_users: vec!["alice".into()],
    });
    let event = client.handle_line(&peer.reply(&request, joined), 0);
    assert!(
        matches!(event, Some(Event::Reply { request, last: true, .. }) if request == join.id),
        "{event:?}"
    );
    assert!(client.joined_rooms().any(|r| r == room));
}

#[test]
fn a_refused_handshake_is_reported() {
    let mut client = ClientSession::new(ProtocolVersion::V2_1, KeyPair::generate().unwrap());
    client.handshake_line();
    let refusal = r#"{"type":"Error.UnsupportedVersion.1","data":{"message":"2.0.0 only"}}"#;
    let event = client.handle_line(refusal, 0);
    assert!(
        matches!(event, Some(Event::HandshakeRejected(HandshakeFailure::Refused(e))) if e.kind == ErrorKind::UnsupportedVersion)
    );
    let bad_key = r#"{"type":"Handshake.Handshake.1","data":{"version":"2.1.0","publicKey":"01"}}"#;
    assert!(matches!(
        client.handle_line(bad_key, 0),
        Some(Event::HandshakeRejected(HandshakeFailure::BadServerKey(_)))
    ));
    assert!(!client.is_secured());
}

#[test]
fn the_server_refuses_other_versions_bad_keys_and_other_first_packets() {
    let keys = KeyPair::generate().unwrap();
    let mut old = ClientSession::new(ProtocolVersion::V2_0, KeyPair::generate().unwrap());
    let refusal = accept_handshake(&old.handshake_line(), &keys).unwrap_err();
    assert_eq!(refusal.error, ErrorKind::UnsupportedVersion);
    assert!(
        refusal
            .reply_line
            .starts_with(r#"{"type":"Error.UnsupportedVersion.DontHaveID""#)
    );

    let bad_key =
        r#"{"type":"Handshake.Handshake.h1","data":{"version":"2.1.0","publicKey":"00"}}"#;
    let refusal = accept_handshake(bad_key, &keys).unwrap_err();
    assert_eq!(refusal.error, ErrorKind::PacketDataIncorrect);
    assert!(
        refusal
            .reply_line
            .starts_with(r#"{"type":"Error.PacketDataIncorrect.h1""#)
    );

    for first in [
        "hello",
        r#"{"type":"Authentication.Login.1","data":{"username":"a","password":"b"}}"#,
    ] {
        let refusal = accept_handshake(first, &keys).unwrap_err();
        assert_eq!(refusal.error, ErrorKind::PacketDataIncorrect, "{first}");
    }
}

#[test]
fn a_refused_handshake_quotes_the_peer_only_briefly() {
    let huge_version = format!(
        r#"{{"type":"Handshake.Handshake.h1","data":{{"version":"{}","publicKey":"00"}}}}"#,
        "9".repeat(600_000)
    );
    let huge_type = format!(r#"{{"type":"{}","data":{{}}}}"#, "X".repeat(600_000));
    for line in [huge_version, huge_type] {
        let refusal = crate::session::parse_handshake(&line).unwrap_err();
        assert!(refusal.reason.len() < 400, "{} bytes", refusal.reason.len());
        assert!(
            refusal.reply_line.len() < 600,
            "{} bytes",
            refusal.reply_line.len()
        );
        assert!(refusal.reason.contains("bytes]"), "{}", refusal.reason);
    }
}

#[test]
fn mcp_2_0_replies_match_by_type_and_order_and_messages_find_their_room() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_0, 0);
    assert_eq!(
        client.next_heartbeat_at(),
        None,
        "rate 0 means no heartbeat"
    );
    let join = client.join_room(1).unwrap();
    let request = peer.read(&join.line);
    assert_eq!(request.type_string(), "Room.Join", "2.0 types carry no ID");
    // Someone else joining is not our reply.
    let other = Body::RoomJoined(Joined {
        room: 1,
        user: "bob".into(),
        all_users: vec![],
    });
    assert!(matches!(
        client.handle_line(&peer.push(Packet::new(PacketId::None, other)), 0),
        Some(Event::Push(_))
    ));
    let mine = Body::RoomJoined(Joined {
        room: 1,
        user: "alice".into(),
        all_users: vec![],
    });
    let event = client.handle_line(&peer.push(Packet::new(PacketId::None, mine)), 0);
    assert!(matches!(event, Some(Event::Reply { request, .. }) if request == join.id));

    // Room.RequireList is never answered by 2.0 servers, so it is not left pending.
    client.require_room_list().unwrap();
    assert_eq!(client.pending_requests().count(), 0);

    let send = client.send_text(1, "hello").unwrap();
    let echo = |user: &str| {
        peer.push(Packet::new(
            PacketId::None,
            Body::TextMessage(TextMessage {
                text: "hello".into(),
                user: user.into(),
                time: Timestamp(5),
                message_id: None,
            }),
        ))
    };
    // Another user's message without a room goes to the only joined room.
    let event = client.handle_line(&echo("bob"), 0);
    assert!(
        matches!(event, Some(Event::Push(Packet { room: Some(1), .. }))),
        "{event:?}"
    );
    // Our own message answers the oldest pending CreateTextMessage and takes its room.
    let event = client.handle_line(&echo("alice"), 0);
    assert!(
        matches!(event, Some(Event::Reply { request, packet: Packet { room: Some(1), .. }, .. }) if request == send.id)
    );
}

#[test]
fn requests_time_out_once_from_the_first_poll_and_late_replies_still_match() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_1, 0);
    assert_eq!(client.next_timeout_at(), None, "no timeout set");
    client.set_request_timeout(Some(1_000));
    assert_eq!(client.next_timeout_at(), None, "nothing waits");
    let join = client.join_room(1).unwrap();
    assert_eq!(
        client.next_timeout_at(),
        Some(0),
        "due at once: starts its clock"
    );
    assert!(client.poll_timeouts(500).is_empty());
    assert_eq!(client.next_timeout_at(), Some(1_500));
    assert!(client.poll_timeouts(1_499).is_empty());
    assert_eq!(
        client.poll_timeouts(1_500),
        [TimedOut {
            request: join.id,
            request_kind: PacketKind::RoomJoin
        }]
    );
    assert!(client.poll_timeouts(99_999).is_empty(), "once only");
    assert_eq!(client.pending_requests().count(), 0);
    assert_eq!(client.next_timeout_at(), None);
    // The answer comes after all: still its reply, and the room is joined.
    let joined = Body::RoomJoined(Joined {
        room: 1,
        user: "alice".into(),
        all_users: vec![],
    });
    let event = client.handle_line(&peer.reply(&peer.read(&join.line), joined), 2_000);
    assert!(matches!(event, Some(Event::Reply { request, .. }) if request == join.id));
    assert_eq!(client.joined_rooms().collect::<Vec<_>>(), [1]);
}

#[test]
fn an_unanswered_handshake_times_out_too() {
    let mut client = ClientSession::new(ProtocolVersion::V2_1, KeyPair::generate().unwrap());
    client.set_request_timeout(Some(100));
    client.handshake_line();
    client.poll_timeouts(0);
    assert_eq!(
        client.poll_timeouts(100).first().map(|t| t.request_kind),
        Some(PacketKind::Handshake)
    );
}

#[test]
fn at_most_so_many_timed_out_requests_are_remembered() {
    let (mut client, _peer) = signed_in(ProtocolVersion::V2_1, 0);
    client.set_request_timeout(Some(1));
    for round in 0..3 {
        for _ in 0..MAX_EXPIRED {
            client.join_room(1).unwrap();
        }
        client.poll_timeouts(round * 10);
        assert_eq!(client.poll_timeouts(round * 10 + 1).len(), MAX_EXPIRED);
    }
    assert!(
        client.kept_requests() <= MAX_EXPIRED,
        "{}",
        client.kept_requests()
    );
}

#[test]
fn mcp_2_0_replies_name_the_right_room_and_a_heartbeat_timeout_answers_nothing() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_0, 0);
    let first = client.join_room(1).unwrap();
    let second = client.join_room(2).unwrap();
    let joined = |room| {
        peer.push(Packet::new(
            PacketId::None,
            Body::RoomJoined(Joined {
                room,
                user: "alice".into(),
                all_users: vec![],
            }),
        ))
    };
    // Room 2's answer first: it answers the join of room 2, not the oldest join.
    let event = client.handle_line(&joined(2), 0);
    assert!(
        matches!(event, Some(Event::Reply { request, .. }) if request == second.id),
        "{event:?}"
    );
    let timeout = r#"{"type":"Error.HeartbeatTimeout","data":null}"#;
    assert!(matches!(
        client.handle_line(timeout, 0),
        Some(Event::Push(_))
    ));
    let event = client.handle_line(&joined(1), 0);
    assert!(
        matches!(event, Some(Event::Reply { request, .. }) if request == first.id),
        "{event:?}"
    );
}

#[test]
fn mcp_2_0_access_denied_then_joined_anyway_leaves_us_in_the_room() {
    let (mut client, peer) = signed_in(ProtocolVersion::V2_0, 0);
    let join = client.join_room(2).unwrap();
    let denied = peer.push(Packet::error(PacketId::None, ErrorKind::AccessDenied, ""));
    assert!(matches!(
        client.handle_line(&denied, 0),
        Some(Event::Reply { request, packet: Packet { body: Body::Error(_), .. }, .. }) if request == join.id
    ));
    assert_eq!(client.joined_rooms().count(), 0);
    let joined = Body::RoomJoined(Joined {
        room: 2,
        user: "alice".into(),
        all_users: vec![],
    });
    let event = client.handle_line(&peer.push(Packet::new(PacketId::None, joined)), 0);
    assert!(
        matches!(event, Some(Event::Push(_))),
        "no request waits for it"
    );
    assert_eq!(
        client.joined_rooms().collect::<Vec<_>>(),
        [2],
        "but we are in"
    );
}

mod history;

#[cfg(not(target_arch = "wasm32"))]
mod proptests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::packet::mutation::{mutate, mutated_sample, mutation};
    use crate::packet::samples::sample;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    proptest! {
        #[test]
        fn arbitrary_lines_never_panic_a_session(lines in proptest::collection::vec(".{0,120}", 0..8)) {
            let (mut client, peer) = signed_in(ProtocolVersion::V2_1, 1000);
            for line in &lines {
                let _ = client.handle_line(line, 5);
                let _ = client.handle_line(&peer.cipher.encrypt_line(line), 5);
            }
            let mut fresh = ClientSession::new(ProtocolVersion::V2_1, KeyPair::generate().unwrap());
            for line in &lines {
                let _ = fresh.handle_line(line, 0);
            }
        }

        #[test]
        fn encryption_round_trips_any_utf8(text in "\\PC{0,300}", key in any::<[u8; 32]>()) {
            let cipher = LineCipher::new(&crate::McpKey::from_bytes(key));
            prop_assert_eq!(cipher.decrypt_line(&cipher.encrypt_line(&text)).unwrap(), text);
        }
    }

    /// A session waiting on a join, a message and a download is fed mutated
    /// server packets (plaintext and encrypted, both versions, with IDs that match
    /// its requests or not). It never panics, never has more waiting than it sent,
    /// stays usable, and the mutations reach every outcome: replies, pushes and
    /// unreadable lines.
    #[test]
    fn mutated_server_packets_never_derail_a_session() {
        let (replies, pushes, errors) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        let mut runner = TestRunner::new(Config {
            cases: 200,
            failure_persistence: None,
            ..Config::default()
        });
        // Half the packets are of the kinds that answer our requests.
        const ANSWERS: &[PacketKind] = &[
            PacketKind::RoomJoined,
            PacketKind::TextMessage,
            PacketKind::ImageDownloadMeta,
            PacketKind::ImageDownloadPart,
            PacketKind::ImageDownloadCompleted,
        ];
        let packet = prop_oneof![
            (
                proptest::sample::select(ANSWERS),
                proptest::collection::vec(mutation(), 1..=3)
            ),
            mutated_sample(),
        ];
        let strategy = (
            proptest::collection::vec(packet, 1..6),
            any::<bool>(),
            any::<bool>(),
        );
        runner
            .run(&strategy, |(packets, v2_0, plaintext)| {
                let version = if v2_0 {
                    ProtocolVersion::V2_0
                } else {
                    ProtocolVersion::V2_1
                };
                let (mut client, peer) = signed_in(version, 1000);
                let sent = [
                    client.join_room(1).unwrap().id,
                    client.send_text(1, "hi").unwrap().id,
                    client.request_image_download("7").unwrap().id,
                ];
                for (kind, mutations) in &packets {
                    let mut packet = sample(*kind);
                    // Point the packet at one of our requests (or at none).
                    packet.id = match (version, mutations.len()) {
                        (ProtocolVersion::V2_0, _) => PacketId::None,
                        (_, 1) => PacketId::from(sent[0]),
                        (_, 2) => PacketId::from(sent[1]),
                        _ => PacketId::from(sent[2]),
                    };
                    let json = mutate(&packet, mutations);
                    let line = if plaintext {
                        json
                    } else {
                        peer.cipher.encrypt_line(&json)
                    };
                    match client.handle_line(&line, 5) {
                        Some(Event::Reply { .. } | Event::Accepted { .. }) => {
                            replies.fetch_add(1, Ordering::Relaxed)
                        }
                        Some(Event::Push(_)) => pushes.fetch_add(1, Ordering::Relaxed),
                        Some(Event::ProtocolError(_)) => errors.fetch_add(1, Ordering::Relaxed),
                        _ => 0,
                    };
                    prop_assert!(client.pending_requests().count() <= sent.len());
                    prop_assert!(client.pending_requests().all(|(id, _)| sent.contains(&id)));
                }
                let still = client.join_room(3).unwrap();
                prop_assert!(peer.read(&still.line).kind() == PacketKind::RoomJoin);
                Ok(())
            })
            .unwrap();
        let counts = [
            replies.into_inner(),
            pushes.into_inner(),
            errors.into_inner(),
        ];
        eprintln!("mutated server packets: {counts:?} (replies, pushes, unreadable)");
        let total: usize = counts.iter().sum();
        // Replies come out near 5% (the seed is random on every run), so a 5% floor
        // failed CI once at 30 of 631; 1% still catches an outcome that is starved.
        assert!(
            counts.iter().all(|&n| n * 100 > total),
            "each outcome is reached at least 1% of the time: {counts:?}"
        );
    }
}
