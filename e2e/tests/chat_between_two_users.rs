//! Two people in two browsers: root signs in, bob creates an account, both join a
//! room and talk both ways; the members panel and delivery marks follow.

use anyhow::Result;
use miricat_e2e::browser::assert_no_error;
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_exchange_messages_both_ways() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;

    let root = Browser::open(&driver, &system.url()).await?;
    root.sign_in("root", ROOT_PASSWORD, false).await?;
    root.fill("admin-create-room-name", "general").await?;
    root.click("admin-create-room-submit").await?;
    root.join_room("general").await?;

    let bob = Browser::open(&driver, &system.url()).await?;
    bob.sign_in("bob", "bobs-password", true).await?;
    bob.join_room("general").await?;
    bob.wait_for_member("root").await?;
    root.wait_for_member("bob").await?;

    root.send("hello bob").await?;
    bob.wait_for_message("root", "hello bob").await?;
    root.wait_for_status("root", "hello bob", "sent").await?;

    bob.send("hi root").await?;
    root.wait_for_message("bob", "hi root").await?;
    bob.wait_for_status("bob", "hi root", "sent").await?;

    // Message text is text: markup shows literally, and only http(s) links are links,
    // each starting a word (after "«", not after the letter "é").
    let tricky = "<b>bold</b> see https://example.org/x and javascript:alert(1), \
                  «https://example.org/y but not éhttps://example.org/z";
    root.send(tricky).await?;
    bob.wait_for_message("root", tricky).await?;
    let links = bob
        .js(
            "return [...document.querySelectorAll(\"[data-testid='message'] a\")] \
               .map(a => [a.getAttribute('href'), a.getAttribute('rel')]); ",
            vec![],
        )
        .await?;
    assert_eq!(
        links,
        json!([
            ["https://example.org/x", "noopener noreferrer"],
            ["https://example.org/y", "noopener noreferrer"]
        ])
    );
    let bold = bob
        .js(
            "return document.querySelectorAll(\"[data-testid='message-list'] b\").length;",
            vec![],
        )
        .await?;
    assert_eq!(bold, json!(0), "message markup must not become HTML");

    root.screenshot_if_asked("chat-root").await?;
    bob.screenshot_if_asked("chat-bob").await?;
    assert_no_error(&root).await?;
    assert_no_error(&bob).await?;
    root.close().await?;
    bob.close().await?;
    Ok(())
}
