//! Root creates an account from the UI and its owner signs in with the given
//! password in another browser; root then deletes it (after confirming), which
//! signs its owner out, and signing in again fails. Refusals are in plain words.

use anyhow::Result;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_creates_then_deletes_a_user() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    root.click("admin-users-toggle").await?;
    root.fill("admin-create-user-name", "carol").await?;
    root.fill("admin-create-user-password", "carols-password")
        .await?;
    root.click("admin-create-user-submit").await?;
    root.wait_for_text("admin-notice", "Created the user \"carol\"")
        .await?;

    let carol = Browser::open(&driver, &system.url()).await?;
    carol.sign_in("carol", "carols-password", false).await?;

    // Creating her twice is refused, in plain words.
    root.fill("admin-create-user-name", "carol").await?;
    root.fill("admin-create-user-password", "another").await?;
    root.click("admin-create-user-submit").await?;
    root.wait_for_error("Could not create the user \"carol\": That username is already taken.")
        .await?;

    root.fill("admin-delete-user-name", "carol").await?;
    root.click("admin-delete-user-submit").await?;
    root.wait_for_text("confirm-dialog", "Delete the user \"carol\"?")
        .await?;
    root.screenshot_if_asked("admin-confirm-delete-user")
        .await?;
    root.click("confirm-ok").await?;
    root.wait_for_text("admin-notice", "Deleted the user \"carol\"")
        .await?;

    // The server closes her session; her reconnect cannot sign in any more.
    carol
        .wait_for_error("No user with that name exists.")
        .await?;
    carol.element("login-username").await?;
    carol.wait_for_state("offline").await?;

    let again = Browser::open(&driver, &system.url()).await?;
    again
        .submit_sign_in("carol", "carols-password", false)
        .await?;
    again
        .wait_for_error("No user with that name exists.")
        .await?;

    root.close().await?;
    carol.close().await?;
    again.close().await?;
    Ok(())
}
