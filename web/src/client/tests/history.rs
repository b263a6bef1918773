//! `history/1` against the in-memory server: the offer at sign-in, the newest page
//! on joining, older pages on scrolling up until the room's start, the gap after a
//! reconnect, deadlines, and a server that did not agree sending nothing new.

use miricat_shared::packet::extension::ExtensionNames;
use miricat_shared::packet::history::{
    History, HistoryEntry, HistoryMessage, MAX_HISTORY_LIMIT, RequireHistory,
};

use super::*;
use crate::client::history::FIRST_PAGE;
use crate::state::PastMessage;

const TIMEOUT: u64 = 1_000;

pub(super) fn accepted_with_history(rooms: &[(RoomId, &str)]) -> Body {
    let Body::Accepted(mut accepted) = accepted(rooms) else {
        unreachable!()
    };
    accepted.extensions = Some(["history/1"].into_iter().collect::<ExtensionNames>());
    Body::Accepted(accepted)
}

/// Signed in to a server that agreed to `history/1`, with a short deadline.
fn online_with_history() -> (ChatClient, Server, Packet) {
    let mut client = ChatClient::default();
    client.set_request_timeout_ms(TIMEOUT);
    client.sign_in(creds(false), ProtocolVersion::V2_1);
    let (server, login) = connect(&mut client);
    client.poll_timeouts(0, 0.0);
    client.on_line(
        &server.reply(&login, accepted_with_history(&[(1, "general")])),
        1,
    );
    assert_eq!(client.phase(), Phase::Online);
    (client, server, login)
}

/// The one `Message.RequireHistory` among `effects`, as sent.
pub(super) fn history_request(server: &Server, effects: &[Effect]) -> Packet {
    let requests: Vec<Packet> = sent(effects)
        .iter()
        .map(|line| server.read(line))
        .filter(|p| p.kind() == PacketKind::RequireHistory)
        .collect();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

pub(super) fn range(request: &Packet) -> RequireHistory {
    let Body::RequireHistory(range) = request.body else {
        panic!("not a history request: {request:?}")
    };
    range
}

fn text(id: u64) -> HistoryMessage {
    HistoryMessage::Text(TextMessage {
        text: format!("m{id}"),
        user: "bob".into(),
        time: Timestamp(id * 1000),
        message_id: Some(id),
    })
}

fn page(server: &Server, request: &Packet, ids: &[u64], more: bool) -> String {
    server.reply(
        request,
        Body::History(History {
            messages: ids
                .iter()
                .map(|id| HistoryEntry {
                    message: text(*id),
                    room: 1,
                })
                .collect(),
            more,
        }),
    )
}

/// The pages among `effects`: their message IDs and what they say of older ones.
fn pages(effects: &[Effect]) -> Vec<(Vec<u64>, Option<bool>)> {
    actions(effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::HistoryPage {
                messages, older, ..
            } => Some((
                messages
                    .iter()
                    .map(|m: &PastMessage| m.message_id)
                    .collect(),
                older,
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_page_longer_than_asked_for_keeps_a_page_of_its_newest_entries() {
    let (mut client, server, _) = online_with_history();
    let effects = join(&mut client, &server, 1);
    let first = history_request(&server, &effects);
    // Thousands of entries in one line, in the order pages come in (oldest first).
    let ids: Vec<u64> = (1..=5_000).collect();
    let effects = client.on_line(&page(&server, &first, &ids, true), 10);
    let [(kept, older)] = pages(&effects).try_into().expect("one page");
    assert_eq!(kept, ids[ids.len() - MAX_HISTORY_LIMIT as usize..]);
    assert_eq!(older, Some(true));
    // Scrolling up asks for what came before the oldest kept.
    let effects = client.load_older(1);
    let older = history_request(&server, &effects);
    assert_eq!(range(&older).before, Some(4_801));
    // Newest first (the costliest order to sort): still one page, by position.
    let ids: Vec<u64> = (1..=4_800).rev().collect();
    let effects = client.on_line(&page(&server, &older, &ids, true), 11);
    let [(kept, _)] = pages(&effects).try_into().expect("one page");
    assert_eq!(kept.len() as u64, MAX_HISTORY_LIMIT);
}

#[test]
fn the_sign_in_offers_history() {
    let (_, _, login) = online_with_history();
    let Body::Login(login) = login.body else {
        panic!("not a login")
    };
    let offered = login.extensions.expect("an offer");
    assert_eq!(offered.iter().collect::<Vec<_>>(), ["history/1"]);
}

#[test]
fn joining_fills_the_room_then_scrolling_up_pages_back_to_its_start() {
    let (mut client, server, _) = online_with_history();
    let effects = join(&mut client, &server, 1);
    let first = history_request(&server, &effects);
    assert_eq!(first.room, Some(1));
    assert_eq!(
        range(&first),
        RequireHistory {
            limit: Some(FIRST_PAGE),
            ..RequireHistory::default()
        }
    );
    assert!(actions(&effects).contains(&Action::HistoryLoading(1)));
    assert!(
        client.load_older(1).is_empty(),
        "one page at a time per room"
    );

    let effects = client.on_line(&page(&server, &first, &[30, 31], true), 10);
    assert_eq!(pages(&effects), [(vec![30, 31], Some(true))]);

    let effects = client.load_older(1);
    let older = history_request(&server, &effects);
    assert_eq!(range(&older).before, Some(30), "before the oldest held");
    let effects = client.on_line(&page(&server, &older, &[10, 20], false), 11);
    assert_eq!(pages(&effects), [(vec![10, 20], Some(false))]);

    assert!(
        client.load_older(1).is_empty(),
        "nothing is asked for past the start of the room"
    );
}

#[test]
fn a_rejoin_after_a_reconnect_fills_the_gap_page_by_page() {
    let (mut client, server, _) = online_with_history();
    let effects = join(&mut client, &server, 1);
    let first = history_request(&server, &effects);
    client.on_line(&page(&server, &first, &[5], false), 10);
    // A live push with its ID: the newest this tab has.
    let mut live = TextMessage {
        text: "live".into(),
        user: "bob".into(),
        time: Timestamp(6_000),
        message_id: Some(6),
    };
    let effects = client.on_line(&server.push(Some(1), Body::TextMessage(live.clone())), 11);
    assert!(matches!(
        &actions(&effects)[..],
        [Action::Message {
            message_id: Some(6),
            ..
        }]
    ));

    client.on_close(1006, "", 12, 0.0);
    client.reconnect_now();
    let (server, login) = connect(&mut client);
    client.poll_timeouts(13, 0.0);
    let effects = client.on_line(
        &server.reply(&login, accepted_with_history(&[(1, "general")])),
        14,
    );
    let rejoin = server.read(&sent(&effects)[0]);
    let effects = client.on_line(&server.reply(&rejoin, joined(1, "alice")), 15);
    let gap = history_request(&server, &effects);
    assert_eq!(
        range(&gap),
        RequireHistory {
            after: Some(6),
            before: None,
            limit: Some(MAX_HISTORY_LIMIT),
        }
    );
    assert!(
        !actions(&effects).contains(&Action::HistoryLoading(1)),
        "the top of the room is not what loads"
    );

    let effects = client.on_line(&page(&server, &gap, &[8, 9], true), 16);
    assert_eq!(pages(&effects), [(vec![8, 9], None)]);
    let next = history_request(&server, &effects);
    assert_eq!(
        (range(&next).after, range(&next).before),
        (Some(6), Some(8)),
        "the rest of the gap, before the page just merged"
    );
    let effects = client.on_line(&page(&server, &next, &[7], false), 17);
    assert_eq!(pages(&effects), [(vec![7], None)]);
    assert!(sent(&effects).is_empty(), "the gap is filled");

    // A push the server also sent in a page keeps its ID for the state to merge.
    live.message_id = Some(9);
    let effects = client.on_line(&server.push(Some(1), Body::TextMessage(live)), 18);
    assert!(matches!(
        &actions(&effects)[..],
        [Action::Message {
            message_id: Some(9),
            ..
        }]
    ));
}

#[test]
fn a_page_past_its_deadline_is_explained_and_scrolling_up_asks_again() {
    let (mut client, server, _) = online_with_history();
    let effects = join(&mut client, &server, 1);
    history_request(&server, &effects);
    client.poll_timeouts(100, 0.0);
    let effects = client.poll_timeouts(100 + TIMEOUT + 1, 0.0);
    let failed: Vec<String> = actions(&effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::HistoryFailed { room: 1, why } => Some(why),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed,
        ["Earlier messages did not load: The server did not answer."]
    );
    let again = history_request(&server, &client.load_older(1));
    assert_eq!(range(&again).before, None, "the newest page, again");
}

#[test]
fn a_refused_page_is_explained() {
    let (mut client, server, _) = online_with_history();
    let effects = join(&mut client, &server, 1);
    let request = history_request(&server, &effects);
    let effects = client.on_line(
        &server.reply(
            &request,
            Body::Error(ErrorPacket::new(ErrorKind::UserDontConnected, "")),
        ),
        10,
    );
    assert!(actions(&effects).iter().any(|a| matches!(
        a,
        Action::HistoryFailed { room: 1, why } if why.starts_with("Earlier messages did not load: ")
    )));
}

#[test]
fn a_server_that_did_not_agree_is_asked_nothing_new() {
    let (mut client, server, _) = online(false);
    let effects = join(&mut client, &server, 1);
    assert!(sent(&effects).is_empty(), "{effects:?}");
    assert!(client.load_older(1).is_empty());
    // A foreign server's `messageId` is not believed.
    let effects = client.on_line(
        &server.push(
            Some(1),
            Body::TextMessage(TextMessage {
                text: "hi".into(),
                user: "bob".into(),
                time: Timestamp(1),
                message_id: Some(77),
            }),
        ),
        10,
    );
    assert!(matches!(
        &actions(&effects)[..],
        [Action::Message {
            message_id: None,
            ..
        }]
    ));
}

#[test]
fn our_confirmed_message_carries_its_server_id() {
    let (mut client, server, _) = online_with_history();
    let effects = join(&mut client, &server, 1);
    let first = history_request(&server, &effects);
    client.on_line(&page(&server, &first, &[], false), 10);
    let effects = client.send_text(1, "hello", 11);
    let request = server.read(&sent(&effects)[0]);
    let reply = server.reply(
        &request,
        Body::TextMessage(TextMessage {
            text: "hello".into(),
            user: "alice".into(),
            time: Timestamp(1234),
            message_id: Some(42),
        }),
    );
    let effects = client.on_line(&reply, 12);
    assert!(actions(&effects).contains(&Action::OwnMessageIdentified {
        local_id: 1,
        message_id: 42,
    }));
}
