//! Negotiating `history/1` on the real server: plain clients see nothing new (exact
//! JSON), only what was asked for is agreed to, `--no-history` agrees to nothing, and
//! malformed history requests get the documented errors with the connection still
//! usable (hand-picked cases, then generated ones checked against an oracle).

mod common;
mod history_support;

use common::*;
use history_support::*;
use miricat_server::RateLimit;
use miricat_shared::Body;
use miricat_shared::packet::extension::{ExtensionNames, ExtensionSet};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

/// Hand-made history request JSON with ID `id`.
fn request(id: &str, room: &str, data: &str) -> String {
    format!(r#"{{"type":"Message.RequireHistory.{id}","data":{data}{room}}}"#)
}

#[tokio::test]
async fn a_plain_client_sees_exactly_the_plain_protocol() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut plain = server.client().await;
    plain
        .send_json(
            r#"{"type":"Authentication.Register.r1","data":{"username":"ann","password":"pw"}}"#,
        )
        .await;
    let accepted = plain.next_wire_json().await;
    assert_eq!(
        accepted,
        json!({"type": "Authentication.Accepted.r1", "data": {
            "rooms": [{"id": room, "name": "general", "allUsers": []}],
            "heartbeatRate": 30000}})
    );
    let mut agreed = history_user(&server, "bob").await;
    join(&mut agreed, room).await;
    plain
        .send_json(&format!(
            r#"{{"type":"Room.Join.j","data":{{"room":{room}}}}}"#
        ))
        .await;
    plain.next_wire_json().await; // Joined
    agreed.drain_pushes().await;

    // The plain client's echo and push carry no messageId; the agreed one's do.
    plain
        .send_json(&format!(
            r#"{{"type":"Message.CreateTextMessage.m","data":{{"text":"hi"}},"room":{room}}}"#
        ))
        .await;
    let echo = plain.next_wire_json().await;
    let Body::TextMessage(pushed) = agreed.push().await.body else {
        panic!("no push")
    };
    let time = echo["data"]["time"].clone();
    assert_eq!(
        echo,
        json!({"type": "Message.TextMessage.m", "data": {"text": "hi", "user": "ann", "time": time}, "room": room})
    );
    assert!(pushed.message_id.is_some());
    say(&mut agreed, room, "hello").await.unwrap();
    let push = plain.next_wire_json().await;
    assert_eq!(push["type"], "Message.TextMessage.DontHaveID");
    assert_eq!(
        push["data"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["text", "time", "user"]
    );

    // Its history request is a type this server does not serve, as for any peer.
    let reply = plain
        .call_json("h", &request("h", &format!(r#","room":{room}"#), "{}"))
        .await;
    assert_eq!(error_kind(&reply), "PacketDataIncorrect");
}

#[tokio::test]
async fn only_offered_extensions_are_agreed_and_listed() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let (_, listed) = offering_user(&server, "ann", ExtensionSet::all()).await;
    assert_eq!(listed, Some(ExtensionSet::all().to_names()));

    // Asked, but not for history/1: an empty list, and no history.
    let mut other = server.client().await;
    other
        .send_json(r#"{"type":"Authentication.Register.r","data":{"username":"bob","password":"pw","extensions":["typing/1","history/2",7]}}"#)
        .await;
    let accepted = other.next_wire_json().await;
    assert_eq!(accepted["data"]["extensions"], json!([]));
    other
        .send_json(&format!(
            r#"{{"type":"Room.Join.j","data":{{"room":{room}}}}}"#
        ))
        .await;
    other.next_wire_json().await;
    let reply = other
        .call_json("h", &request("h", &format!(r#","room":{room}"#), "{}"))
        .await;
    assert_eq!(error_kind(&reply), "PacketDataIncorrect");
    other
        .send_json(&format!(
            r#"{{"type":"Message.CreateTextMessage.m","data":{{"text":"hi"}},"room":{room}}}"#
        ))
        .await;
    assert_eq!(other.next_wire_json().await["data"].get("messageId"), None);

    // Before signing in a history request is refused like any request.
    let mut anonymous = server.client().await;
    let reply = anonymous
        .call_json("a", &request("a", r#","room":1"#, "{}"))
        .await;
    assert_eq!(error_kind(&reply), "AccessDenied");
}

#[tokio::test]
async fn no_history_agrees_to_nothing() {
    let server = TestServer::start_with(|c| c.history = false).await;
    let room = create_room(&server, "general").await;
    let (mut ann, listed) = offering_user(&server, "ann", ExtensionSet::all()).await;
    assert_eq!(listed, Some(ExtensionNames::default()));
    assert!(ann.session.agreed_extensions().is_empty());
    join(&mut ann, room).await;
    assert_eq!(say(&mut ann, room, "stored anyway").await, None);
    let reply = ann
        .call_json("h", &request("h", &format!(r#","room":{room}"#), "{}"))
        .await;
    assert_eq!(error_kind(&reply), "PacketDataIncorrect");
}

#[tokio::test]
async fn malformed_requests_get_the_documented_errors_in_order() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let outside = create_room(&server, "outside").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let kept = say(&mut ann, room, "kept").await.unwrap();
    let in_room = format!(r#","room":{room}"#);
    let cases = [
        ("", "{}", "PacketDataIncorrect"),
        (r#","room":"1""#, "{}", "PacketDataIncorrect"),
        (r#","room":-1"#, "{}", "PacketDataIncorrect"),
        (&in_room, r#"{"limit":0}"#, "PacketDataIncorrect"),
        (&in_room, r#"{"limit":-5}"#, "PacketDataIncorrect"),
        (&in_room, r#"{"limit":2.5}"#, "PacketDataIncorrect"),
        (&in_room, r#"{"limit":"10"}"#, "PacketDataIncorrect"),
        (&in_room, r#"{"before":0}"#, "PacketDataIncorrect"),
        (&in_room, r#"{"after":-1}"#, "PacketDataIncorrect"),
        (&in_room, r#"{"before":[1]}"#, "PacketDataIncorrect"),
        (&in_room, r#""all""#, "PacketDataIncorrect"),
        // Malformed data wins over an unknown room; an unknown room over membership.
        (r#","room":999"#, r#"{"limit":0}"#, "PacketDataIncorrect"),
        (r#","room":999"#, "{}", "RoomNotFound"),
    ];
    let outside_room = format!(r#","room":{outside}"#);
    let cases = cases
        .into_iter()
        .chain([(outside_room.as_str(), "{}", "UserDontConnected")]);
    for (i, (room_part, data, expected)) in cases.enumerate() {
        let id = format!("bad.{i}");
        let reply = ann.call_json(&id, &request(&id, room_part, data)).await;
        assert_eq!(error_kind(&reply), expected, "{room_part} {data}");
    }
    // Still usable: a good request is served.
    let page = page(&mut ann, room, range(None, None, None)).await;
    assert_eq!(ids(&page), [kept]);
}

/// A generated history request: values for each field drawn from valid and invalid
/// ones, in a room that exists and was joined, exists and was not, or does not exist.
#[derive(Debug, Clone)]
struct Case {
    room: Option<Value>,
    fields: Vec<(&'static str, Value)>,
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (1u64..40).prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(0)),
        (-5i64..0).prop_map(Value::from),
        Just(json!(1.5)),
        Just(json!("3")),
        Just(Value::Null),
        Just(json!([2])),
        Just(json!({})),
        Just(json!(true)),
    ]
}

fn case(joined: u64, not_joined: u64) -> impl Strategy<Value = Case> {
    let room = prop_oneof![
        3 => Just(Some(Value::from(joined))),
        1 => Just(Some(Value::from(not_joined))),
        1 => Just(Some(Value::from(999))),
        1 => Just(None),
        1 => Just(Some(json!("1"))),
    ];
    let field = (
        proptest::sample::select(&["before", "after", "limit", "limit", "extra"][..]),
        value(),
    );
    (room, proptest::collection::vec(field, 0..4)).prop_map(|(room, fields)| Case { room, fields })
}

/// What the server must answer `case` with: an error kind, or a page's ID bounds.
fn expected(case: &Case, joined: u64, not_joined: u64) -> Result<(u64, u64, u64), &'static str> {
    let positive = |v: &Value| v.is_null() || v.as_u64().is_some_and(|n| n > 0);
    let fields: serde_json::Map<String, Value> = case
        .fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let numbers_ok = ["before", "after", "limit"]
        .iter()
        .all(|k| fields.get(*k).is_none_or(positive));
    let Some(room) = case
        .room
        .as_ref()
        .and_then(Value::as_u64)
        .filter(|_| numbers_ok)
    else {
        return Err("PacketDataIncorrect");
    };
    if room != joined {
        return Err(if room == not_joined {
            "UserDontConnected"
        } else {
            "RoomNotFound"
        });
    }
    let get = |k: &str, default: u64| fields.get(k).and_then(Value::as_u64).unwrap_or(default);
    Ok((
        get("after", 0),
        get("before", u64::MAX),
        get("limit", 50).min(200),
    ))
}

#[tokio::test]
async fn generated_requests_are_answered_as_the_document_says() {
    // Pages unpaced: this test asks for a hundred of them.
    let server = TestServer::start_with(|c| {
        c.history_rate = RateLimit {
            per_second: 1e6,
            burst: 1_000,
        }
    })
    .await;
    let joined = create_room(&server, "joined").await;
    let not_joined = create_room(&server, "not-joined").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, joined).await;
    for i in 0..30 {
        say(&mut ann, joined, &format!("{i}")).await;
    }
    let mut runner = TestRunner::deterministic();
    let strategy = case(joined, not_joined);
    let (mut pages, mut errors) = (0, 0);
    for i in 0..300 {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        let data: serde_json::Map<String, Value> = case
            .fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let mut packet = json!({"type": format!("Message.RequireHistory.p{i}"), "data": data});
        if let Some(room) = &case.room {
            packet["room"] = room.clone();
        }
        let reply = ann.call_json(&format!("p{i}"), &packet.to_string()).await;
        match (expected(&case, joined, not_joined), &reply.body) {
            (Ok((after, before, limit)), Body::History(page)) => {
                pages += 1;
                let page_ids = ids(page);
                assert!(page_ids.len() as u64 <= limit, "{case:?}");
                assert!(
                    page_ids.iter().all(|&id| after < id && id < before),
                    "{case:?}"
                );
                assert!(page_ids.windows(2).all(|w| w[0] < w[1]), "{case:?}");
            }
            (Err(kind), Body::Error(_)) => {
                errors += 1;
                assert_eq!(error_kind(&reply), kind, "{case:?}");
            }
            (expected, _) => panic!("{case:?}: expected {expected:?}, got {reply:?}"),
        }
    }
    assert!(pages > 50 && errors > 50, "{pages} pages, {errors} errors");
    // Still usable after all that.
    assert_eq!(
        page(&mut ann, joined, range(None, None, None))
            .await
            .messages
            .len(),
        30
    );
}
