//! The native command line: help, the demo generator, and errors on standard error.

use std::process::Command;

fn flowpol() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flowpol"))
}

#[test]
fn help_says_what_flowpol_does() {
    let output = flowpol().arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("NetworkPolicies"), "{text}");
    assert!(text.contains("demo"), "{text}");
}

#[test]
fn demo_writes_flows_and_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/demo");
    let status = flowpol()
        .args(["demo", "--flows", "120", "--seed", "4", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let flows = std::fs::read_to_string(out.join("flows.jsonl")).unwrap();
    assert_eq!(flows.lines().count(), 120);
    let inventory: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("inventory.json")).unwrap()).unwrap();
    assert_eq!(inventory["kind"], "List");
}

#[test]
fn errors_go_to_stderr_with_a_failure_status() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let output = flowpol()
        .args(["demo", "--out"])
        .arg(blocker.join("sub"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("flowpol: cannot create"), "{stderr}");

    let output = flowpol()
        .args(["demo", "--flows", "many"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(!output.stderr.is_empty());
}
