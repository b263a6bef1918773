//! Extension negotiation and `history/1` through a client session, against the
//! in-memory peer of [`super`].

use super::*;
use crate::packet::extension::Extension;
use crate::packet::history::{History, HistoryEntry, HistoryMessage, RequireHistory};

/// What a server that knows `history/1` answers: the offered names it supports.
fn agree_to_history(login: &Packet) -> Option<ExtensionNames> {
    let Body::Login(credentials) = &login.body else {
        panic!("not a login: {login:?}")
    };
    let offered = credentials.extensions.as_ref()?;
    Some(ExtensionSet::from_names(offered).to_names())
}

fn history_client() -> (ClientSession, Peer) {
    let (mut client, peer) = secured(ProtocolVersion::V2_1);
    sign_in(&mut client, &peer, ExtensionSet::all(), 0, agree_to_history);
    assert!(client.agreed_extensions().contains(Extension::History));
    (client, peer)
}

fn text(id: Option<u64>) -> TextMessage {
    TextMessage {
        text: "hi".into(),
        user: "bob".into(),
        time: Timestamp(5),
        message_id: id,
    }
}

fn page() -> Body {
    Body::History(History {
        messages: vec![HistoryEntry {
            message: HistoryMessage::Text(text(Some(7))),
            room: 1,
        }],
        more: false,
    })
}

#[test]
fn a_plain_login_carries_no_extensions_field() {
    let (mut client, peer) = secured(ProtocolVersion::V2_1);
    let login = client.login("alice", "pw").unwrap();
    let json = peer.cipher.decrypt_line(&login.line).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"type":"Authentication.Login.{}","data":{{"username":"alice","password":"pw"}}}}"#,
            login.id
        )
    );
}

#[test]
fn an_offer_is_sent_and_only_offered_agreed_names_count() {
    let (mut client, peer) = secured(ProtocolVersion::V2_1);
    client.offer_extensions(ExtensionSet::all());
    let register = client.register("alice", "pw").unwrap();
    let json = peer.cipher.decrypt_line(&register.line).unwrap();
    assert!(json.contains(r#""extensions":["history/1"]"#), "{json}");

    // A server listing what we did not offer agrees to nothing we may use.
    let (mut client, peer) = secured(ProtocolVersion::V2_1);
    sign_in(&mut client, &peer, ExtensionSet::EMPTY, 0, |_| {
        Some(["history/1"].into_iter().collect())
    });
    assert!(client.agreed_extensions().is_empty());
}

#[test]
fn history_requests_are_refused_until_agreed() {
    let refused = Err(SessionError::NotAgreed(Extension::History));
    let answers: [fn(&Packet) -> Option<ExtensionNames>; 3] = [
        |_| None,
        |_| Some(ExtensionNames::default()),
        |_| Some(["typing/1", "history/2"].into_iter().collect()),
    ];
    for answer in answers {
        let (mut client, peer) = secured(ProtocolVersion::V2_1);
        client.offer_extensions(ExtensionSet::all());
        // Before sign-in nothing is agreed yet.
        assert_eq!(
            client.require_history(1, RequireHistory::default()),
            refused
        );
        sign_in(&mut client, &peer, ExtensionSet::all(), 0, answer);
        assert!(client.agreed_extensions().is_empty());
        assert_eq!(
            client.require_history(1, RequireHistory::default()),
            refused
        );
        // The generic builder holds the same rule, and sends no server kind.
        let body = Body::RequireHistory(RequireHistory::default());
        assert_eq!(client.request(body, Some(1)), refused);
        let body = Body::RoomDeleted(crate::packet::room::RoomRef { room: 1 });
        assert_eq!(
            client.request(body, None),
            Err(SessionError::NotARequest(PacketKind::RoomDeleted))
        );
        assert_eq!(client.pending_requests().count(), 0);
    }
}

#[test]
fn a_history_page_answers_its_request_by_id_and_takes_its_room() {
    let (mut client, peer) = history_client();
    let range = RequireHistory {
        before: Some(4711),
        after: None,
        limit: Some(2),
    };
    let out = client.require_history(1, range).unwrap();
    let json = peer.cipher.decrypt_line(&out.line).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"type":"Message.RequireHistory.{}","data":{{"before":4711,"limit":2}},"room":1}}"#,
            out.id
        )
    );
    let request = peer.read(&out.line);
    // The right ID on a type that cannot answer it is not its reply.
    let wrong = peer.reply(&request, Body::TextMessage(text(Some(3))));
    assert!(matches!(
        client.handle_line(&wrong, 0),
        Some(Event::Push(_))
    ));
    // A reply without a room (the top-level field is optional) takes the request's.
    let event = client.handle_line(&peer.reply(&request, page()), 0);
    let Some(Event::Reply {
        request,
        request_kind: PacketKind::RequireHistory,
        packet,
        last: true,
    }) = event
    else {
        panic!("{event:?}")
    };
    assert_eq!((request, packet.room), (out.id, Some(1)));
    assert!(matches!(&packet.body, Body::History(h) if h.messages[0].message_id() == Some(7)));
    assert_eq!(client.pending_requests().count(), 0);
}

#[test]
fn an_error_answers_a_history_request_and_deadlines_apply() {
    let (mut client, peer) = history_client();
    client.set_request_timeout(Some(1_000));
    let refused = client
        .require_history(9, RequireHistory::default())
        .unwrap();
    let error = Packet::error(
        PacketId::from(refused.id),
        ErrorKind::UserDontConnected,
        "join first",
    );
    let event = client.handle_line(&peer.push(error), 0);
    assert!(
        matches!(event, Some(Event::Reply { request, packet: Packet { body: Body::Error(_), .. }, .. }) if request == refused.id)
    );

    let slow = client
        .require_history(1, RequireHistory::default())
        .unwrap();
    assert!(client.poll_timeouts(10).is_empty());
    assert_eq!(
        client.poll_timeouts(1_010),
        [TimedOut {
            request: slow.id,
            request_kind: PacketKind::RequireHistory
        }]
    );
    // The page that comes late is still that request's reply.
    let late = peer.reply(&peer.read(&slow.line), page());
    assert!(
        matches!(client.handle_line(&late, 2_000), Some(Event::Reply { request, .. }) if request == slow.id)
    );
}

#[test]
fn message_ids_are_kept_only_once_agreed() {
    let pushed = |peer: &Peer| {
        peer.push(Packet::in_room(
            PacketId::DontHaveId,
            1,
            Body::TextMessage(text(Some(42))),
        ))
    };
    let id_of = |event: Option<Event>| match event {
        Some(Event::Push(Packet {
            body: Body::TextMessage(m),
            ..
        })) => m.message_id,
        other => panic!("{other:?}"),
    };
    let (mut plain, peer) = signed_in(ProtocolVersion::V2_1, 0);
    assert_eq!(id_of(plain.handle_line(&pushed(&peer), 0)), None);
    let (mut agreed, peer) = history_client();
    assert_eq!(id_of(agreed.handle_line(&pushed(&peer), 0)), Some(42));
}

/// A history client waiting on a page is fed mutated pages (and other packets) with
/// its request's ID: it never panics, never waits on more than it sent, and stays
/// usable.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn mutated_history_pages_never_derail_a_session() {
    use crate::packet::mutation::{mutate, mutation};
    use crate::packet::samples::sample;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let mut runner = TestRunner::new(Config {
        cases: 100,
        failure_persistence: None,
        ..Config::default()
    });
    const KINDS: &[PacketKind] = &[
        PacketKind::History,
        PacketKind::TextMessage,
        PacketKind::Accepted,
    ];
    let strategy = proptest::collection::vec(
        (
            proptest::sample::select(KINDS),
            proptest::collection::vec(mutation(), 1..=3),
        ),
        1..5,
    );
    runner
        .run(&strategy, |packets| {
            let (mut client, peer) = history_client();
            let out = client
                .require_history(1, RequireHistory::default())
                .unwrap();
            for (kind, mutations) in &packets {
                let mut packet = sample(*kind);
                packet.id = PacketId::from(out.id);
                let line = peer.cipher.encrypt_line(&mutate(&packet, mutations));
                let _ = client.handle_line(&line, 5);
                prop_assert!(client.pending_requests().all(|(id, _)| id == out.id));
            }
            let again = client
                .require_history(1, RequireHistory::default())
                .unwrap();
            prop_assert_eq!(peer.read(&again.line).kind(), PacketKind::RequireHistory);
            Ok(())
        })
        .unwrap();
}
