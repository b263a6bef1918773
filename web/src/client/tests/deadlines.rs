//! Requests the server never answers: each kind is marked failed with "The server
//! did not answer." once its deadline passes, its control becomes usable again,
//! nothing is retried by itself, and a reply that comes late still lands.

use miricat_shared::packet::file::{ImageRef, ImageUploadRequest};

use super::*;
use crate::client::DownloadAsk;
use crate::state::ImageView;

const TIMEOUT: u64 = 1_000;

/// Online with a one-second deadline, room 1 joined.
fn impatient() -> (ChatClient, Server) {
    let (mut client, _, _) = online(false);
    client.set_request_timeout_ms(TIMEOUT);
    // The deadline applies from the next connection; reconnect to get it.
    client.on_close(1006, "", 0, 0.0);
    client.reconnect_now();
    let (server, login) = connect(&mut client);
    client.poll_timeouts(0, 0.0);
    client.on_line(
        &server.reply(&login, accepted(&[(1, "general"), (2, "random")])),
        1,
    );
    (client, server)
}

/// Sends what `request` returns, lets the deadline pass and returns what the
/// timeout did. Checks that nothing fires a moment before.
fn unanswered(
    client: &mut ChatClient,
    request: impl FnOnce(&mut ChatClient) -> Vec<Effect>,
) -> Vec<Effect> {
    let effects = request(client);
    assert_eq!(sent(&effects).len(), 1, "{effects:?}");
    assert_eq!(
        client.next_timeout_at(),
        Some(0),
        "the deadline starts at the next poll"
    );
    assert!(client.poll_timeouts(100, 0.0).is_empty());
    assert_eq!(client.next_timeout_at(), Some(100 + TIMEOUT));
    assert!(client.poll_timeouts(100 + TIMEOUT - 1, 0.0).is_empty());
    let effects = client.poll_timeouts(100 + TIMEOUT, 0.0);
    assert!(sent(&effects).is_empty(), "nothing is retried: {effects:?}");
    assert!(
        client.poll_timeouts(100 + 10 * TIMEOUT, 0.0).is_empty(),
        "each request times out once"
    );
    effects
}

#[test]
fn a_join_that_is_not_answered_fails_and_is_not_retried_on_reconnect() {
    let (mut client, _server) = impatient();
    let effects = unanswered(&mut client, |c| c.join(2));
    assert_eq!(
        actions(&effects),
        [Action::JoinFailed {
            room: 2,
            why: "The server did not answer.".into()
        }]
    );
    client.on_close(1006, "", 5_000, 0.0);
    let (_, rejoins) = sign_in_again(&mut client, &[(2, "random")], 5_001);
    assert!(rejoins.is_empty(), "the failed join is not sent again");
}

#[test]
fn a_message_that_is_not_answered_fails_and_a_late_echo_still_confirms_it() {
    let (mut client, server) = impatient();
    join(&mut client, &server, 1);
    let mut line = String::new();
    let effects = unanswered(&mut client, |c| {
        let effects = c.send_text(1, "anyone?", 50);
        line = sent(&effects)[0].clone();
        effects
    });
    assert_eq!(
        actions(&effects),
        [Action::OwnMessageDelivery {
            local_id: 1,
            delivery: Delivery::Failed("The server did not answer.".into()),
            time_ms: None,
        }]
    );
    // The echo arrives after all: the message is sent, not shown twice.
    let effects = client.on_line(&confirm(&server, &server.read(&line)), 3_000);
    assert_eq!(
        actions(&effects),
        [Action::OwnMessageDelivery {
            local_id: 1,
            delivery: Delivery::Sent,
            time_ms: Some(1234),
        }]
    );
    assert_eq!(client.unconfirmed_messages(), 0);
}

#[test]
fn a_late_join_answer_joins_after_all_and_the_room_is_wanted_again() {
    let (mut client, server) = impatient();
    let mut line = String::new();
    unanswered(&mut client, |c| {
        let effects = c.join(2);
        line = sent(&effects)[0].clone();
        effects
    });
    let late = server.reply(&server.read(&line), joined(2, "alice"));
    let acts = actions(&client.on_line(&late, 4_000));
    assert!(
        matches!(&acts[..], [Action::MemberJoined { room: 2, .. }]),
        "{acts:?}"
    );
    client.on_close(1006, "", 5_000, 0.0);
    let (_, rejoins) = sign_in_again(&mut client, &[(2, "random")], 5_001);
    assert_eq!(rejoins[0].body, Body::RoomJoin(RoomRef { room: 2 }));
}

#[test]
fn leave_admin_and_image_requests_say_the_server_did_not_answer() {
    let (mut client, server) = impatient();
    join(&mut client, &server, 1);
    let acts = actions(&unanswered(&mut client, |c| c.leave(1, 10)));
    assert!(
        acts.contains(&Action::LeaveFailed {
            room: 1,
            why: "The server did not answer.".into()
        }),
        "{acts:?}"
    );
    let acts = actions(&unanswered(&mut client, |c| c.create_room("news")));
    assert_eq!(
        acts,
        [Action::Error(
            "Could not create the room \"news\": The server did not answer.".into()
        )]
    );
    let acts = actions(&unanswered(&mut client, |c| {
        c.load_image("7", DownloadAsk::Automatic)
    }));
    assert_eq!(
        acts,
        [Action::Image {
            id: "7".into(),
            view: ImageView::Failed(
                "The image could not be loaded: The server did not answer.".into()
            ),
        }]
    );
}

#[test]
fn an_unanswered_upload_step_ends_the_upload() {
    let (mut client, server) = impatient();
    join(&mut client, &server, 1);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(100, 0);
    let acts = actions(&unanswered(&mut client, |c| {
        c.start_upload(1, "a.png", png)
    }));
    assert_eq!(
        acts,
        [
            Action::Upload(None),
            Action::Error("\"a.png\" was not sent: The server did not answer.".into())
        ]
    );
    // Nor does the completion wait for ever, once the parts went out.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(100, 0);
    let request = server.read(&sent(&client.start_upload(1, "b.png", png))[0]);
    let Body::RequestImageUpload(ImageUploadRequest { size, .. }) = request.body else {
        panic!("{request:?}")
    };
    let meta = miricat_shared::packet::file::ImageMeta {
        id: "9".into(),
        name: "b.png".into(),
        size,
        mime: "image/png".into(),
    };
    client.on_line(&server.reply(&request, Body::ImageUploadAccepted(meta)), 2);
    let mut last = Vec::new();
    while client.upload_has_parts() {
        last = client.next_upload_part();
    }
    let complete = server.read(sent(&last).last().unwrap());
    assert_eq!(
        complete.body,
        Body::ImageUploadCompleted(ImageRef { id: "9".into() })
    );
    client.poll_timeouts(200, 0.0);
    let acts = actions(&client.poll_timeouts(200 + TIMEOUT, 0.0));
    assert!(
        acts.contains(&Action::Error(
            "\"b.png\" was not sent: The server did not answer.".into()
        )),
        "{acts:?}"
    );
}

#[test]
fn an_unanswered_handshake_or_sign_in_is_named_on_the_sign_in_form() {
    for answer_handshake in [false, true] {
        let mut client = ChatClient::default();
        client.set_request_timeout_ms(TIMEOUT);
        client.sign_in(creds(true), ProtocolVersion::V2_1);
        let hello = sent(&client.on_open(KeyPair::generate().unwrap())).remove(0);
        client.poll_timeouts(0, 0.0);
        let mut step = "the secure connection request";
        if answer_handshake {
            let server = accept_handshake(&hello, &KeyPair::generate().unwrap()).unwrap();
            client.on_line(&server.reply_line, 10);
            client.poll_timeouts(10, 0.0);
            step = "the sign-in";
        }
        let effects = client.poll_timeouts(10 + TIMEOUT, 0.0);
        assert!(effects.contains(&Effect::Close), "{effects:?}");
        assert!(
            actions(&effects).contains(&Action::Stopped(format!(
                "The server did not answer {step}."
            ))),
            "{effects:?}"
        );
        assert_eq!(client.phase(), Phase::Idle);
    }
}

#[test]
fn an_unanswered_sign_in_on_a_reconnect_reconnects_later() {
    let (mut client, _server) = impatient();
    client.on_close(1006, "", 10, 0.0);
    client.reconnect_now();
    connect(&mut client);
    client.poll_timeouts(20, 0.0);
    let effects = client.poll_timeouts(20 + TIMEOUT, 0.5);
    assert_eq!(effects.first(), Some(&Effect::Close));
    assert!(
        matches!(effects.last(), Some(Effect::ReconnectIn(_))),
        "{effects:?}"
    );
    assert!(actions(&effects).iter().any(|a| matches!(
        a,
        Action::Phase(Phase::Offline, Some(why)) if why.starts_with("The server did not answer the sign-in.")
    )));
    assert_eq!(
        client.next_timeout_at(),
        None,
        "the abandoned connection waits for nothing"
    );
}
