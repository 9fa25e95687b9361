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

/// Checks `inspect`'s discovery line (its span and counts) and estimate line.
fn assert_coverage(stdout: &str, discovery: &str, estimate: &str) {
    let discovery = format!("discovery: new communications per tenth of the capture {discovery}\n");
    assert!(stdout.contains(&discovery), "{discovery} in {stdout}");
    let estimate = format!("estimate: {estimate}\n");
    assert!(stdout.contains(&estimate), "{estimate} in {stdout}");
}

#[test]
fn inspect_says_how_the_capture_found_its_communications() {
    // The real capture's six communications: three in the first tenth of its second, the
    // others in the fourth, fifth and seventh; two were one connection, none two.
    let stdout = text(&flowpol(&["inspect", CAPTURE]).stdout);
    assert_coverage(
        &stdout,
        "(2021-11-10 10:40:56 to 2021-11-10 10:40:57): 3 0 0 1 1 0 1 0 0 0",
        "6 communications seen, 2 in one connection and 0 in two; Chao1: about 1 unseen",
    );
    // Nothing new in its last tenth: no warning.
    assert!(!stdout.contains("Keep capturing"), "{stdout}");
}

/// A flowpol flow record: `count` connections from `client` to `server` on TCP/8080 at
/// minute `minute` of 2026-11-20 09:00.
fn record(client: &str, server: &str, minute: u32, count: u32) -> String {
    let end = |name: &str| {
        format!(
            r#"{{"namespace":"shop","workload":"Deployment/{name}","labels":{{"app":"{name}"}}}}"#
        )
    };
    format!(
        r#"{{"src":{},"dst":{},"port":8080,"protocol":"TCP","count":{count},"time":"2026-11-20T09:{minute:02}:00Z"}}"#,
        end(client),
        end(server)
    )
}

#[test]
fn a_capture_still_finding_communications_at_its_end_is_told_to_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("flows.jsonl");
    let lines = [
        record("web", "api", 0, 12),
        record("web", "cart", 10, 1),
        record("cart", "db", 30, 1),
        record("api", "db", 40, 2),
        record("api", "cache", 55, 1),
        record("web", "search", 59, 1),
    ];
    std::fs::write(&capture, lines.join("\n")).unwrap();
    let capture = capture.to_str().unwrap();
    let inspect = text(&flowpol(&["inspect", capture]).stdout);
    // Four seen once, one twice, 18 connections: 17/18 · 4·3 / (2·2) = 2.83.
    assert_coverage(
        &inspect,
        "(2026-11-20 09:00:00 to 2026-11-20 09:59:00): 1 1 0 0 0 1 1 0 0 2",
        "6 communications seen, 4 in one connection and 1 in two; Chao1: about 3 unseen",
    );
    let generated = flowpol(&["generate", capture]);
    assert!(generated.status.success());
    let stderr = text(&generated.stderr);
    assert!(
        stderr.contains(
            "flowpol: warning: Keep capturing: the last tenth of the capture (2026-11-20 \
             09:53:06 to 2026-11-20 09:59:00) still found 2 new communications, and about 3 more \
             are likely unseen"
        ),
        "{stderr}"
    );
}

#[test]
fn workloads_with_no_traffic_and_controllers_with_no_pod_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("flows.jsonl");
    std::fs::write(&capture, record("web", "api", 0, 3)).unwrap();
    // The inventory's idle pod (shop/standby) and a CronJob that did not fire.
    let inventory = dir.path().join("inventory.json");
    let pod = |name: &str, app: &str, ip: &str| {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"shop","labels":{{"app":"{app}"}}}},"status":{{"podIP":"{ip}"}}}}"#
        )
    };
    let items = [
        pod("standby", "standby", "10.0.0.9"),
        r#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"report","namespace":"shop"}}"#.to_string(),
    ];
    std::fs::write(
        &inventory,
        format!(
            r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
            items.join(",")
        ),
    )
    .unwrap();
    let files = [capture.to_str().unwrap(), inventory.to_str().unwrap()];
    let inspect = text(&flowpol(&["inspect", files[0], files[1]]).stdout);
    assert!(
        inspect.contains(
            "warning: 1 workload had no traffic in the capture, so its policy denies \
             everything, written without evidence: Pod/shop/standby\n"
        ),
        "{inspect}"
    );
    assert!(
        inspect.contains(
            "warning: 1 controller is in the inventory with no pod (a CronJob that did not \
             fire, replicas at zero), so nothing of its traffic is in the capture and no policy \
             is written: CronJob/shop/report\n"
        ),
        "{inspect}"
    );
    let generated = flowpol(&["generate", files[0], files[1]]);
    let stderr = text(&generated.stderr);
    assert!(generated.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "flowpol: warning: Pod/shop/standby had no traffic in the capture: its policy, \
             which denies everything, is written without evidence"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("no policy is written: CronJob/shop/report"),
        "{stderr}"
    );
}
