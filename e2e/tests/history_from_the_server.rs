//! The web app and `history/1`: joining a room that already holds messages shows
//! the newest page from the server, scrolling up fetches older pages until the
//! room's start, and a live message that follows shows once; what was said while
//! the tab was cut off appears after the reconnect. Against a server with the
//! extension switched off nothing of that appears and the chat still works.

use std::time::Duration;

use anyhow::{Result, ensure};
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::scene::browser_in_room;
use miricat_e2e::system::{ROOT_PASSWORD, without_rate_limit};
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, wait};
use serde_json::Value;

/// More than two pages of the web app's (100 each), so paging back takes a few.
const EARLIER: usize = 230;

/// A system whose server lets bob send `EARLIER` messages at once, with history/1
/// offered or not.
async fn system(history: bool) -> Result<System> {
    System::start_with(|config| {
        config.history = history;
        without_rate_limit(config);
    })
    .await
}

/// Root makes the room "archive"; bob joins it and says `EARLIER` messages.
async fn archive_with_earlier_messages(system: &System) -> Result<(Peer, miricat_shared::RoomId)> {
    let mut root = Peer::sign_in(system.server_addr(), "root", ROOT_PASSWORD, false).await?;
    let room = root.create_room("archive").await?;
    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(room).await?;
    for i in 0..EARLIER {
        bob.say(room, &format!("earlier {i}")).await?;
    }
    Ok((bob, room))
}

/// The `data-history` of the line above the oldest entry, when it is rendered.
async fn history_top(browser: &Browser) -> Result<Option<String>> {
    let value = browser
        .js(
            "return document.querySelector(`[data-testid='history-top']`)?.dataset.history ?? null;",
            vec![],
        )
        .await?;
    Ok(value.as_str().map(str::to_owned))
}

/// How many entries the open room holds (the list's `data-entries`).
async fn entries(browser: &Browser) -> Result<u64> {
    let value = browser
        .js(
            "return Number(document.querySelector(`[data-testid='message-list']`)?.dataset.entries ?? 0);",
            vec![],
        )
        .await?;
    Ok(value.as_u64().unwrap_or_default())
}

/// Scrolls the timeline to its top, as a reader would, until the line above the
/// oldest entry says the room starts there.
async fn scroll_to_the_start(browser: &Browser) -> Result<()> {
    wait::until("the start of the room", STEP_TIMEOUT, || async {
        browser
            .js(
                "const list = document.querySelector(`[data-testid='message-list']`); \
                 list.scrollTop = 0; list.dispatchEvent(new Event('scroll'));",
                vec![],
            )
            .await?;
        Ok((history_top(browser).await?.as_deref() == Some("start")).then_some(()))
    })
    .await
}

/// The texts of the messages in the page, checked to hold none twice.
async fn texts_once_each(browser: &Browser) -> Result<Vec<String>> {
    let texts: Vec<String> = browser
        .messages()
        .await?
        .into_iter()
        .map(|m| m.text)
        .collect();
    let mut sorted = texts.clone();
    sorted.sort();
    sorted.dedup();
    ensure!(
        sorted.len() == texts.len(),
        "a message shows twice: {texts:?}"
    );
    Ok(texts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_shows_the_newest_and_scrolling_up_reaches_the_first_message() -> Result<()> {
    let system = system(true).await?;
    let (mut bob, room) = archive_with_earlier_messages(&system).await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "archive").await?;

    alice
        .wait_for_message("bob", &format!("earlier {}", EARLIER - 1))
        .await?;
    let shown = texts_once_each(&alice).await?;
    ensure!(
        !shown.contains(&"earlier 0".to_owned()),
        "only the newest page comes first"
    );

    scroll_to_the_start(&alice).await?;
    alice.wait_for_message("bob", "earlier 0").await?;
    texts_once_each(&alice).await?;
    // Every earlier message once, plus the joins.
    let held = entries(&alice).await?;
    ensure!(
        (EARLIER as u64..EARLIER as u64 + 3).contains(&held),
        "{held} entries for {EARLIER} messages"
    );

    // A live message after the pages shows once, at the bottom.
    bob.say(room, "live after the pages").await?;
    alice.click("jump-to-newest").await?;
    alice
        .wait_for_message("bob", "live after the pages")
        .await?;
    texts_once_each(&alice).await?;
    ensure!(
        entries(&alice).await? == held + 1,
        "the live message is added once"
    );

    assert_no_error(&alice).await?;
    alice.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_said_while_the_bridge_was_down_appear_after_the_reconnect() -> Result<()> {
    let mut system = system(true).await?;
    let (mut bob, room) = archive_with_earlier_messages(&system).await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "archive").await?;
    alice
        .wait_for_message("bob", &format!("earlier {}", EARLIER - 1))
        .await?;

    system.stop_bridge().await?;
    alice.wait_for_state("offline").await?;
    for i in 0..3 {
        bob.say(room, &format!("while you were away {i}")).await?;
    }
    system.start_bridge().await?;
    alice.wait_for_state("online").await?;
    for i in 0..3 {
        alice
            .wait_for_message_within(
                "bob",
                &format!("while you were away {i}"),
                Duration::from_secs(30),
            )
            .await?;
    }
    bob.say(room, "and now live").await?;
    alice.wait_for_message("bob", "and now live").await?;
    texts_once_each(&alice).await?;
    assert_no_error(&alice).await?;
    alice.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_history_on_the_server_nothing_changes() -> Result<()> {
    let system = system(false).await?;
    let (mut bob, room) = archive_with_earlier_messages(&system).await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "archive").await?;

    bob.say(room, "live without history").await?;
    alice
        .wait_for_message("bob", "live without history")
        .await?;
    let texts = texts_once_each(&alice).await?;
    ensure!(
        texts == ["live without history"],
        "nothing from before the join: {texts:?}"
    );
    ensure!(
        history_top(&alice).await?.is_none(),
        "no history line against a server without history/1"
    );
    let scrolled = alice
        .js(
            "const list = document.querySelector(`[data-testid='message-list']`); \
             list.scrollTop = 0; list.dispatchEvent(new Event('scroll')); return true;",
            vec![],
        )
        .await?;
    ensure!(scrolled == Value::Bool(true));
    assert_no_error(&alice).await?;
    alice.close().await?;
    Ok(())
}
