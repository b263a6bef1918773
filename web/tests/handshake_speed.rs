//! The handshake's cost in a JavaScript engine: key generation plus the shared
//! secret, compiled to wasm and timed under node (the same V8 as Chromium).
//!
//! `cargo test -p miricat-web --release --target wasm32-unknown-unknown --test
//! handshake_speed -- --nocapture` prints the fastest of several runs, which is
//! what the code costs on an idle core. It is a measurement, so it asserts only
//! that both sides agree on the secret, never a time.
#![cfg(target_arch = "wasm32")]

use miricat_shared::KeyPair;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

#[wasm_bindgen_test]
fn handshake_cost_in_v8() {
    let peer = KeyPair::generate().unwrap();
    let mut fastest = f64::MAX;
    let (mut keygen_best, mut secret_best) = (f64::MAX, f64::MAX);
    for _ in 0..15 {
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
    wasm_bindgen_test::console_log!(
        "handshake: fastest {fastest:.2} ms (key generation {keygen_best:.2} ms, shared secret {secret_best:.2} ms)"
    );
}
