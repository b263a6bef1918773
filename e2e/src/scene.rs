//! Starting points many tests share: a room made by root, and a browser signed in
//! as a new user who joined it.

use anyhow::Result;
use miricat_shared::RoomId;

use crate::system::ROOT_PASSWORD;
use crate::{Browser, Chromedriver, Peer, System};

/// Root creates the room `name` (over TCP) and returns its ID.
pub async fn room_by_root(system: &System, name: &str) -> Result<RoomId> {
    let mut root = Peer::sign_in(system.server_addr(), "root", ROOT_PASSWORD, false).await?;
    root.create_room(name).await
}

/// A browser signed in as the new user `user` (password `<user>-password`) who
/// joined the room `room`.
pub async fn browser_in_room(
    system: &System,
    driver: &Chromedriver,
    user: &str,
    room: &str,
) -> Result<Browser> {
    let browser = Browser::open(driver, &system.url()).await?;
    browser
        .sign_in(user, &format!("{user}-password"), true)
        .await?;
    browser.join_room(room).await?;
    Ok(browser)
}
