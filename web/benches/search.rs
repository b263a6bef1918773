//! The search over 50,000 chat messages in 20 rooms, against a naive scan that
//! lowercases every message per query and against a folded copy of every message
//! kept beforehand, in the same run (the ratios are what matter on a noisy machine).
//!
//! Run with `cargo bench -p miricat-web --bench search`. The web crate is a binary,
//! so the pure module is included by path.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]
// Native only: criterion does not build for wasm32, where this crate is empty
// (so `cargo clippy --all-targets --target wasm32-unknown-unknown` passes).
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

// The module's unit tests are stripped from a benchmark build, leaving their
// imports unused.
#[path = "../src/search/mod.rs"]
#[allow(dead_code, unused_imports)]
mod search;

use std::hint::black_box;

#[path = "common/search_corpus.rs"]
mod search_corpus;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use search::Query;
use search::index::FoldedRoom;
use search_corpus::{MESSAGES, folding_per_query, index, naive, rooms, with_index};

fn compare(c: &mut Criterion) {
    let rooms = rooms();
    let index = index(&rooms);
    let text_bytes: usize = rooms.iter().flatten().map(|(_, t)| t.len()).sum();
    let copy_bytes: usize = index.iter().map(FoldedRoom::bytes).sum();
    eprintln!(
        "{MESSAGES} messages, {text_bytes} bytes of text; the folded copies hold {copy_bytes} bytes"
    );
    let mut group = c.benchmark_group("search 50k");
    group.sample_size(20);
    for input in ["zeppelin", "meeting", "DEPLOY tomorrow", "école", "nowhere"] {
        let query = Query::parse(input).expect("words");
        let expected = naive(&query, &rooms);
        assert_eq!(folding_per_query(&query, &rooms), expected);
        assert_eq!(with_index(&query, &rooms, &index), expected);
        group.bench_with_input(
            BenchmarkId::new("folding per query", input),
            &query,
            |b, q| b.iter(|| folding_per_query(black_box(q), &rooms)),
        );
        group.bench_with_input(
            BenchmarkId::new("naive lowercase", input),
            &query,
            |b, q| b.iter(|| naive(black_box(q), &rooms)),
        );
        group.bench_with_input(
            BenchmarkId::new("folded copies kept", input),
            &query,
            |b, q| b.iter(|| with_index(black_box(q), &rooms, &index)),
        );
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
