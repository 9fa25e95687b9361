//! Scan: bytes to fields, the fast path every format reads through.
//!
//! - [`records`]: a stream of chunks cut into JSON records (lines or array elements).
//! - [`json_scan`]: the members of a JSON object found without parsing them.
//! - `swar` (and `simd` on wasm with SIMD): quotes and brackets found eight (sixteen) bytes at
//!   a time.

pub mod json_scan;
pub mod records;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;
pub(crate) mod swar;

/// How container bytes are classified: 16 at a time with wasm's SIMD, else 8 at a time.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd as blocks;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use swar::words as blocks;
