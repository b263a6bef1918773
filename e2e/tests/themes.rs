//! The theme button: offered on the sign-in and the chat screens, it switches the
//! page's colours (through `color-scheme`) and the choice survives a reload.

use anyhow::Result;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};
use serde_json::{Value, json};

/// The page background, the root's `data-theme` and its computed `color-scheme`.
async fn looks(browser: &Browser) -> Result<Value> {
    browser
        .js(
            "return [getComputedStyle(document.body).backgroundColor, \
               document.documentElement.dataset.theme, \
               getComputedStyle(document.documentElement).colorScheme];",
            vec![],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_theme_button_switches_colours_and_is_remembered() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;

    // Headless Chromium prefers light, so following the system looks light.
    assert_eq!(
        looks(&browser).await?,
        json!(["rgb(246, 247, 251)", "system", "light dark"])
    );
    browser.choose_theme("dark").await?;
    let dark = json!(["rgb(18, 20, 28)", "dark", "dark"]);
    assert_eq!(looks(&browser).await?, dark);

    browser.client().refresh().await?;
    browser.element("login-username").await?;
    assert_eq!(looks(&browser).await?, dark, "the choice survives a reload");
    browser.screenshot_if_asked("sign-in-dark").await?;

    browser.sign_in("root", ROOT_PASSWORD, false).await?;
    browser.choose_theme("light").await?;
    assert_eq!(
        looks(&browser).await?,
        json!(["rgb(246, 247, 251)", "light", "light"])
    );
    browser.close().await?;
    Ok(())
}
