//! The README's pull request gate, `tools/policy-gate.sh`, run as the README runs it, end to
//! end on the demo data: a policy folder's change that breaks observed communications fails
//! with a comment naming them; no change passes.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::{flowpol, text, DEMO_FLOWS, DEMO_INVENTORY};

/// The README's way of running the gate, with `flowpol` (this build) on the PATH.
fn gate(main: &Path, pull_request: &Path, comment: &Path) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_flowpol")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", path)
        .arg("tools/policy-gate.sh")
        .args([main, pull_request, Path::new(DEMO_FLOWS), comment])
        .args(["--inventory", DEMO_INVENTORY])
        .output()
        .unwrap()
}

/// `dir` copied to `to`, with `edit` applied to every file's text.
fn copy_tree(dir: &Path, to: &Path, edit: &dyn Fn(&str) -> String) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, edit);
        } else {
            fs::write(target, edit(&fs::read_to_string(entry.path()).unwrap())).unwrap();
        }
    }
}

#[test]
fn the_readmes_gate_fails_a_breaking_change_with_a_comment_and_passes_none() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains("bash tools/policy-gate.sh main/policies policies flows.jsonl comment.md --inventory inventory.json"),
        "the README runs the gate as this test does"
    );
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main/policies");
    let written = flowpol(&[
        "generate",
        "--out-dir",
        main.to_str().unwrap(),
        "--inventory",
        DEMO_INVENTORY,
        DEMO_FLOWS,
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));

    let unchanged = dir.path().join("unchanged");
    copy_tree(&main, &unchanged, &|text| text.to_string());
    let comment = dir.path().join("comment.md");
    let passed = gate(&main, &unchanged, &comment);
    assert_eq!(passed.status.code(), Some(0), "{}", text(&passed.stderr));
    assert!(text(&passed.stderr).contains("policy gate: nothing observed would break"));
    let said = fs::read_to_string(&comment).unwrap();
    assert!(
        said.starts_with("**flowpol diff**: nothing observed would break. "),
        "{said}"
    );

    // The pull request moves the cart's port.
    let breaking = dir.path().join("breaking");
    copy_tree(&main, &breaking, &|text| {
        text.replace("port: 7070", "port: 7071")
    });
    let failed = gate(&main, &breaking, &comment);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
    let said = fs::read_to_string(&comment).unwrap();
    assert_eq!(text(&failed.stdout), said, "the comment is also printed");
    assert!(
        said.starts_with("**flowpol diff**: 3 observed communications WOULD BREAK. "),
        "{said}"
    );
    assert!(
        said.contains("| Deployment/shop/frontend | Deployment/shop/cart | TCP/7070 | 55 |"),
        "{said}"
    );
    assert!(
        said.contains("<details><summary>changed: NetworkPolicy/shop/cart-deployment</summary>"),
        "{said}"
    );

    let missing = gate(&main, &dir.path().join("nowhere"), &comment);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("could not compare"));
}
