//! Root's administrative requests against the in-memory server: what is sent, how
//! replies become [`AdminOutcome`]s, and refusals in plain words.

use miricat_shared::packet::auth::Credentials as WireCredentials;
use miricat_shared::packet::user::Username;

use super::*;
use crate::state::AdminOutcome;

fn refuse(server: &Server, request: &Packet, kind: ErrorKind, message: &str) -> String {
    server.reply(request, Body::Error(ErrorPacket::new(kind, message)))
}

#[test]
fn renaming_a_room_sends_room_update_and_reports_the_new_name() {
    let (mut client, server, _) = online(false);
    let effects = client.rename_room(1, "lobby");
    assert_eq!(
        actions(&effects),
        [Action::DismissAdminNotice],
        "the last request's notice goes"
    );
    let request = server.read(&sent(&effects)[0]);
    let summary = RoomSummary {
        room: 1,
        name: "lobby".into(),
    };
    assert_eq!(request.body, Body::RoomUpdate(summary.clone()));
    let effects = client.on_line(&server.reply(&request, Body::RoomUpdated(summary)), 2);
    assert_eq!(
        actions(&effects),
        [Action::AdminDone(AdminOutcome::RoomRenamed {
            id: 1,
            name: "lobby".into()
        })]
    );
}

#[test]
fn deleting_a_joined_room_fails_its_queued_messages_and_stops_rejoining_it() {
    let (mut client, server, _) = online(false);
    join(&mut client, &server, 2);
    join(&mut client, &server, 1);
    server.read(&sent(&client.send_text(2, "too late", 1))[0]);
    let request = server.read(&sent(&client.delete_room(2))[0]);
    assert_eq!(request.body, Body::RoomDelete(RoomRef { room: 2 }));
    let effects = client.on_line(
        &server.reply(&request, Body::RoomDeleted(RoomRef { room: 2 })),
        2,
    );
    let acts = actions(&effects);
    assert!(acts.contains(&Action::AdminDone(AdminOutcome::RoomDeleted(2))));
    assert!(acts.contains(&Action::OwnMessageDelivery {
        local_id: 1,
        delivery: Delivery::Failed("The room was deleted.".into()),
        time_ms: None,
    }));

    // The next Accepted still lists room 2 (a server that lags, or the deletion
    // racing the reconnect): only room 1 is rejoined, because the client stopped
    // wanting room 2 when it was deleted, not because the server forgot it.
    client.on_close(1006, "", 0, 0.0);
    let (_, rejoins) = sign_in_again(&mut client, &[(1, "general"), (2, "random")], 3);
    let rejoins: Vec<Body> = rejoins.into_iter().map(|p| p.body).collect();
    assert_eq!(rejoins, [Body::RoomJoin(RoomRef { room: 1 })]);
}

#[test]
fn users_are_created_and_deleted_and_the_password_is_not_kept() {
    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.create_user("carol", "carols-secret"))[0]);
    assert_eq!(
        request.body,
        Body::UserCreate(WireCredentials::new("carol", "carols-secret"))
    );
    assert!(!format!("{:?}", client.requests).contains("carols-secret"));
    let carol = Username {
        username: "carol".into(),
    };
    let effects = client.on_line(&server.reply(&request, Body::UserCreated(carol.clone())), 2);
    assert_eq!(
        actions(&effects),
        [Action::AdminDone(AdminOutcome::UserCreated("carol".into()))]
    );

    let request = server.read(&sent(&client.delete_user("carol"))[0]);
    assert_eq!(request.body, Body::UserDelete(carol.clone()));
    let effects = client.on_line(&server.reply(&request, Body::UserDeleted(carol)), 3);
    assert_eq!(
        actions(&effects),
        [Action::AdminDone(AdminOutcome::UserDeleted("carol".into()))]
    );
}

#[test]
fn a_created_room_is_confirmed() {
    let (mut client, server, _) = online(false);
    let request = server.read(&sent(&client.create_room("news"))[0]);
    let reply = server.reply(
        &request,
        Body::RoomCreated(RoomSummary {
            room: 7,
            name: "news".into(),
        }),
    );
    assert_eq!(
        actions(&client.on_line(&reply, 2)),
        [Action::AdminDone(AdminOutcome::RoomCreated {
            id: 7,
            name: "news".into()
        })]
    );
}

#[test]
fn refusals_say_what_failed_in_plain_words() {
    let (mut client, server, _) = online(false);
    let cases: [(Vec<Effect>, ErrorKind, &str); 3] = [
        (
            client.create_user("bob", "pw"),
            ErrorKind::UserAlreadyExists,
            "Could not create the user \"bob\": That username is already taken.",
        ),
        (
            client.delete_room(9),
            ErrorKind::RoomNotFound,
            "Could not delete the room: That room does not exist.",
        ),
        (
            client.delete_user("nobody"),
            ErrorKind::AccessDenied,
            "Could not delete the user \"nobody\": Access denied.",
        ),
    ];
    for (effects, kind, expected) in cases {
        let request = server.read(&sent(&effects)[0]);
        let effects = client.on_line(&refuse(&server, &request, kind, ""), 2);
        assert_eq!(actions(&effects), [Action::Error(expected.into())]);
    }
}

#[test]
fn administration_is_not_queued_while_offline() {
    let (mut client, _, _) = online(false);
    client.on_close(1006, "", 0, 0.0);
    let effects = client.rename_room(1, "lobby");
    assert!(sent(&effects).is_empty());
    assert!(matches!(
        &actions(&effects)[..],
        [Action::Error(why)] if why == "You are offline: rename the room to \"lobby\" once reconnected."
    ));
}
