//! The policies a pipeline gets, byte for byte: `flowpol generate` on the shipped demo data
//! (with and without its inventory) and on every real capture in `tests/fixtures/real/` and `tests/fixtures/flowpol/`, as
//! NetworkPolicies and as CiliumNetworkPolicies (with L7 rules too, where the flows carry L7
//! records: `*.cilium-l7.txt`), compared with reviewed snapshot files in
//! `tests/fixtures/golden/` (standard output, then standard error and the exit status).
//! A refactor that changes no behaviour leaves every file as it is.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

#[path = "support/snapshot.rs"]
mod snapshot;

const DEMO_FLOWS: &str = "public/demo/flows.jsonl";
const DEMO_INVENTORY: &str = "public/demo/inventory.json";

/// The snapshot text of one `flowpol generate` run: the YAML, its messages, its exit status.
fn generate(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_flowpol"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("generate")
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}# ---- standard error ----\n{}# ---- exit status: {:?}\n",
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code()
    )
}

/// Whether a run reads a file with L7 records (its last argument is the flow file).
fn has_l7_records(args: &[String]) -> bool {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    args.last()
        .and_then(|file| std::fs::read_to_string(root.join(file)).ok())
        .is_some_and(|text| text.contains("\"l7\":"))
}

/// Every run's snapshot problems, for both policy kinds, and with L7 rules for the runs whose
/// flows carry L7 records.
fn check_runs(runs: &[(String, Vec<String>)]) {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden");
    let mut problems = Vec::new();
    for (name, args) in runs {
        let mut formats = vec!["kubernetes", "cilium"];
        if has_l7_records(args) {
            formats.push("cilium-l7");
        }
        for format in formats {
            let mut with_format: Vec<&str> = match format {
                "cilium-l7" => vec!["--format", "cilium", "--l7"],
                _ => vec!["--format", format],
            };
            with_format.extend(args.iter().map(String::as_str));
            let actual = generate(&with_format);
            problems.extend(snapshot::check(
                &golden.join(format!("{name}.{format}.txt")),
                &actual,
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_demo_data_gives_the_reviewed_policies() {
    check_runs(&[
        (
            "demo".to_string(),
            vec![
                "--inventory".to_string(),
                DEMO_INVENTORY.to_string(),
                DEMO_FLOWS.to_string(),
            ],
        ),
        ("demo-flows-alone".to_string(), vec![DEMO_FLOWS.to_string()]),
    ]);
}

#[test]
fn every_real_capture_gives_the_reviewed_policies() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let flowpol = real.with_file_name("flowpol");
    let mut captures: Vec<String> = [real, flowpol]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
        .map(|path| {
            let relative = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
            relative.to_string_lossy().into_owned()
        })
        .collect();
    captures.sort();
    assert!(captures.len() >= 11, "{captures:?}");
    let runs: Vec<(String, Vec<String>)> = captures
        .iter()
        .map(|file| {
            let name = Path::new(file).file_stem().unwrap().to_string_lossy();
            (name.into_owned(), vec![file.clone()])
        })
        .collect();
    check_runs(&runs);
}
