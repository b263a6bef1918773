//! The exact JSON the server writes, read off the wire rather than through the typed
//! packets (whose readers are lenient, `WIRE.md` section 8): reply IDs, `DontHaveID`
//! on pushes, `time` as a number of milliseconds, `"data": null`.

mod common;

use common::*;
use miricat_shared::Body;
use serde_json::json;

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn messages_carry_the_request_id_or_dont_have_id_and_a_numeric_time() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let Body::RoomCreated(room) = root.ask(|s| s.create_room("general")).await.body else {
        panic!()
    };
    root.ask(|s| s.join_room(room.room)).await;
    let mut alice = server.user("alice").await;
    alice.ask(|s| s.join_room(room.room)).await;
    root.push().await; // alice joined

    let before = now_ms();
    alice
        .send_json(&format!(
            r#"{{"type":"Message.CreateTextMessage.req-7","data":{{"text":"hi"}},"room":{}}}"#,
            room.room
        ))
        .await;
    let reply = alice.next_wire_json().await;
    let pushed = root.next_wire_json().await;
    let after = now_ms();
    assert_eq!(reply["type"], "Message.TextMessage.req-7");
    assert_eq!(pushed["type"], "Message.TextMessage.DontHaveID");
    for packet in [&reply, &pushed] {
        assert_eq!(packet["room"], json!(room.room));
        assert_eq!(packet["data"]["text"], "hi");
        assert_eq!(packet["data"]["user"], "alice");
        let time = packet["data"]["time"]
            .as_u64()
            .unwrap_or_else(|| panic!("time is not a number: {packet}"));
        assert!(
            (before..=after).contains(&time),
            "{time} not in {before}..={after}"
        );
    }
    assert_eq!(reply["data"]["time"], pushed["data"]["time"]);
}

#[tokio::test]
async fn room_administration_replies_and_pushes() {
    let server = TestServer::start().await;
    let mut root = server.root().await;
    let mut alice = server.user("alice").await;
    root.send_json(r#"{"type":"Room.Create.c.1","data":{"name":"general"}}"#)
        .await;
    let reply = root.next_wire_json().await;
    let pushed = alice.next_wire_json().await;
    assert_eq!(reply["type"], "Room.Created.c.1");
    assert_eq!(pushed["type"], "Room.Created.DontHaveID");
    assert_eq!(reply["data"], pushed["data"]);
    assert_eq!(reply["data"]["name"], "general");
    let room = reply["data"]["room"].as_u64().unwrap();

    root.send_json(&format!(
        r#"{{"type":"Room.Delete","data":{{"room":{room}}}}}"#
    ))
    .await;
    assert_eq!(
        root.next_wire_json().await,
        json!({"type": "Room.Deleted.DontHaveID", "data": {"room": room}}),
        "a request without an ID is answered with DontHaveID"
    );
    assert_eq!(
        alice.next_wire_json().await,
        json!({"type": "Room.Deleted.DontHaveID", "data": {"room": room}})
    );
}

#[tokio::test]
async fn a_rejected_upload_has_null_data_and_errors_have_a_message() {
    let server = TestServer::start().await;
    let mut c = server.user("alice").await;
    c.send_json(
        r#"{"type":"File.RequestImageUpload.u","data":{"name":"x.svg","size":10,"type":"image/svg+xml"}}"#,
    )
    .await;
    assert_eq!(
        c.next_wire_json().await,
        json!({"type": "File.ImageUploadRejected.u", "data": null})
    );
    c.send_json(r#"{"type":"Room.Join.j","data":{"room":999}}"#)
        .await;
    let error = c.next_wire_json().await;
    assert_eq!(error["type"], "Error.RoomNotFound.j");
    assert!(error["data"]["message"].is_string(), "{error}");
}
