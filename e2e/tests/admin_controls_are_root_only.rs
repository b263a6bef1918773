//! Only root gets administration controls: another user, with a room open, sees
//! none of them (while root, in the same spot, sees every one).

use anyhow::{Result, ensure};
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

/// Every administration hook, as root sees them with a room open and the user
/// forms unfolded.
const ADMIN_CONTROLS: &[&str] = &[
    "admin-create-room-name",
    "admin-create-room-submit",
    "admin-rename-room-name",
    "admin-rename-room-submit",
    "admin-delete-room",
    "admin-users-toggle",
    "admin-create-user-name",
    "admin-create-user-password",
    "admin-create-user-submit",
    "admin-delete-user-name",
    "admin-delete-user-submit",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_root_sees_administration() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    root.fill("admin-create-room-name", "lounge").await?;
    root.click("admin-create-room-submit").await?;
    let room = root.wait_for_room("lounge").await?;
    root.click(&format!("room-entry-{room}")).await?;
    root.click("admin-users-toggle").await?;
    for id in ADMIN_CONTROLS {
        root.element(id).await?;
    }

    let alice = Browser::open(&driver, &system.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    alice.join_room("lounge").await?;
    let admin = alice.testids_starting_with("admin-").await?;
    ensure!(admin.is_empty(), "alice sees administration: {admin:?}");
    let confirm = alice.testids_starting_with("confirm-").await?;
    ensure!(
        confirm.is_empty(),
        "alice sees a confirm dialog: {confirm:?}"
    );

    root.close().await?;
    alice.close().await?;
    Ok(())
}
