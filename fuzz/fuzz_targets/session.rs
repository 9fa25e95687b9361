//! Fuzz target `session`: a whole ingest session over one file fed in pieces, gzipped or not (format detection, record splitting, the JSON scanner, gzip, every reader, then `load`); a gzip file against the same file fed whole.
//! The body is shared with `tests/ingest/fuzz_regressions.rs` (`tests/support/fuzz_bodies.rs`).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::session(data));
