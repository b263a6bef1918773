//! The limb layout for this target, chosen by measurement (README, performance).
//!
//! Natively: saturated 64-bit limbs (24 of them), each product a full `u128` summed
//! into a three-limb column accumulator, values kept below p. That uses the whole
//! 64x64->128 multiply the machine has: 1,152 products per Montgomery
//! multiplication, where 52-bit limbs summed without carries needed 1,800.
//!
//! On wasm32, whose widest multiply is `i64.mul` (a `u128` product is a library call
//! there): 28-bit limbs in `u32` whose column sums fit a `u64` without carries
//! (55 limbs: 110 products of 56 bits stay below 2^63), with values kept lazily
//! reduced below `4p` in the headroom above 1536 bits.

#[cfg(target_pointer_width = "64")]
mod width {
    pub(crate) type Limb = u64;
    pub(crate) type Wide = u128;
    pub(crate) const LIMB_BITS: u32 = 64;
    /// Bits above 1536: none, so values stay fully reduced.
    pub(crate) const HEADROOM_BITS: usize = 0;
    pub(crate) const LAZY: bool = false;
}

#[cfg(not(target_pointer_width = "64"))]
mod width {
    pub(crate) type Limb = u32;
    pub(crate) type Wide = u64;
    pub(crate) const LIMB_BITS: u32 = 28;
    /// Bits above 1536 for lazily reduced values: `16p < R`, and values below `4p`
    /// fit.
    pub(crate) const HEADROOM_BITS: usize = 4;
    pub(crate) const LAZY: bool = true;
}

/// `LAZY`: whether residues may lie anywhere below `4p` (lazy reduction) rather
/// than below p.
pub(crate) use width::{HEADROOM_BITS, LAZY, LIMB_BITS, Limb, Wide};

/// Limbs per residue: 1536 bits plus the headroom.
pub(crate) const LIMBS: usize = (1536usize + HEADROOM_BITS).div_ceil(LIMB_BITS as usize);

/// The bits of one limb.
pub(crate) const MASK: Limb = Limb::MAX >> (Limb::BITS - LIMB_BITS);

/// With narrow limbs, a full column of `2 * LIMBS` limb products plus a carry fits
/// the accumulator without carries: both narrow kernels (`columns`, and
/// `simd_columns`, whose lanes are summed into one `u64`) rely on it.
#[cfg(not(target_pointer_width = "64"))]
const _: () = assert!(
    (2 * LIMBS + 1).ilog2() + 1 + 2 * LIMB_BITS <= Wide::BITS,
    "column sums would overflow"
);
