//! Criterion benchmarks of the handshake cryptography and line encryption.
//!
//! Run with `cargo bench -p miricat-shared`.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use miricat_shared::{KeyPair, LineCipher};
use std::hint::black_box;

fn key_exchange(c: &mut Criterion) {
    let peer = KeyPair::generate().expect("randomness");
    c.bench_function("keygen + shared secret + MCP Key", |b| {
        b.iter(|| {
            let ours = KeyPair::generate().expect("randomness");
            black_box(ours.shared_secret(black_box(peer.public())).mcp_key())
        })
    });
}

fn line_encryption(c: &mut Criterion) {
    let a = KeyPair::generate().expect("randomness");
    let b = KeyPair::generate().expect("randomness");
    let cipher = LineCipher::new(&a.shared_secret(b.public()).mcp_key());
    let mut group = c.benchmark_group("line");
    for size in [200usize, 64 * 1024] {
        let text = "x".repeat(size);
        let line = cipher.encrypt_line(&text);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("encrypt", size), &text, |bench, text| {
            bench.iter(|| cipher.encrypt_line(black_box(text)))
        });
        group.bench_with_input(BenchmarkId::new("decrypt", size), &line, |bench, line| {
            bench.iter(|| cipher.decrypt_line(black_box(line)))
        });
    }
    group.finish();
}

criterion_group!(benches, key_exchange, line_encryption);
criterion_main!(benches);
