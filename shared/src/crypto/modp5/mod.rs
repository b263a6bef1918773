//! Fixed-width, allocation-free, constant-time exponentiation modulo the modp5
//! prime: the whole cost of the handshake.
//!
//! Our own code rather than a crate: `num-bigint`'s `modpow` allocates per
//! multiplication, has no dedicated squaring, no shortcut for the generator 2 and
//! branches on the exponent (a timing leak on the server, whose private exponent a
//! peer can probe on every connection); `crypto-bigint`'s `MontyForm` is constant
//! time but was measured at only about 1.5x `num-bigint` in wasm.
//!
//! - [`limb`]: the limb width per target.
//! - [`field`]: Montgomery multiplication, squaring and doubling.
//! - [`exponent`]: the fixed-window and the base-2 exponentiation.

mod exponent;
mod field;
mod limb;

use field::Residue;

/// `2 ^ exponent mod p` as 192 big-endian bytes (`exponent` big-endian, any length;
/// the time depends on the length only).
pub(crate) fn generator_power(exponent: &[u8]) -> [u8; 192] {
    exponent::pow_of_two(exponent).to_be_bytes()
}

/// `base ^ exponent mod p` as 192 big-endian bytes, for a base below p.
pub(crate) fn power(base: &[u8; 192], exponent: &[u8]) -> [u8; 192] {
    exponent::pow(&Residue::from_be_bytes(base), exponent).to_be_bytes()
}
