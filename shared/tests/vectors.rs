//! The project's MCP test vectors (`tests/vectors/`, copied from the team's shared
//! documents): public keys, shared secrets, MCP Keys, exact encrypted lines, and a
//! captured MCP 2.0 session replayed through [`ClientSession`].
//!
//! The same tests run natively and compiled to wasm32 (under node, via
//! wasm-bindgen-test), proving the browser build computes identical keys and lines.

use miricat_shared::packet::{Body, PacketKind};
use miricat_shared::session::{ClientSession, Event, ProtocolVersion};
use miricat_shared::{KeyPair, LineCipher, Packet, PublicKey};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const VECTORS: &str = include_str!("vectors/mcp-vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vector file is JSON")
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key}"))
}

#[test]
fn every_case_gives_the_same_keys_and_lines() {
    let vectors = vectors();
    let cases = vectors["cases"].as_array().expect("cases");
    assert!(cases.len() >= 4);
    for case in cases {
        let name = str_field(case, "name");
        let client = KeyPair::from_private_bytes(&hex(str_field(case, "client_private_hex")));
        let server = KeyPair::from_private_bytes(&hex(str_field(case, "server_private_hex")));
        assert_eq!(
            client.public().to_hex(),
            str_field(case, "client_public_hex"),
            "{name}"
        );
        assert_eq!(
            server.public().to_hex(),
            str_field(case, "server_public_hex"),
            "{name}"
        );

        // Every accepted spelling of each public key parses to the same key.
        for field in ["client_public_hex", "client_public_hex_unpadded"] {
            assert_eq!(
                &PublicKey::from_hex(str_field(case, field)).unwrap(),
                client.public(),
                "{name} {field}"
            );
        }
        for field in ["server_public_hex", "server_public_hex_java_style"] {
            assert_eq!(
                &PublicKey::from_hex(str_field(case, field)).unwrap(),
                server.public(),
                "{name} {field}"
            );
        }

        let secret = client.shared_secret(server.public());
        assert_eq!(secret, server.shared_secret(client.public()), "{name}");
        assert_eq!(
            secret.as_bytes().to_vec(),
            hex(str_field(case, "shared_secret_hex")),
            "{name}"
        );
        let key = secret.mcp_key();
        assert_eq!(
            key.as_bytes().to_vec(),
            hex(str_field(case, "mcp_key_hex")),
            "{name}"
        );

        let cipher = LineCipher::new(&key);
        for packet in case["packets"].as_array().expect("packets") {
            let plaintext = str_field(packet, "plaintext");
            assert_eq!(
                plaintext.as_bytes(),
                hex(str_field(packet, "plaintext_utf8_hex")),
                "{name}"
            );
            assert_eq!(
                cipher.encrypt_line(plaintext),
                str_field(packet, "line"),
                "{name}"
            );
            assert_eq!(
                cipher.decrypt_line(str_field(packet, "line")).unwrap(),
                plaintext,
                "{name}"
            );
            // And the decrypted text is a packet once trimmed.
            Packet::decode(plaintext.trim()).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn fresh_keys_from_the_platform_random_source_agree() {
    // Natively the OS CSPRNG; in wasm, Web Crypto through getrandom.
    let a = KeyPair::generate().expect("randomness");
    let b = KeyPair::generate().expect("randomness");
    assert_ne!(a.public(), b.public());
    assert_eq!(a.shared_secret(b.public()), b.shared_secret(a.public()));
    assert_eq!(a.public().to_hex().len(), 384);
    assert_eq!(
        &PublicKey::from_hex(&a.public().to_hex()).unwrap(),
        a.public()
    );
}

#[test]
fn the_captured_java_session_replays_line_for_line() {
    let vectors = vectors();
    let transcript = &vectors["transcripts"][0];
    let keys = KeyPair::from_private_bytes(&hex(str_field(transcript, "client_private_hex")));
    let server_key =
        PublicKey::from_hex(str_field(transcript, "server_public_hex_received")).unwrap();
    let key = keys.shared_secret(&server_key).mcp_key();
    assert_eq!(
        key.as_bytes().to_vec(),
        hex(str_field(transcript, "mcp_key_hex"))
    );

    let mut session = ClientSession::new(ProtocolVersion::V2_0, keys);
    let mut kinds_seen = Vec::new();
    for line in transcript["lines"].as_array().expect("lines") {
        let raw = str_field(line, "raw");
        let kind = str_field(line, "kind");
        if str_field(line, "dir") == "client_to_server" {
            // Our session writes exactly what the reference client wrote.
            let plaintext = line["plaintext"].as_str();
            let ours = match plaintext.map(Packet::decode) {
                None => continue, // the deliberate garbage line
                Some(Ok(Packet {
                    body: Body::Handshake(_),
                    ..
                })) => session.handshake_line(),
                Some(Ok(Packet {
                    body: Body::Login(c),
                    ..
                })) => session.login(&c.username, &c.password).unwrap().line,
                Some(Ok(Packet {
                    body: Body::RoomJoin(r),
                    ..
                })) => session.join_room(r.room).unwrap().line,
                Some(Ok(Packet {
                    body: Body::CreateTextMessage(m),
                    room: Some(room),
                    ..
                })) => session.send_text(room, &m.text).unwrap().line,
                Some(Ok(Packet {
                    body: Body::RoomRequireList,
                    ..
                })) => session.require_room_list().unwrap().line,
                Some(Ok(Packet {
                    body: Body::Ping, ..
                })) => session.poll_heartbeat(u64::MAX).unwrap(),
                other => panic!("unexpected client line {other:?}"),
            };
            assert_eq!(ours, raw, "client line ({kind})");
            continue;
        }
        match session.handle_line(raw, 1) {
            None => assert_eq!(kind, "blank"),
            Some(Event::Secured) => kinds_seen.push("secured".to_owned()),
            Some(Event::Accepted { accepted, .. }) => {
                assert_eq!(accepted.rooms[0].name, "general");
                kinds_seen.push("accepted".to_owned());
            }
            Some(Event::Reply { packet, .. }) => {
                kinds_seen.push(format!("reply {}", packet.type_string()))
            }
            Some(Event::Push(packet)) => kinds_seen.push(format!("push {}", packet.type_string())),
            Some(other) => panic!("unexpected event {other:?} for {raw}"),
        }
    }
    assert_eq!(
        kinds_seen,
        [
            "secured",
            "accepted",
            "push Authentication.UpdateAccessToken",
            "reply Room.Joined",
            "reply Message.TextMessage",
            "reply Error.RoomNotFound",
            "push Error.PacketDataIncorrect",
        ]
    );
    assert_eq!(session.joined_rooms().collect::<Vec<_>>(), [1]);
    assert_eq!(
        PacketKind::from_names("Room", "Joined"),
        Some(PacketKind::RoomJoined)
    );
}
