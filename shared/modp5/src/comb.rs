//! `2^x` for a private exponent of up to 256 bits with a fixed-base comb (Lim-Lee):
//! the base is the constant 2, so its powers can be tabulated in advance and a key
//! pair costs `256 / (ROWS * TABLES)` squarings and `256 / ROWS` multiplications,
//! instead of 256 squarings. The tables are built once per process, on first use
//! (about 256 squarings and 60-124 multiplications, about one key pair by squaring
//! and doubling): built by the compiler they would be 14 KB of incompressible data
//! in the wasm download (24 KB natively).
//!
//! The exponent's 256 bits are written as `ROWS` rows of `ROW_BITS` bits, and each
//! row as `TABLES` blocks of `BLOCK_BITS`. Column `c` of block `s` gathers bit
//! `s * BLOCK_BITS + c` of every row into a `ROWS`-bit index, and
//! `TABLE[s][index]` is the product of `2^(2^(r * ROW_BITS + s * BLOCK_BITS))` over
//! the rows `r` set in it. Then
//! `2^x = prod_c (prod_s TABLE[s][column c of block s])^(2^c)`, evaluated from the top
//! column down by Horner's rule: square, multiply by each block's entry. More tables
//! trade squarings for table memory and one-off building; every multiplication
//! still scans one table of `2^ROWS` entries.
//!
//! Constant time: the sequence of operations is fixed (it does not even depend on
//! the exponent's length, up to 32 bytes), bit positions are public, and the entry
//! is read by scanning the whole table and keeping one by mask.

use std::sync::OnceLock;

use crate::field::{ONE, Residue, mont_mul, mont_square};

/// The longest exponent the comb takes, in bytes (our private exponents are 32).
pub(crate) const MAX_EXPONENT_BYTES: usize = 32;

/// Rows and tables of the comb, chosen by measurement (README, performance): each
/// table has `2^ROWS` entries of one residue.
#[cfg(target_pointer_width = "64")]
const ROWS: usize = 5;
#[cfg(target_pointer_width = "64")]
const TABLES: usize = 4;
#[cfg(not(target_pointer_width = "64"))]
const ROWS: usize = 4;
#[cfg(not(target_pointer_width = "64"))]
const TABLES: usize = 4;

/// Bits per row, and per block of a row: the squarings per exponentiation.
const ROW_BITS: usize = (8 * MAX_EXPONENT_BYTES).div_ceil(ROWS);
const BLOCK_BITS: usize = ROW_BITS / TABLES;

/// The blocks tile each row exactly, so the generators `2^(2^(k * BLOCK_BITS))` of
/// every (row, block) pair are one chain of squarings.
const _: () = assert!(BLOCK_BITS * TABLES == ROW_BITS);

/// Entries per table: one per `ROWS`-bit column value.
const ENTRIES: usize = 1 << ROWS;

type Table = [Residue; ENTRIES];

/// `TABLES[s][index]`: the product of `2^(2^(r * ROW_BITS + s * BLOCK_BITS))` over
/// the bits `r` of `index`, in Montgomery form; see [`comb_tables`].
static COMB_TABLES: OnceLock<[Table; TABLES]> = OnceLock::new();

/// The tables, built on first use.
fn tables() -> &'static [Table; TABLES] {
    COMB_TABLES.get_or_init(comb_tables)
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
    let column_index = |block: usize, column: usize| -> u8 {
        let mut index = 0;
        for row in 0..ROWS {
            index |= bit(row * ROW_BITS + block * BLOCK_BITS + column) << row;
        }
        index
    };
    let tables = tables();
    // Top column first; a column's first block squares what came before.
    let mut steps = (0..BLOCK_BITS)
        .rev()
        .flat_map(|column| (0..TABLES).map(move |block| (column, block)));
    let entry = |(column, block): (usize, usize)| {
        Residue::lookup(&tables[block], column_index(block, column))
    };
    let mut acc = steps.next().map_or(ONE, entry);
    for (column, block) in steps {
        if block == 0 {
            acc = mont_square(&acc);
        }
        acc = mont_mul(&acc, &entry((column, block)));
    }
    acc
}

/// Builds the tables: the generator of each (row, block) pair is the previous one
/// squared `BLOCK_BITS` times, each entry an entry with one bit fewer times a
/// generator. Public constants only, so nothing here needs to be constant time.
fn comb_tables() -> [Table; TABLES] {
    // generators[row][block] = 2^(2^(row * ROW_BITS + block * BLOCK_BITS)).
    let mut generators = [[ONE; TABLES]; ROWS];
    let mut power = ONE.doubled();
    for row in &mut generators {
        for generator in row.iter_mut() {
            *generator = power;
            power = (0..BLOCK_BITS).fold(power, |power, _| mont_square(&power));
        }
    }
    let mut tables = [[ONE; ENTRIES]; TABLES];
    for (block, table) in tables.iter_mut().enumerate() {
        for index in 1..ENTRIES {
            let lowest = index.trailing_zeros() as usize;
            table[index] = mont_mul(&table[index & (index - 1)], &generators[lowest][block]);
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exponent;

    #[test]
    fn every_table_entry_is_its_power_of_two() {
        for (block, table) in tables().iter().enumerate() {
            for (index, entry) in table.iter().enumerate() {
                // Entry `index` of table `block`: bit `r * ROW_BITS + block *
                // BLOCK_BITS` of the exponent for each row bit `r`.
                let mut exponent = [0u8; MAX_EXPONENT_BYTES];
                for row in (0..ROWS).filter(|row| index >> row & 1 == 1) {
                    let position = row * ROW_BITS + block * BLOCK_BITS;
                    exponent[MAX_EXPONENT_BYTES - 1 - position / 8] |= 1 << (position % 8);
                }
                assert_eq!(
                    entry.to_be_bytes(),
                    exponent::pow_of_two(&exponent).to_be_bytes(),
                    "table {block} entry {index}"
                );
            }
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
