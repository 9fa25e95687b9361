//! `flowpol generate --out-dir`: the GitOps tree written, written again unchanged, narrowed
//! (what is gone removed, the user's own files left alone), and refused over a file of the
//! user's.

use std::fs;

use super::{flowpol, text, DEMO_FLOWS, DEMO_INVENTORY};

fn generate(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let dir = dir.to_str().unwrap();
    let mut args = vec!["generate", "--out-dir", dir, "--inventory", DEMO_INVENTORY];
    args.extend_from_slice(extra);
    args.push(DEMO_FLOWS);
    flowpol(&args)
}

#[test]
fn a_tree_is_written_rewritten_unchanged_and_narrowed_leaving_the_users_files() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("policies");
    let first = generate(&tree, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(first.stdout.is_empty(), "the YAML goes to the files");
    assert!(
        text(&first.stderr).contains(": 20 files written, 0 unchanged, 0 removed"),
        "{}",
        text(&first.stderr)
    );
    let top = fs::read_to_string(tree.join("kustomization.yaml")).unwrap();
    assert!(
        top.contains("kind: Kustomization\nresources:\n- data\n"),
        "{top}"
    );
    let cart = fs::read_to_string(tree.join("shop/networkpolicy-cart-deployment.yaml")).unwrap();
    assert!(
        cart.contains(
            "kind: NetworkPolicy\nmetadata:\n  name: cart-deployment\n  namespace: shop\n"
        ),
        "{cart}"
    );
    // The user's own files, beside flowpol's.
    fs::write(tree.join("shop/README.md"), "ours").unwrap();
    fs::write(tree.join("data/extra.yaml"), "kind: ConfigMap\n").unwrap();

    let again = generate(&tree, &[]);
    assert!(
        text(&again.stderr).contains(": 0 files written, 20 unchanged, 0 removed"),
        "{}",
        text(&again.stderr)
    );

    let narrowed = generate(&tree, &["--namespace", "shop"]);
    let stderr = text(&narrowed.stderr);
    assert_eq!(narrowed.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("removed "), "{stderr}");
    assert!(
        stderr.contains("networkpolicy-coredns-deployment.yaml (no longer in the tree)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(": 1 files written, 4 unchanged, 15 removed"),
        "{stderr}"
    );
    assert!(
        !tree.join("kube-system").exists(),
        "a folder left empty goes"
    );
    assert_eq!(
        fs::read_to_string(tree.join("shop/README.md")).unwrap(),
        "ours"
    );
    assert_eq!(
        fs::read_to_string(tree.join("data/extra.yaml")).unwrap(),
        "kind: ConfigMap\n"
    );
    assert!(!tree.join("data/kustomization.yaml").exists());
}

#[test]
fn a_users_file_where_the_tree_puts_one_stops_the_run_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("shop")).unwrap();
    fs::write(
        dir.path().join("shop/kustomization.yaml"),
        "resources: [ours.yaml]\n",
    )
    .unwrap();
    let output = generate(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("shop/kustomization.yaml not written by flowpol"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("shop/kustomization.yaml")).unwrap(),
        "resources: [ours.yaml]\n"
    );
    assert!(!dir.path().join("kustomization.yaml").exists());
    assert!(!dir.path().join("data").exists());
}

#[test]
fn out_dir_and_output_cannot_be_given_together() {
    let output = flowpol(&["generate", "--out-dir", "x", "-o", "y.yaml", DEMO_FLOWS]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("cannot be used with"),
        "{}",
        text(&output.stderr)
    );
}
