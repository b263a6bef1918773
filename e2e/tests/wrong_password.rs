//! A wrong password is reported in plain words on the sign-in form, nothing retries
//! in the background, and the right password then works.

use anyhow::Result;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_shows_an_error() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;

    browser
        .submit_sign_in("root", "not-the-password", false)
        .await?;
    browser.wait_for_error("Wrong password").await?;
    browser.wait_for_state("offline").await?;

    // Unknown users get their own explanation.
    browser.submit_sign_in("nobody", "whatever", false).await?;
    browser.wait_for_error("No user with that name").await?;

    browser.sign_in("root", ROOT_PASSWORD, false).await?;
    browser.close().await?;
    Ok(())
}
