//! Flows alone: real captures nobody on the team wrote (tests/fixtures/real, see SOURCE.txt
//! for provenance and licences), read with no inventory, as most people first use flowpol.
//! Each capture holds exactly the communications listed (checked by hand against the lines),
//! DaemonSets are one workload however many nodes run them, and the policies `generate`
//! writes allow every included communication, by the verifier's own account: exit 0. Where a
//! policy still denies an included communication, `generate` says which and exits 3.

use std::path::Path;
use std::process::{Command, Output};

use flowpol::engine::dataset::Dataset;
use flowpol::engine::decisions::Decisions;
use flowpol::engine::load::load_files;
use flowpol::engine::model::{EntityKind, TimeWindow};
use flowpol::engine::policy::build::GeneratedPolicy;
use flowpol::engine::policy::denied::selected_entities;
use flowpol::engine::policy::{generate_policies, placed, policies_yaml_as, PolicyKind};
use flowpol::engine::verify::replay::verify_placed;

use crate::summary::summary;

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(REAL).join(name)).unwrap()
}

/// Loads `name` alone, checks its communications, and checks that the policies of every
/// workload allow every included communication (the verifier replaying every workload the
/// policies select).
fn check(name: &str, expected: &[&str]) -> Dataset {
    let bytes = read(name);
    let loaded = load_files(&[(name, &bytes)], &[]);
    let dataset = loaded.dataset;
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(summary(&dataset), expected, "{name}");
    let decisions = Decisions::default();
    let entities: Vec<_> = dataset.entity_ids().collect();
    let generated = generate_policies(&dataset, &decisions, &entities, TimeWindow::ALL);
    assert!(
        generated.iter().all(|g| g.policy.is_some()),
        "{name}: every workload gets a policy"
    );
    let report = verify_placed(
        &dataset,
        &decisions,
        &placed(&dataset, &generated),
        &selected_entities(&generated),
        TimeWindow::ALL,
    );
    assert_eq!(
        report.included_denied().count(),
        0,
        "{name}: {}",
        report.summary()
    );
    write_for_validation(name, &generated);
    dataset
}

/// Writes the policies (both kinds) where `tools/test.sh` validates them: the NetworkPolicies
/// with their JSON twin (PyYAML, kubernetes-validate, the API server's rules), the
/// CiliumNetworkPolicies against Cilium's CRD schema.
fn write_for_validation(name: &str, generated: &[GeneratedPolicy]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let stem = format!("flows-alone-{}", name.trim_end_matches(".jsonl"));
    let network = root.join("generated-policies");
    std::fs::create_dir_all(&network).unwrap();
    let documents: Vec<_> = generated.iter().filter_map(|g| g.policy.as_ref()).collect();
    std::fs::write(
        network.join(format!("{stem}.yaml")),
        policies_yaml_as(generated, PolicyKind::Kubernetes).unwrap(),
    )
    .unwrap();
    std::fs::write(
        network.join(format!("{stem}.json")),
        serde_json::to_string_pretty(&documents).unwrap(),
    )
    .unwrap();
    let cilium = root.join("generated-cilium-policies");
    std::fs::create_dir_all(&cilium).unwrap();
    std::fs::write(
        cilium.join(format!("{stem}.yaml")),
        policies_yaml_as(generated, PolicyKind::Cilium).unwrap(),
    )
    .unwrap();
}

fn kind_of(dataset: &Dataset, namespace: &str, name: &str) -> (EntityKind, bool) {
    let entity = dataset
        .entities
        .iter()
        .find(|e| e.owner.namespace == namespace && e.owner.name == name)
        .unwrap_or_else(|| panic!("{namespace}/{name}"));
    (entity.owner.kind, entity.kind_inferred)
}

/// GKE, L7 DNS records: node-local-dns, one pod on each of four nodes, asks kube-dns. One
/// DaemonSet, one communication (today 4 bare pods would each need a policy of their own, and
/// the selector of one would leave the others out).
#[test]
fn gke_dns_capture_node_local_dns_is_one_daemonset() {
    let dataset = check(
        "hubble-otel_basic-sample-330-dns-flows.jsonl",
        &["DaemonSet/kube-system/node-local-dns -> Deployment/kube-system/kube-dns TCP/53 (already open when the capture began)"],
    );
    assert_eq!(
        kind_of(&dataset, "kube-system", "node-local-dns"),
        (EntityKind::DaemonSet, true)
    );
    let daemonset = dataset
        .entities
        .iter()
        .find(|e| e.owner.name == "node-local-dns")
        .unwrap();
    assert_eq!(daemonset.pods.len(), 4, "{:?}", daemonset.pods);
}

/// GKE, L7 HTTP records (prometheus scraping, bookinfo): some destinations are printed with
/// their pod name but only `reserved:world` labels (the observing node did not know them), so
/// no label picks jaeger, reviews-v1 or clickhouse-operator: they are selected as their
/// namespace, and what that admits is listed.
#[test]
fn gke_http_capture_workloads_without_labels_are_allowed_wider() {
    let dataset = check(
        "hubble-otel_basic-sample-348-http-flows.jsonl",
        &[
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v1 TCP/9080 (already open when the capture began)",
            "Deployment/bookinfo/ratings-v1 -> Deployment/bookinfo/productpage-v1 TCP/9080 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> Deployment/istio-system/jaeger TCP/14269 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> Deployment/kube-system/clickhouse-operator TCP/8888 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> Deployment/kube-system/kube-dns TCP/10054 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> DaemonSet/kube-system/node-local-dns TCP/9253 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.3 TCP/8888 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.3 TCP/9990 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.4 TCP/6942 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.4 TCP/9990 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.5 TCP/9990 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.6 TCP/9990 (already open when the capture began)",
        ],
    );
    let jaeger = dataset
        .find_entity(EntityKind::Deployment, "istio-system", "jaeger")
        .unwrap();
    let generated = generate_policies(&dataset, &Decisions::default(), &[jaeger], TimeWindow::ALL);
    let policy = generated[0].policy.as_ref().unwrap();
    assert!(policy.spec.pod_selector.match_labels.is_empty());
    assert!(
        generated[0].warnings[0].contains(
            "every pod of namespace istio-system, which also admits Deployment/istio-system/prometheus"
        ),
        "{:?}",
        generated[0].warnings
    );
    // The YAML says it too, above the document.
    let yaml = policies_yaml_as(&generated, PolicyKind::Kubernetes).unwrap();
    assert!(
        yaml.starts_with("# flowpol: The policy of Deployment/istio-system/jaeger selects more than its pods: its pods share no label, so it is selected as every pod of namespace istio-system, which also admits Deployment/istio-system/prometheus; "),
        "{yaml}"
    );
}

/// kind, bookinfo and an OpenTelemetry collector DaemonSet whose pods stream from their
/// node's Hubble server and export to jaeger.
#[test]
fn kind_tcp_capture_the_collector_is_one_daemonset() {
    let dataset = check(
        "hubble-otel_basic-sample-400-tcp-flows.jsonl",
        &[
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/details-v1 TCP/9080 x9",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v1 TCP/9080 x2",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v2 TCP/9080 x4",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v3 TCP/9080 x3",
            "Deployment/bookinfo/ratings-v1 -> Deployment/bookinfo/productpage-v1 TCP/9080 x9",
            "Deployment/bookinfo/reviews-v2 -> Deployment/bookinfo/ratings-v1 TCP/9080 (already open when the capture began)",
            "Deployment/bookinfo/reviews-v3 -> Deployment/bookinfo/ratings-v1 TCP/9080 x1",
            "DaemonSet/kube-system/otelcol-hubble-collector -> Deployment/jaeger/jaeger-default TCP/14250 (already open when the capture began)",
            "DaemonSet/kube-system/otelcol-hubble-collector -> 172.19.0.3 TCP/4244 (already open when the capture began)",
            "10.244.0.148 -> Deployment/jaeger/jaeger-default TCP/14269 x1",
        ],
    );
    assert_eq!(
        kind_of(&dataset, "kube-system", "otelcol-hubble-collector"),
        (EntityKind::DaemonSet, true)
    );
}

#[test]
fn kind_redirected_udp_and_short_captures() {
    check(
        "hubble-otel_basic-sample-400-l7-redirected-flows.jsonl",
        &[
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/details-v1 TCP/9080 x74",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v1 TCP/9080 x18",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v2 TCP/9080 x31",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v3 TCP/9080 x25",
            "Deployment/bookinfo/productpage-v1 -> Deployment/kube-system/coredns UDP/53 x112",
            "Deployment/bookinfo/ratings-v1 -> Deployment/bookinfo/productpage-v1 TCP/9080 x74",
            "Deployment/bookinfo/ratings-v1 -> Deployment/kube-system/coredns UDP/53 x66",
        ],
    );
    check(
        "hubble-otel_basic-sample-400-udp-flows.jsonl",
        &[
            "Deployment/bookinfo/productpage-v1 -> Deployment/kube-system/coredns UDP/53 x24",
            "Deployment/bookinfo/ratings-v1 -> Deployment/kube-system/coredns UDP/53 x13",
            "10.244.0.148 -> Deployment/kube-system/coredns UDP/53 x74",
        ],
    );
    check(
        "hubble-otel_basic-sample-5-http-flows.jsonl",
        &[
            "Deployment/istio-system/prometheus -> Deployment/kube-system/kube-dns TCP/10054 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> Pod/kube-system/node-local-dns-r99x7 TCP/9253 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> 10.128.0.4 TCP/9990 (already open when the capture began)",
        ],
    );
    check(
        "hubble-otel_basic-sample-10-flows.jsonl",
        &[
            "Deployment/istio-system/istio-telemetry -> Deployment/istio-system/istio-galley TCP/9901 (already open when the capture began)",
            "Deployment/istio-system/prometheus -> Deployment/bookinfo/reviews-v1 TCP/15090 (already open when the capture began)",
            "Deployment/kube-system/event-exporter-gke -> 35.246.31.234 TCP/443 (already open when the capture began)",
            "10.0.2.1 -> Deployment/bookinfo/reviews-v1 TCP/15020 (already open when the capture began)",
            "10.0.2.1 -> Deployment/kube-system/kube-dns TCP/10054 x1",
        ],
    );
}

/// kind, Cilium's star-wars demo, with Hubble's `workloads[]` on some lines: the Deployment
/// it names is not inferred; the bare pod stays a pod.
#[test]
fn star_wars_capture_with_workloads() {
    let dataset = check(
        "siegmund-heiss-ich_cnpg-testdata1.jsonl",
        &[
            "Pod/default/tiefighter -> Deployment/default/deathstar TCP/80 x4",
            "Pod/default/tiefighter -> Deployment/kube-system/coredns UDP/53 x8",
        ],
    );
    assert_eq!(
        kind_of(&dataset, "default", "deathstar"),
        (EntityKind::Deployment, false)
    );
    assert_eq!(
        kind_of(&dataset, "default", "tiefighter"),
        (EntityKind::Pod, false)
    );
}

fn flowpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowpol"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The command line on each capture, and on all of them at once: exit 0, and its own
/// verification says every included communication is allowed.
#[test]
fn generate_exits_0_with_every_included_communication_allowed() {
    let captures: Vec<String> = std::fs::read_dir(REAL)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        // Inspektor Gadget's trace events are not Hubble flows (see ingest_real.rs).
        .filter(|p| !p.to_str().unwrap().contains("inspektor-gadget"))
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    assert!(captures.len() >= 10, "{captures:?}");
    let mut with_communications = 0;
    for capture in &captures {
        let output = flowpol(&["generate", capture]);
        let err = stderr(&output);
        if err.contains("hold no connection") {
            continue;
        }
        with_communications += 1;
        assert_eq!(output.status.code(), Some(0), "{capture}: {err}");
        assert!(!err.contains("DENIED"), "{capture}: {err}");
        assert!(err.contains("included communication"), "{capture}: {err}");
    }
    assert!(with_communications >= 9);
    let mut all = vec!["generate"];
    all.extend(captures.iter().map(String::as_str));
    let output = flowpol(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// `inspect` says which kinds were inferred and which workloads no selector picks exactly.
#[test]
fn inspect_lists_inferred_kinds_and_wider_selectors() {
    let capture = format!("{REAL}hubble-otel_basic-sample-348-http-flows.jsonl");
    let output = flowpol(&["inspect", &capture]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\ninferred: DaemonSet/kube-system/node-local-dns (4 pods; its kind inferred from the flows"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nwider: Deployment/istio-system/jaeger: its pods share no label, so it is selected as every pod of namespace istio-system, which also admits Deployment/istio-system/prometheus\n"),
        "{stdout}"
    );
}

/// `inspect` names the workloads whose pods run in their node's network, which get no policy,
/// and an Argo Rollout as such.
#[test]
fn inspect_lists_host_network_workloads_and_rollouts() {
    let clusters = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/clusters/");
    let dir = format!("{clusters}host-network-service/");
    let output = flowpol(&[
        "inspect",
        &format!("{dir}flows.jsonl"),
        &format!("{dir}inventory.json"),
    ]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\nhost network: DaemonSet/monitoring/node-exporter runs with hostNetwork: true: no NetworkPolicy or CiliumNetworkPolicy applies to its pods, so none is written for it; their traffic is their node's, written as their nodes' addresses (172.18.0.2, 172.18.0.3)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  Deployment/shop/web -> 172.18.0.3 TCP/443 x1\n"),
        "{stdout}"
    );
    let dir = format!("{clusters}argo-rollout/");
    let output = flowpol(&["inspect", &format!("{dir}flows.jsonl")]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("\n  Deployment/shop/frontend -> Rollout/shop/checkout TCP/8080 x4\n"),
        "{stdout}"
    );
}

/// A communication the review includes that a NetworkPolicy cannot express (an address
/// allowed by its DNS name): `generate` lists it as DENIED with why and exits 3; with
/// `--allow-denied` it exits 0; as CiliumNetworkPolicies (`toFQDNs`) nothing is denied.
#[test]
fn an_included_communication_still_denied_is_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows.jsonl");
    std::fs::write(
        &flows,
        r#"{"src": {"namespace": "shop", "pod": "web-6b746f74dc-9rcxx", "labels": {"app": "web"}}, "dst": {"ip": "203.0.113.7", "names": ["api.example.com"]}, "port": 443, "protocol": "TCP", "count": 3, "time": "2026-11-20T09:00:00Z"}"#,
    )
    .unwrap();
    let flows = flows.to_str().unwrap();
    let output = flowpol(&["generate", "--allow-name", "api.example.com", flows]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "flowpol: DENIED Deployment/shop/web -> 203.0.113.7 TCP/443 x3, denied by egress at the client: "
        ) && err.contains("cannot name 203.0.113.7 by its DNS name api.example.com"),
        "{err}"
    );
    assert!(err.contains("pass --allow-denied"), "{err}");
    assert!(!output.stdout.is_empty(), "the policies are still written");
    let allowed = flowpol(&[
        "generate",
        "--allow-name",
        "api.example.com",
        "--allow-denied",
        flows,
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    assert!(stderr(&allowed).contains("DENIED"));
    let cilium = flowpol(&[
        "generate",
        "--allow-name",
        "api.example.com",
        "--format",
        "cilium",
        flows,
    ]);
    assert_eq!(cilium.status.code(), Some(0), "{}", stderr(&cilium));
}

/// A workload's policy whose selector picks another workload's pods isolates those too: it
/// carries their rules, so that `generate --kind --name` of that one workload, applied alone,
/// denies the other nothing (the verifier replays the other's communications as well).
#[test]
fn a_policy_that_selects_another_workload_carries_its_rules() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows.jsonl");
    let line = |workload: &str, pod: &str, labels: &str, port: u16| {
        format!(
            r#"{{"src": {{"namespace": "shop", "pod": "{pod}", "workload": "Deployment/{workload}", "labels": {labels}}}, "dst": {{"namespace": "shop", "pod": "db-0", "workload": "StatefulSet/db", "labels": {{"app": "db"}}}}, "port": {port}, "protocol": "TCP", "count": 1, "time": "2026-11-20T09:00:00Z"}}"#
        )
    };
    std::fs::write(
        &flows,
        [
            line("web", "web-1", r#"{"app": "web"}"#, 5432),
            line(
                "web-canary",
                "web-canary-1",
                r#"{"app": "web", "track": "canary"}"#,
                6432,
            ),
        ]
        .join("\n"),
    )
    .unwrap();
    let flows = flows.to_str().unwrap();
    let one = flowpol(&["generate", "--kind", "Deployment", "--name", "web", flows]);
    let err = stderr(&one);
    assert_eq!(one.status.code(), Some(0), "{err}");
    assert!(
        err.contains("The policy of Deployment/shop/web selects more than its pods: its selector app=web also picks the pods of Deployment/shop/web-canary; it carries their rules too"),
        "{err}"
    );
    assert!(
        err.contains("verified: the 1 included communication allowed")
            || err.contains("verified: all 2 included communications allowed"),
        "{err}"
    );
    let yaml = String::from_utf8(one.stdout).unwrap();
    assert!(
        yaml.contains("port: 5432") && yaml.contains("port: 6432"),
        "web's rule and the canary's: {yaml}"
    );
    let all = flowpol(&["generate", flows]);
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
}

/// The same GKE DNS capture as a newer Cilium prints it, with `workloads[]` on the
/// node-local-dns pods (added here to each of its endpoints): the same one DaemonSet and the
/// same communication, its kind now named rather than inferred.
#[test]
fn gke_dns_capture_with_workloads_names_the_same_daemonset() {
    let name = "hubble-otel_basic-sample-330-dns-flows.jsonl";
    let text = String::from_utf8(read(name)).unwrap();
    let with_workloads: String = text
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            for side in ["source", "destination"] {
                let endpoint = &mut record["flow"][side];
                let pod = endpoint["pod_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if pod.starts_with("node-local-dns-") {
                    endpoint["workloads"] =
                        serde_json::json!([{"name": "node-local-dns", "kind": "DaemonSet"}]);
                }
            }
            record.to_string() + "\n"
        })
        .collect();
    assert!(with_workloads.contains(r#""workloads":[{"kind":"DaemonSet""#));
    let loaded = load_files(&[(name, with_workloads.as_bytes())], &[]);
    assert_eq!(
        summary(&loaded.dataset),
        ["DaemonSet/kube-system/node-local-dns -> Deployment/kube-system/kube-dns TCP/53 (already open when the capture began)"]
    );
    assert_eq!(
        kind_of(&loaded.dataset, "kube-system", "node-local-dns"),
        (EntityKind::DaemonSet, false)
    );
}

/// The kind TCP capture as an exporter with Cilium's documented field mask "all information
/// except pod labels" writes it (labels dropped, identities kept; done here to each
/// endpoint): the same communications, the node's proxy legs still their clients' by
/// identity, and, with no label to select by, every workload allowed as its namespace, so
/// nothing included is denied.
#[test]
fn kind_tcp_capture_without_labels_gives_the_same_communications() {
    let name = "hubble-otel_basic-sample-400-tcp-flows.jsonl";
    let with_labels = load_files(&[(name, &read(name))], &[]).dataset;
    let text = String::from_utf8(read(name)).unwrap();
    let stripped: String = text
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            for side in ["source", "destination"] {
                if let Some(endpoint) = record["flow"][side].as_object_mut() {
                    endpoint.remove("labels");
                }
            }
            record.to_string() + "\n"
        })
        .collect();
    assert!(!stripped.contains("\"labels\""));
    let without = load_files(&[(name, stripped.as_bytes())], &[]).dataset;
    assert_eq!(summary(&without), summary(&with_labels));
    let decisions = Decisions::default();
    let entities: Vec<_> = without.entity_ids().collect();
    let generated = generate_policies(&without, &decisions, &entities, TimeWindow::ALL);
    let report = verify_placed(
        &without,
        &decisions,
        &placed(&without, &generated),
        &selected_entities(&generated),
        TimeWindow::ALL,
    );
    assert_eq!(report.included_denied().count(), 0, "{}", report.summary());
}
