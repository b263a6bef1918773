//! Root renames the open room and then deletes it (after confirming in an
//! accessible dialog that Escape cancels); another signed-in user sees the new name,
//! then the room disappear. A refused request is explained in plain words.

use anyhow::{Result, ensure};
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_renames_then_deletes_a_room_others_are_in() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    root.fill("admin-create-room-name", "kitchen").await?;
    root.click("admin-create-room-submit").await?;
    let room = root.wait_for_room("kitchen").await?;

    let alice = Browser::open(&driver, &system.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    alice.join_room("kitchen").await?;

    // The controls act on the open room.
    root.click(&format!("room-entry-{room}")).await?;
    root.fill("admin-rename-room-name", "dining room").await?;
    root.click("admin-rename-room-submit").await?;
    let renamed = alice.wait_for_room("dining room").await?;
    ensure!(renamed == room, "the same room, renamed");
    root.wait_for_text(
        "admin-notice",
        "Renamed the room \"kitchen\" to \"dining room\"",
    )
    .await?;
    root.screenshot_if_asked("admin-room-renamed").await?;

    // Escape cancels the confirmation; nothing is deleted.
    root.click("admin-delete-room").await?;
    root.element("confirm-ok").await?;
    let dialog = root
        .js(
            "const d = document.querySelector(\"[data-testid='confirm-dialog']\"); \
             return [d.open, d.matches(':modal'), document.getElementById(d.getAttribute('aria-labelledby'))?.textContent];",
            vec![],
        )
        .await?;
    ensure!(
        dialog[0] == true && dialog[1] == true,
        "a modal dialog: {dialog}"
    );
    ensure!(
        dialog[2] == "Delete the room \"dining room\"?",
        "the dialog is labelled by its question: {dialog}"
    );
    ensure!(
        root.focused_testid().await?.as_deref() == Some("confirm-cancel"),
        "focus moves into the dialog, onto the safe choice"
    );
    root.screenshot_if_asked("admin-confirm-delete-room")
        .await?;
    root.press_escape().await?;
    root.wait_for_absent("confirm-ok").await?;
    ensure!(
        root.focused_testid().await?.as_deref() == Some("admin-delete-room"),
        "focus returns to the button that asked"
    );
    ensure!(root.wait_for_room("dining room").await? == room);

    root.click("admin-delete-room").await?;
    root.click("confirm-ok").await?;
    alice.wait_for_room_gone("dining room").await?;
    alice
        .wait_for_error("The room \"dining room\" was deleted.")
        .await?;
    root.wait_for_room_gone("dining room").await?;
    root.wait_for_text("admin-notice", "Deleted the room \"dining room\".")
        .await?;
    assert_no_error(&root).await?;

    // The server's refusal, in plain words: that name is taken.
    root.fill("admin-create-room-name", "pantry").await?;
    root.click("admin-create-room-submit").await?;
    root.wait_for_room("pantry").await?;
    root.fill("admin-create-room-name", "pantry").await?;
    root.click("admin-create-room-submit").await?;
    root.wait_for_error(
        "Could not create the room \"pantry\": A room with that name already exists.",
    )
    .await?;

    root.close().await?;
    alice.close().await?;
    Ok(())
}
