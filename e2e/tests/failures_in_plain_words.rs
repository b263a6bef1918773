//! What the sign-in form says when the pieces behind it are down: a bridge that
//! cannot reach the chat server, and no bridge at all (chosen with `?bridge=`).

use anyhow::Result;
use miricat_e2e::system::{Bridge, dead_address};
use miricat_e2e::{Browser, Chromedriver, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_server_and_a_down_bridge_are_explained() -> Result<()> {
    // dist/ must exist; System::start checks it and says how to build it.
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let orphan = Bridge::in_front_of(dead_address()?).await?;
    let browser = Browser::open(&driver, &orphan.url()).await?;
    browser.submit_sign_in("root", "whatever", false).await?;
    browser
        .wait_for_error("cannot reach the chat server")
        .await?;
    browser.wait_for_state("offline").await?;
    browser.close().await?;

    let nowhere = format!("ws://{}/ws", dead_address()?);
    let browser = Browser::open(&driver, &format!("{}?bridge={nowhere}", system.url())).await?;
    browser.submit_sign_in("root", "whatever", false).await?;
    browser.wait_for_error("Cannot reach the bridge").await?;
    browser.close().await?;
    orphan.stop().await?;
    Ok(())
}
