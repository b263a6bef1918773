//! Round trips of every packet type, the tolerant readers and the ID rules.

use super::lenient::Timestamp;
use super::room::RoomSummary;
use super::samples::sample;
use super::*;

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

/// A client writes its requests as `encode` does; the data of other kinds, which
/// it never sends, is left out.
#[test]
fn a_client_writes_requests_as_encode_does() {
    for &kind in PacketKind::ALL {
        let packet = sample(kind);
        let request = packet.encode_request();
        if kind.is_client_request() {
            assert_eq!(request, packet.encode());
        } else if !matches!(kind, PacketKind::ImageUploadRejected) {
            let read: serde_json::Value = serde_json::from_str(&request).unwrap();
            assert!(read.get("data").is_none(), "{request}");
        }
    }
}

/// A client reads what servers send as `decode` does, and a request (even one
/// whose data would not parse) as an unknown packet carrying its raw data.
#[test]
fn a_client_reads_requests_as_unknown_packets() {
    for &kind in PacketKind::ALL {
        let line = sample(kind).encode();
        let read = Packet::decode_from_server(&line).unwrap();
        if kind.is_sent_by_servers() {
            assert_eq!(read, Packet::decode(&line).unwrap(), "{line}");
            continue;
        }
        let Body::Unknown(unknown) = &read.body else {
            panic!("{kind:?} read as {read:?}");
        };
        assert_eq!(
            (unknown.major.as_str(), unknown.minor.as_str()),
            (kind.major(), kind.minor())
        );
        assert_eq!(read.id, sample(kind).id);
        let broken = format!(
            r#"{{"type":"{}.{}","data":[1,2]}}"#,
            kind.major(),
            kind.minor()
        );
        let read = Packet::decode_from_server(&broken).unwrap();
        assert!(
            matches!(&read.body, Body::Unknown(u) if u.data == "[1,2]"),
            "{read:?}"
        );
    }
    assert!(!PacketKind::Login.is_sent_by_servers());
    assert!(PacketKind::Handshake.is_sent_by_servers());
    assert!(PacketKind::TextMessage.is_sent_by_servers());
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

/// The examples of `docs/extensions.md`, verbatim: each decodes to its kind and
/// re-encodes to the same JSON (key order aside: the document writes `room` first).
#[test]
fn matches_the_extension_document_examples() {
    let fixtures = [
        (
            r#"{"type":"Authentication.Login.1","data":{"username":"ann","password":"...","extensions":["history/1"]}}"#,
            PacketKind::Login,
        ),
        (
            r#"{"type":"Authentication.Accepted.1","data":{"rooms":[{"id":1,"name":"general","allUsers":["ann"]}],"heartbeatRate":30000,"extensions":["history/1"]}}"#,
            PacketKind::Accepted,
        ),
        (
            r#"{"type":"Message.TextMessage.DontHaveID","room":1,"data":{"text":"hello","user":"bob","time":1764698400000,"messageId":4711}}"#,
            PacketKind::TextMessage,
        ),
        (
            r#"{"type":"Message.RequireHistory.7","room":1,"data":{"before":4711,"limit":2}}"#,
            PacketKind::RequireHistory,
        ),
        (
            r#"{"type":"Message.History.7","room":1,"data":{"messages":[
  {"type":"Message.TextMessage","room":1,"data":{"text":"hi","user":"ann","time":1764698300000,"messageId":4702}},
  {"type":"Message.ImageMessage","room":1,"data":{"image":"mcp_image://31","user":"bob","time":1764698350000,"messageId":4705}}
],"more":true}}"#,
            PacketKind::History,
        ),
    ];
    for (json, kind) in fixtures {
        let packet = Packet::decode(json).unwrap();
        assert_eq!(packet.kind(), kind, "{json}");
        let expected: serde_json::Value = serde_json::from_str(json).unwrap();
        let encoded: serde_json::Value = serde_json::from_str(&packet.encode()).unwrap();
        assert_eq!(encoded, expected, "{json}");
    }
    // A history request must name its room, like every message request.
    let no_room = Packet::decode(r#"{"type":"Message.RequireHistory.8","data":{}}"#).unwrap_err();
    assert_eq!(
        (no_room.reply_id(), no_room.reply_error()),
        (PacketId::from("8"), ErrorKind::PacketDataIncorrect)
    );
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
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::mutation::{mutate, mutated_sample};
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_the_decoder(line in ".{0,200}") {
            let _ = Packet::decode(&line);
        }
    }

    /// Valid packets of every kind, changed one to three times (a field renamed or
    /// dropped, a value of another type, another type string): decoding never
    /// panics, whatever decodes re-encodes to the same packet, and the mutations
    /// reach both sides, so a meaningful share decodes and a meaningful share is
    /// refused.
    #[test]
    fn mutated_sample_packets_decode_or_fail_cleanly() {
        const CASES: u32 = 3_000;
        let decoded = AtomicUsize::new(0);
        let refused = AtomicUsize::new(0);
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&mutated_sample(), |(kind, mutations)| {
                let json = mutate(&sample(kind), &mutations);
                match Packet::decode(&json) {
                    Ok(packet) => {
                        decoded.fetch_add(1, Ordering::Relaxed);
                        let again = Packet::decode(&packet.encode());
                        prop_assert_eq!(again.ok(), Some(packet), "{}", json);
                    }
                    Err(e) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                        // A refusal says what to answer: malformed data of a known
                        // type keeps the request's ID.
                        let _ = (e.reply_id(), e.reply_error());
                    }
                }
                Ok(())
            })
            .unwrap();
        let (decoded, refused) = (decoded.into_inner(), refused.into_inner());
        let total = (decoded + refused) as f64;
        eprintln!("mutated samples: {decoded} decoded, {refused} refused");
        assert!(
            decoded as f64 / total > 0.25 && refused as f64 / total > 0.15,
            "{decoded} decoded, {refused} refused: the mutations must reach both"
        );
    }
}
