//! A reload: what the browser stored seeds the client, the stored rooms are
//! rejoined, the stored outbox is sent once, and with `history/1` the gap after
//! the newest stored message is filled.

use miricat_shared::packet::history::{MAX_HISTORY_LIMIT, RequireHistory};

use super::history::{accepted_with_history, history_request, range};
use super::*;
use crate::state::{Entry, EntryKind, Membership, Restored, Room};
use crate::stored::StoredRoom;

fn own(local_id: u64, text: &str, delivery: Delivery) -> Entry {
    Entry {
        time_ms: local_id,
        message_id: None,
        kind: EntryKind::Message {
            sender: "alice".into(),
            content: Content::Text(text.into()),
            own: Some((local_id, delivery)),
        },
    }
}

fn bob(id: u64) -> Entry {
    Entry {
        time_ms: id,
        message_id: Some(id),
        kind: EntryKind::Message {
            sender: "bob".into(),
            content: Content::Text(format!("m{id}")),
            own: None,
        },
    }
}

/// What a reload finds: room 1 joined, with `entries`; room 2 seen, not joined.
fn stored(entries: Vec<Entry>) -> Restored {
    let joined = Room::with_timeline(1, Membership::In, entries);
    let other = Room::with_timeline(2, Membership::Out, vec![bob(3)]);
    Restored {
        account: None,
        rooms: vec![
            StoredRoom::from_room(&joined, true),
            StoredRoom::from_room(&other, false),
        ],
    }
}

fn reloaded(restored: Restored) -> (ChatClient, Vec<Effect>) {
    let mut client = ChatClient::default();
    let mut effects = client.sign_in(creds(false), ProtocolVersion::V2_1);
    effects.extend(client.restore(restored));
    (client, effects)
}

#[test]
fn a_reload_rejoins_the_stored_rooms_and_sends_the_stored_outbox_once() {
    let (mut client, effects) = reloaded(stored(vec![
        own(2, "sent before", Delivery::Sent),
        own(4, "typed offline", Delivery::Pending),
    ]));
    assert!(
        actions(&effects)
            .iter()
            .any(|a| matches!(a, Action::Restored(r) if r.rooms.len() == 2)),
        "shown before the server answers"
    );
    assert_eq!(client.unconfirmed_messages(), 1);

    let (server, login) = connect(&mut client);
    let effects = client.on_line(
        &server.reply(&login, accepted(&[(1, "general"), (2, "random")])),
        10,
    );
    let requests: Vec<Packet> = sent(&effects).iter().map(|l| server.read(l)).collect();
    assert_eq!(
        requests.iter().map(|p| &p.body).collect::<Vec<_>>(),
        [&Body::RoomJoin(RoomRef { room: 1 })],
        "only the room we were in is rejoined, and nothing is sent before it"
    );

    let effects = client.on_line(&server.reply(&requests[0], joined(1, "alice")), 11);
    let lines = sent(&effects);
    assert_eq!(lines.len(), 1, "the stored message, once");
    let message = server.read(&lines[0]);
    assert_eq!(
        message.body,
        Body::CreateTextMessage(miricat_shared::packet::message::CreateTextMessage {
            text: "typed offline".into()
        })
    );
    let effects = client.on_line(&confirm(&server, &message), 12);
    assert!(actions(&effects).contains(&Action::OwnMessageDelivery {
        local_id: 4,
        delivery: Delivery::Sent,
        time_ms: Some(1234),
    }));
    assert_eq!(client.unconfirmed_messages(), 0);

    let effects = client.send_text(1, "new", 13);
    assert!(
        actions(&effects)
            .iter()
            .any(|a| matches!(a, Action::OwnMessageQueued { local_id: 5, .. })),
        "new local IDs start above the stored ones"
    );
}

#[test]
fn a_reload_fills_the_gap_after_the_newest_stored_message() {
    let (mut client, _) = reloaded(stored(vec![bob(10), bob(12)]));
    client.set_request_timeout_ms(1_000);
    let (server, login) = connect(&mut client);
    client.poll_timeouts(0, 0.0);
    let effects = client.on_line(
        &server.reply(&login, accepted_with_history(&[(1, "general")])),
        1,
    );
    let rejoin = server.read(&sent(&effects)[0]);
    let effects = client.on_line(&server.reply(&rejoin, joined(1, "alice")), 2);
    let gap = history_request(&server, &effects);
    assert_eq!(
        range(&gap),
        RequireHistory {
            after: Some(12),
            before: None,
            limit: Some(MAX_HISTORY_LIMIT),
        }
    );
}

#[test]
fn after_a_reload_an_unreachable_bridge_is_retried_with_the_rooms_shown() {
    let (mut client, _) = reloaded(stored(vec![bob(1)]));
    let effects = client.on_close(1006, "", 5, 0.0);
    assert_eq!(client.phase(), Phase::Offline, "not back to the form");
    assert!(matches!(effects.last(), Some(Effect::ReconnectIn(_))));
    // Messages typed meanwhile wait for the connection.
    assert!(sent(&client.send_text(1, "later", 6)).is_empty());
}

#[test]
fn nothing_stored_changes_nothing() {
    let mut client = ChatClient::default();
    client.sign_in(creds(false), ProtocolVersion::V2_1);
    assert!(client.restore(Restored::default()).is_empty());
    client.on_open(KeyPair::generate().unwrap());
    assert!(
        actions(&client.on_close(1006, "", 5, 0.0))
            .iter()
            .any(|a| matches!(a, Action::Stopped(_))),
        "a first sign-in that fails goes back to the form, as before"
    );
}
