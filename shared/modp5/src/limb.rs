//! The limb width for this target: as wide as lets a product column sum without a
//! carry in the widest multiply the target has natively.
//!
//! Natively that is 52-bit limbs in `u64` summed in `u128` (30 limbs); on wasm32,
//! whose widest multiply is `i64.mul`, 28-bit limbs in `u32` summed in `u64`
//! (55 limbs: 110 products of 56 bits stay below 2^63).

#[cfg(target_pointer_width = "64")]
mod width {
    pub(crate) type Limb = u64;
    pub(crate) type Wide = u128;
    pub(crate) const LIMB_BITS: u32 = 52;
}

#[cfg(not(target_pointer_width = "64"))]
mod width {
    pub(crate) type Limb = u32;
    pub(crate) type Wide = u64;
    pub(crate) const LIMB_BITS: u32 = 28;
}

pub(crate) use width::{LIMB_BITS, Limb, Wide};

/// Limbs per residue: enough for 1536 bits plus the lazy-reduction headroom.
pub(crate) const LIMBS: usize = (1536usize + 4).div_ceil(LIMB_BITS as usize);

/// The bits of one limb.
pub(crate) const MASK: Limb = (1 << LIMB_BITS) - 1;

/// A full column of `2 * LIMBS` limb products, plus a carry, fits the accumulator.
const _: () = assert!(
    (2 * LIMBS + 1).ilog2() + 1 + 2 * LIMB_BITS <= Wide::BITS,
    "column sums would overflow"
);
