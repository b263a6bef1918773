//! The client against servers that are not ours: an MCP 2.0 server written the way
//! the public Java server behaves in the captured session (`shared/tests/vectors`),
//! and version changes between sign-ins.

use miricat_shared::PublicKey;
use miricat_shared::packet::handshake::Handshake;

use super::*;

/// The server end of a connection to an MCP 2.0 server: no IDs, messages without
/// `room`, decrypted packets ending in `\n`.
struct JavaServer {
    cipher: LineCipher,
}

impl JavaServer {
    /// Answers `hello` as a 2.0-only server: the plaintext handshake (Java-style
    /// key), or the plaintext `UnsupportedVersion` refusal for any other version.
    fn answer(hello: &str) -> Result<(Self, String), String> {
        let Body::Handshake(h) = Packet::decode(hello).unwrap().body else {
            panic!("not a handshake: {hello}")
        };
        if h.version != "2.0.0" {
            return Err(r#"{"type":"Error.UnsupportedVersion","data":null}"#.to_owned());
        }
        let keys = KeyPair::generate().unwrap();
        let peer = PublicKey::from_hex(&h.public_key).unwrap();
        let cipher = LineCipher::new(&keys.shared_secret(&peer).mcp_key());
        let reply = Packet::new(
            PacketId::None,
            Body::Handshake(Handshake {
                version: "2.0.0".into(),
                public_key: format!("00{}", keys.public().to_hex().to_uppercase()),
            }),
        );
        Ok((Self { cipher }, reply.encode()))
    }

    fn read(&self, line: &str) -> Packet {
        let packet = Packet::decode(self.cipher.decrypt_line(line).unwrap().trim()).unwrap();
        assert_eq!(packet.id, PacketId::None, "2.0 types carry no ID");
        packet
    }

    fn send(&self, body: Body) -> String {
        self.cipher
            .encrypt_line(&format!("{}\n", Packet::new(PacketId::None, body).encode()))
    }

    fn send_raw(&self, json: &str) -> String {
        self.cipher.encrypt_line(&format!("{json}\n"))
    }
}

/// Signs in to a 2.0 server, offering `first`; returns the server end.
fn signed_in_to_java(client: &mut ChatClient, first: ProtocolVersion) -> JavaServer {
    client.sign_in(creds(false), first);
    let mut hello = sent(&client.on_open(KeyPair::generate().unwrap())).remove(0);
    let (server, reply) = match JavaServer::answer(&hello) {
        Ok(answered) => answered,
        Err(refusal) => {
            // Refused: the client falls back to 2.0.0 in the same sign-in.
            let effects = client.on_line(&refusal, 1);
            assert!(effects.contains(&Effect::Open), "{effects:?}");
            // The empty line Java sends after it belongs to the closed socket.
            assert!(actions(&client.on_line("", 1)).is_empty());
            hello = sent(&client.on_open(KeyPair::generate().unwrap())).remove(0);
            JavaServer::answer(&hello).unwrap()
        }
    };
    assert!(hello.contains(r#""version":"2.0.0""#), "{hello}");
    let effects = client.on_line(&reply, 2);
    let login = server.read(&sent(&effects)[0]);
    assert_eq!(login.kind(), PacketKind::Login);
    let effects = client.on_line(&server.send(accepted(&[(1, "general"), (2, "random")])), 3);
    assert_eq!(client.phase(), Phase::Online);
    assert!(effects.contains(&Effect::ProtocolWorked(ProtocolVersion::V2_0)));
    assert!(actions(&effects).contains(&Action::ProtocolInUse(ProtocolVersion::V2_0)));
    let token = r#"{"type":"Authentication.UpdateAccessToken","data":{"accessToken":"x"}}"#;
    assert!(actions(&client.on_line(&server.send_raw(token), 3)).is_empty());
    server
}

#[test]
fn a_2_0_server_is_reached_by_falling_back_in_the_same_sign_in() {
    let mut client = ChatClient::default();
    signed_in_to_java(&mut client, ProtocolVersion::V2_1);
}

#[test]
fn a_remembered_2_0_is_offered_at_once() {
    let mut client = ChatClient::default();
    client.sign_in(creds(false), ProtocolVersion::V2_0);
    let hello = sent(&client.on_open(KeyPair::generate().unwrap())).remove(0);
    assert!(
        JavaServer::answer(&hello).is_ok(),
        "no refusal first: {hello}"
    );
}

#[test]
fn a_remembered_2_0_recovers_when_the_server_now_speaks_2_1_only() {
    let mut client = ChatClient::default();
    client.sign_in(creds(false), ProtocolVersion::V2_0);
    let hello = sent(&client.on_open(KeyPair::generate().unwrap())).remove(0);
    // Our server refuses anything but 2.1.0, in plaintext, with the handshake's ID.
    let refusal = accept_handshake(&hello, &KeyPair::generate().unwrap()).unwrap_err();
    assert!(
        client
            .on_line(&refusal.reply_line, 1)
            .contains(&Effect::Open)
    );
    let (server, login) = connect(&mut client);
    let effects = client.on_line(&server.reply(&login, accepted(&[(1, "general")])), 2);
    assert!(effects.contains(&Effect::ProtocolWorked(ProtocolVersion::V2_1)));
}

#[test]
fn a_server_refusing_both_versions_is_explained_once() {
    let mut client = ChatClient::default();
    client.sign_in(creds(false), ProtocolVersion::V2_1);
    let refusal = r#"{"type":"Error.UnsupportedVersion","data":null}"#;
    client.on_open(KeyPair::generate().unwrap());
    assert!(client.on_line(refusal, 1).contains(&Effect::Open));
    client.on_open(KeyPair::generate().unwrap());
    let effects = client.on_line(refusal, 2);
    assert_eq!(
        actions(&effects),
        [Action::Stopped(
            "The server refused the secure connection: The server does not support this protocol version (it refused both 2.1.0 and 2.0.0).".into()
        )]
    );
    assert!(!effects.contains(&Effect::Open), "no third try");
}

#[test]
fn a_2_0_chat_works_messages_find_their_room_and_the_list_is_not_waited_for() {
    let mut client = ChatClient::default();
    client.set_request_timeout_ms(1_000);
    let server = signed_in_to_java(&mut client, ProtocolVersion::V2_0);
    let join = server.read(&sent(&client.join(1))[0]);
    assert_eq!(join.body, Body::RoomJoin(RoomRef { room: 1 }));
    client.on_line(&server.send(joined(1, "alice")), 4);

    // Room.RequireList is never answered by 2.0 servers: nothing waits for it.
    assert_eq!(sent(&client.refresh_rooms()).len(), 1);
    client.poll_timeouts(10, 0.0);
    assert!(client.poll_timeouts(10_000, 0.0).is_empty());

    let bob = Body::TextMessage(TextMessage {
        text: "hi alice".into(),
        user: "bob".into(),
        time: Timestamp(7),
        message_id: None,
    });
    assert_eq!(
        actions(&client.on_line(&server.send(bob), 5)),
        [Action::Message {
            room: 1,
            sender: "bob".into(),
            content: Content::Text("hi alice".into()),
            time_ms: 7,
            message_id: None,
        }]
    );
    let request = server.read(&sent(&client.send_text(1, "hi bob", 6))[0]);
    assert_eq!(request.room, Some(1));
    let echo = Body::TextMessage(TextMessage {
        text: "hi bob".into(),
        user: "alice".into(),
        time: Timestamp(8),
        message_id: None,
    });
    assert!(actions(&client.on_line(&server.send(echo), 7)).contains(
        &Action::OwnMessageDelivery {
            local_id: 1,
            delivery: Delivery::Sent,
            time_ms: Some(8),
        }
    ));
    // A plaintext error (followed by a blank line) while nothing waits is shown.
    let plain = r#"{"type":"Error.PacketDataIncorrect","data":null}"#;
    assert!(matches!(
        &actions(&client.on_line(plain, 8))[..],
        [Action::Error(_)]
    ));
    assert!(client.on_line("", 8).is_empty());
}

#[test]
fn a_2_0_join_answered_with_access_denied_and_then_joined_ends_up_joined() {
    let mut client = ChatClient::default();
    let server = signed_in_to_java(&mut client, ProtocolVersion::V2_0);
    let join = server.read(&sent(&client.join(2))[0]);
    assert_eq!(join.body, Body::RoomJoin(RoomRef { room: 2 }));
    // Written while the join is under way: sent once the room is joined.
    assert!(sent(&client.send_text(2, "hello", 4)).is_empty());

    let denied = server.send_raw(r#"{"type":"Error.AccessDenied","data":null}"#);
    assert!(
        actions(&client.on_line(&denied, 5)).contains(&Action::JoinFailed {
            room: 2,
            why: "Access denied.".into()
        })
    );
    // ...and then the server joins us anyway.
    let effects = client.on_line(&server.send(joined(2, "alice")), 6);
    assert!(matches!(
        &actions(&effects)[0],
        Action::MemberJoined { room: 2, user, .. } if user == "alice"
    ));
    assert_eq!(client.retry(1).len(), 2, "the message is retried by hand");
    // The room is wanted again: a reconnect rejoins it.
    client.on_close(1000, "", 10, 0.0);
    client.reconnect_now();
    let hello = sent(&client.on_open(KeyPair::generate().unwrap())).remove(0);
    let (server, reply) = JavaServer::answer(&hello).unwrap();
    let login = server.read(&sent(&client.on_line(&reply, 11))[0]);
    assert_eq!(login.kind(), PacketKind::Login);
    let effects = client.on_line(&server.send(accepted(&[(2, "random")])), 12);
    assert_eq!(
        server.read(&sent(&effects)[0]).body,
        Body::RoomJoin(RoomRef { room: 2 })
    );
}
