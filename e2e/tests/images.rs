//! Images between two browsers: a picture one user picks is uploaded in parts and
//! appears inline for the other with every pixel intact; an image posted by address,
//! pasted and dropped ones show too; a large one waits for a click that its size is
//! shown on; a cancelled upload posts nothing.

use anyhow::{Context, Result, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use miricat_e2e::scene::{browser_in_room, room_by_root};
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, png, wait};
use miricat_shared::Body;
use miricat_shared::packet::file::MAX_IMAGE_PART_BYTES;
use serde_json::{Value, json};
use std::time::Duration;

/// Reads the inline images of the open room: source, natural size, and for `blob:`
/// ones the pixels drawn on a canvas (base64 RGBA). (The page's CSP keeps `fetch`
/// away from `blob:` URLs, so pixels, not file bytes, are what can be compared.)
const READ_IMAGES: &str = r"
const done = arguments[arguments.length - 1];
(async () => {
  const out = [];
  for (const img of document.querySelectorAll(`[data-testid='message-image']`)) {
    if (!img.complete || img.naturalWidth === 0) { out.push({ src: img.src, loaded: false }); continue; }
    const item = { src: img.src, loaded: true, width: img.naturalWidth, height: img.naturalHeight,
                   sender: img.closest(`[data-testid='message']`)?.dataset.sender };
    if (img.src.startsWith('blob:')) {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const b64 = (a) => { let s = ''; for (let i = 0; i < a.length; i += 0x8000) s += String.fromCharCode(...a.subarray(i, i + 0x8000)); return btoa(s); };
      item.rgba = b64(rgba);
    }
    out.push(item);
  }
  return out;
})().then(done, (e) => done({ error: String(e) }));
";

/// Makes a small one-colour PNG in the page and pastes it (`HOW` = paste) or drops
/// it (`HOW` = drop) on the element `TARGET`.
const GIVE_PICTURE: &str = r"
const done = arguments[arguments.length - 1];
(async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 40; canvas.height = 30;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'COLOUR'; ctx.fillRect(0, 0, 40, 30);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  const data = new DataTransfer();
  data.items.add(new File([blob], 'HOW.png', { type: 'image/png' }));
  const target = document.querySelector(`TARGET`);
  target.dispatchEvent('HOW' === 'paste'
    ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  return true;
})().then(done, (e) => done(String(e)));
";

async fn images(browser: &Browser) -> Result<Vec<Value>> {
    let value = browser.client().execute_async(READ_IMAGES, vec![]).await?;
    ensure!(value.get("error").is_none(), "reading images: {value}");
    Ok(value.as_array().cloned().unwrap_or_default())
}

/// Waits until the open room shows `count` loaded inline images (a timeout names
/// the error banner, if one is shown).
async fn wait_for_images(browser: &Browser, count: usize) -> Result<Vec<Value>> {
    wait::until(
        &format!("{count} loaded inline images"),
        STEP_TIMEOUT,
        || async {
            let seen = images(browser).await?;
            let loaded = seen.iter().filter(|i| i["loaded"] == json!(true)).count();
            if loaded < count {
                // An error shown meanwhile is what the timeout reports.
                miricat_e2e::browser::assert_no_error(browser).await?;
            }
            Ok((loaded >= count).then_some(seen))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_image_reaches_the_other_user_intact() -> Result<()> {
    let system = System::start().await?;
    room_by_root(&system, "photos").await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "photos").await?;
    let bob = browser_in_room(&system, &driver, "bob", "photos").await?;

    // 160x120 of noise: about 57 KiB, so two upload parts and two download parts.
    let picture = png::noise(160, 120, 7);
    alice.pick_image("noise.png", &picture.file).await?;

    let seen = wait_for_images(&bob, 1).await?;
    let image = &seen[0];
    assert_eq!(image["sender"], json!("alice"));
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(160), Some(120))
    );
    let rgba = BASE64.decode(image["rgba"].as_str().context("no pixels")?)?;
    assert!(rgba == picture.rgba, "every pixel arrived intact");

    // The sender sees it too, without downloading it again.
    let own = wait_for_images(&alice, 1).await?;
    assert!(
        own[0]["src"]
            .as_str()
            .is_some_and(|s| s.starts_with("blob:"))
    );
    assert!(
        alice
            .client()
            .find_all(fantoccini::Locator::Css("[data-testid='upload-progress']"))
            .await?
            .is_empty(),
        "the upload bar goes away once posted"
    );

    // Clicking opens it full size: the link around the image points at it.
    let href = bob
        .js(
            "return document.querySelector(`[data-testid='message-image']`).closest('a').href;",
            vec![],
        )
        .await?;
    assert_eq!(href, image["src"]);

    // An image by address: the bridge serves one (the app's icon, under trunk's
    // hashed name).
    let icon = std::fs::read_dir(miricat_e2e::system::dist_dir())?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.starts_with("favicon") && name.ends_with(".svg"))
        .context("dist/ has no favicon")?;
    let url = format!("{}{icon}", system.url());
    alice
        .click_button_labelled("Post an image by its address")
        .await?;
    alice.fill("image-url-input", &url).await?;
    alice.click("image-url-submit").await?;
    // From another site as far as the app knows: it loads on bob's click.
    let host = system.url();
    let host = host.trim_start_matches("http://").trim_end_matches('/');
    let offer = bob.wait_for_text("image-load", "Load image from").await?;
    assert_eq!(offer, format!("Load image from {host}"));
    bob.click("image-load").await?;
    let seen = wait_for_images(&bob, 2).await?;
    assert_eq!(seen[1]["src"], json!(url));

    // Pasting into the message box, and dropping on the composer or the timeline,
    // send images too.
    let gestures = [
        ("paste", "[data-testid='message-input']", [255, 0, 0]),
        ("drop", ".composer-area", [0, 0, 255]),
        ("drop", ".timeline", [0, 160, 0]),
    ];
    for (count, (how, target, colour)) in (3..).zip(gestures) {
        let script = GIVE_PICTURE
            .replace("HOW", how)
            .replace("TARGET", target)
            .replace(
                "COLOUR",
                &format!("rgb({},{},{})", colour[0], colour[1], colour[2]),
            );
        let given = alice.client().execute_async(&script, vec![]).await?;
        assert_eq!(given, json!(true), "{how} on {target}: {given}");
        let seen = wait_for_images(&bob, count).await?;
        let rgba = BASE64.decode(seen[count - 1]["rgba"].as_str().context("no pixels")?)?;
        assert_eq!(
            rgba[..3],
            colour,
            "the picture given by {how} on {target} arrived"
        );
    }

    alice.close().await?;
    bob.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_upload_posts_nothing() -> Result<()> {
    // A slow server (20 parts/s) makes the upload take seconds: time to cancel.
    // The TCP peers idle between steps and send no heartbeats meanwhile: a long
    // heartbeat keeps the server from closing them.
    const PARTS_PER_SECOND: f64 = 20.0;
    let system = System::start_with(|config| {
        config.heartbeat_ms = 60_000;
        config.rate_limit = miricat_server::RateLimit {
            per_second: PARTS_PER_SECOND,
            burst: 5,
        };
    })
    .await?;
    let room = room_by_root(&system, "photos").await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "photos").await?;
    // Bob watches the room from another connection: what the upload would post
    // reaches him as a push.
    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(room).await?;
    bob.keep_pushes(true);

    // ~7 MiB (about 10 MiB as base64): more than every buffer between the browser and
    // the throttled server holds, so the upload is still sending when cancelled.
    let picture = png::noise(1600, 1500, 3);
    alice.pick_image("big.png", &picture.file).await?;
    alice.element("upload-progress").await?;
    alice.click("upload-cancel").await?;
    alice.wait_for_absent("upload-progress").await?;
    alice.send("after the cancel").await?;

    // A cancel that kept sending parts (some not yet handed to the socket) would
    // finish and post within the time the whole upload takes at the server's rate:
    // watch past it, with room to spare.
    let parts = picture.file.len().div_ceil(MAX_IMAGE_PART_BYTES);
    let full_upload = Duration::from_secs_f64(parts as f64 / PARTS_PER_SECOND);
    let watch = full_upload.mul_f64(1.5) + Duration::from_secs(3);
    let pushes = bob
        .pushes_until(tokio::time::Instant::now() + watch)
        .await?;
    let texts: Vec<&str> = pushes
        .iter()
        .filter_map(|p| match &p.body {
            Body::TextMessage(m) => Some(m.text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["after the cancel"], "bob sees the room's traffic");
    let posted: Vec<_> = pushes
        .iter()
        .filter(|p| matches!(p.body, Body::ImageMessage(_)))
        .collect();
    assert!(
        posted.is_empty(),
        "a cancelled upload is never posted (watched {watch:?}): {posted:?}"
    );
    alice
        .wait_for_status("alice", "after the cancel", "sent")
        .await?;
    assert!(images(&alice).await?.is_empty(), "nor shown to alice");
    miricat_e2e::browser::assert_no_error(&alice).await?;
    alice.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_image_waits_for_a_click_that_shows_its_size() -> Result<()> {
    let system = System::start().await?;
    room_by_root(&system, "photos").await?;
    let driver = Chromedriver::start().await?;
    let alice = browser_in_room(&system, &driver, "alice", "photos").await?;
    let bob = browser_in_room(&system, &driver, "bob", "photos").await?;

    // 1000x800 of noise: about 3 MiB, over the 2 MiB of automatic downloads.
    let picture = png::noise(1000, 800, 11);
    assert!(picture.file.len() > 2 * 1024 * 1024);
    alice.pick_image("large.png", &picture.file).await?;
    // The sender sees her own picture at once: its bytes are already here.
    wait_for_images(&alice, 1).await?;

    let offer = bob.wait_for_text("image-load", "Load image (").await?;
    let size = format!("{:.1} MiB", picture.file.len() as f64 / 1_048_576.0);
    assert_eq!(offer, format!("Load image ({size})"));
    assert!(
        images(&bob).await?.is_empty(),
        "nothing shown before the click"
    );
    bob.click("image-load").await?;
    let seen = wait_for_images(&bob, 1).await?;
    let rgba = BASE64.decode(seen[0]["rgba"].as_str().context("no pixels")?)?;
    assert!(rgba == picture.rgba, "every pixel arrived intact");

    alice.close().await?;
    bob.close().await?;
    Ok(())
}
