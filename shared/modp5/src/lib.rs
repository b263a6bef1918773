//! Fixed-width, allocation-free, constant-time exponentiation modulo the RFC 3526
//! group 5 ("modp5") prime: the whole cost of the MCP handshake.
//!
//! A crate of its own so the browser build can compile it at full speed while the
//! rest of the protocol crate (serde-heavy packet code) is built for size.
//!
//! Our own code rather than a crate: `num-bigint`'s `modpow` allocates per
//! multiplication, has no dedicated squaring, no shortcut for the generator 2 and
//! branches on the exponent (a timing leak on the server, whose private exponent a
//! peer can probe on every connection); `crypto-bigint`'s `MontyForm` is constant
//! time but was measured at only about 1.5x `num-bigint` in wasm.
//!
//! - [`limb`]: the limb layout per target.
//! - [`field`]: residues in Montgomery form, doubling, and the kernel for the target:
//! - `saturated`: Montgomery multiplication and squaring with 64-bit limbs, on
//!   64-bit targets (the server, the terminal client);
//! - `simd_columns`: the same with 28-bit limbs and 128-bit SIMD, on wasm32 built
//!   with `simd128` (the browser build);
//! - `columns`: the same with 28-bit limbs, one product at a time, elsewhere.
//! - [`exponent`]: the fixed-window and the base-2 exponentiation.
//! - [`comb`]: the base-2 exponentiation from a table built once, for exponents
//!   up to 32 bytes (every key pair).

#![no_std]

// For one thing: the `OnceLock` holding the comb's table.
extern crate std;

#[cfg(not(any(
    target_pointer_width = "64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
mod columns;
mod comb;
mod exponent;
mod field;
mod limb;
#[cfg(target_pointer_width = "64")]
mod saturated;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd_columns;

use field::Residue;

/// Bytes in a value modulo p (1536 bits).
pub const MODP5_LEN: usize = 192;

/// The 1536-bit modp5 prime from RFC 3526, big-endian hex (the one copy: the
/// protocol crate and the tests parse it from here).
pub const MODP5_PRIME_HEX: &str = concat!(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
    "9ed529077096966d670c354e4abc9804f1746c08ca237327ffffffffffffffff",
);

/// The 1536-bit modp5 prime from RFC 3526, big-endian.
pub const MODP5_PRIME_BE: [u8; MODP5_LEN] = hex_to_bytes(MODP5_PRIME_HEX);

/// `2 ^ exponent mod p` as 192 big-endian bytes (`exponent` big-endian, any length;
/// the time depends on the length only).
pub fn generator_power(exponent: &[u8]) -> [u8; MODP5_LEN] {
    // The branch is on the length, which is public.
    if exponent.len() <= comb::MAX_EXPONENT_BYTES {
        comb::pow_of_two(exponent).to_be_bytes()
    } else {
        exponent::pow_of_two(exponent).to_be_bytes()
    }
}

/// `base ^ exponent mod p` as 192 big-endian bytes, for a base below p (callers
/// validate public keys first; a larger base still gives a value below p).
pub fn power(base: &[u8; MODP5_LEN], exponent: &[u8]) -> [u8; MODP5_LEN] {
    exponent::pow(&Residue::from_be_bytes(base), exponent).to_be_bytes()
}

/// A compile-time hex decoder for the prime.
const fn hex_to_bytes(hex: &str) -> [u8; MODP5_LEN] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }
    let hex = hex.as_bytes();
    assert!(hex.len() == 2 * MODP5_LEN);
    let mut out = [0; MODP5_LEN];
    let mut i = 0;
    while i < MODP5_LEN {
        out[i] = (digit(hex[2 * i]) << 4) | digit(hex[2 * i + 1]);
        i += 1;
    }
    out
}
