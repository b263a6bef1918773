//! The README's pictures: a realistic conversation between two people across a few
//! rooms, photographed in the light and the dark theme at a desktop size.
//!
//! Every run takes them (into the target directory); with
//! `MIRICAT_UPDATE_SCREENSHOTS=1` they replace the committed ones in
//! `docs/screenshots/`. (Clock times differ between runs: writing there always would
//! change two binary files in git on every test run.)

use std::path::PathBuf;

use anyhow::{Context, Result};
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, png, wait};

const DESKTOP_WIDTH: u32 = 1280;
const DESKTOP_HEIGHT: u32 = 800;

fn screenshot_dir() -> Result<PathBuf> {
    let dir = if std::env::var_os("MIRICAT_UPDATE_SCREENSHOTS").is_some() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_view_in_light_and_dark() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    for room in ["general", "design", "random"] {
        root.fill("admin-create-room-name", room).await?;
        root.click("admin-create-room-submit").await?;
        root.wait_for_room(room).await?;
    }
    root.join_room("random").await?;
    root.join_room("general").await?;

    let alice = Browser::open(&driver, &system.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    alice.join_room("random").await?;
    alice.join_room("general").await?;
    root.wait_for_member("alice").await?;

    let conversation = [
        (&alice, "alice", "Morning! Is the new build up on staging?"),
        (
            &root,
            "root",
            "Yes, since 9:10. The handshake now takes about 20 ms.",
        ),
        (
            &alice,
            "alice",
            "Nice. The dark theme looks great on my phone, too.",
        ),
        (
            &alice,
            "alice",
            "Release notes: https://example.org/miricat/releases",
        ),
        (
            &root,
            "root",
            "Thanks! I'll post the benchmarks in #random later.",
        ),
    ];
    for (browser, sender, text) in conversation {
        browser.send(text).await?;
        root.wait_for_message(sender, text).await?;
    }
    // A picture, shown inline.
    let picture = png::gradient(360, 200);
    alice.pick_image("sunset.png", &picture.file).await?;
    root.wait_for_message("root", "Thanks! I'll post the benchmarks in #random later.")
        .await?;
    wait::until("the picture on root's screen", STEP_TIMEOUT, || async {
        let loaded = root
            .js(
                "const i = document.querySelector(`[data-testid='message-image']`); \
                 return !!i && i.complete && i.naturalWidth > 0;",
                vec![],
            )
            .await?;
        Ok((loaded == serde_json::json!(true)).then_some(()))
    })
    .await?;
    // A message elsewhere, so the sidebar shows an unread count.
    alice
        .click(&format!(
            "room-entry-{}",
            alice.wait_for_room("random").await?
        ))
        .await?;
    alice.send("Lunch at 12:30?").await?;
    alice
        .wait_for_status("alice", "Lunch at 12:30?", "sent")
        .await?;

    // Root's last confirmation ("Created the room …") is not part of the picture.
    root.js(
        "document.querySelector(`[data-testid='admin-notice'] button`)?.click();",
        vec![],
    )
    .await?;
    root.set_viewport(DESKTOP_WIDTH, DESKTOP_HEIGHT).await?;
    let dir = screenshot_dir()?;
    for theme in ["light", "dark"] {
        root.choose_theme(theme).await?;
        root.park_pointer().await?;
        root.screenshot(&dir.join(format!("chat-{theme}.png")))
            .await?;
    }

    root.close().await?;
    alice.close().await?;
    Ok(())
}
