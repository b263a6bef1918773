//! A 360-pixel-wide phone: nothing scrolls sideways, on the sign-in screen or in a
//! room with a long name and long words; the message box and its button are on
//! screen and work; settings and members fold away behind buttons.

use anyhow::Result;
use fantoccini::key::Key;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};
use serde_json::{Value, json};

const PHONE_WIDTH: u32 = 360;
const PHONE_HEIGHT: u32 = 740;

/// The page's scrollable width, which exceeds the viewport when anything sticks out.
async fn page_width(browser: &Browser) -> Result<Value> {
    browser
        .js("return document.documentElement.scrollWidth;", vec![])
        .await
}

/// Whether the element with `data-testid` `id` lies wholly inside the viewport.
async fn on_screen(browser: &Browser, id: &str) -> Result<Value> {
    browser
        .js(
            "const r = document.querySelector(`[data-testid='${arguments[0]}']`) \
               .getBoundingClientRect(); \
             return r.width > 0 && r.left >= 0 && r.top >= 0 \
               && r.right <= innerWidth && r.bottom <= innerHeight;",
            vec![json!(id)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_sized_window_never_scrolls_sideways() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;
    browser.set_viewport(PHONE_WIDTH, PHONE_HEIGHT).await?;
    assert_eq!(page_width(&browser).await?, json!(PHONE_WIDTH));
    browser.screenshot_if_asked("narrow-sign-in").await?;

    browser.sign_in("root", ROOT_PASSWORD, false).await?;
    // Room creation, settings and the account fold away behind one button.
    assert_eq!(on_screen(&browser, "sign-out").await?, json!(false));
    browser.click("sidebar-more-toggle").await?;
    assert_eq!(on_screen(&browser, "sign-out").await?, json!(true));
    browser.screenshot_if_asked("narrow-settings").await?;
    for room in [
        "a-room-with-a-rather-long-name-for-a-phone",
        "random",
        "design",
    ] {
        browser.fill("admin-create-room-name", room).await?;
        browser.click("admin-create-room-submit").await?;
        browser.wait_for_room(room).await?;
    }
    browser
        .join_room("a-room-with-a-rather-long-name-for-a-phone")
        .await?;
    browser.click("sidebar-more-toggle").await?;
    assert_eq!(on_screen(&browser, "message-input").await?, json!(true));
    assert_eq!(on_screen(&browser, "message-send").await?, json!(true));

    // Typed, then sent with the button, as on a touch screen.
    let long = "see https://example.org/a/very/long/path/that/does/not/break/anywhere/at/all \
                and averyveryverylongwordwithoutanyspacesthatmustwrapsomehowinside";
    browser
        .element("message-input")
        .await?
        .send_keys(long)
        .await?;
    browser.click("message-send").await?;
    browser.wait_for_status("root", long, "sent").await?;
    assert_eq!(page_width(&browser).await?, json!(PHONE_WIDTH));
    browser.screenshot_if_asked("narrow-chat").await?;

    // The members panel does not fit beside the room: a button shows it over it.
    assert_eq!(on_screen(&browser, "member-list").await?, json!(false));
    browser.click("members-toggle").await?;
    assert_eq!(on_screen(&browser, "member-list").await?, json!(true));
    assert_eq!(browser.members().await?, ["root"]);
    assert_eq!(
        browser.focused().await?.as_deref(),
        Some("members-close"),
        "focus moves into the panel"
    );
    browser.screenshot_if_asked("narrow-members").await?;
    browser.click("members-close").await?;
    assert_eq!(on_screen(&browser, "member-list").await?, json!(false));
    assert_eq!(
        browser.focused().await?.as_deref(),
        Some("members-toggle"),
        "focus returns to the button that opened the panel"
    );
    // Escape closes it too.
    browser.type_keys(&Key::Enter.to_string()).await?;
    assert_eq!(on_screen(&browser, "member-list").await?, json!(true));
    browser.type_keys(&Key::Escape.to_string()).await?;
    assert_eq!(on_screen(&browser, "member-list").await?, json!(false));

    assert_no_error(&browser).await?;
    browser.close().await?;
    Ok(())
}
