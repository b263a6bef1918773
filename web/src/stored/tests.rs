//! What is kept of a room, within its bounds, and read back unchanged; records
//! that were not written by this code are refused.

use super::*;
use crate::state::Membership;

fn message(id: Option<MessageId>, time_ms: u64, text: &str) -> Entry {
    Entry {
        time_ms,
        message_id: id,
        kind: EntryKind::Message {
            sender: "bob".into(),
            content: Content::Text(text.into()),
            own: None,
        },
    }
}

fn own(local_id: u64, time_ms: u64, delivery: Delivery) -> Entry {
    Entry {
        time_ms,
        message_id: None,
        kind: EntryKind::Message {
            sender: "alice".into(),
            content: Content::Text(format!("mine {local_id}")),
            own: Some((local_id, delivery)),
        },
    }
}

fn room(entries: Vec<Entry>) -> Room {
    Room::with_timeline(7, Membership::In, entries)
}

#[test]
fn a_room_reads_back_as_it_was_without_app_notices() {
    let entries = vec![
        Entry {
            time_ms: 1,
            message_id: None,
            kind: EntryKind::Joined("alice".into()),
        },
        message(Some(10), 2, "hello"),
        Entry {
            time_ms: 3,
            message_id: Some(11),
            kind: EntryKind::Message {
                sender: "bob".into(),
                content: Content::Image("mcp_image://5".into()),
                own: None,
            },
        },
        Entry {
            time_ms: 4,
            message_id: None,
            kind: EntryKind::Notice("/help text".into()),
        },
        own(3, 5, Delivery::Sent),
        own(4, 6, Delivery::Pending),
        own(5, 7, Delivery::Failed("no answer".into())),
        own(6, 8, Delivery::Refused("too large".into())),
        Entry {
            time_ms: 9,
            message_id: None,
            kind: EntryKind::Left("bob".into()),
        },
    ];
    let stored = StoredRoom::from_room(&room(entries.clone()), true);
    let back = decode_room(&encode_room(&stored)).unwrap();
    assert_eq!(back, stored);
    assert!(back.joined);
    let mut expected = entries;
    expected.remove(3);
    assert_eq!(back.timeline(), expected, "everything but the notice");
    assert_eq!(back.message_id_range(), Some((10, 11)));
    assert_eq!(back.highest_local_id(), 6);
}

#[test]
fn only_unconfirmed_messages_of_ours_go_back_to_the_outbox() {
    let stored = StoredRoom::from_room(
        &room(vec![
            own(1, 1, Delivery::Sent),
            own(2, 2, Delivery::Pending),
            own(3, 3, Delivery::Failed("no answer".into())),
            own(4, 4, Delivery::Refused("too large".into())),
            message(Some(1), 5, "not ours"),
        ]),
        true,
    );
    let unsent: Vec<UnsentMessage> = stored.unsent().collect();
    assert_eq!(
        unsent,
        [
            UnsentMessage {
                local_id: 2,
                room: 7,
                text: "mine 2".into(),
                failed: false
            },
            UnsentMessage {
                local_id: 3,
                room: 7,
                text: "mine 3".into(),
                failed: true
            },
        ]
    );
}

#[test]
fn the_newest_entries_are_kept_within_the_count() {
    let count = MAX_STORED_ENTRIES as u64 + 1_000;
    let entries = (0..count).map(|i| message(Some(i), i, "x")).collect();
    let stored = StoredRoom::from_room(&room(entries), true);
    assert_eq!(stored.entries.len(), MAX_STORED_ENTRIES);
    assert_eq!(stored.entries[0].message_id, Some(1_000), "oldest dropped");
    assert_eq!(stored.entries.last().unwrap().message_id, Some(count - 1));
}

#[test]
fn the_newest_entries_are_kept_within_the_byte_cap() {
    let long = "y".repeat(60 * 1024);
    let entries: Vec<Entry> = (0..100).map(|i| message(Some(i), i, &long)).collect();
    let stored = StoredRoom::from_room(&room(entries), true);
    let kept: usize = stored.timeline().iter().map(Entry::weight).sum();
    assert!(kept <= MAX_STORED_ROOM_BYTES, "{kept}");
    assert!(stored.entries.len() < 100 && stored.entries.len() > 20);
    assert_eq!(stored.entries.last().unwrap().message_id, Some(99));
    assert!(
        encode_room(&stored).len() <= MAX_RECORD_BYTES,
        "it reads back"
    );
    // One message over the cap on its own is still kept: it is the newest.
    let huge = "z".repeat(MAX_STORED_ROOM_BYTES + 1);
    let stored = StoredRoom::from_room(&room(vec![message(Some(1), 1, &huge)]), true);
    assert_eq!(stored.entries.len(), 1);
}

#[test]
fn the_read_position_is_the_entry_before_the_unread_ones() {
    let mut r = room((1..=5).map(|i| message(Some(i), i * 10, "x")).collect());
    r.unread = 2;
    let stored = StoredRoom::from_room(&r, false);
    assert_eq!((stored.unread, stored.read_up_to_ms), (2, 30));
    let open = StoredRoom::from_room(&r, true);
    assert_eq!((open.unread, open.read_up_to_ms), (0, 50), "open: all read");
    r.unread = 9;
    assert_eq!(StoredRoom::from_room(&r, false).read_up_to_ms, 0);
    // A join stamped by the browser a little after the server stamped the message
    // that follows it: the message is not new.
    let mut skewed = room(vec![
        Entry {
            time_ms: 105,
            message_id: None,
            kind: EntryKind::Joined("bob".into()),
        },
        message(Some(1), 100, "x"),
    ]);
    skewed.unread = 0;
    assert_eq!(StoredRoom::from_room(&skewed, true).read_up_to_ms, 105);
}

#[test]
fn records_not_written_by_this_code_are_refused() {
    let stored = StoredRoom::from_room(&room(vec![message(None, 1, "x")]), true);
    let other = encode_room(&stored).replacen("4:room1:1", "4:room1:2", 1);
    assert!(matches!(
        decode_room(&other),
        Err(StoredError::OtherVersion(2))
    ));
    let record = encode_room(&stored);
    assert!(matches!(
        decode_room(&record[..record.len() - 1]),
        Err(StoredError::Malformed(_))
    ));
    assert!(matches!(
        decode_room(&format!("{record}1:x")),
        Err(StoredError::Malformed(_))
    ));
    let oversized = " ".repeat(MAX_RECORD_BYTES + 1);
    assert!(matches!(
        decode_room(&oversized),
        Err(StoredError::TooLarge(_))
    ));
    assert!(decode_account(&record).is_err(), "not an account");
}

#[test]
fn drafts_are_bounded_and_cut_on_a_character() {
    let mut drafts = HashMap::new();
    drafts.insert(1, "é".repeat(MAX_DRAFT_BYTES));
    drafts.insert(2, "  ".into());
    for room in 10..(10 + MAX_DRAFTS as u64 + 5) {
        drafts.insert(room, "hi".into());
    }
    let account = StoredAccount::new(42, Some(1), &drafts);
    assert_eq!(account.drafts.len(), MAX_DRAFTS);
    assert!(
        !account.drafts.iter().any(|(room, _)| *room == 2),
        "blank drafts are not kept"
    );
    let cut = &account
        .drafts
        .iter()
        .find(|(room, _)| *room == 1)
        .unwrap()
        .1;
    assert!(cut.len() <= MAX_DRAFT_BYTES && cut.chars().all(|c| c == 'é'));
    assert_eq!(decode_account(&encode_account(&account)).unwrap(), account);
}

#[test]
fn accounts_are_told_apart_by_bridge_and_name() {
    let a = AccountKey {
        bridge_url: "ws://a/".into(),
        username: "alice".into(),
    };
    let b = AccountKey {
        bridge_url: "ws://b/".into(),
        ..a.clone()
    };
    assert_ne!(a.prefix(), b.prefix());
    assert!(a.room_record(3).starts_with(&a.prefix()));
    assert!(a.account_record().starts_with(&a.prefix()));
    assert!(!b.room_record(3).starts_with(&a.prefix()));
}

#[test]
fn joined_rooms_are_kept_first_past_the_room_bound() {
    let rooms: Vec<Room> = (0..MAX_STORED_ROOMS as u64 + 10)
        .map(|id| {
            let membership = if id == 3 {
                Membership::In
            } else {
                Membership::Out
            };
            Room::with_timeline(id, membership, vec![message(Some(id), id, "x")])
        })
        .collect();
    let kept = rooms_to_keep(rooms.iter());
    assert_eq!(kept.len(), MAX_STORED_ROOMS);
    assert_eq!(kept[0], 3);
    let never_opened = Room::with_timeline(9, Membership::Out, Vec::new());
    assert!(rooms_to_keep([&never_opened].into_iter()).is_empty());
}
