//! Montgomery multiplication and squaring with saturated 64-bit limbs, on 64-bit
//! targets: every product is a full `u128`, summed into a three-limb column
//! accumulator, so a multiplication costs `2 * 24^2` limb products where 52-bit limbs
//! summed without carries cost `2 * 30^2`.
//!
//! Values are kept below p. `R = 2^1536` is less than `2p`, so there is no room for
//! lazy reduction: each result (below `2p`, with its bit above the limbs) gets one
//! conditional subtraction by mask.
//!
//! The prime's low limb is all ones (`p = -1 mod 2^64`), so the Montgomery factor
//! `-p^-1 mod 2^64` is 1: a row's quotient digit is the accumulator's low limb
//! itself, and adding `m * p[0]` to it leaves zero and carries `m`.
//!
//! Constant time: every loop runs over positions only; no branch or index depends on
//! a limb.

use super::field::{PRIME, Residue, subtract_prime_if_not_below};
use super::limb::{LIMBS, Limb, MASK, Wide};

/// [`Accumulator::clear_low_limb`]'s shortcut relies on the all-ones low limb.
const _: () = assert!(PRIME.0[0] == MASK && MASK == Limb::MAX);

/// Montgomery product `a * b / R mod p`, below p for inputs below p.
///
/// Product scanning: column `i` sums every `a[j] * b[i-j]` and `m[j] * p[i-j]` into
/// a three-limb accumulator held in registers, where `m` is the Montgomery quotient
/// found column by column; then the accumulator shifts down a limb. (Measured
/// against operand scanning, whose rows load and store the whole accumulator: about
/// 1.15x faster.)
pub(crate) fn mont_mul(a: &Residue, b: &Residue) -> Residue {
    let (a, b, p) = (&a.0, &b.0, &PRIME.0);
    let mut quotient = [0; LIMBS];
    let mut out = [0; LIMBS];
    let mut acc = Accumulator::ZERO;
    for i in 0..LIMBS {
        for j in 0..i {
            acc.add_product(a[j], b[i - j]);
            acc.add_product(quotient[j], p[i - j]);
        }
        acc.add_product(a[i], b[0]);
        quotient[i] = acc.clear_low_limb();
    }
    for i in LIMBS..2 * LIMBS - 1 {
        for j in i + 1 - LIMBS..LIMBS {
            acc.add_product(a[j], b[i - j]);
            acc.add_product(quotient[j], p[i - j]);
        }
        out[i - LIMBS] = acc.shift_out();
    }
    out[LIMBS - 1] = acc.shift_out();
    subtract_prime_if_not_below(&out, acc.shift_out())
}

/// Montgomery square `a * a / R mod p`, below p for an input below p: product
/// scanning as [`mont_mul`], with each cross product `a[j] * a[i-j]` (`j < i-j`)
/// computed once and doubled. 876 limb products against [`mont_mul`]'s 1,152.
pub(crate) fn mont_square(a: &Residue) -> Residue {
    let (a, p) = (&a.0, &PRIME.0);
    let mut quotient = [0; LIMBS];
    let mut out = [0; LIMBS];
    let mut acc = Accumulator::ZERO;
    for i in 0..LIMBS {
        let (cross, diagonal) = square_column(a, 0, i);
        acc.add_doubled(cross, diagonal);
        for j in 0..i {
            acc.add_product(quotient[j], p[i - j]);
        }
        quotient[i] = acc.clear_low_limb();
    }
    for i in LIMBS..2 * LIMBS - 1 {
        let start = i + 1 - LIMBS;
        let (cross, diagonal) = square_column(a, start, i);
        acc.add_doubled(cross, diagonal);
        for j in start..LIMBS {
            acc.add_product(quotient[j], p[i - j]);
        }
        out[i - LIMBS] = acc.shift_out();
    }
    out[LIMBS - 1] = acc.shift_out();
    subtract_prime_if_not_below(&out, acc.shift_out())
}

/// Column `i` of `a * a` from limb `start` on, as the cross products (each pair
/// `j < i-j` once, to be doubled) and the diagonal square. `start` and `i` are
/// positions, never data.
#[inline(always)]
fn square_column(a: &[Limb; LIMBS], start: usize, i: usize) -> (Accumulator, Wide) {
    let mut cross = Accumulator::ZERO;
    for j in start..i.div_ceil(2) {
        cross.add_product(a[j], a[i - j]);
    }
    let diagonal = if i.is_multiple_of(2) {
        Wide::from(a[i / 2]) * Wide::from(a[i / 2])
    } else {
        0
    };
    (cross, diagonal)
}

/// A column sum held in registers: 128 bits and a limb of overflow above them (a
/// column of 48 products and the carry in stays far below `2^192`).
#[derive(Clone, Copy)]
struct Accumulator {
    low: Wide,
    top: Limb,
}

impl Accumulator {
    const ZERO: Self = Self { low: 0, top: 0 };

    #[inline(always)]
    fn add_product(&mut self, x: Limb, y: Limb) {
        self.add_wide(Wide::from(x) * Wide::from(y));
    }

    #[inline(always)]
    fn add_wide(&mut self, value: Wide) {
        let (sum, overflow) = self.low.overflowing_add(value);
        self.low = sum;
        self.top += Limb::from(overflow);
    }

    /// Adds twice the column's cross products and its diagonal square.
    #[inline(always)]
    fn add_doubled(&mut self, cross: Accumulator, diagonal: Wide) {
        let doubled_top = (cross.top << 1) | (cross.low >> (Wide::BITS - 1)) as Limb;
        self.top += doubled_top;
        self.add_wide(cross.low << 1);
        self.add_wide(diagonal);
    }

    /// The Montgomery step for a column of the low half: the quotient digit `m` that
    /// clears the low limb is that limb itself (`-p^-1 = 1 mod 2^64`), and adding
    /// `m * p[0] = m * 2^64 - m` leaves zero there and carries `m`; then shift down.
    #[inline(always)]
    fn clear_low_limb(&mut self) -> Limb {
        let quotient = self.low as Limb;
        self.shift_out();
        self.add_wide(Wide::from(quotient));
        quotient
    }

    /// The low limb, with the rest shifted down a limb.
    #[inline(always)]
    fn shift_out(&mut self) -> Limb {
        let low = self.low as Limb;
        self.low = (self.low >> Limb::BITS) | (Wide::from(self.top) << Limb::BITS);
        self.top = 0;
        low
    }
}
