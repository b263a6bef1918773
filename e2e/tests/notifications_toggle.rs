//! The desktop-notifications switch: off at first, and when the browser will not
//! allow notifications (headless Chromium denies them) pressing it says so, stays
//! off, and leaves the app working.

use anyhow::Result;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, wait};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_permission_is_explained_and_the_switch_stays_off() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;
    browser.sign_in("root", ROOT_PASSWORD, false).await?;

    let toggle = browser.element("notifications-toggle").await?;
    assert_eq!(toggle.attr("aria-pressed").await?.as_deref(), Some("false"));
    let permission = browser
        .js("return Notification.permission;", vec![])
        .await?;
    eprintln!("headless Chromium's notification permission: {permission}");

    toggle.click().await?;
    let note = wait::until("the refusal note", STEP_TIMEOUT, || async {
        let text = browser.element("notifications-note").await?.text().await?;
        Ok((!text.is_empty()).then_some(text))
    })
    .await?;
    eprintln!("the note: {note}");
    assert!(
        note.to_lowercase().contains("notifications"),
        "unexpected note: {note}"
    );
    assert_eq!(toggle.attr("aria-pressed").await?.as_deref(), Some("false"));

    browser.wait_for_state("online").await?;
    assert_no_error(&browser).await?;
    browser.close().await?;
    Ok(())
}
