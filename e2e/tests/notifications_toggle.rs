//! The desktop-notifications switch: off at first, and when the browser will not
//! allow notifications, pressing it says exactly why, stays off, and leaves the app
//! working. Each way of refusing is staged with a stand-in for the browser's
//! Notification API (blocked, question dismissed, no API at all), and headless
//! Chromium's own answer is checked too.

use anyhow::Result;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, wait};
use serde_json::json;

const BLOCKED: &str = "The browser blocks notifications for this site: allow them in its site settings, then try again.";
const DISMISSED: &str = "Notifications stay off: the browser's question was dismissed.";
const UNSUPPORTED: &str = "This browser cannot show notifications.";

/// Replaces the Notification API with one whose permission starts as
/// `arguments[0]` and whose question is answered with `arguments[1]`; `null`
/// removes the API.
const FAKE_PERMISSION: &str = "
    if (arguments[0] === null) { delete window.Notification; return; }
    const [start, answer] = [arguments[0], arguments[1]];
    window.Notification = class extends EventTarget {
        static permission = start;
        static requestPermission() { this.permission = answer; return Promise.resolve(answer); }
    };";

/// Presses the switch and returns the note it leaves once it is `expected`.
async fn press_and_read_note(browser: &Browser, expected: &str) -> Result<String> {
    browser.click("notifications-toggle").await?;
    wait::until(&format!("the note {expected:?}"), STEP_TIMEOUT, || async {
        let text = browser.element("notifications-note").await?.text().await?;
        Ok((text == expected).then_some(text))
    })
    .await
}

async fn pressed(browser: &Browser) -> Result<Option<String>> {
    Ok(browser
        .element("notifications-toggle")
        .await?
        .attr("aria-pressed")
        .await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_refused_permission_is_explained_and_the_switch_stays_off() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;
    browser.sign_in("root", ROOT_PASSWORD, false).await?;
    assert_eq!(pressed(&browser).await?.as_deref(), Some("false"));

    // Headless Chromium itself: whatever it answers, the note is the one for it.
    let before = browser
        .js("return Notification.permission;", vec![])
        .await?;
    eprintln!("headless Chromium's notification permission: {before}");
    browser.click("notifications-toggle").await?;
    let note = wait::until("the note", STEP_TIMEOUT, || async {
        let text = browser.element("notifications-note").await?.text().await?;
        Ok((!text.is_empty()).then_some(text))
    })
    .await?;
    let after = browser
        .js("return Notification.permission;", vec![])
        .await?;
    let expected = match after.as_str() {
        Some("denied") => BLOCKED,
        Some("default") => DISMISSED,
        other => panic!("headless Chromium granted notifications? {other:?}"),
    };
    assert_eq!(note, expected, "for permission {after}");
    assert_eq!(pressed(&browser).await?.as_deref(), Some("false"));

    // Each staged refusal changes the note (so a press that did nothing fails).
    let blocked = (json!("denied"), json!("denied"), BLOCKED);
    let dismissed = (json!("default"), json!("default"), DISMISSED);
    let unsupported = (json!(null), json!(null), UNSUPPORTED);
    let cases = if note == BLOCKED {
        [dismissed, unsupported, blocked]
    } else {
        [blocked, unsupported, dismissed]
    };
    for (start, answer, expected) in cases {
        browser.js(FAKE_PERMISSION, vec![start, answer]).await?;
        press_and_read_note(&browser, expected).await?;
        assert_eq!(pressed(&browser).await?.as_deref(), Some("false"));
    }

    browser.wait_for_state("online").await?;
    assert_no_error(&browser).await?;
    browser.close().await?;
    Ok(())
}
