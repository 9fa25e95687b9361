//! The architecture, checked on the source: the engine's modules form a one-way street in
//! the order docs/architecture.md states (each uses only those before it), and every source
//! file opens with a `//!` doc saying what it is for.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The engine's top-level modules, each allowed to use only those before it.
const LAYERS: [&str; 14] = [
    "model",
    "yaml",
    "units",
    "ingest",
    "dataset",
    "resolve",
    "load",
    "decisions",
    "scope",
    "review",
    "graph",
    "verify",
    "policy",
    "demo",
];

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level engine modules a file's non-test code names (`crate::engine::X`).
fn engine_imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    code.match_indices("crate::engine::")
        .map(|(at, prefix)| {
            code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn the_engine_is_a_one_way_street() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut seen_layers = BTreeSet::new();
    for file in sources(&engine) {
        let relative = file.strip_prefix(&engine).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "mod" {
            continue;
        }
        let position = LAYERS
            .iter()
            .position(|l| *l == top)
            .unwrap_or_else(|| panic!("{top} is not in docs/architecture.md's order of modules"));
        seen_layers.insert(top.clone());
        for import in engine_imports(&fs::read_to_string(&file).unwrap()) {
            if import == top {
                continue;
            }
            let used = LAYERS
                .iter()
                .position(|l| *l == import)
                .unwrap_or_else(|| panic!("{} uses unknown module {import}", file.display()));
            assert!(
                used < position,
                "{} ({top}) uses {import}, which comes after it",
                relative.display()
            );
        }
    }
    assert_eq!(seen_layers.len(), LAYERS.len(), "every layer exists");
    let map =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"));
    assert!(
        map.unwrap().contains(&LAYERS.join(" → ")),
        "docs/architecture.md states the order: {}",
        LAYERS.join(" → ")
    );
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["src", "tests", "benches"] {
        for file in sources(&root.join(dir)) {
            let text = fs::read_to_string(&file).unwrap();
            assert!(
                text.starts_with("//!"),
                "{} has no //! doc at its top",
                file.display()
            );
        }
    }
}

#[test]
fn the_check_sees_imports() {
    let imports = engine_imports(
        "use crate::engine::model::Labels;\nfn f() { crate::engine::units::thousands(1); }\n#[cfg(test)]\nuse crate::engine::policy::x;",
    );
    assert_eq!(
        imports.into_iter().collect::<Vec<_>>(),
        ["model", "units"],
        "test code is left out"
    );
}
