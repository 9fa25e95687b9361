//! The fuzz targets' inputs as native tests: every file of `tests/fixtures/fuzz/<target>/`
//! (the seed corpus in `seeds/`, and in `regressions/` the inputs that once crashed, hung or
//! broke a property) runs through the same body as the fuzz target `<target>`
//! (`tests/support/fuzz_bodies.rs`), which panics when the parser does or a property fails.

use std::fs;
use std::path::{Path, PathBuf};

use crate::fuzz_bodies::TARGETS;

fn inputs(target: &str, folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target)
        .join(folder);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Runs every input of `folder` through its target (all of them, naming each that fails);
/// returns how many ran.
fn run(folder: &str) -> usize {
    let mut ran = 0;
    let mut failed = Vec::new();
    for (target, body) in TARGETS {
        for file in inputs(target, folder) {
            let data = fs::read(&file).unwrap();
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(format!("{target}: {}", file.display()));
            }
            ran += 1;
        }
    }
    assert!(failed.is_empty(), "failed:\n{}", failed.join("\n"));
    ran
}

#[test]
fn every_target_has_seeds_and_they_pass() {
    for (target, _) in TARGETS {
        assert!(
            !inputs(target, "seeds").is_empty(),
            "{target} has no seed in tests/fixtures/fuzz/{target}/seeds/"
        );
    }
    assert!(run("seeds") >= TARGETS.len());
}

#[test]
fn the_inputs_that_once_failed_pass() {
    run("regressions");
}
