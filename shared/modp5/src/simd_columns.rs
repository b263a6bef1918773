//! Montgomery multiplication and squaring on wasm32 with 128-bit SIMD (`simd128`):
//! the column sums of [`crate::field`]'s product scanning, four limb products per
//! step instead of one.
//!
//! A column `i` is a dot product of one operand read forwards and the other read
//! backwards (`a[j] * b[i-j]`). So the second operand (and the prime) is kept
//! reversed, in four copies shifted by one limb each: every column then reads whole,
//! aligned `v128` chunks of both, multiplies them with `u64x2_extmul_{low,high}_u32x4`
//! (28-bit limbs: four 56-bit products in two u64 lanes) and adds, never a lane
//! shuffle or an unaligned load. Zero padding on both sides of the reversed copies
//! and past the forward operand's last limb turns the products outside a column
//! into zeros, so every chunk is summed whole.
//!
//! Constant time as the scalar code: which chunks a column reads depends on the
//! column's position only, and the squaring's half-chunk mask is built from
//! positions too. No branch or index depends on a limb.

use core::arch::wasm32::{
    i32x4_shuffle, i64x2_add, u32x4, u32x4_le, u32x4_replace_lane, u32x4_splat, u64x2,
    u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4, u64x2_extract_lane, v128, v128_and,
};

use super::field::{PRIME, Residue};
use super::limb::{LIMB_BITS, LIMBS, MASK};

/// `v128` chunks of four limbs covering a forward operand (the last chunk padded
/// with zeros).
const CHUNKS: usize = LIMBS.div_ceil(4);

/// Zeros before a reversed operand: a column's first chunk may start up to three
/// limbs before the column's first product (so at least 3), and with 5 the reversed
/// limbs fall into chunks that are the forward chunks reversed (`LIMBS - 1 + PAD`
/// is 3 mod 4).
const PAD: usize = 5;
const _: () = assert!((LIMBS - 1 + PAD) % 4 == 3 && PAD >= 3);

/// Chunks per shifted reversed copy: a column reads reversed limbs up to
/// `LIMBS + PAD + 2` (its last chunk may run three limbs past the column).
const REVERSED_CHUNKS: usize = (LIMBS + PAD + 3).div_ceil(4) + 1;

/// A reversed operand as four copies, `[shift][m]` holding reversed limbs
/// `4m + shift ..= 4m + shift + 3` (zero-padded).
type Reversed = [[v128; REVERSED_CHUNKS]; 4];

/// The prime's reversed copies, built once.
static PRIME_REVERSED: std::sync::OnceLock<Reversed> = std::sync::OnceLock::new();

/// All zero lanes.
const ZERO: v128 = u32x4(0, 0, 0, 0);

/// Montgomery product `a * b / R mod p`, below `2p` for inputs below `4p`; the same
/// value as the scalar [`crate::field`] code.
pub(crate) fn mont_mul(a: &Residue, b: &Residue) -> Residue {
    let a_forward = forward(&a.0);
    let b_reversed = reversed(&b.0);
    montgomery_reduce(|i| {
        let column = Column::of(i);
        dot(
            &a_forward[column.first_chunk..=column.last_chunk],
            &b_reversed[column.shift][column.first_reversed..],
        )
    })
}

/// Montgomery square `a * a / R mod p`: each cross product `a[j] * a[i-j]`
/// (`j < i-j`) once, against a reversed copy of `2a` (29-bit limbs, so a column still
/// fits: 110 products below 2^57 stay below 2^64), plus the diagonal.
pub(crate) fn mont_square(a: &Residue) -> Residue {
    let a_forward = forward(&a.0);
    let mut twice = [0; LIMBS];
    for (t, &limb) in twice.iter_mut().zip(&a.0) {
        *t = limb << 1;
    }
    let twice_reversed = reversed(&twice);
    montgomery_reduce(|i| {
        let diagonal = if i.is_multiple_of(2) && i / 2 < LIMBS {
            let middle = u64::from(a.0[i / 2]);
            middle * middle
        } else {
            0
        };
        let column = Column::of(i);
        // Cross products run over j <= (i - 1) / 2, partners above the middle.
        let mut cross = ZERO;
        if i > 0 && (i - 1) / 2 >= column.first_limb {
            let last_j = (i - 1) / 2;
            let last_chunk = last_j / 4;
            let reversed = &twice_reversed[column.shift][column.first_reversed..];
            let chunks = last_chunk - column.first_chunk;
            cross = dot(
                &a_forward[column.first_chunk..last_chunk],
                &reversed[..chunks],
            );
            // The last chunk keeps only the lanes up to last_j (positions only).
            let lane_positions = {
                let j = (4 * last_chunk) as u32;
                u32x4(j, j + 1, j + 2, j + 3)
            };
            let keep = u32x4_le(lane_positions, u32x4_splat(last_j as u32));
            let masked = v128_and(a_forward[last_chunk], keep);
            cross = multiply_add(cross, masked, reversed[chunks]);
        }
        i64x2_add(cross, u64x2(diagonal, 0))
    })
}

/// The Montgomery reduction interleaved with the product columns (`product_column(i)`
/// gives column `i` of the product as two u64 lanes to be summed): per column, the
/// quotient's products, then for the low half the next quotient limb.
#[inline(always)]
fn montgomery_reduce(mut product_column: impl FnMut(usize) -> v128) -> Residue {
    let prime_reversed = PRIME_REVERSED.get_or_init(|| reversed(&PRIME.0));
    let mut quotient = [ZERO; CHUNKS];
    let mut out = [0; LIMBS];
    let mut acc: u64 = 0;
    for i in 0..2 * LIMBS - 1 {
        let column = Column::of(i);
        // Quotient limbs not found yet are zero, so the whole chunk can be summed.
        let sums = i64x2_add(
            product_column(i),
            dot(
                &quotient[column.first_chunk..=column.last_chunk],
                &prime_reversed[column.shift][column.first_reversed..],
            ),
        );
        acc += u64x2_extract_lane::<0>(sums) + u64x2_extract_lane::<1>(sums);
        if i < LIMBS {
            let digit = acc as u32 & MASK;
            quotient[i / 4] = with_lane(quotient[i / 4], i % 4, digit);
            acc += u64::from(digit) * u64::from(PRIME.0[0]);
        } else {
            out[i - LIMBS] = acc as u32 & MASK;
        }
        acc >>= LIMB_BITS;
    }
    out[LIMBS - 1] = acc as u32;
    Residue(out)
}

/// Where column `i` reads: forward chunks `first_chunk..=last_chunk`, against the
/// reversed copy `shift` from chunk `first_reversed` on.
struct Column {
    first_limb: usize,
    first_chunk: usize,
    last_chunk: usize,
    shift: usize,
    first_reversed: usize,
}

impl Column {
    #[inline(always)]
    const fn of(i: usize) -> Self {
        let first_limb = i.saturating_sub(LIMBS - 1);
        let last_limb = if i < LIMBS - 1 { i } else { LIMBS - 1 };
        let first_chunk = first_limb / 4;
        // Forward limb j meets reversed limb j + LIMBS - 1 - i (stored PAD later).
        let reversed_start = 4 * first_chunk + LIMBS - 1 + PAD - i;
        Self {
            first_limb,
            first_chunk,
            last_chunk: last_limb / 4,
            shift: reversed_start % 4,
            first_reversed: reversed_start / 4,
        }
    }
}

/// Every column's chunks lie inside the forward and the reversed arrays, so the
/// zipped dot products never come up short.
const _: () = {
    let mut i = 0;
    while i < 2 * LIMBS - 1 {
        let column = Column::of(i);
        let chunks = column.last_chunk + 1 - column.first_chunk;
        assert!(column.first_reversed + chunks <= REVERSED_CHUNKS);
        assert!(column.last_chunk < CHUNKS);
        i += 1;
    }
};

/// The sum of the lane products of `forward` and the first chunks of `reversed`.
#[inline(always)]
fn dot(forward: &[v128], reversed: &[v128]) -> v128 {
    let mut sums = ZERO;
    for (&x, &y) in forward.iter().zip(reversed) {
        sums = multiply_add(sums, x, y);
    }
    sums
}

/// `sums + x * y` lane by lane, four 32x32->64 products folded into two lanes.
#[inline(always)]
fn multiply_add(sums: v128, x: v128, y: v128) -> v128 {
    let low = u64x2_extmul_low_u32x4(x, y);
    let high = u64x2_extmul_high_u32x4(x, y);
    i64x2_add(sums, i64x2_add(low, high))
}

/// `chunk` with u32 lane `lane` (a position, never data) replaced by `value`.
#[inline(always)]
fn with_lane(chunk: v128, lane: usize, value: u32) -> v128 {
    match lane {
        0 => u32x4_replace_lane::<0>(chunk, value),
        1 => u32x4_replace_lane::<1>(chunk, value),
        2 => u32x4_replace_lane::<2>(chunk, value),
        _ => u32x4_replace_lane::<3>(chunk, value),
    }
}

/// Limbs as forward chunks, zeros past the last limb.
#[inline(always)]
fn forward(limbs: &[u32; LIMBS]) -> [v128; CHUNKS] {
    let limb = |j: usize| if j < LIMBS { limbs[j] } else { 0 };
    let mut chunks = [ZERO; CHUNKS];
    for (c, chunk) in chunks.iter_mut().enumerate() {
        *chunk = u32x4(
            limb(4 * c),
            limb(4 * c + 1),
            limb(4 * c + 2),
            limb(4 * c + 3),
        );
    }
    chunks
}

/// Limbs reversed (`limbs[LIMBS - 1]` first) after `PAD` zeros, in four shifted
/// chunk copies. `PAD` aligns the reversal with the forward chunks, so each
/// reversed chunk is one forward chunk with its lanes swapped, and each shifted
/// copy a two-chunk shuffle: about 70 shuffles per call.
#[inline(always)]
fn reversed(limbs: &[u32; LIMBS]) -> Reversed {
    let chunks = forward(limbs);
    // Reversed chunk m holds forward chunk CHUNKS - m (zero outside 0..CHUNKS).
    let mut aligned = [ZERO; REVERSED_CHUNKS + 1];
    for (m, chunk) in aligned.iter_mut().enumerate().take(CHUNKS + 1).skip(1) {
        *chunk = i32x4_shuffle::<3, 2, 1, 0>(chunks[CHUNKS - m], chunks[CHUNKS - m]);
    }
    let mut copies = [[ZERO; REVERSED_CHUNKS]; 4];
    for (m, pair) in aligned.windows(2).enumerate() {
        let (low, high) = (pair[0], pair[1]);
        copies[0][m] = low;
        copies[1][m] = i32x4_shuffle::<1, 2, 3, 4>(low, high);
        copies[2][m] = i32x4_shuffle::<2, 3, 4, 5>(low, high);
        copies[3][m] = i32x4_shuffle::<3, 4, 5, 6>(low, high);
    }
    copies
}
