//! Helpers for the `history/1` tests: clients that offer extensions, rooms full of
//! messages, and pages.

#![allow(dead_code)]

use miricat_shared::packet::extension::{ExtensionNames, ExtensionSet};
use miricat_shared::packet::history::{History, RequireHistory};
use miricat_shared::session::Event;
use miricat_shared::{Body, RoomId};

use crate::common::{Client, TestServer};

/// A client registered as `name` that offered every extension we know.
pub async fn history_user(server: &TestServer, name: &str) -> Client {
    offering_user(server, name, ExtensionSet::all()).await.0
}

/// A client registered as `name` offering `offer`, and the `extensions` its
/// `Accepted` listed.
pub async fn offering_user(
    server: &TestServer,
    name: &str,
    offer: ExtensionSet,
) -> (Client, Option<ExtensionNames>) {
    let mut c = server.client().await;
    c.session.offer_extensions(offer);
    let out = c.session.register(name, "pw").unwrap();
    match c.call(out).await {
        Event::Accepted { accepted, .. } => (c, accepted.extensions),
        other => panic!("register {name}: {other:?}"),
    }
}

/// Root creates a room named `name`.
pub async fn create_room(server: &TestServer, name: &str) -> RoomId {
    let mut root = server.root().await;
    let Body::RoomCreated(created) = root.ask(|s| s.create_room(name)).await.body else {
        panic!("room {name} not created")
    };
    created.room
}

/// Joins `room`.
pub async fn join(client: &mut Client, room: RoomId) {
    let reply = client.ask(|s| s.join_room(room)).await;
    assert!(matches!(reply.body, Body::RoomJoined(_)), "{reply:?}");
}

/// Sends `text` to `room` and returns the echo's `messageId` (none for a client that
/// did not agree to `history/1`).
pub async fn say(client: &mut Client, room: RoomId, text: &str) -> Option<u64> {
    match client.ask(|s| s.send_text(room, text)).await.body {
        Body::TextMessage(m) => m.message_id,
        other => panic!("send: {other:?}"),
    }
}

/// One page of `room`'s history.
pub async fn page(client: &mut Client, room: RoomId, range: RequireHistory) -> History {
    match client.ask(|s| s.require_history(room, range)).await.body {
        Body::History(page) => page,
        other => panic!("history: {other:?}"),
    }
}

/// The range `after < id < before`, at most `limit`.
pub fn range(before: Option<u64>, after: Option<u64>, limit: Option<u64>) -> RequireHistory {
    RequireHistory {
        before,
        after,
        limit,
    }
}

/// The IDs of a page's entries, in order.
pub fn ids(page: &History) -> Vec<u64> {
    page.messages
        .iter()
        .map(|e| e.message_id().expect("every entry has an ID"))
        .collect()
}
