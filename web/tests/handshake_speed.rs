//! The handshake's cost in a JavaScript engine: one side of the exchange (key
//! generation plus the shared secret), compiled to wasm and timed under node (the
//! same V8 as Chromium), next to plain JavaScript `BigInt` and Node's OpenSSL timed
//! in the same run (`handshake_baselines.js`), so the ratios are measured.
//!
//! `cargo test -p miricat-web --profile web-release --target wasm32-unknown-unknown
//! --test handshake_speed -- --nocapture` (what `cargo xtask test` runs) prints the
//! fastest of several runs, which is what the code costs on an idle core. It is a
//! measurement, so it asserts only that every implementation computes the same
//! numbers, never a time.
#![cfg(target_arch = "wasm32")]

use js_sys::Array;
use miricat_shared::KeyPair;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

/// Fastest of this many runs, for ours and for each alternative.
const ROUNDS: u32 = 30;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

#[wasm_bindgen(module = "/tests/handshake_baselines.js")]
extern "C" {
    #[wasm_bindgen(js_name = oneSideBaselines)]
    fn one_side_baselines(peer_hex: &str, private_hex: &str, rounds: u32) -> js_sys::Promise;
}

#[wasm_bindgen_test]
async fn handshake_cost_in_v8() {
    let peer = KeyPair::generate().unwrap();
    let (mut fastest, mut keygen_best, mut secret_best) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        let start = now();
        let ours = KeyPair::generate().unwrap();
        let generated = now();
        let secret = ours.shared_secret(peer.public());
        let done = now();
        assert_eq!(secret, peer.shared_secret(ours.public()));
        keygen_best = keygen_best.min(generated - start);
        secret_best = secret_best.min(done - generated);
        fastest = fastest.min(done - start);
    }

    let private = [0x9au8; 32];
    let private_hex: String = private.iter().map(|b| format!("{b:02x}")).collect();
    let peer_hex = peer.public().to_hex();
    let baselines = JsFuture::from(one_side_baselines(&peer_hex, &private_hex, ROUNDS))
        .await
        .expect("the JavaScript baselines ran");
    let baselines = Array::from(&baselines);
    let number = |i| baselines.get(i).as_f64().expect("a time");
    let text = |i| baselines.get(i).as_string().expect("hex");
    let ours = KeyPair::from_private_bytes(&private);
    let our_secret: String = ours
        .shared_secret(peer.public())
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(text(2), ours.public().to_hex(), "BigInt public key");
    assert_eq!(text(3), our_secret, "BigInt shared secret");
    assert_eq!(text(4), our_secret, "OpenSSL shared secret");

    let (bigint, openssl) = (number(0), number(1));
    wasm_bindgen_test::console_log!(
        "figure: one side of the handshake in V8, fastest of {ROUNDS}: ours (wasm) {fastest:.3} ms \
         (key generation {keygen_best:.3} ms, shared secret {secret_best:.3} ms); \
         plain JS BigInt {bigint:.3} ms ({:.2}x ours); Node OpenSSL {openssl:.3} ms ({:.2}x ours)",
        bigint / fastest,
        openssl / fastest,
    );
}
