//! Round trips of every packet type, the tolerant readers and the ID rules.

use super::auth::{Accepted, Credentials};
use super::file::{ImageMeta, ImagePart, ImageRef, ImageUploadRequest};
use super::handshake::Handshake;
use super::lenient::Timestamp;
use super::message::{CreateImageMessage, CreateTextMessage, ImageMessage, TextMessage};
use super::room::{Joined, Left, RoomInfo, RoomName, RoomRef, RoomSummary};
use super::user::Username;
use super::*;

fn sample(kind: PacketKind) -> Packet {
    let creds = || Credentials {
        username: "alice".into(),
        password: "pw".into(),
    };
    let meta = || ImageMeta {
        id: "7".into(),
        name: "a.png".into(),
        size: 3,
        mime: "image/png".into(),
    };
    let part = || ImagePart {
        id: "7".into(),
        part: 1,
        data: "AAEC".into(),
    };
    let image = || ImageRef { id: "7".into() };
    let summary = || RoomSummary {
        room: 2,
        name: "lobby".into(),
    };
    let user = || Username {
        username: "bob".into(),
    };
    let body = match kind {
        PacketKind::Handshake => Body::Handshake(Handshake {
            version: "2.1.0".into(),
            public_key: "ab".into(),
        }),
        PacketKind::Ping => Body::Ping,
        PacketKind::Login => Body::Login(creds()),
        PacketKind::Register => Body::Register(creds()),
        PacketKind::Accepted => Body::Accepted(Accepted {
            rooms: vec![RoomInfo {
                id: 1,
                name: "general".into(),
                all_users: vec!["a".into()],
            }],
            heartbeat_rate: 30_000,
        }),
        PacketKind::CreateTextMessage => Body::CreateTextMessage(CreateTextMessage {
            text: "hi\nthere".into(),
        }),
        PacketKind::TextMessage => Body::TextMessage(TextMessage {
            text: "hi".into(),
            user: "a".into(),
            time: Timestamp(1),
        }),
        PacketKind::CreateImageMessage => {
            Body::CreateImageMessage(CreateImageMessage::uploaded("7"))
        }
        PacketKind::ImageMessage => Body::ImageMessage(ImageMessage {
            image: "mcp_image://7".into(),
            user: "a".into(),
            time: Timestamp(2),
        }),
        PacketKind::RequestImageUpload => Body::RequestImageUpload(ImageUploadRequest {
            name: "a.png".into(),
            size: 3,
            mime: "image/png".into(),
        }),
        PacketKind::ImageUploadAccepted => Body::ImageUploadAccepted(meta()),
        PacketKind::ImageUploadRejected => Body::ImageUploadRejected,
        PacketKind::ImageUploadPart => Body::ImageUploadPart(part()),
        PacketKind::ImageUploadCompleted => Body::ImageUploadCompleted(image()),
        PacketKind::RequestImageDownload => Body::RequestImageDownload(image()),
        PacketKind::ImageDownloadMeta => Body::ImageDownloadMeta(meta()),
        PacketKind::ImageDownloadPart => Body::ImageDownloadPart(part()),
        PacketKind::ImageDownloadCompleted => Body::ImageDownloadCompleted(image()),
        PacketKind::UserCreate => Body::UserCreate(creds()),
        PacketKind::UserCreated => Body::UserCreated(user()),
        PacketKind::UserDelete => Body::UserDelete(user()),
        PacketKind::UserDeleted => Body::UserDeleted(user()),
        PacketKind::RoomCreate => Body::RoomCreate(RoomName {
            name: "lobby".into(),
        }),
        PacketKind::RoomCreated => Body::RoomCreated(summary()),
        PacketKind::RoomJoin => Body::RoomJoin(RoomRef { room: 2 }),
        PacketKind::RoomJoined => Body::RoomJoined(Joined {
            room: 2,
            user: "a".into(),
            all_users: vec!["a".into()],
        }),
        PacketKind::RoomLeave => Body::RoomLeave(RoomRef { room: 2 }),
        PacketKind::RoomLeft => Body::RoomLeft(Left {
            room: 2,
            user: "a".into(),
        }),
        PacketKind::RoomDelete => Body::RoomDelete(RoomRef { room: 2 }),
        PacketKind::RoomDeleted => Body::RoomDeleted(RoomRef { room: 2 }),
        PacketKind::RoomUpdate => Body::RoomUpdate(summary()),
        PacketKind::RoomUpdated => Body::RoomUpdated(summary()),
        PacketKind::RoomRequireList => Body::RoomRequireList,
        PacketKind::RoomList => Body::RoomList(vec![summary()]),
        PacketKind::Error | PacketKind::Unknown => unreachable!("not in the table"),
    };
    let id = PacketId::from("42.x");
    match kind.room_field() {
        RoomField::Absent => Packet::new(id, body),
        RoomField::Required | RoomField::Optional => Packet::in_room(id, 2, body),
    }
}

#[test]
fn every_packet_type_round_trips() {
    for &kind in PacketKind::ALL {
        let packet = sample(kind);
        let line = packet.encode();
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.starts_with(&format!(
                "{{\"type\":\"{}.{}.42.x\"",
                kind.major(),
                kind.minor()
            )),
            "{line}"
        );
        assert_eq!(Packet::decode(&line).unwrap(), packet, "{line}");
    }
}

#[test]
fn errors_and_unknown_packets_round_trip() {
    let error = Packet::error(
        PacketId::DontHaveId,
        ErrorKind::HeartbeatTimeout,
        "too quiet",
    );
    assert_eq!(
        error.encode(),
        r#"{"type":"Error.HeartbeatTimeout.DontHaveID","data":{"message":"too quiet"}}"#
    );
    assert_eq!(Packet::decode(&error.encode()).unwrap(), error);
    let unknown = r#"{"type":"Authentication.UpdateAccessToken","data":{"accessToken":"x"}}"#;
    let packet = Packet::decode(unknown).unwrap();
    assert_eq!(packet.kind(), PacketKind::Unknown);
    assert_eq!(packet.encode(), unknown);
}

#[test]
fn matches_the_spec_fixtures_exactly() {
    let fixtures = [
        r#"{"type":"Heartbeat.Ping.1"}"#,
        r#"{"type":"Room.RequireList.2"}"#,
        r#"{"type":"File.ImageUploadRejected.3","data":null}"#,
        r#"{"type":"Message.CreateTextMessage.7","data":{"text":"Hello, world!"},"room":1}"#,
        r#"{"type":"Room.Created.5","data":{"room":3,"name":"lobby"}}"#,
        r#"{"type":"Room.List.4","data":[{"room":1,"name":"general"}]}"#,
    ];
    for json in fixtures {
        assert_eq!(Packet::decode(json).unwrap().encode(), json);
    }
}

#[test]
fn tolerant_readers() {
    // `error` for `message`, `data: null` and no data at all.
    for json in [
        r#"{"type":"Error.RoomNotFound","data":{"error":"gone"}}"#,
        r#"{"type":"Error.RoomNotFound","data":null}"#,
        r#"{"type":"Error.RoomNotFound"}"#,
    ] {
        let packet = Packet::decode(json).unwrap();
        assert!(
            matches!(&packet.body, Body::Error(e) if e.kind == ErrorKind::RoomNotFound),
            "{json}"
        );
    }
    // `id` for `room` in room objects; time as a string; no room on a 2.0 message.
    let created = Packet::decode(r#"{"type":"Room.Created","data":{"id":3,"name":"x"}}"#).unwrap();
    assert_eq!(
        created.body,
        Body::RoomCreated(RoomSummary {
            room: 3,
            name: "x".into()
        })
    );
    let message = Packet::decode(
        r#"{"type":"Message.TextMessage","data":{"text":"t","user":"u","time":"17"}}"#,
    )
    .unwrap();
    assert_eq!(message.room, None);
    assert!(matches!(message.body, Body::TextMessage(m) if m.time == Timestamp(17)));
    // Unknown fields are ignored; the spec's stray ImageDownloadAccepted reads as meta.
    let meta = Packet::decode(
        r#"{"type":"File.ImageDownloadAccepted.9","data":{"id":1,"name":"n","size":1,"type":"image/png"},"x":1}"#,
    )
    .unwrap();
    assert_eq!(meta.kind(), PacketKind::ImageDownloadMeta);
}

#[test]
fn unparseable_lines_are_answered_with_dont_have_id() {
    for line in [
        "",
        "hello",
        "[]",
        "{}",
        r#"{"type":5}"#,
        r#"{"type":"Room"}"#,
        r#"{"type":"Room.Join.1""#,
    ] {
        let err = Packet::decode(line).unwrap_err();
        assert_eq!(err.reply_id(), PacketId::DontHaveId, "{line}");
        assert_eq!(err.reply_error(), ErrorKind::PacketDataIncorrect, "{line}");
    }
}

#[test]
fn malformed_data_is_answered_with_the_request_id() {
    let cases = [
        (
            r#"{"type":"Authentication.Login.5","data":{"username":"a"}}"#,
            ErrorKind::AuthDataIncorrect,
        ),
        (
            r#"{"type":"Authentication.Register.5"}"#,
            ErrorKind::AuthDataIncorrect,
        ),
        (
            r#"{"type":"Message.CreateTextMessage.5","data":{"text":"a"}}"#,
            ErrorKind::MessageDataIncorrect,
        ),
        (
            r#"{"type":"Message.CreateTextMessage.5","data":{},"room":1}"#,
            ErrorKind::MessageDataIncorrect,
        ),
        (
            r#"{"type":"Room.Join.5","data":{"room":"one"}}"#,
            ErrorKind::PacketDataIncorrect,
        ),
        (
            r#"{"type":"Room.Join.5","data":{"room":-1}}"#,
            ErrorKind::PacketDataIncorrect,
        ),
    ];
    for (line, expected) in cases {
        let err = Packet::decode(line).unwrap_err();
        assert_eq!(err.reply_id(), PacketId::Value("5".into()), "{line}");
        assert_eq!(err.reply_error(), expected, "{line}");
    }
    let no_id = Packet::decode(r#"{"type":"Room.Join","data":{}}"#).unwrap_err();
    assert_eq!(no_id.reply_id(), PacketId::DontHaveId);
}

#[test]
fn ids_may_contain_dots_and_2_0_types_have_none() {
    let p = Packet::decode(r#"{"type":"Room.Join.a.b","data":{"room":1}}"#).unwrap();
    assert_eq!(p.id, PacketId::Value("a.b".into()));
    let p = Packet::decode(r#"{"type":"Room.Join","data":{"room":1}}"#).unwrap();
    assert_eq!(p.id, PacketId::None);
    assert_eq!(p.type_string(), "Room.Join");
}

#[cfg(not(target_arch = "wasm32"))]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z]{1,8}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_the_decoder(line in ".{0,200}") {
            let _ = Packet::decode(&line);
        }

        /// Every known type with arbitrary data and room: decoding never panics, and
        /// whatever decodes re-encodes to something that decodes to the same packet.
        #[test]
        fn arbitrary_json_never_panics_and_decoded_packets_round_trip(
            kind_index in 0..PacketKind::ALL.len(),
            id in proptest::option::of("[A-Za-z0-9.]{0,8}"),
            data in json_value(),
            room in json_value(),
        ) {
            let kind = PacketKind::ALL[kind_index];
            let mut type_string = format!("{}.{}", kind.major(), kind.minor());
            if let Some(id) = id { type_string = format!("{type_string}.{id}"); }
            let json = serde_json::json!({"type": type_string, "data": data, "room": room}).to_string();
            if let Ok(packet) = Packet::decode(&json) {
                prop_assert_eq!(Packet::decode(&packet.encode()).unwrap(), packet);
            }
        }
    }
}
