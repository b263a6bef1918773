//! Our constant-time modp5 exponentiation against `num-bigint`'s `modpow`, the
//! general-purpose reference, for random exponents and random public keys: the key
//! pair's public key (`2^x`) and the shared secret (`Y^x`) must be the same numbers.
//!
//! The property tests run natively (proptest is a native dev-dependency); the
//! seeded pairs and the edge bases also run compiled to wasm32 under node, with
//! and without 128-bit SIMD (`cargo xtask test`), the arithmetic each browser gets.

use miricat_shared::crypto::PUBLIC_KEY_HEX_LEN;
use miricat_shared::crypto::dh::MODP5_PRIME_HEX;
use miricat_shared::{KeyPair, PublicKey};
use num_bigint::BigUint;
#[cfg(not(target_arch = "wasm32"))]
use proptest::prelude::*;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn prime() -> BigUint {
    BigUint::parse_bytes(MODP5_PRIME_HEX.as_bytes(), 16).expect("prime")
}

fn hex_of(value: &BigUint) -> String {
    format!("{value:0>PUBLIC_KEY_HEX_LEN$x}")
}

/// A base in `2 ..= p-2`, from 192 random bytes.
fn base_from(bytes: &[u8]) -> BigUint {
    let p = prime();
    BigUint::from_bytes_be(bytes) % (&p - 3u32) + 2u32
}

#[cfg(not(target_arch = "wasm32"))]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn public_keys_match_modpow(exponent in proptest::collection::vec(any::<u8>(), 0..48)) {
        let ours = KeyPair::from_private_bytes(&exponent);
        let reference = BigUint::from(2u32).modpow(&BigUint::from_bytes_be(&exponent), &prime());
        prop_assert_eq!(ours.public().to_hex(), hex_of(&reference));
    }

    #[test]
    fn shared_secrets_match_modpow(
        exponent in proptest::collection::vec(any::<u8>(), 1..48),
        base in proptest::collection::vec(any::<u8>(), 192),
    ) {
        let base = base_from(&base);
        let peer = PublicKey::from_hex(&hex_of(&base)).expect("a base in range");
        let ours = KeyPair::from_private_bytes(&exponent);
        let reference = base.modpow(&BigUint::from_bytes_be(&exponent), &prime());
        let secret = ours.shared_secret(&peer);
        prop_assert_eq!(BigUint::from_bytes_be(secret.as_bytes()), reference);
    }
}

/// The extremes of the accepted range: `2`, `p-2` (which is `-2`) and a base whose
/// limbs are all ones where the prime's are, with all-ones exponents.
#[test]
fn edge_bases_match_modpow() {
    let p = prime();
    let exponent = [0xffu8; 32];
    for base in [
        BigUint::from(2u32),
        &p - 2u32,
        &p >> 1usize,
        (&p >> 64usize) << 64usize,
    ] {
        let peer = PublicKey::from_hex(&hex_of(&base)).expect("in range");
        let secret = KeyPair::from_private_bytes(&exponent).shared_secret(&peer);
        let reference = base.modpow(&BigUint::from_bytes_be(&exponent), &p);
        assert_eq!(
            BigUint::from_bytes_be(secret.as_bytes()),
            reference,
            "{base:x}"
        );
    }
}

/// SplitMix64: a fixed, seeded stream of test inputs that needs no crate in wasm.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Seeded random exponents (0 to 48 bytes) and bases: public keys and shared
/// secrets equal `modpow`'s, in every build this runs in.
#[test]
fn seeded_pairs_match_modpow() {
    let p = prime();
    let mut random = SplitMix(0x4d43_5032_2e31);
    for round in 0..24 {
        let exponent = random.bytes(round * 2);
        let keys = KeyPair::from_private_bytes(&exponent);
        let x = BigUint::from_bytes_be(&exponent);
        let public = BigUint::from(2u32).modpow(&x, &p);
        assert_eq!(keys.public().to_hex(), hex_of(&public), "round {round}");
        let base = base_from(&random.bytes(192));
        let peer = PublicKey::from_hex(&hex_of(&base)).expect("a base in range");
        let secret = keys.shared_secret(&peer);
        assert_eq!(
            BigUint::from_bytes_be(secret.as_bytes()),
            base.modpow(&x, &p),
            "round {round}"
        );
    }
}
