//! A room of 10,000 messages: the page keeps only a window of them, still takes and
//! shows a new message, scrolls back to the very first one, keeps what the reader
//! looks at in place while more arrive, and jumps back to the newest.
//!
//! The timings it prints (`figure:` lines, run with `--nocapture`) are the long-room
//! figures in the README; they are never asserted on.

use anyhow::{Context, Result, ensure};
use miricat_e2e::system::ROOT_PASSWORD;
use miricat_e2e::{Browser, Chromedriver, Peer, STEP_TIMEOUT, System, wait};
use serde_json::{Value, json};

const MESSAGES: usize = 10_000;

/// Messages sent before waiting for the browser to catch up: well under the
/// server's per-client queue, so a busy tab is never dropped as a slow reader.
const BATCH: usize = 500;

/// Most messages the page may hold at once, whatever the room's length.
const MOST_IN_PAGE: u64 = 200;

/// How many entries the open room holds (the list's `data-entries`).
async fn entries(browser: &Browser) -> Result<usize> {
    let value = browser
        .js(
            "return Number(document.querySelector(`[data-testid='message-list']`)?.dataset.entries ?? 0);",
            vec![],
        )
        .await?;
    Ok(value.as_u64().unwrap_or_default() as usize)
}

async fn wait_for_entries(browser: &Browser, at_least: usize) -> Result<()> {
    wait::until(
        &format!("{at_least} entries in the room"),
        STEP_TIMEOUT,
        || async { Ok((entries(browser).await? >= at_least).then_some(())) },
    )
    .await
}

/// Runs `script` as an async function in the page and returns what it resolves to.
async fn run_async(browser: &Browser, script: &str) -> Result<Value> {
    let wrapped = format!(
        "const done = arguments[arguments.length - 1];\n\
         (async () => {{ {script} }})().then(done, (e) => done({{ error: String(e) }}));"
    );
    let value = browser.client().execute_async(&wrapped, vec![]).await?;
    ensure!(value.get("error").is_none(), "script failed: {value}");
    Ok(value)
}

/// In-page helpers: the list, a frame wait, and percentiles.
const PRELUDE: &str = "
const list = document.querySelector(`[data-testid='message-list']`);
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const inPage = () => list.querySelectorAll(`[data-testid='message']`).length;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_of_ten_thousand_messages_stays_quick() -> Result<()> {
    // Bob sends as fast as the server takes them.
    let system = System::start_for_bulk_senders().await?;
    let mut root = Peer::sign_in(system.server_addr(), "root", ROOT_PASSWORD, false).await?;
    let room = root.create_room("archive").await?;
    let driver = Chromedriver::start().await?;
    let alice = Browser::open(&driver, &system.url()).await?;
    alice.sign_in("alice", "alices-password", true).await?;
    alice.join_room("archive").await?;

    let (dom, shown) = append_times(&alice, "early").await?;
    println!(
        "figure: with an empty room, Enter to the new message in the DOM: {dom}; to the next frame: {shown}"
    );

    let mut bob = Peer::sign_in(system.server_addr(), "bob", "bobs-password", true).await?;
    bob.join(room).await?;
    let base = entries(&alice).await?;
    let started = std::time::Instant::now();
    for batch in 0..MESSAGES / BATCH {
        for i in batch * BATCH..(batch + 1) * BATCH {
            bob.say(room, &format!("message {i}")).await?;
        }
        wait_for_entries(&alice, base + (batch + 1) * BATCH).await?;
    }
    println!(
        "figure: {MESSAGES} messages sent by a TCP client and shown in the browser in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    alice
        .wait_for_message("bob", &format!("message {}", MESSAGES - 1))
        .await?;

    // Only a window is in the page.
    let in_page = run_async(&alice, &format!("{PRELUDE} return inPage();")).await?;
    ensure!(
        in_page.as_u64().is_some_and(|n| n > 0 && n <= MOST_IN_PAGE),
        "{in_page} messages in the page"
    );

    let (dom, shown) = append_times(&alice, "typed").await?;
    println!(
        "figure: with {MESSAGES} messages, Enter to the new message in the DOM: {dom}; to the next frame: {shown}"
    );

    // A message from bob while the page sits on 10,000: from the test sending it to
    // the frame showing it (includes server, bridge and WebDriver round trips).
    let t0 = alice.js("return performance.now();", vec![]).await?;
    bob.say(room, "one more from bob").await?;
    let shown = run_async(
        &alice,
        &format!(
            "{PRELUDE}
            while (![...list.querySelectorAll(`.message-text`)].some((m) => m.textContent === 'one more from bob')) await frame();
            await frame();
            return performance.now();"
        ),
    )
    .await?;
    println!(
        "figure: with {MESSAGES} messages, bob's new message on screen {:.1} ms after he sent it",
        shown.as_f64().unwrap_or_default() - t0.as_f64().unwrap_or_default()
    );

    // Scrolling back to the first message, a step per frame as a fast scroll wheel
    // would: the time between frames says whether scrolling stays smooth.
    let scroll = run_async(
        &alice,
        &format!(
            "{PRELUDE}
            const gaps = [];
            let steps = 0, most = 0, last = performance.now();
            const reached = () => [...list.querySelectorAll(`.message-text`)].some((m) => m.textContent === 'message 0');
            while (!reached()) {{
              if (steps++ > 5000) throw new Error('never reached the first message');
              list.scrollTop = Math.max(0, list.scrollTop - 400);
              await frame();
              const now = performance.now();
              gaps.push(now - last);
              last = now;
              most = Math.max(most, inPage());
            }}
            return {{ steps, p50: pct(gaps, 0.5), p95: pct(gaps, 0.95), max: Math.max(...gaps), slow: gaps.filter((g) => g > 50).length, most }};"
        ),
    )
    .await?;
    println!(
        "figure: with {MESSAGES} messages, scrolling up 400 px per frame to the first message: frame gaps p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms, {} of {} over 50 ms; at most {} messages in the page",
        scroll["p50"].as_f64().unwrap_or_default(),
        scroll["p95"].as_f64().unwrap_or_default(),
        scroll["max"].as_f64().unwrap_or_default(),
        scroll["slow"],
        scroll["steps"],
        scroll["most"]
    );
    ensure!(
        scroll["most"].as_u64().is_some_and(|n| n <= MOST_IN_PAGE),
        "the window stays small while scrolling: {scroll}"
    );

    // Reading old messages while new ones arrive: what is on screen stays put.
    let before = first_visible(&alice).await?;
    for i in 0..20 {
        bob.say(room, &format!("while reading {i}")).await?;
    }
    wait_for_entries(&alice, base + MESSAGES + 20 + 1 + 20).await?;
    let after = first_visible(&alice).await?;
    ensure!(
        before["text"] == after["text"]
            && (before["top"].as_f64().unwrap_or(0.0) - after["top"].as_f64().unwrap_or(0.0)).abs()
                < 2.0,
        "the message being read moved: {before} -> {after}"
    );

    // Jump to the newest: the button shows how much is below, and goes there.
    let label = alice.element("jump-to-newest").await?.text().await?;
    ensure!(label.contains("newer"), "jump button says {label:?}");
    let t0 = alice.js("return performance.now();", vec![]).await?;
    alice.click("jump-to-newest").await?;
    alice.wait_for_message("bob", "while reading 19").await?;
    let at_bottom = alice
        .js(
            "const l = document.querySelector(`[data-testid='message-list']`); \
             return [performance.now(), l.scrollHeight - l.scrollTop - l.clientHeight];",
            vec![],
        )
        .await?;
    println!(
        "figure: jump to the newest (click to shown, incl. WebDriver): {:.1} ms",
        at_bottom[0].as_f64().unwrap_or_default() - t0.as_f64().unwrap_or_default()
    );
    wait::until("the view to rest at the bottom", STEP_TIMEOUT, || async {
        let gap = alice
            .js(
                "const l = document.querySelector(`[data-testid='message-list']`); \
                 return l.scrollHeight - l.scrollTop - l.clientHeight;",
                vec![],
            )
            .await?;
        Ok((gap.as_f64().unwrap_or(f64::MAX) < 2.0).then_some(()))
    })
    .await
    .context("after jumping to the newest")?;

    alice.close().await?;
    Ok(())
}

/// Types 20 messages `{prefix} N` and times each from Enter to the DOM holding it
/// (the app's work) and to the next frame (what the user sees); returns both as
/// "p50 X ms, max Y ms".
async fn append_times(browser: &Browser, prefix: &str) -> Result<(String, String)> {
    let times = run_async(
        browser,
        &format!(
            "{PRELUDE}
            const input = document.querySelector(`[data-testid='message-input']`);
            const dom = [], shown = [];
            for (let i = 0; i < 20; i++) {{
              const text = `{prefix} ${{i}}`;
              input.focus();
              input.value = text;
              input.dispatchEvent(new InputEvent('input', {{ bubbles: true }}));
              await frame();
              const has = () => [...list.querySelectorAll(`.message-text`)].some((m) => m.textContent === text);
              const t0 = performance.now();
              const inDom = new Promise((resolve) => {{
                const seen = new MutationObserver(() => {{ if (has()) {{ seen.disconnect(); resolve(performance.now()); }} }});
                seen.observe(list, {{ childList: true, subtree: true, characterData: true }});
              }});
              input.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'Enter', bubbles: true, cancelable: true }}));
              const t1 = has() ? performance.now() : await inDom;
              await frame();
              dom.push(t1 - t0);
              shown.push(performance.now() - t0);
            }}
            return [pct(dom, 0.5), Math.max(...dom), pct(shown, 0.5), Math.max(...shown)];"
        ),
    )
    .await?;
    let f = |i: usize| times[i].as_f64().unwrap_or_default();
    browser
        .wait_for_status("alice", &format!("{prefix} 19"), "sent")
        .await?;
    Ok((
        format!("p50 {:.1} ms, max {:.1} ms", f(0), f(1)),
        format!("p50 {:.1} ms, max {:.1} ms (20 runs)", f(2), f(3)),
    ))
}

/// The first message in view: its text and distance from the list's top edge.
async fn first_visible(browser: &Browser) -> Result<Value> {
    browser
        .js(
            "const l = document.querySelector(`[data-testid='message-list']`); \
             const top = l.getBoundingClientRect().top; \
             const m = [...l.querySelectorAll(`[data-testid='message']`)] \
               .find((m) => m.getBoundingClientRect().bottom > top); \
             return m ? { text: m.querySelector('.message-text')?.textContent, top: m.getBoundingClientRect().top - top } : null;",
            vec![json!(null)],
        )
        .await
}
