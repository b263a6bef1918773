//! Images posted by their address on another site: by default the page does not
//! fetch them (the site would learn every reader's address) until the reader
//! clicks; with the setting on they load by themselves, and the setting is
//! remembered by the browser. The "other site" is a local HTTP server that counts
//! the requests it gets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use miricat_e2e::scene::{browser_in_room, room_by_root};
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, png, wait};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Longest request head read.
const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// An HTTP server on loopback serving one PNG at every path, remembering the
/// paths asked for.
struct ImageSite {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ImageSite {
    async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let picture = Arc::new(png::gradient(64, 48).file);
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (seen, picture) = (seen.clone(), picture.clone());
                tokio::spawn(async move {
                    let read = tokio::time::timeout(Duration::from_secs(10), async {
                        let mut head = Vec::new();
                        let mut buf = [0u8; 1024];
                        while !head.windows(4).any(|w| w == b"\r\n\r\n")
                            && head.len() < MAX_REQUEST_BYTES
                        {
                            match socket.read(&mut buf).await {
                                Ok(0) | Err(_) => return None,
                                Ok(n) => head.extend_from_slice(&buf[..n]),
                            }
                        }
                        let head = String::from_utf8_lossy(&head).into_owned();
                        head.split_whitespace().nth(1).map(str::to_owned)
                    });
                    let Ok(Some(path)) = read.await else { return };
                    seen.lock().map(|mut s| s.push(path)).ok();
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\
                         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                        picture.len()
                    );
                    let _ = socket.write_all(header.as_bytes()).await;
                    let _ = socket.write_all(&picture).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Ok(Self {
            base,
            requests,
            task,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// How many times `path` was asked for.
    fn hits(&self, path: &str) -> usize {
        self.requests
            .lock()
            .map(|r| r.iter().filter(|p| *p == path).count())
            .unwrap_or_default()
    }
}

impl Drop for ImageSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Whether the open room shows a loaded image from `url`.
async fn shows_loaded(browser: &Browser, url: &str) -> Result<bool> {
    let loaded = browser
        .js(
            "const i = [...document.querySelectorAll(`[data-testid='message-image']`)] \
               .find((i) => i.src === arguments[0]); \
             return !!i && i.complete && i.naturalWidth > 0;",
            vec![json!(url)],
        )
        .await?;
    Ok(loaded == json!(true))
}

async fn wait_until_loaded(browser: &Browser, url: &str) -> Result<()> {
    wait::until(&format!("{url} to show"), STEP_TIMEOUT, || async {
        Ok(shows_loaded(browser, url).await?.then_some(()))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_image_is_fetched_only_on_click_unless_the_reader_chose_otherwise() -> Result<()>
{
    let site = ImageSite::start().await?;
    let system = System::start_with(|config| config.heartbeat_ms = 60_000).await?;
    let room = room_by_root(&system, "general").await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "general").await?;
    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(room).await?;

    let toggle = alice.element("external-images-toggle").await?;
    assert_eq!(toggle.attr("aria-pressed").await?.as_deref(), Some("false"));

    // Posted: alice sees where it is from and a button, and the site hears nothing,
    // even once a later message has been drawn below it.
    bob.post_image_url(room, &site.url("/one.png")).await?;
    let host = site.base.trim_start_matches("http://");
    let offer = alice.wait_for_text("image-load", "Load image from").await?;
    assert_eq!(offer, format!("Load image from {host}"));
    bob.say(room, "below the image").await?;
    alice.wait_for_message("bob", "below the image").await?;
    assert_eq!(site.hits("/one.png"), 0, "fetched before any click");
    assert!(!shows_loaded(&alice, &site.url("/one.png")).await?);

    // A click loads it: one request.
    alice.click("image-load").await?;
    wait_until_loaded(&alice, &site.url("/one.png")).await?;
    assert_eq!(site.hits("/one.png"), 1);

    // With the setting on, the next one loads by itself.
    toggle.click().await?;
    alice
        .wait_for_text("external-images-toggle", "Images from other sites: load")
        .await?;
    bob.post_image_url(room, &site.url("/two.png")).await?;
    wait_until_loaded(&alice, &site.url("/two.png")).await?;
    assert_eq!(site.hits("/two.png"), 1);

    // Remembered by this browser: after a reload the setting is still on.
    alice
        .client()
        .goto(&system.url())
        .await
        .context("reloading the app")?;
    alice.sign_in("alice", "alice-password", false).await?;
    let toggle = alice.element("external-images-toggle").await?;
    assert_eq!(toggle.attr("aria-pressed").await?.as_deref(), Some("true"));
    alice.close().await?;
    Ok(())
}
