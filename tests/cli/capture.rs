//! Real captures through the command line: connections already open when the capture began,
//! nodes and the API server, several clusters, files in any order.

use std::path::{Path, PathBuf};

use crate::{flowpol, text, CAPTURE, DEMO_FLOWS, DEMO_INVENTORY};

const TWO_CLUSTERS: &str = "tests/fixtures/clusters/two-clusters/flows.jsonl";

#[test]
fn inspect_marks_connections_open_before_the_capture() {
    let output = flowpol(&["inspect", CAPTURE]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(
            "  Pod/kube-system/otelcol-hubble-collector-fwc6m -> 172.19.0.3 TCP/4244 (already open when the capture began)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  Deployment/bookinfo/reviews-v2 -> Deployment/bookinfo/ratings-v1 TCP/9080 (already open when the capture began)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  skipped 7 packets of unknown direction\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("6 entities, 1 unresolved addresses, 6 communications"),
        "{stdout}"
    );
}

#[test]
fn the_generated_policies_pass_verify_on_the_real_capture() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies.yaml");
    let policies = policies.to_str().unwrap();
    let generated = flowpol(&[
        "generate",
        "--map-nodes",
        "--allow-dns",
        "-o",
        policies,
        CAPTURE,
    ]);
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    assert!(
        text(&generated.stderr).contains("verified: all 6 included communications allowed"),
        "{}",
        text(&generated.stderr)
    );
    let yaml = std::fs::read_to_string(policies).unwrap();
    assert!(
        yaml.contains("    - ipBlock:\n        cidr: 172.19.0.3/32\n    ports:\n    - protocol: TCP\n      port: 4244\n"),
        "the collector reaches its node's Hubble server: {yaml}"
    );
    let verified = flowpol(&["verify", "--policies", policies, CAPTURE]);
    assert!(verified.status.success(), "{}", text(&verified.stdout));
    assert_eq!(
        text(&verified.stdout),
        "6 policies, 6 observed communications: all allowed\n"
    );
    // Without the nodes mapped, the node is an unresolved address, excluded: verify says so.
    let plain = dir.path().join("plain.yaml");
    let plain = plain.to_str().unwrap();
    assert!(flowpol(&["generate", "-o", plain, CAPTURE])
        .status
        .success());
    let denied = flowpol(&["verify", "--policies", plain, CAPTURE]);
    assert!(!denied.status.success());
    assert!(
        text(&denied.stdout).starts_with(
            "DENIED Pod/kube-system/otelcol-hubble-collector-fwc6m -> 172.19.0.3 TCP/4244"
        ),
        "{}",
        text(&denied.stdout)
    );
}

#[test]
fn the_api_server_is_a_known_peer_and_nodes_are_addresses() {
    let output = flowpol(&["generate", "--inventory", DEMO_INVENTORY, DEMO_FLOWS]);
    assert!(output.status.success());
    let yaml = text(&output.stdout);
    let prometheus = yaml
        .split("---")
        .find(|d| d.contains("name: prometheus-deployment"))
        .unwrap();
    assert!(
        prometheus.contains("  - to:\n    - ipBlock:\n        cidr: 172.20.0.2/32\n    ports:\n    - protocol: TCP\n      port: 6443\n"),
        "{prometheus}"
    );
    assert!(
        text(&output.stderr).contains("The kube-apiserver is allowed as ipBlock 172.20.0.2/32"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        !yaml.contains("172.20.0.1"),
        "node addresses (kubelet probes) stay excluded by default"
    );
    let mapped = flowpol(&[
        "generate",
        "--map-nodes",
        "--inventory",
        DEMO_INVENTORY,
        DEMO_FLOWS,
    ]);
    let mapped = text(&mapped.stdout);
    let frontend = mapped
        .split("---")
        .find(|d| d.contains("name: frontend-deployment"))
        .unwrap();
    assert!(frontend.contains("cidr: 172.20.0.1"), "{frontend}");
}

#[test]
fn one_cluster_at_a_time_or_each_document_says_its_cluster() {
    let east = flowpol(&["generate", "--cluster", "east", TWO_CLUSTERS]);
    assert!(east.status.success(), "{}", text(&east.stderr));
    let yaml = text(&east.stdout);
    assert_eq!(yaml.matches("kind: NetworkPolicy").count(), 2, "{yaml}");
    assert!(!yaml.contains("catalog"), "west alone runs catalog: {yaml}");
    assert_eq!(yaml.matches("# cluster: east\n").count(), 2, "{yaml}");
    let stderr = text(&east.stderr);
    assert!(
        stderr.contains(
            "west/Deployment/shop/cart is in another cluster, which a NetworkPolicy cannot select"
        ),
        "{stderr}"
    );
    let all = text(&flowpol(&["generate", TWO_CLUSTERS]).stdout);
    assert_eq!(all.matches("# cluster: east\n").count(), 2);
    assert_eq!(all.matches("# cluster: west\n").count(), 3);
    let inspect = text(&flowpol(&["inspect", TWO_CLUSTERS]).stdout);
    assert!(
        inspect
            .contains("  east/Deployment/shop/frontend -> west/Deployment/shop/cart TCP/7070 x1\n"),
        "{inspect}"
    );
}

/// The demo's lines, one file per node, given in two orders: the same policies.
#[test]
fn per_node_files_in_any_order_give_the_same_policies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let whole = std::fs::read_to_string(root.join(DEMO_FLOWS)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut nodes: Vec<(String, String)> = Vec::new();
    for line in whole.lines() {
        let node = serde_json::from_str::<serde_json::Value>(line).unwrap()["node_name"]
            .as_str()
            .unwrap()
            .replace('/', "-");
        match nodes.iter_mut().find(|(n, _)| *n == node) {
            Some((_, text)) => text.push_str(&format!("{line}\n")),
            None => nodes.push((node, format!("{line}\n"))),
        }
    }
    assert_eq!(nodes.len(), 3);
    let paths: Vec<PathBuf> = nodes
        .iter()
        .map(|(node, text)| {
            let path = dir.path().join(format!("{node}.jsonl"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let run = |order: &[usize]| {
        let mut args = vec!["generate", "--allow-dns", "--inventory", DEMO_INVENTORY];
        args.extend(order.iter().map(|&i| paths[i].to_str().unwrap()));
        let output = flowpol(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let whole = text(
        &flowpol(&[
            "generate",
            "--allow-dns",
            "--inventory",
            DEMO_INVENTORY,
            DEMO_FLOWS,
        ])
        .stdout,
    );
    assert_eq!(run(&[0, 1, 2]), whole);
    assert_eq!(run(&[2, 0, 1]), whole);
}

/// `--cluster-range` takes an address or a CIDR: a range that is neither is refused before
/// anything is read, naming the option, with clap's usage error status (2), by every command
/// that takes it.
#[test]
fn a_cluster_range_that_is_no_range_is_refused() {
    for command in ["inspect", "generate", "verify"] {
        let mut args = vec![command, "--cluster-range", "10.0.0.0/33"];
        if command == "verify" {
            args.extend([
                "--policies",
                "tests/fixtures/clusters/two-clusters/expected.yaml",
            ]);
        }
        args.push(TWO_CLUSTERS);
        let output = flowpol(&args);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains("--cluster-range") && stderr.contains("10.0.0.0/33"),
            "{command}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{command}");
    }
    let fine = flowpol(&["inspect", "--cluster-range", "10.2.0.0/16", TWO_CLUSTERS]);
    assert!(fine.status.success(), "{}", text(&fine.stderr));
}
