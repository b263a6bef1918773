//! Search in the browser: a message in another room is found (typed in capitals,
//! matched without), grouped under its room with the word marked, and choosing it
//! opens that room with the message in view and highlighted, also one 600
//! messages back, far outside the rendered window. Ctrl+K and "/" open the search,
//! Escape closes it.
//!
//! The search time it prints (`figure:` lines, run with `--nocapture`) is measured
//! by the app itself (`data-search-ms`); it is never asserted on.

use anyhow::{Context, Result, ensure};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, wait};
use serde_json::Value;

/// Messages after the one searched for in the archive: four times the rendered
/// window (150), so it is far from anything in the page when the search opens it.
const LATER: usize = 600;

/// Sent before waiting for the browser to catch up (well under the server's
/// per-client queue).
const BATCH: usize = 300;

/// Presses Ctrl+K.
async fn press_ctrl_k(browser: &Browser) -> Result<()> {
    let control = char::from(Key::Control);
    let chord = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: control })
        .then(KeyAction::Down { value: 'k' })
        .then(KeyAction::Up { value: 'k' })
        .then(KeyAction::Up { value: control });
    browser
        .client()
        .perform_actions(chord)
        .await
        .context("pressing Ctrl+K")
}

/// Waits for the search dialog to be open (or closed).
async fn wait_for_dialog(browser: &Browser, open: bool) -> Result<()> {
    let what = if open {
        "the search to open"
    } else {
        "the search to close"
    };
    wait::until(what, STEP_TIMEOUT, || async {
        Ok((dialog_open(browser).await? == open).then_some(()))
    })
    .await
}

/// Whether the search dialog is open.
async fn dialog_open(browser: &Browser) -> Result<bool> {
    let open = browser
        .js(
            "return document.querySelector(`[data-testid='search-dialog']`)?.open ?? false;",
            vec![],
        )
        .await?;
    Ok(open.as_bool().unwrap_or_default())
}

/// Waits for the search to show hits for what the field holds, and returns each
/// hit's room and marked words, in order.
async fn wait_for_hits(browser: &Browser) -> Result<Vec<(String, Vec<String>)>> {
    wait::until("search hits", STEP_TIMEOUT, || async {
        let hits = browser
            .js(
                "return [...document.querySelectorAll(`[data-testid='search-hit']`)].map(h => [\
                   h.closest(`[data-testid='search-group']`).dataset.room,\
                   [...h.querySelectorAll('mark')].map(m => m.textContent)]);",
                vec![],
            )
            .await?;
        let hits: Vec<(String, Vec<String>)> = serde_json::from_value(hits)?;
        Ok((!hits.is_empty()).then_some(hits))
    })
    .await
}

/// The highlighted message's text and whether it is inside the timeline's
/// visible area, once there is one.
async fn wait_for_highlighted(browser: &Browser, text: &str) -> Result<()> {
    wait::until(
        &format!("{text:?} highlighted and in view"),
        STEP_TIMEOUT,
        || async {
            let seen = browser
                .js(
                    "const m = document.querySelector('.message.search-target');\
                     const list = document.querySelector(`[data-testid='message-list']`);\
                     if (!m || !list) return null;\
                     const r = m.getBoundingClientRect(), l = list.getBoundingClientRect();\
                     return { text: m.textContent, inView: r.bottom > l.top && r.top < l.bottom };",
                    vec![],
                )
                .await?;
            let found = seen
                .get("text")
                .and_then(Value::as_str)
                .is_some_and(|t| t.contains(text))
                && seen.get("inView").and_then(Value::as_bool) == Some(true);
            Ok(found.then_some(()))
        },
    )
    .await
}

/// The app's own timing of the last search, and the size of its folded copies.
async fn search_figures(browser: &Browser) -> Result<(String, String)> {
    let value = browser
        .js(
            "const s = document.querySelector(`[data-testid='search-summary']`).dataset;\
             return [s.searchMs ?? '', s.indexBytes ?? ''];",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_a_message_in_another_room_and_opens_it_there() -> Result<()> {
    // Bob sends the archive as fast as the server takes it.
    let system = System::start_for_bulk_senders().await?;
    let mut root = Peer::sign_in(system.server_addr(), "root", ROOT_PASSWORD, false).await?;
    let archive = root.create_room("archive").await?;
    let general = root.create_room("general").await?;
    let driver = Chromedriver::start().await?;
    let alice = Browser::open(&driver, &system.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(archive).await?;
    bob.join(general).await?;

    alice.join_room("archive").await?;
    bob.say(archive, "The Zeppelin report is in the shared folder")
        .await?;
    for batch in 0..LATER / BATCH {
        for i in batch * BATCH..(batch + 1) * BATCH {
            bob.say(archive, &format!("later message {i}")).await?;
        }
        alice
            .wait_for_message("bob", &format!("later message {}", (batch + 1) * BATCH - 1))
            .await?;
    }
    alice.join_room("general").await?;
    bob.say(general, "Lunch at the école today?").await?;
    bob.say(general, "Parking: Hauptstraße, ΟΔΟΣ 5").await?;
    alice
        .wait_for_message("bob", "Parking: Hauptstraße, ΟΔΟΣ 5")
        .await?;

    // From #general, Ctrl+K; capitals find the lowercase word; Enter opens the hit.
    press_ctrl_k(&alice).await?;
    wait_for_dialog(&alice, true).await.context("Ctrl+K")?;
    ensure!(
        alice.focused_testid().await?.as_deref() == Some("search-input"),
        "the field has focus"
    );
    alice.type_keys("ZEPPELIN").await?;
    let hits = wait_for_hits(&alice).await?;
    ensure!(
        hits == [("archive".to_owned(), vec!["Zeppelin".to_owned()])],
        "one hit in #archive with the word marked: {hits:?}"
    );
    let (ms, bytes) = search_figures(&alice).await?;
    println!(
        "figure: search over {} messages in Chromium: {ms} ms (folded copies: {bytes} bytes)",
        LATER + 2
    );
    alice.type_keys(&Key::Enter.to_string()).await?;
    alice.wait_for_open_room("archive").await?;
    wait_for_dialog(&alice, false)
        .await
        .context("choosing a hit")?;
    wait_for_highlighted(&alice, "The Zeppelin report").await?;

    // From #archive, "/" (focus on the timeline, not a text field), an accented
    // word typed in capitals, and a click on the hit.
    alice
        .js(
            "document.querySelector(`[data-testid='message-list']`).focus();",
            vec![],
        )
        .await?;
    alice.type_keys("/").await?;
    wait_for_dialog(&alice, true).await.context("/")?;
    alice.fill("search-input", "ÉCOLE lunch").await?;
    let hits = wait_for_hits(&alice).await?;
    ensure!(
        hits == [(
            "general".to_owned(),
            vec!["Lunch".to_owned(), "école".to_owned()]
        )],
        "both words marked, in #general: {hits:?}"
    );
    alice.click("search-hit").await?;
    alice.wait_for_open_room("general").await?;
    wait_for_highlighted(&alice, "Lunch at the école today?").await?;

    // Opened by its button: the page's own lowercase folds the other scripts
    // ("ss" finds "ß", a final sigma finds a capital one) and the marks cover the
    // original letters.
    alice.click("search-open").await?;
    wait_for_dialog(&alice, true).await.context("the button")?;
    alice.fill("search-input", "STRASSE οδος").await?;
    let expected = [(
        "general".to_owned(),
        vec!["straße".to_owned(), "ΟΔΟΣ".to_owned()],
    )];
    wait::until("\"ß\" and the Greek word marked", STEP_TIMEOUT, || async {
        Ok((wait_for_hits(&alice).await? == expected).then_some(()))
    })
    .await?;
    // Escape closes the search and gives focus back.
    alice.press_escape().await?;
    wait_for_dialog(&alice, false).await.context("Escape")?;
    ensure!(
        alice.focused_testid().await?.as_deref() == Some("search-open"),
        "focus back on the button"
    );
    assert_no_error(&alice).await?;
    alice.close().await?;
    Ok(())
}
