//! Fuzz target `hubble_line`: one Hubble line (`hubble::parse_flow`), its endpoints, ports, time and role, aggregated.
//! The body is shared with `tests/ingest/fuzz_regressions.rs` (`tests/support/fuzz_bodies.rs`).
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_bodies::hubble_line(data));
