//! Residues modulo the modp5 prime in Montgomery form, with a fixed limb count: the
//! representation and what every target shares. The Montgomery multiplication and
//! squaring come from the kernel for the target's limb layout ([`crate::limb`]):
//! saturated 64-bit limbs natively (`saturated`), 28-bit limbs summed four products
//! at a time on wasm32 with `simd128` (`simd_columns`), or one at a time without it
//! (`columns`).
//!
//! Every operation here runs the same instructions and touches the same memory
//! whatever the values are: no branch and no index depends on a limb. That is what
//! makes the exponentiation in [`crate::exponent`] constant time.
//!
//! With saturated limbs every value is below p. With narrow limbs values are kept
//! "lazily reduced": the Montgomery radix `R = 2^(LIMB_BITS*LIMBS)` exceeds `16p`,
//! so a product of two values below `4p` comes out below `2p`, and a doubling (below
//! `4p`) needs no subtraction before the next squaring. Either way
//! [`Residue::to_be_bytes`] reduces fully.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::limb::{LAZY, LIMB_BITS, LIMBS, Limb, MASK, Wide};
use crate::MODP5_PRIME_BE;

#[cfg(not(any(
    target_pointer_width = "64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
pub(crate) use crate::columns::{mont_mul, mont_square};
#[cfg(target_pointer_width = "64")]
pub(crate) use crate::saturated::{mont_mul, mont_square};
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) use crate::simd_columns::{mont_mul, mont_square};

/// A value modulo p as little-endian limbs, each below `2^LIMB_BITS`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Residue(pub(crate) [Limb; LIMBS]);

/// The prime as limbs.
pub(crate) const PRIME: Residue = Residue(limbs_from_be(&MODP5_PRIME_BE));

/// `R mod p`: one in Montgomery form.
pub(crate) const ONE: Residue = radix_power_mod_p(1);

/// `R^2 mod p`: multiplying by it moves a plain value into Montgomery form.
const R_SQUARED: Residue = radix_power_mod_p(2);

/// `-p^-1 mod 2^LIMB_BITS`. The low 64 bits of p are all ones, so `p = -1` modulo
/// the limb radix and the usual Montgomery factor is 1: the quotient digit is just
/// the accumulator's low limb.
const _: () = assert!(PRIME.0[0] == MASK);

/// The headroom the lazy reduction relies on: `16p < R`, and values below `4p` fit.
const _: () = assert!(!LAZY || LIMB_BITS as usize * LIMBS >= 1536 + 4);

impl Residue {
    /// A plain big-endian value below p (a validated public key) in Montgomery form.
    pub(crate) fn from_be_bytes(bytes: &[u8; 192]) -> Self {
        mont_mul(&Self(limbs_from_be(bytes)), &R_SQUARED)
    }

    /// Out of Montgomery form, fully reduced, as 192 big-endian bytes.
    pub(crate) fn to_be_bytes(self) -> [u8; 192] {
        let mut plain = [0; LIMBS];
        plain[0] = 1;
        // x * 1 / R: below p + 1, so one conditional subtraction reduces it fully.
        let reduced = subtract_prime_if_not_below(&mont_mul(&self, &Self(plain)).0, 0);
        limbs_to_be(&reduced.0)
    }

    /// `2 * self` by a one-bit shift: below `4p` for an input below `2p` with lazy
    /// reduction, else reduced below p again by one conditional subtraction.
    pub(crate) fn doubled(&self) -> Self {
        let (out, carry) = shifted_left(&self.0);
        if LAZY {
            Self(out)
        } else {
            subtract_prime_if_not_below(&out, carry)
        }
    }

    /// `table[index]`, reading every entry: each is masked by whether it is the one
    /// asked for and the results are or-ed, so the memory touched and the
    /// instructions run are the same for every index.
    pub(crate) fn lookup(table: &[Self], index: u8) -> Self {
        let mut out = [0; LIMBS];
        for (candidate, entry) in (0u8..).zip(table) {
            let mask = Limb::conditional_select(&0, &Limb::MAX, candidate.ct_eq(&index));
            for (o, &limb) in out.iter_mut().zip(&entry.0) {
                *o |= limb & mask;
            }
        }
        Self(out)
    }

    /// `a` where `choice` is 0, `b` where it is 1, without a branch.
    pub(crate) fn select(a: &Self, b: &Self, choice: Choice) -> Self {
        let mut out = [0; LIMBS];
        for ((o, x), y) in out.iter_mut().zip(&a.0).zip(&b.0) {
            *o = Limb::conditional_select(x, y, choice);
        }
        Self(out)
    }
}

/// `x + carry * R - p` if that is not negative, else `x`, chosen by mask: the
/// value is below `2p`, and `carry` (0 or 1) is its bit above the limbs.
pub(crate) fn subtract_prime_if_not_below(x: &[Limb; LIMBS], carry: Limb) -> Residue {
    let (difference, borrow) = subtract(x, &PRIME.0);
    let not_below = Choice::from((carry | (borrow ^ 1)) as u8);
    Residue::select(&Residue(*x), &Residue(difference), not_below)
}

/// `2 * x` by a one-bit shift, with the bit shifted out of the top limb. A `const fn`
/// for the constants.
const fn shifted_left(x: &[Limb; LIMBS]) -> ([Limb; LIMBS], Limb) {
    let mut out = [0; LIMBS];
    let mut carry = 0;
    let mut i = 0;
    while i < LIMBS {
        let shifted = ((x[i] as Wide) << 1) | carry as Wide;
        carry = (shifted >> LIMB_BITS) as Limb;
        out[i] = shifted as Limb & MASK;
        i += 1;
    }
    (out, carry)
}

/// `x - y` with the final borrow (1 when `x < y`). A `const fn` for the constants.
const fn subtract(x: &[Limb; LIMBS], y: &[Limb; LIMBS]) -> ([Limb; LIMBS], Limb) {
    let mut out = [0; LIMBS];
    let mut borrow = 0;
    let mut i = 0;
    while i < LIMBS {
        let difference = (x[i] as Wide)
            .wrapping_sub(y[i] as Wide)
            .wrapping_sub(borrow as Wide);
        out[i] = difference as Limb & MASK;
        borrow = (difference >> LIMB_BITS) as Limb & 1;
        i += 1;
    }
    (out, borrow)
}

/// `R^power mod p` for the constants, by doubling a value below p and subtracting p
/// when it is not below it any more (the doubling's carry out of the top limb counts
/// as not below). Runs at compile time only.
const fn radix_power_mod_p(power: usize) -> Residue {
    // 2^1535 is below p = 2^1536 - 2^1472 - ...; double it up to 2^(bits * power).
    let mut value = [0; LIMBS];
    value[1535 / LIMB_BITS as usize] = 1 << (1535 % LIMB_BITS as usize);
    let mut doublings = LIMB_BITS as usize * LIMBS * power - 1535;
    while doublings > 0 {
        let carry;
        (value, carry) = shifted_left(&value);
        let (difference, borrow) = subtract(&value, &PRIME.0);
        if carry == 1 || borrow == 0 {
            value = difference;
        }
        doublings -= 1;
    }
    Residue(value)
}

/// Big-endian bytes (a value below `2^1536`) as little-endian limbs.
const fn limbs_from_be(bytes: &[u8; 192]) -> [Limb; LIMBS] {
    let mut limbs = [0; LIMBS];
    let mut bit = 0;
    let mut index = 192;
    while index > 0 {
        index -= 1;
        let byte = bytes[index] as Limb;
        let (limb, offset) = (bit / LIMB_BITS as usize, bit % LIMB_BITS as usize);
        limbs[limb] |= (byte << offset) & MASK;
        if offset + 8 > LIMB_BITS as usize {
            limbs[limb + 1] |= byte >> (LIMB_BITS as usize - offset);
        }
        bit += 8;
    }
    limbs
}

/// Little-endian limbs (a value below `2^1536`) as big-endian bytes.
fn limbs_to_be(limbs: &[Limb; LIMBS]) -> [u8; 192] {
    let mut bytes = [0; 192];
    for (position, byte) in bytes.iter_mut().rev().enumerate() {
        let bit = position * 8;
        let (limb, offset) = (bit / LIMB_BITS as usize, bit % LIMB_BITS as usize);
        let mut value = limbs[limb] >> offset;
        if offset + 8 > LIMB_BITS as usize && limb + 1 < LIMBS {
            value |= limbs[limb + 1] << (LIMB_BITS as usize - offset);
        }
        *byte = value as u8;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn residue_of(byte: u8) -> Residue {
        let mut bytes = [0; 192];
        bytes[191] = byte;
        Residue::from_be_bytes(&bytes)
    }

    #[test]
    fn bytes_round_trip_through_limbs() {
        let mut bytes = MODP5_PRIME_BE;
        bytes[191] -= 2;
        assert_eq!(limbs_to_be(&limbs_from_be(&bytes)), bytes);
        assert_eq!(Residue::from_be_bytes(&bytes).to_be_bytes(), bytes);
    }

    #[test]
    fn one_is_the_radix_reduced() {
        assert_eq!(ONE.to_be_bytes(), residue_of(1).to_be_bytes());
        assert_eq!(mont_mul(&ONE, &residue_of(7)).to_be_bytes()[191], 7);
    }

    #[test]
    fn squaring_and_doubling_agree_with_multiplying() {
        let x = residue_of(200).doubled();
        assert_eq!(
            mont_square(&x).to_be_bytes(),
            mont_mul(&x, &x).to_be_bytes()
        );
        let product = mont_mul(&x, &residue_of(2)).to_be_bytes();
        assert_eq!(&product[190..], &800u16.to_be_bytes());
    }

    #[test]
    fn the_largest_lazy_values_still_reduce() {
        // p - 1 doubled is 2p - 2 (below 4p): its square is 4 mod p.
        let mut bytes = MODP5_PRIME_BE;
        bytes[191] -= 1;
        let minus_two = Residue::from_be_bytes(&bytes).doubled();
        let square = mont_square(&minus_two).to_be_bytes();
        assert_eq!(square[191], 4);
        assert!(square[..191].iter().all(|&b| b == 0));
    }
}
