//! Keyboard only: signing in, joining, switching rooms and sending work with Tab,
//! Enter and Alt+Up/Down alone, focus is always visible, and a screen reader hears
//! new messages from others through the announcer.

use anyhow::Result;
use fantoccini::key::Key;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, STEP_TIMEOUT, System, wait};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_switch_rooms_and_send_with_the_keyboard_alone() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let (tab, enter) = (Key::Tab.to_string(), Key::Enter.to_string());

    // Set-up, with the mouse: two rooms, and bob waiting in one of them.
    let bob = Browser::open(&driver, &system.url()).await?;
    bob.sign_in("root", ROOT_PASSWORD, false).await?;
    for room in ["general", "random"] {
        bob.fill("admin-create-room-name", room).await?;
        bob.click("admin-create-room-submit").await?;
        bob.wait_for_room(room).await?;
    }
    bob.close().await?;
    let bob = Browser::open(&driver, &system.url()).await?;
    bob.sign_in("bob", "bobs-password", true).await?;
    bob.join_room("general").await?;
    let general = format!("room-entry-{}", bob.wait_for_room("general").await?);
    let random = format!("room-entry-{}", bob.wait_for_room("random").await?);

    // Root signs in: Tab to the username, type, Tab, type the password, Enter.
    let root = Browser::open(&driver, &system.url()).await?;
    root.tab_to("login-username").await?;
    root.type_keys("root").await?;
    root.type_keys(&tab).await?;
    assert_eq!(root.focused().await?.as_deref(), Some("login-password"));
    root.type_keys(&format!("{ROOT_PASSWORD}{enter}")).await?;
    root.wait_for_state("online").await?;

    // The first room opens with the message box focused: join it by command.
    root.wait_for_open_room("general").await?;
    root.tab_to("message-input").await?;
    root.type_keys(&format!("/join general{enter}")).await?;
    root.element("room-leave").await?;

    // Alt+Down opens the next room in the sidebar; join it and write there.
    root.press_together(&[Key::Alt, Key::Down]).await?;
    root.wait_for_open_room("random").await?;
    assert_eq!(root.focused().await?.as_deref(), Some("message-input"));
    root.type_keys(&format!("/join random{enter}")).await?;
    root.element("room-leave").await?;
    root.type_keys(&format!("typed, never clicked{enter}"))
        .await?;
    root.wait_for_status("root", "typed, never clicked", "sent")
        .await?;

    // Alt+Up goes back; a room entry is also a button Tab reaches and Enter opens.
    root.press_together(&[Key::Alt, Key::Up]).await?;
    root.wait_for_open_room("general").await?;
    root.tab_to(&random).await?;
    let ring = root
        .js(
            "const s = getComputedStyle(document.activeElement); \
             return [s.outlineStyle, s.outlineWidth];",
            vec![],
        )
        .await?;
    assert_eq!(ring, json!(["solid", "2px"]), "keyboard focus shows a ring");
    root.type_keys(&enter).await?;
    root.wait_for_open_room("random").await?;
    root.tab_to(&general).await?;
    root.type_keys(&enter).await?;
    root.wait_for_open_room("general").await?;

    // The skip link, the first stop on the chat screen, jumps to the message box.
    root.tab_to("skip-link").await?;
    root.type_keys(&enter).await?;
    assert_eq!(root.focused().await?.as_deref(), Some("message-input"));

    // Bob writes: the live region says who and what, and the timeline stays quiet.
    bob.send("hello root").await?;
    root.wait_for_message("bob", "hello root").await?;
    wait::until("the announcement", STEP_TIMEOUT, || async {
        let said = root.element("announcer").await?.text().await?;
        Ok((said == "bob: hello root").then_some(()))
    })
    .await?;
    // The timeline itself is not a live region (windowing it would make it chatter);
    // the announcer is the one voice for new messages.
    let timeline_live = root
        .js(
            "const list = document.querySelector(`[data-testid='message-list']`); \
             const live = (e) => e.hasAttribute('aria-live') ? e.getAttribute('aria-live') !== 'off' : e.getAttribute('role') === 'log'; \
             let e = list; while (e) { if (live(e)) return true; e = e.parentElement; } \
             return [...list.querySelectorAll('*')].some(live);",
            vec![],
        )
        .await?;
    assert_eq!(
        timeline_live,
        json!(false),
        "the timeline must not announce itself"
    );
    let announcer_live = root
        .js(
            "return document.querySelector(`[data-testid='announcer']`).getAttribute('aria-live');",
            vec![],
        )
        .await?;
    assert_eq!(announcer_live, json!("polite"));

    assert_no_error(&root).await?;
    root.close().await?;
    bob.close().await?;
    Ok(())
}
