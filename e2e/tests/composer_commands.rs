//! The composer as a keyboard user drives it: `/join`, `/help`, `/leave`, unknown
//! commands, Alt+Up/Down to switch rooms, Up to recall, and drafts kept per room.

use anyhow::Result;
use fantoccini::key::Key;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, wait};
use serde_json::json;

async fn input_value(browser: &Browser) -> Result<String> {
    let value = browser
        .js(
            "return document.querySelector(\"[data-testid='message-input']\").value;",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

async fn wait_for_input(browser: &Browser, expected: &str) -> Result<()> {
    wait::until(
        &format!("the composer to hold {expected:?}"),
        STEP_TIMEOUT,
        || async { Ok((input_value(browser).await? == expected).then_some(())) },
    )
    .await
}

async fn press(browser: &Browser, keys: &str) -> Result<()> {
    browser
        .element("message-input")
        .await?
        .send_keys(keys)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_hotkeys_history_and_drafts() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    for name in ["alpha", "beta"] {
        root.fill("admin-create-room-name", name).await?;
        root.click("admin-create-room-submit").await?;
        root.wait_for_room(name).await?;
    }

    root.send("/join alpha").await?;
    root.wait_for_open_room("alpha").await?;
    root.element("room-leave").await?;
    root.send("/join #BETA").await?;
    root.wait_for_open_room("beta").await?;
    root.element("room-leave").await?;

    root.send("first line").await?;
    root.wait_for_status("root", "first line", "sent").await?;
    wait_for_input(&root, "").await?;
    press(&root, &Key::Up.to_string()).await?;
    wait_for_input(&root, "first line").await?;
    press(&root, &Key::Down.to_string()).await?;
    wait_for_input(&root, "").await?;

    // Sidebar order is alpha, beta (both joined): Alt+Up goes to alpha, and the
    // draft typed there comes back after a trip to beta.
    press(&root, &format!("{}{}{}", Key::Alt, Key::Up, Key::Null)).await?;
    root.wait_for_open_room("alpha").await?;
    press(&root, "draft for alpha").await?;
    press(&root, &format!("{}{}{}", Key::Alt, Key::Down, Key::Null)).await?;
    root.wait_for_open_room("beta").await?;
    wait_for_input(&root, "").await?;
    press(&root, &format!("{}{}{}", Key::Alt, Key::Up, Key::Null)).await?;
    root.wait_for_open_room("alpha").await?;
    wait_for_input(&root, "draft for alpha").await?;
    root.fill("message-input", "").await?;

    root.send("/help").await?;
    wait::until("the /help text", STEP_TIMEOUT, || async {
        let found = root
            .js(
                "return [...document.querySelectorAll('.timeline-event.notice')] \
                   .some(e => e.textContent.includes('/join'));",
                vec![],
            )
            .await?;
        Ok((found == json!(true)).then_some(()))
    })
    .await?;

    root.send("/frobnicate").await?;
    root.wait_for_error("/frobnicate").await?;
    wait_for_input(&root, "/frobnicate").await?;
    root.fill("message-input", "").await?;

    root.send("/leave").await?;
    root.element("room-join").await?;
    root.close().await?;
    Ok(())
}
