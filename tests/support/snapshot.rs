//! Reviewed snapshot files: a test compares its output with the file, which a person has read.
//! Only `UPDATE_SNAPSHOTS=1` rewrites a file, and prints what changed so the change is read
//! too; a missing file is a failure, never an empty expectation.

use std::fs;
use std::path::Path;

/// Whether this run rewrites snapshots (`UPDATE_SNAPSHOTS=1`, nothing else).
pub fn updating() -> bool {
    std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1")
}

/// `None` when `actual` equals the snapshot at `path`; else what differs. Under
/// `UPDATE_SNAPSHOTS=1` the file is rewritten and the diff printed instead.
pub fn check(path: &Path, actual: &str) -> Option<String> {
    let reviewed = fs::read_to_string(path);
    let old = reviewed.as_deref().unwrap_or("");
    if reviewed.as_deref().ok() == Some(actual) {
        return None;
    }
    let diff = similar::TextDiff::from_lines(old, actual)
        .unified_diff()
        .header(&path.display().to_string(), "generated")
        .to_string();
    if updating() {
        fs::write(path, actual).unwrap();
        println!("rewrote {}:\n{diff}", path.display());
        return None;
    }
    Some(match reviewed {
        Err(error) => format!(
            "{}: {error} (UPDATE_SNAPSHOTS=1 writes it; read it before committing)",
            path.display()
        ),
        Ok(_) => format!(
            "{} differs from the output (UPDATE_SNAPSHOTS=1 rewrites it; read the diff):\n{diff}",
            path.display()
        ),
    })
}
