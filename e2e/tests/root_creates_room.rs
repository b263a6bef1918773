//! Root creates a room from the UI and a signed-in user sees it appear at once;
//! other users get no room-creation form.

use anyhow::Result;
use fantoccini::Locator;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_root_creates_appears_for_others() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let alice = Browser::open(&driver, &system.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    let forms = alice
        .client()
        .find_all(Locator::Css("[data-testid='admin-create-room-name']"))
        .await?;
    assert!(forms.is_empty(), "only root may see the room-creation form");

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    root.fill("admin-create-room-name", "announcements").await?;
    root.click("admin-create-room-submit").await?;

    let on_root = root.wait_for_room("announcements").await?;
    let on_alice = alice.wait_for_room("announcements").await?;
    assert_eq!(on_root, on_alice, "both sidebars name the same room ID");

    root.close().await?;
    alice.close().await?;
    Ok(())
}
