//! Messages over the size limit (16 KiB of UTF-8): a 2 MiB text typed in the
//! composer is refused there with the reason, and the connection stays online
//! (it used to put the tab in a reconnect loop); one at exactly the limit is sent.
//! A too-long message that gets past a composer (sent by another client through
//! the bridge) is refused by the server, once, and nothing else happens.

use anyhow::Result;
use miricat_e2e::scene::{browser_in_room, room_by_root};
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, wait};
use miricat_shared::{Body, ErrorKind};
use serde_json::{Value, json};

/// The server's default text limit, which the composer mirrors.
const MAX_TEXT_BYTES: usize = 16 * 1024;

/// Records every change of the connection pill's state in `window.phases`.
const WATCH_PHASES: &str = "
    window.phases = [];
    const pill = document.querySelector(`[data-testid='connection-status']`);
    new MutationObserver(() => window.phases.push(pill.dataset.state))
      .observe(pill, { attributes: true, attributeFilter: ['data-state'] });";

/// Puts `arguments[0]` in the composer as if typed (one input event: typing 2 MiB
/// key by key through WebDriver would take hours).
const TYPE_TEXT: &str = "
    const input = document.querySelector(`[data-testid='message-input']`);
    input.focus();
    input.value = arguments[0];
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));";

async fn phases(browser: &Browser) -> Result<Value> {
    browser.js("return window.phases;", vec![]).await
}

async fn composer_value_len(browser: &Browser) -> Result<u64> {
    let len = browser
        .js(
            "return document.querySelector(`[data-testid='message-input']`).value.length;",
            vec![],
        )
        .await?;
    Ok(len.as_u64().unwrap_or_default())
}

/// Presses Enter in the composer.
async fn press_enter(browser: &Browser) -> Result<()> {
    browser.js(
        "document.querySelector(`[data-testid='message-input']`) \
           .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));",
        vec![],
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_mib_message_is_refused_in_the_composer_and_the_connection_stays_online() -> Result<()>
{
    let system = System::start().await?;
    room_by_root(&system, "general").await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "general").await?;
    alice.js(WATCH_PHASES, vec![]).await?;

    // Near the limit, the counter shows.
    let near = "x".repeat(MAX_TEXT_BYTES - 100);
    alice.js(TYPE_TEXT, vec![json!(near)]).await?;
    let counter = alice.wait_for_text("composer-limit", "bytes").await?;
    assert_eq!(counter, "16,284 / 16,384 bytes");

    // 2 MiB: the counter says it is too long, and Enter sends nothing but the reason.
    let huge = "y".repeat(2 * 1024 * 1024);
    alice.js(TYPE_TEXT, vec![json!(huge)]).await?;
    let counter = alice.wait_for_text("composer-limit", "too long").await?;
    assert_eq!(
        counter,
        "2,097,152 / 16,384 bytes: too long to send. Shorten it or send it in several parts."
    );
    press_enter(&alice).await?;
    alice.wait_for_error("This message is 2,097,152 bytes; at most 16,384 can be sent. Shorten it or send it in several parts.").await?;
    assert_eq!(
        composer_value_len(&alice).await?,
        huge.len() as u64,
        "the text stays to be shortened"
    );

    // Exactly at the limit (in two-byte characters): sent, and the server takes it.
    let full = "é".repeat(MAX_TEXT_BYTES / 2);
    alice.js(TYPE_TEXT, vec![json!(full)]).await?;
    alice
        .wait_for_text("composer-limit", "16,384 / 16,384 bytes")
        .await?;
    press_enter(&alice).await?;
    // It is the only message in the timeline (nothing of the refused one got
    // there), folded to its first 500 characters.
    let sent = wait::until("the full message to be sent", STEP_TIMEOUT, || async {
        let messages = alice.messages().await?;
        let all_sent = messages.iter().all(|m| m.status.as_deref() == Some("sent"));
        Ok((!messages.is_empty() && all_sent).then_some(messages))
    })
    .await?;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text, "é".repeat(500));
    alice
        .wait_for_text("message-fold", "Show more (7,692 more characters)")
        .await?;

    // The connection never left "online" (no close, no reconnect).
    assert_eq!(phases(&alice).await?, json!([]));
    assert_eq!(alice.connection_state().await?, "online");
    alice.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_long_message_from_another_client_is_refused_by_the_server_once() -> Result<()> {
    let system = System::start_with(|config| config.heartbeat_ms = 60_000).await?;
    let room = room_by_root(&system, "general").await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "general").await?;
    alice.js(WATCH_PHASES, vec![]).await?;

    // Mallory's client has no composer limit and talks through the bridge, as the
    // browser does.
    let bridge = format!("{}ws", system.url().replacen("http://", "ws://", 1));
    let mut mallory = Peer::sign_in_at(&bridge, "mallory", "mallorys-pw", true).await?;
    mallory.join(room).await?;
    mallory.keep_pushes(true);
    let refusal = mallory
        .say_refused(room, &"z".repeat(MAX_TEXT_BYTES + 1))
        .await?;
    assert_eq!(refusal.kind, ErrorKind::MessageDataIncorrect);

    // The same connection goes on: the next message is delivered, and no second
    // error (a resend, a loop) came meanwhile.
    mallory.say(room, "short one").await?;
    alice.wait_for_message("mallory", "short one").await?;
    let pushes = mallory.pushes_until(tokio::time::Instant::now()).await?;
    let errors: Vec<_> = pushes
        .iter()
        .filter(|p| matches!(p.body, Body::Error(_)))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Alice never saw the refused message, and stayed online throughout.
    let texts: Vec<String> = alice
        .messages()
        .await?
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["short one"]);
    assert_eq!(phases(&alice).await?, json!([]));
    assert_eq!(alice.connection_state().await?, "online");
    alice.close().await?;
    Ok(())
}
