//! flowpol on the command line, as people and pipelines run it: help, the demo generator and
//! errors (`commands`); `generate` and `verify` on the shipped demo data (`policy`); real
//! captures (`capture`); `diff` (`diff`); `generate --out-dir` (`out_dir`); the README's pull request gate (`gate`); many input files, each run with a deadline (`files`); memory bounded
//! under `prlimit` whatever the input (`limits`). (`flowpol generate`'s exact output is
//! `tests/golden_policies.rs`.)
#![cfg(not(target_arch = "wasm32"))]

mod capture;
mod commands;
mod diff;
mod files;
mod gate;
mod limits;
mod out_dir;
mod policy;

use std::process::{Command, Output};

/// The shipped demo data, relative to the project's root, where `flowpol` runs.
const DEMO_FLOWS: &str = "public/demo/flows.jsonl";
const DEMO_INVENTORY: &str = "public/demo/inventory.json";
/// The first 129 lines of a real TCP capture (tests/fixtures/real, see SOURCE.txt).
const CAPTURE: &str = "tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl";

/// Runs `flowpol` with `args` in the project's root and waits for it.
fn flowpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowpol"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

/// Standard output or error as text.
fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}
