//! Montgomery multiplication and squaring by product scanning with narrow limbs, the
//! scalar path for targets without a 64x64->128 multiply (wasm32 without `simd128`).
//!
//! Limbs are narrower than the machine word (28 bits in `u32`) so a whole product
//! column sums without carries into the double-width accumulator (`u64`); carries
//! are propagated once per column, and everything stays in the target's native
//! 64-bit multiply.
//!
//! Values are kept lazily reduced: the Montgomery radix `R = 2^(LIMB_BITS*LIMBS)`
//! exceeds `16p`, so a product of two values below `4p` comes out below `2p`.
//!
//! Constant time: the loops run over positions only; no branch or index depends on a
//! limb.

use super::field::{PRIME, Residue};
use super::limb::{LIMB_BITS, LIMBS, Limb, MASK, Wide};

/// Montgomery product `a * b / R mod p`, below `2p` for inputs below `4p`.
///
/// Product scanning: column `i` sums every `a[j] * b[i-j]` and `m[j] * p[i-j]` into
/// one wide accumulator, where `m` is the Montgomery quotient found column by column.
pub(crate) fn mont_mul(a: &Residue, b: &Residue) -> Residue {
    let (a, b, p) = (&a.0, &b.0, &PRIME.0);
    let mut quotient = [0; LIMBS];
    let mut out = [0; LIMBS];
    let mut acc: Wide = 0;
    for i in 0..LIMBS {
        for ((&x, &y), (&q, &n)) in a[..i]
            .iter()
            .zip(b[1..=i].iter().rev())
            .zip(quotient[..i].iter().zip(p[1..=i].iter().rev()))
        {
            acc += Wide::from(x) * Wide::from(y) + Wide::from(q) * Wide::from(n);
        }
        acc += Wide::from(a[i]) * Wide::from(b[0]);
        quotient[i] = low_limb(acc);
        acc += Wide::from(quotient[i]) * Wide::from(p[0]);
        acc >>= LIMB_BITS;
    }
    for i in LIMBS..2 * LIMBS - 1 {
        let start = i + 1 - LIMBS;
        for ((&x, &y), (&q, &n)) in a[start..]
            .iter()
            .zip(b[start..].iter().rev())
            .zip(quotient[start..].iter().zip(p[start..].iter().rev()))
        {
            acc += Wide::from(x) * Wide::from(y) + Wide::from(q) * Wide::from(n);
        }
        out[i - LIMBS] = low_limb(acc);
        acc >>= LIMB_BITS;
    }
    out[LIMBS - 1] = acc as Limb;
    Residue(out)
}

/// Montgomery square `a * a / R mod p`: each cross product `a[j] * a[k]` (`j < k`)
/// is computed once and doubled, about a quarter fewer multiplications than
/// [`mont_mul`].
pub(crate) fn mont_square(a: &Residue) -> Residue {
    let (a, p) = (&a.0, &PRIME.0);
    let mut quotient = [0; LIMBS];
    let mut out = [0; LIMBS];
    let mut acc: Wide = 0;
    for i in 0..LIMBS {
        acc += square_column(a, 0, i);
        for (&q, &n) in quotient[..i].iter().zip(p[1..=i].iter().rev()) {
            acc += Wide::from(q) * Wide::from(n);
        }
        quotient[i] = low_limb(acc);
        acc += Wide::from(quotient[i]) * Wide::from(p[0]);
        acc >>= LIMB_BITS;
    }
    for i in LIMBS..2 * LIMBS - 1 {
        let start = i + 1 - LIMBS;
        acc += square_column(a, start, i);
        for (&q, &n) in quotient[start..].iter().zip(p[start..].iter().rev()) {
            acc += Wide::from(q) * Wide::from(n);
        }
        out[i - LIMBS] = low_limb(acc);
        acc >>= LIMB_BITS;
    }
    out[LIMBS - 1] = acc as Limb;
    Residue(out)
}

/// Column `i` of `a * a` (the sum of `a[j] * a[i-j]` for `start <= j <= i-j`, each
/// pair off the diagonal counted twice). `start` and `i` are positions, never data.
#[inline(always)]
fn square_column(a: &[Limb; LIMBS], start: usize, i: usize) -> Wide {
    let end = i - start; // the highest j with a partner
    let pairs = (end + 1 - start) / 2;
    let mut cross: Wide = 0;
    for (&x, &y) in a[start..start + pairs].iter().zip(a[..=end].iter().rev()) {
        cross += Wide::from(x) * Wide::from(y);
    }
    let mut column = cross << 1;
    if i.is_multiple_of(2) {
        let middle = Wide::from(a[i / 2]);
        column += middle * middle;
    }
    column
}

/// The low limb of an accumulator.
#[inline(always)]
fn low_limb(acc: Wide) -> Limb {
    acc as Limb & MASK
}
