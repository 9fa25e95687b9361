//! Fuzz target `records`: a stream cut into JSON records (`records::RecordSplitter`), fed in pieces of any size, against the same stream fed whole.
//! The body is shared with `tests/ingest/fuzz_regressions.rs` (`tests/support/fuzz_bodies.rs`).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::records(data));
