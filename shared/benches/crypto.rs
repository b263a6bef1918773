//! Criterion benchmarks of the handshake cryptography and line encryption.
//!
//! Run with `cargo bench -p miricat-shared`.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use miricat_shared::crypto::dh::MODP5_PRIME_HEX;
use miricat_shared::{KeyPair, LineCipher};
use num_bigint::BigUint;
use std::hint::black_box;

/// One side of the exchange (key pair + shared secret), ours against `num-bigint`'s
/// `modpow` (what this crate used before) in the same run, so the ratio is measured.
fn key_exchange(c: &mut Criterion) {
    let peer = KeyPair::generate().expect("randomness");
    let mut group = c.benchmark_group("one side of the handshake");
    group.bench_function("ours: keygen + shared secret + MCP Key", |b| {
        b.iter(|| {
            let ours = KeyPair::generate().expect("randomness");
            black_box(ours.shared_secret(black_box(peer.public())).mcp_key())
        })
    });
    group.bench_function("ours: keygen only", |b| {
        b.iter(|| black_box(KeyPair::generate().expect("randomness")))
    });
    let prime = BigUint::parse_bytes(MODP5_PRIME_HEX.as_bytes(), 16).expect("prime");
    let peer_value = BigUint::parse_bytes(peer.public().to_hex().as_bytes(), 16).expect("hex");
    let two = BigUint::from(2u32);
    group.bench_function("num-bigint modpow: keygen + shared secret", |b| {
        b.iter(|| {
            let mut private = [0u8; 32];
            getrandom::fill(&mut private).expect("randomness");
            private[0] |= 0x80;
            let private = BigUint::from_bytes_be(&private);
            let public = two.modpow(&private, &prime);
            black_box((public, black_box(&peer_value).modpow(&private, &prime)))
        })
    });
    group.finish();
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
