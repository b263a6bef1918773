//! Desktop notifications, with the browser's Notification API replaced by a
//! recording fake (headless Chromium shows none) and the tab made to look hidden:
//! turning the switch on asks for permission, only others' messages notify while
//! the tab is hidden, and clicking one opens its room.

use anyhow::Result;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, wait};
use serde_json::{Value, json};

/// A Notification class that grants permission when asked and records what it
/// shows in `window.shownNotifications`.
const FAKE_NOTIFICATIONS: &str = "
    window.shownNotifications = [];
    window.Notification = class extends EventTarget {
        static permission = 'default';
        static requestPermission() {
            this.permission = 'granted';
            return Promise.resolve('granted');
        }
        constructor(title, options) {
            super();
            Object.assign(this, { title, body: options?.body, closed: false });
            window.shownNotifications.push(this);
        }
        close() { this.closed = true; }
    };";

/// Makes the page believe its tab is hidden (or shown again).
const SET_VISIBILITY: &str = "
    Object.defineProperty(document, 'visibilityState', {
        configurable: true, get: () => arguments[0] });";

/// Title, body and closed state of every notification shown so far.
async fn shown(browser: &Browser) -> Result<Value> {
    browser
        .js(
            "return window.shownNotifications.map(n => [n.title, n.body, n.closed]);",
            vec![],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_messages_notify_while_hidden_and_a_click_opens_the_room() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    for room in ["general", "random"] {
        root.fill("admin-create-room-name", room).await?;
        root.click("admin-create-room-submit").await?;
        root.join_room(room).await?;
    }
    let bob = Browser::open(&driver, &system.url()).await?;
    bob.sign_in("bob", "bobs-password", true).await?;
    bob.join_room("general").await?;
    bob.join_room("random").await?;
    let general = root.wait_for_room("general").await?;

    root.js(FAKE_NOTIFICATIONS, vec![]).await?;
    root.click("notifications-toggle").await?;
    wait::until("the switch to turn on", STEP_TIMEOUT, || async {
        let pressed = root
            .element("notifications-toggle")
            .await?
            .attr("aria-pressed")
            .await?;
        Ok((pressed.as_deref() == Some("true")).then_some(()))
    })
    .await?;

    // Hidden: our own message is not news, bob's in another room is.
    root.click(&format!("room-entry-{general}")).await?;
    root.js(SET_VISIBILITY, vec![json!("hidden")]).await?;
    root.send("mine").await?;
    root.wait_for_status("root", "mine", "sent").await?;
    bob.send("ping from random").await?;
    wait::until("a notification", STEP_TIMEOUT, || async {
        let shown = shown(&root).await?;
        Ok((shown.as_array().is_some_and(|s| !s.is_empty())).then_some(shown))
    })
    .await?;
    assert_eq!(
        shown(&root).await?,
        json!([["bob in #random", "ping from random", false]])
    );

    // Clicking it opens #random (where bob's message shows) and closes it.
    root.js(
        "window.shownNotifications[0].dispatchEvent(new Event('click'));",
        vec![],
    )
    .await?;
    root.wait_for_message("bob", "ping from random").await?;
    assert_eq!(
        shown(&root).await?,
        json!([["bob in #random", "ping from random", true]])
    );

    // Shown again: messages are read on screen, not notified.
    root.js(SET_VISIBILITY, vec![json!("visible")]).await?;
    bob.send("you are back").await?;
    root.wait_for_message("bob", "you are back").await?;
    assert_eq!(shown(&root).await?.as_array().map(Vec::len), Some(1));

    assert_no_error(&root).await?;
    root.close().await?;
    bob.close().await?;
    Ok(())
}
