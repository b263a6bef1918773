//! The search's cost in a JavaScript engine: 50,000 messages in 20 rooms (the
//! benchmark's corpus, `web/benches/common/search_corpus.rs`) searched in wasm under node
//! (the same V8 as Chromium), with the folded copies the app keeps, against folding
//! every message per query and against the naive `to_lowercase` scan, timed in the
//! same run so the ratios are measured.
//!
//! `cargo test -p miricat-web --profile web-release --target wasm32-unknown-unknown
//! --test search_speed -- --nocapture` prints the fastest of several runs and the
//! cost of folding the copies once. A measurement: it asserts only that the three
//! agree, never a time.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs)]

#[path = "../src/search/mod.rs"]
#[allow(dead_code)]
mod search;

#[path = "../benches/common/search_corpus.rs"]
#[allow(dead_code)]
mod search_corpus;

use search::Query;
use search_corpus::{MESSAGES, folding_per_query, index, naive, rooms, with_index};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

/// Fastest of this many runs of each.
const ROUNDS: u32 = 10;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
    #[wasm_bindgen(js_namespace = console)]
    fn log(line: &str);
}

/// The fastest of [`ROUNDS`] runs of `f`, in ms, and what it returned.
fn fastest(mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut answer = 0;
    for _ in 0..ROUNDS {
        let start = now();
        answer = f();
        best = best.min(now() - start);
    }
    (best, answer)
}

#[wasm_bindgen_test]
fn search_cost_in_v8() {
    let rooms = rooms();
    let start = now();
    let index = index(&rooms);
    log(&format!(
        "figure: folding {MESSAGES} messages once (the copies): {:.1} ms",
        now() - start
    ));
    for input in ["zeppelin", "meeting", "DEPLOY tomorrow", "école", "nowhere"] {
        let query = Query::parse(input).expect("words");
        let (kept, found) = fastest(|| with_index(&query, &rooms, &index));
        let (folding, found_folding) = fastest(|| folding_per_query(&query, &rooms));
        let (naive_ms, found_naive) = fastest(|| naive(&query, &rooms));
        assert_eq!((found, found_folding), (found_naive, found_naive));
        log(&format!(
            "figure: V8, {MESSAGES} messages, {input:?} ({found} found): copies kept {kept:.2} ms, \
             folding per query {folding:.2} ms ({:.1}x), naive lowercase {naive_ms:.2} ms ({:.1}x)",
            folding / kept,
            naive_ms / kept
        ));
    }
}
