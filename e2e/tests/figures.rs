//! The figures we report: wasm size (raw and gzip), time from page load to signed
//! in, and the handshake (key generation + shared secret) time measured in Chromium.
//! Run with `--nocapture` to see them; the assertions are loose regression guards.

use std::io::Write;

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use miricat_e2e::system::{ROOT_PASSWORD, dist_dir};
use miricat_e2e::{Browser, Chromedriver, System};
use serde_json::Value;

/// The size guard for the wasm, gzipped: it is downloaded before the sign-in form
/// works. Issue 15's target is 250 KiB, reached down to ~253 KiB (wasm-opt -Oz
/// --converge, opt-level z, no uppercase tables, a comb table built at run time);
/// issue 14's browser storage (~25 KB), search (~15 KB) and std's Unicode lowercase
/// for it (8.4 KB, measured since) then brought it to ~302 KiB (308,810 bytes as measured
/// here). Issue 15's second pass (history entries read without serde's flatten,
/// no stable sort, eight views as plain functions) took it to ~285 KiB (291,536
/// bytes here), and its third (the page's own lowercase and letter tests instead of
/// std's Unicode tables, a client with serde code for one direction only, three
/// components fewer) to ~269 KiB (275,611 bytes here, 274,522 by `gzip -9`), so this
/// guards that with a small margin, not the target.
const WASM_GZIP_BUDGET: usize = 272 * 1024;

#[test]
fn wasm_fits_the_size_budget() -> Result<()> {
    let wasm = std::fs::read_dir(dist_dir())
        .context("reading dist/ (build it with `trunk build --release`)")?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .context("dist/ has no .wasm file")?;
    let raw = std::fs::read(&wasm)?;
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    gzip.write_all(&raw)?;
    let gzipped = gzip.finish()?.len();
    println!(
        "figure: wasm {} bytes raw, {} bytes gzip -9 ({})",
        raw.len(),
        gzipped,
        wasm.display()
    );
    assert!(
        gzipped < WASM_GZIP_BUDGET,
        "wasm is {gzipped} bytes gzipped, over the {WASM_GZIP_BUDGET} budget"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_handshake_times() -> Result<()> {
    let system = System::start().await?;
    let driver = Chromedriver::start().await?;
    let browser = Browser::open(&driver, &system.url()).await?;
    // `Browser::open` returns once the sign-in form is rendered: the wasm is loaded.
    let ready: Value = browser.js("return performance.now();", vec![]).await?;
    browser.sign_in("root", ROOT_PASSWORD, false).await?;

    let handshake = browser.status_figure("data-handshake-ms").await?;
    let sign_in = browser.status_figure("data-sign-in-ms").await?;
    let page = browser.status_figure("data-page-to-signed-in-ms").await?;
    let ready = ready.as_f64().unwrap_or_default();
    println!("figure: page load to sign-in form ready: {ready:.1} ms");
    println!("figure: sign-in button to online (connect + handshake + login): {sign_in:?} ms");
    println!("figure: page load to online, including WebDriver typing: {page:?} ms");
    println!("figure: handshake (key generation + shared secret): {handshake:?} ms");

    // A second sign-in in the same tab: the engine's optimised code is warm.
    browser.click("sign-out").await?;
    browser.element("login-username").await?;
    browser.sign_in("root", ROOT_PASSWORD, false).await?;
    let warm = browser.status_figure("data-handshake-ms").await?;
    println!("figure: handshake on a second sign-in in the same tab: {warm:?} ms");

    // Figures are printed, never asserted on: timings belong in notes, not in tests
    // that a busy machine could fail. What is checked is that the app reports them.
    handshake.context("the app did not report its handshake time")?;
    warm.context("the app did not report its second handshake time")?;
    assert!(sign_in.is_some() && page.is_some());
    browser.close().await?;
    Ok(())
}
