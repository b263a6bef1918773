//! Reducer tests: every action on a small, known state.

use super::room::{MAX_TIMELINE_BYTES, MAX_TIMELINE_ENTRIES};
use super::*;

fn listing(id: RoomId, name: &str, members: &[&str]) -> RoomListing {
    RoomListing {
        id,
        name: name.to_owned(),
        members: Some(members.iter().map(|m| (*m).to_owned()).collect()),
    }
}

fn reduce(state: ChatState, actions: impl IntoIterator<Item = Action>) -> ChatState {
    let mut state = Rc::new(state);
    for action in actions {
        state = state.reduce(action);
    }
    Rc::unwrap_or_clone(state)
}

fn signed_in_alice() -> ChatState {
    reduce(
        ChatState::default(),
        [
            Action::SignInStarted {
                username: "alice".into(),
            },
            Action::SignedIn(vec![
                listing(1, "general", &["bob"]),
                listing(2, "Random", &[]),
                listing(3, "ops", &[]),
            ]),
        ],
    )
}

fn joined(room: RoomId, user: &str) -> Action {
    Action::MemberJoined {
        room,
        user: user.into(),
        all_users: vec![user.into()],
        time_ms: 10,
    }
}

#[test]
fn sign_in_lists_rooms_and_every_action_bumps_the_revision() {
    let s = signed_in_alice();
    assert!(s.signed_in);
    assert_eq!(s.revision, 2);
    assert_eq!(s.rooms.len(), 3);
    assert_eq!(s.active, Some(1), "first room in sidebar order opens");
    assert_eq!(s.room_order(), [1, 3, 2], "names sort case-insensitively");
}

#[test]
fn joined_rooms_sort_first_and_rejoins_are_quiet() {
    let s = reduce(signed_in_alice(), [joined(3, "alice"), joined(2, "alice")]);
    assert_eq!(s.room_order(), [3, 2, 1]);
    assert_eq!(s.rooms[&3].membership, Membership::In);
    assert_eq!(s.rooms[&3].timeline.len(), 1);
    // After a reconnect the server confirms the join again: no second event.
    let s = reduce(s, [joined(3, "alice")]);
    assert_eq!(s.rooms[&3].timeline.len(), 1);
}

#[test]
fn unread_counts_rise_elsewhere_and_clear_on_open() {
    let msg = |room| Action::Message {
        room,
        sender: "bob".into(),
        content: Content::Text("hi".into()),
        time_ms: 5,
        message_id: None,
    };
    let s = reduce(signed_in_alice(), [msg(1), msg(2), msg(2)]);
    assert_eq!((s.rooms[&1].unread, s.rooms[&2].unread), (0, 2));
    let s = reduce(s, [Action::OpenRoom(2)]);
    assert_eq!((s.active, s.rooms[&2].unread), (Some(2), 0));
}

#[test]
fn messages_from_others_become_the_latest_arrival_and_ours_do_not() {
    let msg = |sender: &str, text: &str| Action::Message {
        room: 2,
        sender: sender.into(),
        content: Content::Text(text.into()),
        time_ms: 5,
        message_id: None,
    };
    let s = reduce(signed_in_alice(), [msg("bob", "ok")]);
    let first = s.last_arrival.clone().expect("bob's message arrived");
    assert_eq!(
        (first.room, first.sender.as_str(), first.gist.as_str()),
        (2, "bob", "ok")
    );
    // The same words again are a new arrival; ours (from another tab) are not one.
    let s = reduce(s, [msg("bob", "ok")]);
    let second = s.last_arrival.clone().expect("still bob's");
    assert_ne!(first, second);
    let s = reduce(s, [msg("alice", "mine")]);
    assert_eq!(s.last_arrival, Some(second));
}

#[test]
fn own_messages_go_pending_then_sent_or_failed() {
    let queued = |local_id, text: &str| Action::OwnMessageQueued {
        local_id,
        room: 1,
        text: text.into(),
        time_ms: 1,
    };
    let s = reduce(
        signed_in_alice(),
        [
            queued(7, "one"),
            queued(8, "two"),
            Action::OwnMessageDelivery {
                local_id: 7,
                delivery: Delivery::Sent,
                time_ms: Some(99),
            },
            Action::OwnMessageDelivery {
                local_id: 8,
                delivery: Delivery::Failed("nope".into()),
                time_ms: None,
            },
        ],
    );
    let states: Vec<_> = s.rooms[&1]
        .timeline
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Message {
                sender,
                own: Some((_, d)),
                ..
            } => (sender.clone(), d.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        states,
        [
            ("alice".to_owned(), Delivery::Sent),
            ("alice".to_owned(), Delivery::Failed("nope".into())),
        ]
    );
}

#[test]
fn switching_rooms_wraps_around_the_sidebar_order() {
    let s = signed_in_alice();
    let s = reduce(s, [Action::SwitchRoom(-1)]);
    assert_eq!(s.active, Some(2));
    let s = reduce(s, [Action::SwitchRoom(1), Action::SwitchRoom(1)]);
    assert_eq!(s.active, Some(3));
}

#[test]
fn room_list_changes_keep_the_sidebar_current() {
    let s = reduce(
        signed_in_alice(),
        [
            Action::RoomUpserted {
                id: 9,
                name: "new".into(),
            },
            Action::RoomUpserted {
                id: 3,
                name: "operations".into(),
            },
            Action::RoomRemoved(1),
        ],
    );
    assert_eq!(s.rooms[&3].name, "operations");
    assert!(s.rooms.contains_key(&9) && !s.rooms.contains_key(&1));
    assert_ne!(s.active, Some(1), "a deleted open room closes");
    assert!(s.error.as_deref().unwrap_or("").contains("general"));
    let s = reduce(s, [Action::RoomsListed(vec![listing(9, "new", &[])])]);
    assert_eq!(s.rooms.keys().copied().collect::<Vec<_>>(), [9]);
    assert_eq!(s.active, Some(9));
}

#[test]
fn members_follow_joined_and_left() {
    let s = reduce(
        signed_in_alice(),
        [
            joined(1, "alice"),
            Action::MemberJoined {
                room: 1,
                user: "carol".into(),
                all_users: vec!["alice".into(), "bob".into(), "carol".into()],
                time_ms: 11,
            },
            Action::MemberLeft {
                room: 1,
                user: "bob".into(),
                time_ms: 12,
            },
        ],
    );
    let members: Vec<_> = s.rooms[&1].members.iter().cloned().collect();
    assert_eq!(members, ["alice", "carol"]);
    let s = reduce(
        s,
        [Action::MemberLeft {
            room: 1,
            user: "alice".into(),
            time_ms: 13,
        }],
    );
    assert_eq!(s.rooms[&1].membership, Membership::Out);
}

#[test]
fn another_user_signing_in_starts_clean_and_stop_returns_to_the_form() {
    let s = reduce(
        signed_in_alice(),
        [
            Action::Stopped("Wrong password.".into()),
            Action::SignInStarted {
                username: "bob".into(),
            },
        ],
    );
    assert!(!s.signed_in && s.rooms.is_empty());
    assert_eq!(s.phase, Phase::Idle);
    assert_eq!(s.error, None, "a new attempt clears the old error");
}

#[test]
fn timelines_are_bounded() {
    let mut s = signed_in_alice();
    for i in 0..(MAX_TIMELINE_ENTRIES as u64 + 5) {
        s.apply(Action::Notice {
            room: 1,
            text: i.to_string(),
            time_ms: i,
        });
    }
    let t = &s.rooms[&1].timeline;
    assert_eq!(t.len(), MAX_TIMELINE_ENTRIES);
    assert_eq!(t[0].time_ms, 5);
}

#[test]
fn timelines_are_bounded_in_bytes_too() {
    let mut s = signed_in_alice();
    let long = "x".repeat(64 * 1024);
    let count = 2 * MAX_TIMELINE_BYTES / long.len();
    for i in 0..count as u64 {
        s.apply(Action::Message {
            room: 1,
            sender: "bob".into(),
            content: Content::Text(long.clone()),
            time_ms: i,
            message_id: None,
        });
    }
    let room = &s.rooms[&1];
    let held: usize = room.timeline.iter().map(|e| e.weight()).sum();
    assert_eq!(held, room.timeline_bytes, "the running count is exact");
    assert!(held <= MAX_TIMELINE_BYTES, "{held} bytes held");
    assert!(
        held + 2 * long.len() > MAX_TIMELINE_BYTES,
        "no more dropped than needed"
    );
    let dropped = room.first_seq - FIRST_SEQ;
    assert_eq!(dropped as usize + room.timeline.len(), count);
    assert_eq!(room.timeline[0].time_ms, dropped, "the oldest go first");

    // One message over the whole bound is still shown: the newest always stays.
    s.apply(Action::Message {
        room: 1,
        sender: "bob".into(),
        content: Content::Text("y".repeat(MAX_TIMELINE_BYTES + 1)),
        time_ms: 1_000,
        message_id: None,
    });
    let room = &s.rooms[&1];
    assert_eq!(room.timeline.len(), 1);
    assert_eq!(room.timeline_bytes, room.timeline[0].weight());
}

#[test]
fn a_failure_reason_is_counted_in_the_room_bytes() {
    let s = reduce(
        signed_in_alice(),
        [
            Action::OwnMessageQueued {
                local_id: 1,
                room: 1,
                text: "hi".into(),
                time_ms: 1,
            },
            Action::OwnMessageDelivery {
                local_id: 1,
                delivery: Delivery::Failed("the reason".into()),
                time_ms: None,
            },
        ],
    );
    let room = &s.rooms[&1];
    assert_eq!(room.timeline_bytes, room.timeline[0].weight());
}

#[test]
fn our_rejoin_after_a_reconnect_adds_no_second_join_line() {
    let s = reduce(signed_in_alice(), [joined(1, "alice")]);
    // Reconnect: Accepted lists the room without us (the new connection has not
    // joined yet), then the rejoin is confirmed.
    let s = reduce(
        s,
        [
            Action::SignedIn(vec![listing(1, "general", &["bob"])]),
            Action::JoinRequested(1),
            joined(1, "alice"),
        ],
    );
    let joins = s.rooms[&1]
        .timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Joined("alice".into()))
        .count();
    assert_eq!(joins, 1);
    assert_eq!(s.rooms[&1].membership, Membership::In);
    // After leaving, joining again is news.
    let s = reduce(
        s,
        [
            Action::MemberLeft {
                room: 1,
                user: "alice".into(),
                time_ms: 20,
            },
            joined(1, "alice"),
        ],
    );
    assert_eq!(s.rooms[&1].timeline.len(), 3);
}

#[test]
fn administration_changes_the_rooms_and_says_what_it_did() {
    let s = reduce(
        signed_in_alice(),
        [Action::AdminDone(AdminOutcome::RoomRenamed {
            id: 1,
            name: "lobby".into(),
        })],
    );
    assert_eq!(s.rooms[&1].name, "lobby");
    assert_eq!(
        s.admin_notice.as_deref(),
        Some("Renamed the room \"general\" to \"lobby\".")
    );
    let s = reduce(s, [Action::AdminDone(AdminOutcome::RoomDeleted(1))]);
    assert!(!s.rooms.contains_key(&1));
    assert_eq!(s.active, Some(3), "the next room opens");
    assert_eq!(
        s.error, None,
        "deleting the open room ourselves is no error"
    );
    assert_eq!(
        s.admin_notice.as_deref(),
        Some("Deleted the room \"lobby\".")
    );
    let s = reduce(
        s,
        [Action::AdminDone(AdminOutcome::RoomCreated {
            id: 4,
            name: "news".into(),
        })],
    );
    assert_eq!(s.rooms[&4].name, "news");
    let s = reduce(
        s,
        [Action::AdminDone(AdminOutcome::UserDeleted("bob".into()))],
    );
    assert!(s.admin_notice.as_deref().unwrap_or("").contains("\"bob\""));
    let s = reduce(s, [Action::DismissAdminNotice]);
    assert_eq!(s.admin_notice, None);
}

#[test]
fn a_failed_join_or_leave_keeps_its_reason_on_the_room_until_the_next_try() {
    let s = reduce(
        signed_in_alice(),
        [
            Action::JoinRequested(2),
            Action::JoinFailed {
                room: 2,
                why: "Access denied.".into(),
            },
            // A later, unrelated error goes to the banner and replaces nothing else.
            Action::Error("Could not refresh the room list.".into()),
        ],
    );
    let room = &s.rooms[&2];
    assert_eq!(room.membership, Membership::Out);
    assert_eq!(room.refusal.as_deref(), Some("Access denied."));
    assert_eq!(s.error.as_deref(), Some("Could not refresh the room list."));

    let s = reduce(s, [Action::JoinRequested(2)]);
    assert_eq!(s.rooms[&2].refusal, None, "a new attempt clears it");
    let s = reduce(
        s,
        [
            joined(2, "alice"),
            Action::LeaveRequested(2),
            Action::LeaveFailed {
                room: 2,
                why: "The server did not answer.".into(),
            },
        ],
    );
    let room = &s.rooms[&2];
    assert_eq!(
        room.membership,
        Membership::In,
        "still in: Leave is usable again"
    );
    assert_eq!(room.refusal.as_deref(), Some("The server did not answer."));
    let s = reduce(s, [joined(2, "alice")]);
    assert_eq!(s.rooms[&2].refusal, None, "joined after all");
}

#[test]
fn the_protocol_in_use_is_kept_for_the_status_tooltip() {
    let s = reduce(
        signed_in_alice(),
        [Action::ProtocolInUse(
            miricat_shared::session::ProtocolVersion::V2_0,
        )],
    );
    assert_eq!(s.protocol.map(|v| v.as_str()), Some("2.0.0"));
}

#[test]
fn a_message_a_history_page_brought_is_not_shown_again_when_pushed() {
    let past = |id: u64| PastMessage {
        message_id: id,
        time_ms: id,
        kind: EntryKind::Message {
            sender: "bob".into(),
            content: Content::Text(format!("m{id}")),
            own: None,
        },
    };
    let s = reduce(
        signed_in_alice(),
        [
            Action::OpenRoom(2),
            Action::HistoryPage {
                room: 1,
                messages: vec![past(4), past(5)],
                older: Some(false),
            },
            Action::Message {
                room: 1,
                sender: "bob".into(),
                content: Content::Text("m5".into()),
                time_ms: 5,
                message_id: Some(5),
            },
        ],
    );
    let room = &s.rooms[&1];
    assert_eq!(room.timeline.len(), 2);
    assert_eq!(room.unread, 0, "neither a page nor a repeat is unread");
    assert_eq!(room.history, HistoryView::Start);
}
