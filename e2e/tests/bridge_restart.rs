//! The bridge restarts mid-session: the client notices, reconnects by itself (new
//! handshake, login and rejoin), and delivers the message typed while it was down.
//! Bob watches through a second bridge that stays up.

use std::time::Duration;

use anyhow::Result;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reconnects_and_delivers_what_was_typed_offline() -> Result<()> {
    let mut system = System::start().await?;
    let steady_bridge = system.extra_bridge().await?;
    let driver = Chromedriver::start().await?;

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    root.fill("admin-create-room-name", "ops").await?;
    root.click("admin-create-room-submit").await?;
    root.join_room("ops").await?;

    let bob = Browser::open(&driver, &steady_bridge.url()).await?;
    bob.sign_in("bob", "bobs-password", true).await?;
    bob.join_room("ops").await?;
    root.wait_for_member("bob").await?;

    system.stop_bridge().await?;
    root.wait_for_state("offline").await?;
    root.send("typed while the bridge was down").await?;
    root.wait_for_status("root", "typed while the bridge was down", "pending")
        .await?;

    system.start_bridge().await?;
    // Backoff is at most a few seconds at this point; allow for a slow machine.
    root.wait_for_state("online").await?;
    root.wait_for_status("root", "typed while the bridge was down", "sent")
        .await?;
    bob.wait_for_message("root", "typed while the bridge was down")
        .await?;

    // Root rejoined the room on the new connection: bob's messages reach it.
    bob.send("welcome back").await?;
    root.wait_for_message_within("bob", "welcome back", Duration::from_secs(30))
        .await?;

    root.close().await?;
    bob.close().await?;
    steady_bridge.stop().await?;
    Ok(())
}
