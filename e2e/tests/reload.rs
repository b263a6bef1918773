//! The browser remembers (issue 14, part 1): a reload loses nothing. After a
//! reload and sign-in the rooms are joined again and the stored messages are shown
//! (against a server without `history/1` too), what was said while the tab was
//! closed follows a "new since you left" line, and a message typed while the
//! bridge could not reach the server, then reloaded, is sent exactly once when it
//! can again (a second peer counts it).

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use miricat_e2e::scene::{browser_in_room, room_by_root};
use miricat_e2e::system::{Bridge, dead_address};
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, wait};
use miricat_shared::Body;
use serde_json::{Value, json};

/// Whether a room record of this browser's stored copy (IndexedDB) holds `text`
/// yet: the app writes in batches, so a reload must wait for it. (The account
/// record may hold it earlier, as a draft being typed.)
async fn stored_has(browser: &Browser, text: &str) -> Result<bool> {
    let found = browser
        .client()
        .execute_async(
            "const [needle, done] = arguments; \
             const open = indexedDB.open('miricat'); \
             open.onerror = () => done(false); \
             open.onsuccess = () => { \
               const db = open.result; \
               if (!db.objectStoreNames.contains('records')) { db.close(); return done(false); } \
               const all = db.transaction('records').objectStore('records').getAll(); \
               all.onsuccess = () => { db.close(); done(all.result.some(r => String(r).startsWith('4:room') && String(r).includes(needle))); }; \
               all.onerror = () => { db.close(); done(false); }; \
             };",
            vec![json!(text)],
        )
        .await
        .context("reading the stored copy")?;
    Ok(found == Value::Bool(true))
}

async fn wait_until_stored(browser: &Browser, text: &str) -> Result<()> {
    wait::until(
        &format!("{text:?} in the stored copy"),
        STEP_TIMEOUT,
        || async { Ok(stored_has(browser, text).await?.then_some(())) },
    )
    .await
}

/// Reloads the page and signs in again as `user` (password `<user>-password`),
/// without waiting for the server.
async fn reload_and_sign_in(browser: &Browser, user: &str) -> Result<()> {
    browser.client().refresh().await?;
    browser.element("login-username").await?;
    browser
        .submit_sign_in(user, &format!("{user}-password"), false)
        .await
}

/// How many times `text` shows in the open room.
async fn shown(browser: &Browser, text: &str) -> Result<usize> {
    Ok(browser
        .messages()
        .await?
        .iter()
        .filter(|m| m.text == text)
        .count())
}

/// Whether the "new since you left" line sits between the messages `old` and `new`.
async fn divider_between(browser: &Browser, old: &str, new: &str) -> Result<bool> {
    let value = browser
        .js(
            "const [old, fresh] = arguments; \
             const line = document.querySelector(\"[data-testid='new-since']\"); \
             const find = t => [...document.querySelectorAll(\"[data-testid='message']\")] \
               .find(m => (m.querySelector('.message-text')?.textContent ?? m.textContent) === t); \
             const [a, b] = [find(old), find(fresh)]; \
             if (!line || !a || !b) return false; \
             return !!(a.compareDocumentPosition(line) & Node.DOCUMENT_POSITION_FOLLOWING) \
               && !!(line.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);",
            vec![json!(old), json!(new)],
        )
        .await?;
    Ok(value == Value::Bool(true))
}

/// Alice in "lobby" with bob (over TCP) saying `said` there; returns bob and the
/// room once alice's stored copy holds the message.
async fn alice_read_a_message(
    system: &System,
    driver: &Chromedriver,
    said: &str,
) -> Result<(Browser, Peer, miricat_shared::RoomId)> {
    let room = room_by_root(system, "lobby").await?;
    let alice = browser_in_room(system, driver, "alice", "lobby").await?;
    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(room).await?;
    bob.say(room, said).await?;
    alice.wait_for_message("bob", said).await?;
    wait_until_stored(&alice, said).await?;
    Ok((alice, bob, room))
}

/// After the reload the room is joined again: bob's next message reaches alice.
async fn rejoined(alice: &Browser, bob: &mut Peer, room: miricat_shared::RoomId) -> Result<()> {
    alice.wait_for_state("online").await?;
    alice
        .element("room-leave")
        .await
        .context("not in the room")?;
    bob.say(room, "after the reload").await?;
    alice.wait_for_message("bob", "after the reload").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_shows_the_room_at_once_and_what_was_said_while_away() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let (alice, mut bob, room) =
        alice_read_a_message(&system, &driver, "before the reload").await?;

    // The tab goes away; bob goes on talking; the tab comes back.
    alice.client().goto("about:blank").await?;
    bob.say(room, "while you were away").await?;
    alice.client().goto(&system.url()).await?;
    alice.element("login-username").await?;
    alice
        .submit_sign_in("alice", "alice-password", false)
        .await?;

    alice.wait_for_open_room("lobby").await?;
    alice.wait_for_message("bob", "before the reload").await?;
    // history/1 fills the gap after the newest stored message.
    alice.wait_for_message("bob", "while you were away").await?;
    wait::until("the new-since line", STEP_TIMEOUT, || async {
        Ok(
            divider_between(&alice, "before the reload", "while you were away")
                .await?
                .then_some(()),
        )
    })
    .await?;
    rejoined(&alice, &mut bob, room).await?;
    ensure!(
        shown(&alice, "before the reload").await? == 1,
        "the stored message and the server's history merged into one"
    );
    alice.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_history_shows_against_a_server_without_history() -> Result<()> {
    let system = System::start_with(|config| config.history = false).await?;
    let driver = Chromedriver::start().await?;
    let (alice, mut bob, room) =
        alice_read_a_message(&system, &driver, "kept by the browser").await?;

    reload_and_sign_in(&alice, "alice").await?;
    // Only the stored copy can show it: this server keeps no history for us.
    alice.wait_for_message("bob", "kept by the browser").await?;
    rejoined(&alice, &mut bob, room).await?;
    ensure!(shown(&alice, "kept by the browser").await? == 1);
    alice.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_typed_while_the_bridge_was_down_is_sent_once_after_a_reload() -> Result<()> {
    let system = System::start().await?;
    let room = room_by_root(&system, "lobby").await?;
    // Alice's own bridge, which will restart unable to reach the server: the page
    // still loads from it (a reload needs that), the chat does not get through.
    let bridge = Bridge::in_front_of(system.server_addr()).await?;
    let driver = Chromedriver::start().await?;
    let alice = Browser::open(&driver, &bridge.url()).await?;
    alice.sign_in("alice", "alice-password", true).await?;
    alice.join_room("lobby").await?;
    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(room).await?;
    bob.keep_pushes(true);

    let bridge = bridge.restart_in_front_of(dead_address()?).await?;
    alice.wait_for_state("offline").await?;
    let typed = "typed while the bridge was down";
    alice.send(typed).await?;
    alice.wait_for_status("alice", typed, "pending").await?;
    wait_until_stored(&alice, typed).await?;

    reload_and_sign_in(&alice, "alice").await?;
    // Shown again, still pending, while the chat cannot get through.
    alice.wait_for_status("alice", typed, "pending").await?;

    let bridge = bridge.restart_in_front_of(system.server_addr()).await?;
    alice.wait_for_state("online").await?;
    alice.wait_for_status("alice", typed, "sent").await?;
    // Watch a little longer than the send took: a second copy would come now.
    let pushes = bob
        .pushes_until(tokio::time::Instant::now() + Duration::from_secs(3))
        .await?;
    let copies = pushes
        .iter()
        .filter(|p| matches!(&p.body, Body::TextMessage(m) if m.text == typed))
        .count();
    ensure!(copies == 1, "bob got the message {copies} times");
    ensure!(shown(&alice, typed).await? == 1);
    alice.close().await?;
    bridge.stop().await?;
    Ok(())
}

/// This tab's part in keeping the stored copy (`data-store-role` on `<body>`).
async fn wait_for_role(browser: &Browser, role: &str) -> Result<()> {
    wait::until(
        &format!("the tab to be the {role}"),
        STEP_TIMEOUT,
        || async {
            let value = browser
                .js("return document.body.dataset.storeRole ?? null;", vec![])
                .await?;
            Ok((value.as_str() == Some(role)).then_some(()))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tab_writes_and_another_takes_over_when_it_closes() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let (alice, mut bob, room) = alice_read_a_message(&system, &driver, "seen in one tab").await?;
    wait_for_role(&alice, "writer").await?;

    // A second tab of the same browser, same account: it reads, it does not write.
    let first = alice.client().window().await?;
    let second = alice.client().new_window(true).await?.handle;
    alice.client().switch_to_window(second.clone()).await?;
    alice.client().goto(&system.url()).await?;
    alice.element("login-username").await?;
    alice
        .submit_sign_in("alice", "alice-password", false)
        .await?;
    alice.wait_for_message("bob", "seen in one tab").await?;
    wait_for_role(&alice, "reader").await?;

    // The writer closes: the lock passes, and the second tab keeps the copy.
    alice.client().switch_to_window(first).await?;
    alice.client().close_window().await?;
    alice.client().switch_to_window(second).await?;
    wait_for_role(&alice, "writer").await?;
    alice.wait_for_state("online").await?;
    bob.say(room, "after the handover").await?;
    alice.wait_for_message("bob", "after the handover").await?;
    wait_until_stored(&alice, "after the handover").await?;
    alice.close().await?;
    Ok(())
}
