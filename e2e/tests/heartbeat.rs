//! The app pings at the server's `heartbeatRate` by itself: with a short rate, a
//! signed-in tab stays online well past the three silent periods after which the
//! server would close it.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, System};

/// The server closes a connection silent for three times this.
const HEARTBEAT_MS: u64 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_an_idle_tab_online() -> Result<()> {
    let system = System::start_with_heartbeat(HEARTBEAT_MS).await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;
    browser.sign_in("root", ROOT_PASSWORD, false).await?;

    // Watch the connection for ten heartbeat periods: it must never leave online
    // (a drop would show as offline or connecting for at least the backoff delay).
    let watch_until = Instant::now() + Duration::from_millis(10 * HEARTBEAT_MS);
    while Instant::now() < watch_until {
        let state = browser.connection_state().await?;
        if state != "online" {
            bail!("the idle tab went {state:?}: heartbeats are not keeping it alive");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.close().await?;
    Ok(())
}
