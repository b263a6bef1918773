//! Constant-time exponentiation: a fixed 4-bit window for any base, and squaring
//! plus doubling for the generator 2.
//!
//! The sequence of operations depends only on the exponent's length (public: 32
//! bytes for our keys), never on its bits. A window's table entry is read by
//! scanning all 16 entries and keeping one by mask, so the memory access pattern is
//! the same for every digit.

use subtle::Choice;

use crate::field::{ONE, Residue, mont_mul, mont_square};

/// Bits per window: 16 table entries.
const WINDOW_BITS: u32 = 4;
const TABLE_LEN: usize = 1 << WINDOW_BITS;

/// `base ^ exponent` (big-endian exponent bytes), all in Montgomery form.
pub(crate) fn pow(base: &Residue, exponent: &[u8]) -> Residue {
    let table = powers_of(base);
    let mut digits = exponent.iter().flat_map(|&byte| [byte >> 4, byte & 0xf]);
    let Some(first) = digits.next() else {
        return ONE;
    };
    let mut acc = Residue::lookup(&table, first);
    for digit in digits {
        for _ in 0..WINDOW_BITS {
            acc = mont_square(&acc);
        }
        acc = mont_mul(&acc, &Residue::lookup(&table, digit));
    }
    acc
}

/// `2 ^ exponent` in Montgomery form: per bit a squaring, then a doubling kept or
/// dropped by mask. A doubling is a shift, far cheaper than a multiplication.
pub(crate) fn pow_of_two(exponent: &[u8]) -> Residue {
    let mut acc = ONE;
    for &byte in exponent {
        for bit in (0..8).rev() {
            acc = mont_square(&acc);
            let doubled = acc.doubled();
            acc = Residue::select(&acc, &doubled, Choice::from((byte >> bit) & 1));
        }
    }
    acc
}

/// `base^0 ..= base^15`.
fn powers_of(base: &Residue) -> [Residue; TABLE_LEN] {
    let mut table = [ONE; TABLE_LEN];
    table[1] = *base;
    for k in 2..TABLE_LEN {
        table[k] = if k % 2 == 0 {
            mont_square(&table[k / 2])
        } else {
            mont_mul(&table[k - 1], base)
        };
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_returns_the_entry_it_is_asked_for() {
        let two = ONE.doubled();
        let table = powers_of(&two);
        for digit in 0..16u8 {
            let expected = 1u16 << digit;
            let bytes = Residue::lookup(&table, digit).to_be_bytes();
            assert_eq!(&bytes[190..], &expected.to_be_bytes(), "2^{digit}");
        }
    }

    #[test]
    fn both_exponentiations_agree_on_the_generator() {
        let two = ONE.doubled();
        for exponent in [&[][..], &[0], &[1], &[0x80, 0x01], &[0xff; 33]] {
            assert_eq!(
                pow(&two, exponent).to_be_bytes(),
                pow_of_two(exponent).to_be_bytes(),
                "{exponent:?}"
            );
        }
    }
}
