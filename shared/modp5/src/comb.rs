//! `2^x` for a private exponent of up to 256 bits with a fixed-base comb (Lim-Lee):
//! the base is the constant 2, so its powers can be tabulated in advance and a key
//! pair costs about `256 / ROWS` squarings and as many multiplications, instead of
//! 256 squarings. The table is built once per process, on first use (about 200
//! Montgomery products, less than one key pair by squaring and doubling): built by
//! the compiler it would be 3.5 KB of incompressible data in the wasm download.
//!
//! The exponent's 256 bits are written as `ROWS` rows of `COLUMNS` bits, row `r`
//! holding bits `r * COLUMNS ..`. Column `c` gathers bit `c` of every row into a
//! `ROWS`-bit index, and `TABLE[index]` is the product of `2^(2^(r * COLUMNS))` over
//! the rows `r` set in it. Then
//! `2^x = prod_c TABLE[column c]^(2^c)`, evaluated from the top column down by
//! Horner's rule: square, multiply by the column's entry.
//!
//! Constant time: the sequence of operations is fixed (it does not even depend on
//! the exponent's length, up to 32 bytes), bit positions are public, and the entry
//! is read by scanning the whole table and keeping one by mask.

use std::sync::OnceLock;

use subtle::ConstantTimeEq;

use crate::field::{ONE, Residue, mont_mul, mont_square};
use crate::limb::LIMBS;

/// The longest exponent the comb takes, in bytes (our private exponents are 32).
pub(crate) const MAX_EXPONENT_BYTES: usize = 32;

/// Rows of the comb: `2^ROWS` table entries of one residue each. Chosen by
/// measurement (README, performance): natively 5 rows beat 4 by about a fifth and 6
/// gained nothing (the longer table scans eat the saved products); in wasm 4 and 5
/// measured the same, so 4 builds the smaller table (16 entries, 3.5 KB there).
#[cfg(target_pointer_width = "64")]
const ROWS: usize = 5;
#[cfg(not(target_pointer_width = "64"))]
const ROWS: usize = 4;

/// Columns: the squarings and multiplications per exponentiation.
const COLUMNS: usize = (8 * MAX_EXPONENT_BYTES).div_ceil(ROWS);

/// The table's entries: one per `ROWS`-bit column value.
const ENTRIES: usize = 1 << ROWS;

/// `TABLE[index]`: the product of `2^(2^(r * COLUMNS))` over the bits `r` of
/// `index`, in Montgomery form; see [`table`].
static TABLE: OnceLock<[Residue; ENTRIES]> = OnceLock::new();

/// The table, built on first use.
fn table() -> &'static [Residue; ENTRIES] {
    TABLE.get_or_init(comb_table)
}

/// `2 ^ exponent` (big-endian, at most [`MAX_EXPONENT_BYTES`]) in Montgomery form.
pub(crate) fn pow_of_two(exponent: &[u8]) -> Residue {
    assert!(
        exponent.len() <= MAX_EXPONENT_BYTES,
        "exponent too long for the comb"
    );
    let bit = |position: usize| -> u8 {
        let from_end = position / 8;
        if from_end < exponent.len() {
            (exponent[exponent.len() - 1 - from_end] >> (position % 8)) & 1
        } else {
            0
        }
    };
    let column_index = |column: usize| -> u8 {
        let mut index = 0;
        for row in 0..ROWS {
            index |= bit(row * COLUMNS + column) << row;
        }
        index
    };
    let table = table();
    let mut acc = lookup(table, column_index(COLUMNS - 1));
    for column in (0..COLUMNS - 1).rev() {
        acc = mont_mul(&mont_square(&acc), &lookup(table, column_index(column)));
    }
    acc
}

/// `TABLE[index]`, reading every entry.
fn lookup(table: &[Residue; ENTRIES], index: u8) -> Residue {
    let mut out = Residue([0; LIMBS]);
    for (candidate, entry) in (0u8..).zip(table) {
        out = Residue::select(&out, entry, candidate.ct_eq(&index));
    }
    out
}

/// Builds the table: each row's generator is the previous one squared `COLUMNS`
/// times, each entry an entry with one bit fewer times a generator. Public
/// constants only, so nothing here needs to be constant time.
fn comb_table() -> [Residue; ENTRIES] {
    let mut generators = [ONE; ROWS];
    generators[0] = ONE.doubled();
    for row in 1..ROWS {
        generators[row] = (0..COLUMNS).fold(generators[row - 1], |power, _| mont_square(&power));
    }
    let mut table = [ONE; ENTRIES];
    for index in 1..ENTRIES {
        let lowest = index.trailing_zeros() as usize;
        table[index] = mont_mul(&table[index & (index - 1)], &generators[lowest]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exponent;

    #[test]
    fn every_table_entry_is_its_power_of_two() {
        for (index, entry) in table().iter().enumerate() {
            // The exponent of entry `index`: bit `r * COLUMNS` for each row bit `r`.
            let mut exponent = [0u8; MAX_EXPONENT_BYTES];
            for row in (0..ROWS).filter(|row| index >> row & 1 == 1) {
                let position = row * COLUMNS;
                exponent[MAX_EXPONENT_BYTES - 1 - position / 8] |= 1 << (position % 8);
            }
            assert_eq!(
                entry.to_be_bytes(),
                exponent::pow_of_two(&exponent).to_be_bytes(),
                "entry {index}"
            );
        }
    }

    #[test]
    fn the_comb_agrees_with_squaring_and_doubling() {
        let mut exponents: [&[u8]; 7] = [
            &[],
            &[0],
            &[1],
            &[0x80, 0x01],
            &[0xff; 31],
            &[0xff; 32],
            &[0; 32],
        ];
        let mut mixed = [0u8; 32];
        for (i, byte) in mixed.iter_mut().enumerate() {
            *byte = (i as u8).wrapping_mul(151).wrapping_add(7);
        }
        exponents[6] = &mixed;
        for exponent in exponents {
            assert_eq!(
                pow_of_two(exponent).to_be_bytes(),
                exponent::pow_of_two(exponent).to_be_bytes(),
                "{exponent:?}"
            );
        }
    }
}
