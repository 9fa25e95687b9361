//! Finding bytes eight at a time in plain, safe Rust ("SIMD within a register"): the JSON
//! walk spends its time looking for the next quote or bracket, and looking at a 64-bit word
//! at once instead of byte by byte is what makes it fast on every target. The browser's build
//! classifies container bytes sixteen at a time with wasm's SIMD instead (`simd`); the native
//! one uses these words (x86's SIMD intrinsics cannot be called without `unsafe`, which this
//! crate forbids).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at`, little-endian, if there are eight.
#[inline]
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    bytes
        .get(at..)?
        .first_chunk::<8>()
        .map(|chunk| u64::from_le_bytes(*chunk))
}

/// The high bit of each byte of `word` equal to `byte` (exactly: no false positives).
#[inline]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    let difference = word ^ (ONES * u64::from(byte));
    !(((difference & !HIGH_BITS).wrapping_add(!HIGH_BITS)) | difference) & HIGH_BITS
}

/// The offset of the first marked byte of a word with `mask != 0`.
#[inline]
fn first_marked(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The first `"` or `\` at or after `at`: the end of a string, or an escape in it.
#[inline]
pub fn find_quote_or_backslash(bytes: &[u8], mut at: usize) -> Option<usize> {
    while let Some(word) = word(bytes, at) {
        let mask = equal_bytes(word, b'"') | equal_bytes(word, b'\\');
        if mask != 0 {
            return Some(at + first_marked(mask));
        }
        at += 8;
    }
    let tail = bytes.get(at..)?;
    tail.iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map(|i| at + i)
}

/// Container bytes classified a word at a time (the wasm build uses `simd` instead).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub mod words {
    use super::{equal_bytes, first_marked, word, ONES};

    /// Setting bit 5 of `[` and `]` gives `{` and `}`, and of no other byte.
    const CASE_BITS: u64 = 0x2020_2020_2020_2020;

    /// How many bytes [`container_block`] classifies at once.
    pub const BLOCK: usize = 8;

    /// The bytes of one word of JSON that matter when skipping a container, as the lowest bit of
    /// each byte (bit `8 * i` for byte `i`).
    pub struct ContainerBlock {
        pub quotes: u64,
        /// `{`, `}`, `[` and `]`.
        pub brackets: u64,
        pub backslashes: u64,
    }

    /// Reads and classifies the word at `at`, if eight bytes are left.
    #[inline]
    pub fn container_block(bytes: &[u8], at: usize) -> Option<ContainerBlock> {
        let word = word(bytes, at)?;
        let folded = word | CASE_BITS;
        Some(ContainerBlock {
            quotes: equal_bytes(word, b'"') >> 7,
            brackets: (equal_bytes(folded, b'{') | equal_bytes(folded, b'}')) >> 7,
            backslashes: equal_bytes(word, b'\\') >> 7,
        })
    }

    /// For a word without escapes, which bytes lie inside a string (bit `8 * i` set), given
    /// whether the word starts inside one: the parity of the quotes up to each byte. A quote
    /// itself counts as inside when it opens a string and outside when it closes one.
    #[inline]
    pub fn inside_strings(quotes: u64, starts_inside: bool) -> u64 {
        let mut parity = quotes;
        parity ^= parity << 8;
        parity ^= parity << 16;
        parity ^= parity << 32;
        if starts_inside {
            parity ^= ONES;
        }
        parity & ONES
    }

    /// The byte offsets of the bits set in a per-byte mask, lowest first.
    #[inline]
    pub fn marked_offsets(mut mask: u64) -> impl Iterator<Item = usize> {
        std::iter::from_fn(move || {
            if mask == 0 {
                return None;
            }
            let offset = first_marked(mask);
            mask &= mask - 1;
            Some(offset)
        })
    }
}

#[cfg(all(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
mod tests {
    use super::words::*;
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    fn slow(bytes: &[u8], at: usize, wanted: &[u8]) -> Option<usize> {
        (at..bytes.len()).find(|&i| wanted.contains(&bytes[i]))
    }

    #[test]
    fn finds_each_byte_in_every_position_of_a_word() {
        for wanted in [b'"', b'\\'] {
            for position in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[position] = wanted;
                for at in 0..20 {
                    let expected = (at <= position).then_some(position);
                    assert_eq!(find_quote_or_backslash(&bytes, at), expected);
                }
            }
        }
    }

    /// Any byte, often one searched for or one a bit away from it.
    #[cfg(not(target_arch = "wasm32"))]
    fn interesting_byte() -> impl proptest::strategy::Strategy<Value = u8> {
        proptest::prop_oneof![
            proptest::prelude::any::<u8>(),
            proptest::sample::select(b"\"\\{}[]\x00\x02\x5a\x5c\x7a\x7c\xa2\xdb\xfb\xff".to_vec()),
        ]
    }

    #[test]
    fn classifies_a_word_and_tells_what_is_inside_strings() {
        let class = container_block(br#"{"a[":\x"#, 0).unwrap();
        assert_eq!(class.quotes, 1 << 8 | 1 << 32);
        assert_eq!(class.brackets, 1 | 1 << 24);
        assert_eq!(class.backslashes, 1 << 48);
        assert_eq!(
            inside_strings(class.quotes, false),
            1 << 8 | 1 << 16 | 1 << 24
        );
        assert_eq!(
            inside_strings(class.quotes, true),
            1 | 1 << 32 | 1 << 40 | 1 << 48 | 1 << 56
        );
        assert_eq!(marked_offsets(class.brackets).collect::<Vec<_>>(), [0, 3]);
        assert!(container_block(b"1234567", 0).is_none());
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        #[test]
        fn agrees_with_a_byte_by_byte_search(bytes in proptest::collection::vec(interesting_byte(), 0..64), at in 0usize..70) {
            proptest::prop_assert_eq!(find_quote_or_backslash(&bytes, at), slow(&bytes, at, b"\"\\"));
        }

        #[test]
        fn classifies_like_a_byte_by_byte_walk(bytes in proptest::collection::vec(interesting_byte(), 8), starts_inside in proptest::prelude::any::<bool>()) {
            let class = container_block(&bytes, 0).unwrap();
            let bit = |wanted: &[u8]| (0..8).filter(|&i| wanted.contains(&bytes[i])).map(|i| 1u64 << (8 * i)).sum::<u64>();
            proptest::prop_assert_eq!(class.quotes, bit(b"\""));
            proptest::prop_assert_eq!(class.brackets, bit(b"{}[]"));
            proptest::prop_assert_eq!(class.backslashes, bit(b"\\"));
            let mut inside = starts_inside;
            let mut expected = 0;
            for (i, &byte) in bytes.iter().enumerate() {
                if byte == b'"' {
                    inside = !inside;
                }
                if inside {
                    expected |= 1 << (8 * i);
                }
            }
            proptest::prop_assert_eq!(inside_strings(class.quotes, starts_inside), expected);
        }
    }
}
