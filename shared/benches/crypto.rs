//! Criterion benchmarks of the handshake cryptography and line encryption.
//!
//! Run with `cargo bench -p miricat-shared`.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]
// Native only: criterion does not build for wasm32, where this crate is empty
// (so `cargo clippy --all-targets --target wasm32-unknown-unknown` passes).
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use miricat_shared::crypto::dh::MODP5_PRIME_HEX;
use miricat_shared::{KeyPair, LineCipher};
use num_bigint::BigUint;
use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

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

/// Fastest of this many runs, for ours and for Node's OpenSSL.
const ROUNDS: u32 = 300;

/// One side against OpenSSL (through Node's `createDiffieHellman`, the baseline the
/// wasm build is also measured against) in the same run: the fastest of [`ROUNDS`]
/// each, what the code costs on an idle core. Criterion's statistics are above; this
/// is the ratio. Skipped, with a note, where `node` is not installed.
fn versus_openssl(_: &mut Criterion) {
    let peer = KeyPair::generate().expect("randomness");
    let (mut ours_best, mut keygen_best) = (f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let ours = KeyPair::generate().expect("randomness");
        let generated = start.elapsed().as_secs_f64();
        black_box(ours.shared_secret(black_box(peer.public())).mcp_key());
        ours_best = ours_best.min(start.elapsed().as_secs_f64());
        keygen_best = keygen_best.min(generated);
    }
    let (ours_ms, keygen_ms) = (ours_best * 1e3, keygen_best * 1e3);
    // The script lives with the wasm measurement that uses it too.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../web/tests/handshake_baselines.js"
    );
    let program = format!(
        "const {{ oneSideBaselines }} = await import({script:?});\n\
         const [bigint, openssl] = await oneSideBaselines({:?}, {:?}, {ROUNDS});\n\
         console.log(openssl, bigint);",
        peer.public().to_hex(),
        "9a".repeat(32),
    );
    let output = Command::new("node")
        .args(["--input-type=module", "--eval", &program])
        .output();
    let baselines = match output {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
        Ok(output) => {
            println!(
                "figure: Node's OpenSSL baseline failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return;
        }
        Err(error) => {
            println!("figure: no Node to run the OpenSSL baseline ({error}); ours {ours_ms:.3} ms");
            return;
        }
    };
    let mut times = baselines
        .split_whitespace()
        .map(|t| t.parse::<f64>().unwrap_or(f64::NAN));
    let (openssl, bigint) = (
        times.next().unwrap_or(f64::NAN),
        times.next().unwrap_or(f64::NAN),
    );
    println!(
        "figure: one side of the handshake natively, fastest of {ROUNDS}: ours {ours_ms:.3} ms \
         (key pair {keygen_ms:.3} ms); Node's OpenSSL {openssl:.3} ms ({:.2}x ours); \
         JS BigInt in Node {bigint:.3} ms",
        openssl / ours_ms,
    );
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

criterion_group!(benches, key_exchange, versus_openssl, line_encryption);
criterion_main!(benches);
