//! The client driven against an in-memory MCP server (the `shared` crate's server
//! handshake and line cipher), with time passed by hand.

use miricat_shared::crypto::LineCipher;
use miricat_shared::packet::ErrorPacket;
use miricat_shared::packet::PacketKind;
use miricat_shared::packet::auth::Accepted;
use miricat_shared::packet::lenient::Timestamp;
use miricat_shared::packet::message::TextMessage;
use miricat_shared::packet::room::{Joined, RoomInfo, RoomRef, RoomSummary};
use miricat_shared::session::{ProtocolVersion, accept_handshake};
use miricat_shared::{Body, ErrorKind, Packet, PacketId};

use super::*;
use crate::state::Content;

/// The server's end of one connection.
struct Server {
    cipher: LineCipher,
}

impl Server {
    fn read(&self, line: &str) -> Packet {
        Packet::decode(self.cipher.decrypt_line(line).unwrap().trim()).unwrap()
    }

    fn reply(&self, request: &Packet, body: Body) -> String {
        let packet = Packet {
            id: request.id.reply_id(),
            room: request.room,
            body,
        };
        self.cipher.encrypt_line(&packet.encode())
    }

    fn push(&self, room: Option<RoomId>, body: Body) -> String {
        let packet = Packet {
            id: PacketId::DontHaveId,
            room,
            body,
        };
        self.cipher.encrypt_line(&packet.encode())
    }
}

fn sent(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(line) => Some(line.clone()),
            _ => None,
        })
        .collect()
}

fn actions(effects: &[Effect]) -> Vec<Action> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Ui(a) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

fn creds(register: bool) -> Credentials {
    Credentials {
        username: "alice".into(),
        password: "pw".into(),
        register,
    }
}

fn accepted(rooms: &[(RoomId, &str)]) -> Body {
    Body::Accepted(Accepted {
        rooms: rooms
            .iter()
            .map(|(id, name)| RoomInfo {
                id: *id,
                name: (*name).into(),
                all_users: vec![],
            })
            .collect(),
        heartbeat_rate: 1000,
        extensions: None,
    })
}

/// Opens a connection and completes the handshake; returns the server end and the
/// sign-in request it received.
fn connect(client: &mut ChatClient) -> (Server, Packet) {
    let effects = client.on_open(KeyPair::generate().unwrap());
    let hello = sent(&effects).remove(0);
    let server = accept_handshake(&hello, &KeyPair::generate().unwrap()).unwrap();
    let effects = client.on_line(&server.reply_line, 0);
    assert_eq!(client.phase(), Phase::SigningIn);
    let server = Server {
        cipher: server.cipher,
    };
    let login = server.read(&sent(&effects)[0]);
    (server, login)
}

/// Signs in with rooms 1 ("general") and 2 ("random") on the server.
fn online(register: bool) -> (ChatClient, Server, Packet) {
    let mut client = ChatClient::default();
    assert!(
        client
            .sign_in(creds(register), ProtocolVersion::V2_1)
            .contains(&Effect::Open)
    );
    let (server, login) = connect(&mut client);
    let effects = client.on_line(
        &server.reply(&login, accepted(&[(1, "general"), (2, "random")])),
        5,
    );
    assert_eq!(client.phase(), Phase::Online);
    assert!(
        actions(&effects)
            .iter()
            .any(|a| matches!(a, Action::SignedIn(r) if r.len() == 2))
    );
    (client, server, login)
}

fn join(client: &mut ChatClient, server: &Server, room: RoomId) -> Vec<Effect> {
    let effects = client.join(room);
    let request = server.read(&sent(&effects)[0]);
    assert_eq!(request.kind(), PacketKind::RoomJoin);
    client.on_line(&server.reply(&request, joined(room, "alice")), 6)
}

fn joined(room: RoomId, user: &str) -> Body {
    Body::RoomJoined(Joined {
        room,
        user: user.into(),
        all_users: vec![user.into()],
    })
}

fn confirm(server: &Server, request: &Packet) -> String {
    let Body::CreateTextMessage(m) = &request.body else {
        panic!("not a message: {request:?}")
    };
    server.reply(
        request,
        Body::TextMessage(TextMessage {
            text: m.text.clone(),
            user: "alice".into(),
            time: Timestamp(1234),
            message_id: None,
        }),
    )
}

#[test]
fn signs_in_through_handshake_and_login() {
    let (_, _, login) = online(false);
    assert_eq!(login.kind(), PacketKind::Login);
}

#[test]
fn registers_first_then_logs_in_on_reconnect() {
    let (mut client, _, first) = online(true);
    assert_eq!(first.kind(), PacketKind::Register);
    client.on_close(1006, "", 0, 0.0);
    assert!(client.reconnect_now().contains(&Effect::Open));
    let (_, again) = connect(&mut client);
    assert_eq!(again.kind(), PacketKind::Login);
}

#[test]
fn messages_typed_offline_are_sent_after_reconnect_and_rejoin() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    let effects = client.on_close(1001, "", 0, 0.5);
    assert_eq!(client.phase(), Phase::Offline);
    assert!(matches!(effects.last(), Some(Effect::ReconnectIn(ms)) if *ms > 0));

    let effects = client.send_text(1, "while offline", 10);
    assert!(sent(&effects).is_empty(), "nothing goes out offline");
    assert!(
        matches!(&actions(&effects)[0], Action::OwnMessageQueued { text, .. } if text == "while offline")
    );

    assert!(client.reconnect_now().contains(&Effect::Open));
    let (server, login) = connect(&mut client);
    let effects = client.on_line(&server.reply(&login, accepted(&[(1, "general")])), 20);
    let lines = sent(&effects);
    assert_eq!(lines.len(), 1, "only the rejoin, the message waits for it");
    let rejoin = server.read(&lines[0]);
    assert_eq!(rejoin.kind(), PacketKind::RoomJoin);

    let effects = client.on_line(&server.reply(&rejoin, joined(1, "alice")), 21);
    let lines = sent(&effects);
    assert_eq!(lines.len(), 1);
    let message = server.read(&lines[0]);
    assert_eq!(
        (message.kind(), message.room),
        (PacketKind::CreateTextMessage, Some(1))
    );

    let effects = client.on_line(&confirm(&server, &message), 22);
    assert!(actions(&effects).contains(&Action::OwnMessageDelivery {
        local_id: 1,
        delivery: Delivery::Sent,
        time_ms: Some(1234),
    }));
    assert_eq!(client.unconfirmed_messages(), 0);
}

/// After a close: reconnects and signs in again, the server listing `rooms`.
/// Returns the new server end and the packets the client sent once signed in (its
/// rejoins).
fn sign_in_again(
    client: &mut ChatClient,
    rooms: &[(RoomId, &str)],
    now: u64,
) -> (Server, Vec<Packet>) {
    assert!(client.reconnect_now().contains(&Effect::Open));
    let (server, login) = connect(client);
    let effects = client.on_line(&server.reply(&login, accepted(rooms)), now);
    let requests = sent(&effects).iter().map(|l| server.read(l)).collect();
    (server, requests)
}

/// Reconnects after a close and rejoins `room`; returns the new server end and the
/// lines sent once the rejoin was confirmed.
fn reconnect_and_rejoin(client: &mut ChatClient, room: RoomId) -> (Server, Vec<String>) {
    let (server, mut requests) = sign_in_again(client, &[(room, "general")], 2);
    let rejoin = requests.remove(0);
    assert_eq!(rejoin.body, Body::RoomJoin(RoomRef { room }));
    let effects = client.on_line(&server.reply(&rejoin, joined(room, "alice")), 3);
    (server, sent(&effects))
}

fn bob_says(server: &Server, room: RoomId, text: &str) -> String {
    server.push(
        Some(room),
        Body::TextMessage(TextMessage {
            text: text.into(),
            user: "bob".into(),
            time: Timestamp(9),
            message_id: None,
        }),
    )
}

#[test]
fn a_message_in_flight_when_the_connection_drops_is_sent_again() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    assert_eq!(sent(&client.send_text(1, "racing", 1)).len(), 1);
    // The server went on talking after it: the close is not about this message.
    client.on_line(&bob_says(&server, 1, "still here"), 2);
    let effects = client.on_close(1006, "", 3, 0.0);
    assert!(
        !actions(&effects)
            .iter()
            .any(|a| matches!(a, Action::OwnMessageDelivery { .. })),
        "{effects:?}"
    );
    let (server, lines) = reconnect_and_rejoin(&mut client, 1);
    let again = server.read(&lines[0]);
    assert!(matches!(again.body, Body::CreateTextMessage(ref m) if m.text == "racing"));
}

#[test]
fn the_message_a_close_came_right_after_is_failed_not_replayed() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    client.send_text(1, "first", 1);
    client.on_line(&bob_says(&server, 1, "hi"), 2);
    client.send_text(1, "crashes the server", 3);
    // Nothing arrives after the second message: the server dropped the connection on it.
    let effects = client.on_close(1000, "server closed the connection", 4, 0.0);
    let failed: Vec<_> = actions(&effects)
        .into_iter()
        .filter_map(|a| match a {
            Action::OwnMessageDelivery {
                local_id,
                delivery: Delivery::Failed(why),
                ..
            } => Some((local_id, why)),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed,
        [(
            2,
            "The chat server closed the connection. That happened right after it was sent, so it is not sent again by itself.".to_owned()
        )]
    );
    let (server, lines) = reconnect_and_rejoin(&mut client, 1);
    let resent: Vec<String> = lines
        .iter()
        .map(|l| match server.read(l).body {
            Body::CreateTextMessage(m) => m.text,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        resent,
        ["first"],
        "only the message that did not cause the close"
    );
    // The user may still send it again, by hand.
    let again = server.read(&sent(&client.retry(2))[0]);
    assert!(matches!(again.body, Body::CreateTextMessage(ref m) if m.text == "crashes the server"));
}

#[test]
fn a_message_the_bridge_refuses_as_too_large_is_refused_for_good() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    client.send_text(1, &"x".repeat(100), 1);
    let effects = client.on_close(1009, "frame too long", 2, 0.0);
    assert!(actions(&effects).contains(&Action::OwnMessageDelivery {
        local_id: 1,
        delivery: Delivery::Refused("It is too large for the bridge.".into()),
        time_ms: None,
    }));
    let (_, lines) = reconnect_and_rejoin(&mut client, 1);
    assert!(lines.is_empty(), "not replayed: {lines:?}");
    assert!(
        client.retry(1).is_empty(),
        "and not retried: it would be refused again"
    );
    // A 1009 about the server's own line does not make our message too large: it
    // fails as any message the close came right after, and can be retried.
    client.send_text(1, "small", 5);
    let effects = client.on_close(1009, "server line too long", 6, 0.0);
    assert!(
        actions(&effects).iter().any(|a| matches!(
            a,
            Action::OwnMessageDelivery { local_id: 2, delivery: Delivery::Failed(why), .. }
                if why.contains("the chat server sent something too large")
        )),
        "{effects:?}"
    );
    reconnect_and_rejoin(&mut client, 1);
    assert_eq!(sent(&client.retry(2)).len(), 1);
}

#[test]
fn a_message_the_server_finds_malformed_is_never_sent_again() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    let request = server.read(&sent(&client.send_text(1, &"y".repeat(20_000), 1))[0]);
    let refusal = server.reply(
        &request,
        Body::Error(ErrorPacket::new(
            ErrorKind::MessageDataIncorrect,
            "too long",
        )),
    );
    let acts = actions(&client.on_line(&refusal, 2));
    assert_eq!(
        acts,
        [Action::OwnMessageDelivery {
            local_id: 1,
            delivery: Delivery::Refused("The message is empty or malformed. (too long)".into()),
            time_ms: None,
        }]
    );
    assert!(client.retry(1).is_empty());
    client.on_close(1006, "", 3, 0.0);
    let (_, lines) = reconnect_and_rejoin(&mut client, 1);
    assert!(lines.is_empty(), "not replayed: {lines:?}");
}

#[test]
fn a_refused_message_fails_and_can_be_retried() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    let effects = client.send_text(1, "x", 1);
    let request = server.read(&sent(&effects)[0]);
    let refusal = server.reply(
        &request,
        Body::Error(ErrorPacket::new(ErrorKind::UserDontConnected, "")),
    );
    let effects = client.on_line(&refusal, 2);
    assert_eq!(
        actions(&effects),
        [Action::OwnMessageDelivery {
            local_id: 1,
            delivery: Delivery::Failed("You have not joined that room.".into()),
            time_ms: None,
        }]
    );
    let effects = client.retry(1);
    assert_eq!(
        actions(&effects)[0],
        Action::OwnMessageDelivery {
            local_id: 1,
            delivery: Delivery::Pending,
            time_ms: None,
        }
    );
    let again = server.read(&sent(&effects)[0]);
    client.on_line(&confirm(&server, &again), 3);
    assert_eq!(client.unconfirmed_messages(), 0);
    assert!(client.retry(1).is_empty(), "nothing left to retry");
}

#[test]
fn a_wrong_password_stops_without_reconnecting() {
    let mut client = ChatClient::default();
    client.sign_in(creds(false), ProtocolVersion::V2_1);
    let (server, login) = connect(&mut client);
    let refusal = server.reply(
        &login,
        Body::Error(ErrorPacket::new(ErrorKind::UserPasswordInvalid, "bad")),
    );
    let effects = client.on_line(&refusal, 1);
    assert!(effects.contains(&Effect::Close));
    assert!(actions(&effects).contains(&Action::Stopped("Wrong password. (bad)".into())));
    assert!(client.on_close(1000, "", 0, 0.0).is_empty());
    assert!(client.reconnect_now().is_empty());
    assert_eq!(client.phase(), Phase::Idle);
}

#[test]
fn an_unreachable_bridge_on_first_sign_in_is_reported_on_the_form() {
    let mut client = ChatClient::default();
    client.sign_in(creds(false), ProtocolVersion::V2_1);
    let effects = client.on_close(1006, "", 0, 0.0);
    assert!(
        matches!(&actions(&effects)[..], [Action::Stopped(why)] if why.contains("Cannot reach the bridge"))
    );
}

#[test]
fn heartbeats_follow_the_server_rate() {
    let (mut client, server, _) = online(false);
    assert_eq!(client.next_heartbeat_at(), Some(1005));
    assert!(client.poll_heartbeat(1004).is_empty());
    let ping = sent(&client.poll_heartbeat(1005));
    assert_eq!(server.read(&ping[0]).kind(), PacketKind::Ping);
    assert_eq!(client.next_heartbeat_at(), Some(2005));
    client.on_close(1006, "", 0, 0.0);
    assert_eq!(client.next_heartbeat_at(), None);
}

#[test]
fn pushes_become_actions() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    let msg = server.push(
        Some(1),
        Body::TextMessage(TextMessage {
            text: "hi".into(),
            user: "bob".into(),
            time: Timestamp(77),
            message_id: None,
        }),
    );
    assert_eq!(
        actions(&client.on_line(&msg, 1)),
        [Action::Message {
            room: 1,
            sender: "bob".into(),
            content: Content::Text("hi".into()),
            time_ms: 77,
            message_id: None,
        }]
    );
    let created = server.push(
        None,
        Body::RoomCreated(RoomSummary {
            room: 3,
            name: "new".into(),
        }),
    );
    assert_eq!(
        actions(&client.on_line(&created, 2)),
        [Action::RoomUpserted {
            id: 3,
            name: "new".into()
        }]
    );
    let timeout = Packet::error(PacketId::DontHaveId, ErrorKind::HeartbeatTimeout, "").encode();
    assert!(
        matches!(&actions(&client.on_line(&timeout, 3))[..], [Action::Error(why)] if why.contains("timed out"))
    );
}

#[test]
fn deleted_rooms_fail_their_queued_messages_and_are_not_rejoined() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 2);
    client.on_close(1006, "", 0, 0.0);
    client.send_text(2, "lost cause", 1);
    let (server, rejoins) = sign_in_again(&mut client, &[(1, "general"), (2, "random")], 2);
    assert_eq!(rejoins[0].body, Body::RoomJoin(RoomRef { room: 2 }));
    // Deleted while the rejoin was on its way.
    let effects = client.on_line(
        &server.push(None, Body::RoomDeleted(RoomRef { room: 2 })),
        3,
    );
    let acts = actions(&effects);
    assert!(acts.contains(&Action::RoomRemoved(2)));
    assert!(acts.contains(&Action::OwnMessageDelivery {
        local_id: 1,
        delivery: Delivery::Failed("The room was deleted.".into()),
        time_ms: None,
    }));

    // The next sign-in's Accepted still lists room 2 (say the deletion raced it):
    // the client itself stopped wanting the room, so it does not ask to join it.
    client.on_close(1006, "", 4, 0.0);
    let (_, rejoins) = sign_in_again(&mut client, &[(1, "general"), (2, "random")], 5);
    assert!(rejoins.is_empty(), "room 2 is not rejoined");
}

#[test]
fn a_join_the_server_refuses_is_undone() {
    let (mut client, server, _) = online(false);
    let effects = client.join(9);
    let request = server.read(&sent(&effects)[0]);
    let refusal = server.reply(
        &request,
        Body::Error(ErrorPacket::new(ErrorKind::RoomNotFound, "")),
    );
    let acts = actions(&client.on_line(&refusal, 1));
    assert_eq!(
        acts,
        [Action::JoinFailed {
            room: 9,
            why: "That room does not exist.".into()
        }],
        "the reason goes on the room's button, not the banner the next error replaces"
    );
}

#[test]
fn signing_out_forgets_everything() {
    let (mut client, _, _) = online(false);
    client.send_text(1, "unsent", 1);
    let effects = client.sign_out();
    assert_eq!(effects, [Effect::Close, Effect::Ui(Action::SignedOut)]);
    assert_eq!(client.unconfirmed_messages(), 0);
    assert_eq!(client.username(), None);
    assert!(client.on_close(1000, "", 0, 0.0).is_empty());
}

#[test]
fn credentials_never_show_the_password() {
    assert!(!format!("{:?}", creds(false)).contains("pw"));
}

mod admin;
mod deadlines;
mod downloads;
mod foreign;
mod history;
mod images;
mod restore;

#[test]
fn requests_cut_off_by_a_close_end_visibly_instead_of_waiting_for_ever() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 1);
    client.leave(1, 1);
    client.create_room("news");
    let acts = actions(&client.on_close(1006, "", 2, 0.0));
    assert!(
        acts.contains(&Action::MemberLeft {
            room: 1,
            user: "alice".into(),
            time_ms: 2
        }),
        "the next connection is not in the room: the leave is done: {acts:?}"
    );
    assert!(
        acts.contains(&Action::Error(
            "Could not create the room \"news\": The connection closed before the server answered. The connection to the bridge was lost (it ended without a close code).".into()
        )),
        "{acts:?}"
    );
    let (_, requests) = sign_in_again(&mut client, &[(1, "general")], 3);
    assert!(requests.is_empty(), "nothing replayed: {requests:?}");
}
