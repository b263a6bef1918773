//! `history/1` against the real server (127.0.0.1:0, SQLite in a temp dir): paging,
//! gap filling, the limit and size bounds, who may read, message IDs on live
//! messages, and history surviving a restart.

mod common;
mod history_support;

use common::*;
use history_support::*;
use miricat_shared::Body;
use miricat_shared::packet::history::{HistoryMessage, MAX_HISTORY_LIMIT, MAX_HISTORY_REPLY_BYTES};
use miricat_shared::packet::message::CreateImageMessage;
use miricat_shared::session::Event;

#[tokio::test]
async fn pages_back_to_the_first_message_oldest_first() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let mut sent = Vec::new();
    for i in 0..120 {
        let id = if i % 40 == 7 {
            let image = CreateImageMessage::url(format!("https://example.org/{i}.png"));
            let reply = ann.ask(|s| s.send_image(room, image)).await;
            let Body::ImageMessage(m) = reply.body else {
                panic!("{reply:?}")
            };
            m.message_id
        } else {
            say(&mut ann, room, &format!("message {i}")).await
        };
        sent.push(id.expect("an agreed connection's echo carries its ID"));
    }
    assert!(sent.windows(2).all(|w| w[0] < w[1]), "IDs increase");

    // A newcomer pages back from now to the beginning.
    let mut bob = history_user(&server, "bob").await;
    join(&mut bob, room).await;
    let (mut seen, mut before, mut pages) = (Vec::new(), None, Vec::new());
    loop {
        let page = page(&mut bob, room, range(before, None, Some(50))).await;
        let page_ids = ids(&page);
        assert!(page_ids.windows(2).all(|w| w[0] < w[1]), "oldest first");
        pages.push((page_ids.len(), page.more));
        before = page_ids.first().copied();
        if page.messages.iter().any(|e| {
            matches!(&e.message, HistoryMessage::Image(m) if m.image == "https://example.org/7.png")
        }) {
            assert!(page_ids.contains(&sent[7]));
        }
        seen.splice(0..0, page_ids);
        if !page.more {
            break;
        }
        assert!(pages.len() < 10, "paging must end");
    }
    assert_eq!(pages, [(50, true), (50, true), (20, false)]);
    assert_eq!(seen, sent);
    let first = page(&mut bob, room, range(before, None, None)).await;
    assert!(
        first.messages.is_empty() && !first.more,
        "nothing before the first"
    );
}

#[tokio::test]
async fn after_fills_the_gap_a_closed_client_missed() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let mut held = Vec::new();
    for i in 0..5 {
        held.push(say(&mut ann, room, &format!("before {i}")).await.unwrap());
    }
    let newest_held = *held.last().unwrap();
    drop(ann);
    let mut bob = history_user(&server, "bob").await;
    join(&mut bob, room).await;
    let mut missed = Vec::new();
    for i in 0..12 {
        missed.push(
            say(&mut bob, room, &format!("while away {i}"))
                .await
                .unwrap(),
        );
    }

    let mut ann = server.client().await;
    ann.session
        .offer_extensions(miricat_shared::packet::extension::ExtensionSet::all());
    ann.login_ok("ann", "pw").await;
    join(&mut ann, room).await;
    // The newest five of the gap first, then back with the same `after`.
    let newest = page(&mut ann, room, range(None, Some(newest_held), Some(5))).await;
    assert_eq!((ids(&newest), newest.more), (missed[7..].to_vec(), true));
    let older = page(
        &mut ann,
        room,
        range(Some(missed[7]), Some(newest_held), Some(50)),
    )
    .await;
    assert_eq!((ids(&older), older.more), (missed[..7].to_vec(), false));
    // An empty range is no error.
    let empty = page(
        &mut ann,
        room,
        range(Some(missed[3]), Some(missed[2]), None),
    )
    .await;
    assert!(empty.messages.is_empty() && !empty.more);
}

#[tokio::test]
async fn the_limit_defaults_to_50_and_is_clamped_to_200() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    for i in 0..230 {
        say(&mut ann, room, &format!("{i}")).await;
    }
    let default = page(&mut ann, room, range(None, None, None)).await;
    assert_eq!((default.messages.len(), default.more), (50, true));
    for huge in [201, 1_000, u64::MAX] {
        let clamped = page(&mut ann, room, range(None, None, Some(huge))).await;
        assert_eq!(
            (clamped.messages.len() as u64, clamped.more),
            (MAX_HISTORY_LIMIT, true)
        );
    }
    let one = page(&mut ann, room, range(None, None, Some(1))).await;
    assert_eq!((one.messages.len(), one.more), (1, true));
}

#[tokio::test]
async fn a_page_of_large_messages_stays_under_512_kib() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let mut sent = Vec::new();
    for i in 0..70 {
        // 16 KiB each, with characters JSON must escape.
        let text = format!("{i:04} {}", "\"é\\".repeat(16 * 1024 / 5));
        sent.push(say(&mut ann, room, &text).await.unwrap());
    }
    let mut seen = Vec::new();
    let mut before = None;
    for _ in 0..20 {
        let id = ann
            .session
            .require_history(room, range(before, None, Some(200)))
            .unwrap();
        ann.send(&id).await;
        let line = ann.read_line().await.unwrap();
        let json = ann.cipher.as_ref().unwrap().decrypt_line(&line).unwrap();
        assert!(
            json.len() <= MAX_HISTORY_REPLY_BYTES,
            "{} bytes",
            json.len()
        );
        assert!(line.len() < 1024 * 1024, "the line fits the line limit");
        let Some(Event::Reply { packet, .. }) = ann.session.handle_line(&line, 0) else {
            panic!("not a reply")
        };
        let Body::History(page) = packet.body else {
            panic!("{packet:?}")
        };
        assert!(
            page.messages.len() < 70 && !page.messages.is_empty(),
            "{}",
            page.messages.len()
        );
        let page_ids = ids(&page);
        before = page_ids.first().copied();
        seen.splice(0..0, page_ids);
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, sent, "every message, once, by paging on");
}

#[tokio::test]
async fn only_members_read_and_they_read_from_before_they_joined() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let other = create_room(&server, "other").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let early = say(&mut ann, room, "before bob joined").await.unwrap();

    let mut bob = history_user(&server, "bob").await;
    let all = range(None, None, None);
    let refused = bob.ask(|s| s.require_history(room, all)).await;
    assert_eq!(error_kind(&refused), "UserDontConnected");
    let unknown = bob.ask(|s| s.require_history(999, all)).await;
    assert_eq!(error_kind(&unknown), "RoomNotFound");
    join(&mut bob, room).await;
    let page = page(&mut bob, room, all).await;
    assert_eq!(ids(&page), [early]);
    // Another room's history is not this room's, and leaving ends reading.
    join(&mut bob, other).await;
    assert!(
        history_support::page(&mut bob, other, all)
            .await
            .messages
            .is_empty()
    );
    bob.ask(|s| s.leave_room(room)).await;
    let left = bob.ask(|s| s.require_history(room, all)).await;
    assert_eq!(error_kind(&left), "UserDontConnected");

    // A deleted room's history is gone with it.
    let mut root = server.root().await;
    root.ask(|s| s.delete_room(room)).await;
    let deleted = ann.ask(|s| s.require_history(room, all)).await;
    assert_eq!(error_kind(&deleted), "RoomNotFound");
}

#[tokio::test]
async fn live_messages_carry_the_id_history_gives_them_in_id_order() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut watcher = history_user(&server, "watcher").await;
    join(&mut watcher, room).await;
    let mut senders = Vec::new();
    for name in ["ann", "cat", "dan"] {
        let mut c = history_user(&server, name).await;
        join(&mut c, room).await;
        senders.push(c);
    }
    watcher.drain_pushes().await;
    // Three senders write at once, without waiting for their echoes.
    const EACH: usize = 40;
    for i in 0..EACH {
        for c in &mut senders {
            let out = c.session.send_text(room, &format!("{i}")).unwrap();
            c.send(&out).await;
        }
    }
    let mut pushed = Vec::new();
    while pushed.len() < EACH * senders.len() {
        if let Body::TextMessage(m) = watcher.push().await.body {
            pushed.push(
                m.message_id
                    .expect("pushes to an agreed connection carry IDs"),
            );
        }
    }
    assert!(
        pushed.windows(2).all(|w| w[0] < w[1]),
        "pushes arrive in ID order: {pushed:?}"
    );
    let stored = page(&mut watcher, room, range(None, None, Some(200))).await;
    assert_eq!(
        ids(&stored),
        pushed,
        "history holds exactly what was pushed"
    );
}

#[tokio::test]
async fn history_survives_a_restart_with_the_same_ids() {
    let server = TestServer::start().await;
    let room = create_room(&server, "general").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let first = say(&mut ann, room, "kept").await.unwrap();
    drop(ann);
    let server = server.restart_with(|_| {}).await;
    let mut ann = server.client().await;
    ann.session
        .offer_extensions(miricat_shared::packet::extension::ExtensionSet::all());
    ann.login_ok("ann", "pw").await;
    join(&mut ann, room).await;
    let second = say(&mut ann, room, "after").await.unwrap();
    assert!(second > first, "IDs keep increasing across restarts");
    let page = page(&mut ann, room, range(None, None, None)).await;
    assert_eq!(ids(&page), [first, second]);
}

#[tokio::test]
async fn pages_past_the_burst_wait_their_turn_and_nobody_else_does() {
    let server = TestServer::start_with(|c| {
        c.history_rate = miricat_server::RateLimit {
            per_second: 0.5,
            burst: 2,
        }
    })
    .await;
    let room = create_room(&server, "general").await;
    let mut ann = history_user(&server, "ann").await;
    join(&mut ann, room).await;
    let mut bob = history_user(&server, "bob").await;
    join(&mut bob, room).await;
    ann.drain_pushes().await; // bob joined
    let requests: Vec<_> = (0..3)
        .map(|_| {
            ann.session
                .require_history(room, range(None, None, None))
                .unwrap()
        })
        .collect();
    for out in &requests {
        ann.send(out).await;
    }
    for out in &requests[..2] {
        assert!(matches!(ann.reply(out.id).await, Event::Reply { .. }));
    }
    // The third waits (two seconds at this rate) while others are served at once: a
    // message sent after the first two pages reaches ann before the third page.
    say(&mut bob, room, "not held up").await;
    let Event::Push(pushed) = ann.next_event().await else {
        panic!("the paced page came before a later message")
    };
    assert!(matches!(pushed.body, Body::TextMessage(ref m) if m.text == "not held up"));
    // And it is answered, not refused.
    let Event::Reply {
        request, packet, ..
    } = ann.next_event().await
    else {
        panic!("no page")
    };
    assert_eq!(request, requests[2].id);
    assert!(matches!(packet.body, Body::History(_)), "{packet:?}");
}
