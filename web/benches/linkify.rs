//! The linkifier on ordinary and hostile messages, against the quadratic reading
//! it replaced, in the same run (the ratio is what matters on a noisy machine).
//!
//! Run with `cargo bench -p miricat-web --bench linkify`. The web crate is a
//! binary, so the two pure modules are included by path.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]
// Native only: criterion does not build for wasm32, where this crate is empty
// (so `cargo clippy --all-targets --target wasm32-unknown-unknown` passes).
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

#[path = "../src/linkify.rs"]
#[allow(dead_code)]
mod linkify;

#[path = "../src/linkify_quadratic.rs"]
mod linkify_quadratic;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn linear(text: &str) -> usize {
    linkify::linkify_prefix(text, text.len(), &mut linkify::Work::default()).len()
}

/// The messages: a chat line with a link, the issue's `http://a` + `)` x n, and a
/// wall of short links, each at the server's limit (16 KiB) and for the new pass
/// also at the 600 KB.
fn messages() -> Vec<(&'static str, String)> {
    let parens = |n: usize| format!("http://a{}", ")".repeat(n));
    let links = |n: usize| "http://a ".repeat(n / 9);
    vec![
        (
            "chat line",
            "see https://example.org/a?b=c (and the notes), then reply".to_owned(),
        ),
        ("parens 16K", parens(16 * 1024)),
        ("links 16K", links(16 * 1024)),
        ("parens 600K", parens(600_000)),
        ("links 600K", links(600_000)),
    ]
}

fn compare(c: &mut Criterion) {
    let mut group = c.benchmark_group("linkify");
    group.sample_size(10);
    for (name, text) in messages() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("linear", name), &text, |b, text| {
            b.iter(|| linear(black_box(text)))
        });
        // The old reading at 600 KB takes seconds per call: compared up to 16 KiB.
        if text.len() <= 16 * 1024 + 16 {
            group.bench_with_input(BenchmarkId::new("quadratic", name), &text, |b, text| {
                b.iter(|| linkify_quadratic::links(black_box(text)).len())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
