//! Classifying sixteen bytes of JSON at once with wasm's SIMD (the browser's build enables
//! `simd128`): the quotes, brackets and backslashes of a block as one bit per byte (bit `i`
//! for byte `i`). The same interface as the eight-byte words of `swar`, which the native build
//! uses.

use core::arch::wasm32::{u64x2, u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_or};

/// How many bytes [`container_block`] classifies at once.
pub const BLOCK: usize = 16;

/// The bytes of one block that matter when skipping a container.
pub struct ContainerBlock {
    pub quotes: u64,
    /// `{`, `}`, `[` and `]`.
    pub brackets: u64,
    pub backslashes: u64,
}

fn marks(block: v128, byte: u8) -> u64 {
    u64::from(u8x16_bitmask(u8x16_eq(block, u8x16_splat(byte))))
}

/// Reads and classifies the block at `at`, if sixteen bytes are left.
#[inline]
pub fn container_block(bytes: &[u8], at: usize) -> Option<ContainerBlock> {
    let chunk = bytes.get(at..)?.first_chunk::<16>()?;
    let (low, high) = chunk.split_at(8);
    let low = u64::from_le_bytes(low.try_into().ok()?);
    let high = u64::from_le_bytes(high.try_into().ok()?);
    let block = u64x2(low, high);
    // Setting bit 5 of `[` and `]` gives `{` and `}`, and of no other byte.
    let folded = v128_or(block, u8x16_splat(0x20));
    Some(ContainerBlock {
        quotes: marks(block, b'"'),
        brackets: marks(folded, b'{') | marks(folded, b'}'),
        backslashes: marks(block, b'\\'),
    })
}

/// For a block without escapes, which bytes lie inside a string, given whether the block
/// starts inside one: the parity of the quotes up to each byte.
#[inline]
pub fn inside_strings(quotes: u64, starts_inside: bool) -> u64 {
    let mut parity = quotes;
    parity ^= parity << 1;
    parity ^= parity << 2;
    parity ^= parity << 4;
    parity ^= parity << 8;
    if starts_inside {
        parity ^= 0xffff;
    }
    parity & 0xffff
}

/// The byte offsets of the bits set in a mask, lowest first.
#[inline]
pub fn marked_offsets(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if mask == 0 {
            return None;
        }
        let offset = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        Some(offset)
    })
}
