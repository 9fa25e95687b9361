//! Data-driven policy tests over the tricky clusters of `tests/fixtures/clusters/` (see its
//! README, whose list of clusters must name exactly the directories) and the demo dataset.
//! For each cluster: ingest gives exactly the hand-written `communication` lines of
//! `expected.txt` (every cluster has some); every hand-written `allow`/`deny` probe holds
//! (the demo's are in `tests/fixtures/demo/`), under the NetworkPolicies and under the
//! CiliumNetworkPolicies written from the same review; the verifier agrees with the review for
//! both kinds; the
//! generated YAML equals the reviewed snapshot `expected.yaml` and the warnings
//! `expected.warnings.txt` (rewrite with `UPDATE_SNAPSHOTS=1`, which prints the diff to read);
//! the files read in the other order give the same communications, probes and YAML; every
//! document reads back unchanged through k8s-openapi's NetworkPolicy and through a YAML 1.1
//! reader (kubectl's: no label value turned into a boolean or a number); and the documents
//! are written to `target/generated-policies/` for `tools/validate_policies.py`
//! (kubernetes-validate, PyYAML). The same review written as CiliumNetworkPolicies: the
//! snapshots `expected.cilium.yaml` and `expected.cilium.warnings.txt`, the same YAML 1.1
//! read-back, the same YAML whatever the file order, and the documents written to
//! `target/generated-cilium-policies/` for `tools/cilium/validate.py` (Cilium's CRD schema).

use std::fs;
use std::path::{Path, PathBuf};

use flowpol::engine::dataset::{Dataset, Peer};
use flowpol::engine::decisions::Decisions;
use flowpol::engine::ingest::session::Ingest;
use flowpol::engine::load;
use flowpol::engine::model::network_policy::NetworkPolicy;
use flowpol::engine::model::Protocol;
use flowpol::engine::model::{AddressId, TimeWindow};
use flowpol::engine::policy::{
    cilium_documents, generate_policies, placed, placed_cilium, policies_yaml, policies_yaml_as,
    select_entities, PolicyKind, Selection,
};
use flowpol::engine::verify::replay::{probe_placed, verify_placed, ProbeEnd};
use flowpol::engine::yaml::from_yaml;

use crate::{snapshot, yaml_1_1};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// What a cluster's `args` file asks for (a subset of `flowpol generate`'s flags).
#[derive(Default)]
struct Args {
    decisions: Decisions,
    namespaces: Vec<String>,
}

fn parse_args(text: &str) -> Args {
    let mut args = Args::default();
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        match word {
            "--allow-dns" => args.decisions.allow_dns = true,
            "--alias" => {
                let (cidr, name) = words.next().unwrap().split_once('=').unwrap();
                args.decisions.add_alias(name, cidr).unwrap();
            }
            "--namespace" => args.namespaces.push(words.next().unwrap().to_string()),
            other => panic!("args: unknown option {other}"),
        }
    }
    args
}

/// The input files of a cluster (everything but the expectations), in name order.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".gz")
        })
        .collect();
    files.sort();
    files
}

fn load(files: &[PathBuf]) -> Dataset {
    let mut ingest = Ingest::new();
    for file in files {
        ingest.add_file(&file.display().to_string(), &fs::read(file).unwrap());
    }
    let result = load::load(ingest.finish(), &[]);
    assert_eq!(
        result.problem_count, 0,
        "fixtures are clean: {:?}",
        result.diagnostics
    );
    result.dataset
}

/// A probe end: `Kind/namespace/name` or an IP.
fn probe_end(dataset: &Dataset, text: &str) -> ProbeEnd {
    if let Ok(ip) = text.parse() {
        return match dataset
            .addresses
            .iter()
            .position(|a| a.ip.to_string() == text)
        {
            Some(id) => ProbeEnd::Peer(Peer::Address(AddressId::new(id))),
            None => ProbeEnd::Ip(ip),
        };
    }
    let key: flowpol::engine::model::OwnerKey = text
        .parse()
        .unwrap_or_else(|e| panic!("probe peer {text}: {e}"));
    let entity = dataset
        .find_owner(&key)
        .unwrap_or_else(|| panic!("probe peer {text} is not in the data"));
    ProbeEnd::Peer(Peer::Entity(entity))
}

/// Generated policies, their YAML and warnings, and the problems found.
struct Outcome {
    yaml: String,
    warnings: Vec<String>,
    policies: Vec<NetworkPolicy>,
    problems: Vec<String>,
    cilium: CiliumOutcome,
}

/// The same review written as CiliumNetworkPolicies.
struct CiliumOutcome {
    yaml: String,
    warnings: Vec<String>,
    /// The documents as JSON values, as they were meant.
    intended: Vec<serde_json::Value>,
}

fn generate_and_check(name: &str, dataset: &Dataset, args: &Args, expected: &str) -> Outcome {
    let mut problems = Vec::new();
    let selection = Selection {
        namespaces: args.namespaces.clone(),
        ..Selection::default()
    };
    let scope = select_entities(dataset, &selection).unwrap();
    let generated = generate_policies(dataset, &args.decisions, &scope, TimeWindow::ALL);
    let yaml = policies_yaml(&generated).unwrap();
    let policies: Vec<NetworkPolicy> = generated.iter().filter_map(|g| g.policy.clone()).collect();
    let warnings: Vec<String> = generated
        .iter()
        .flat_map(|g| g.warnings.iter().cloned())
        .collect();
    let cilium = CiliumOutcome {
        yaml: policies_yaml_as(&generated, PolicyKind::Cilium).unwrap(),
        warnings: generated
            .iter()
            .flat_map(|g| g.cilium_warnings.iter().cloned())
            .collect(),
        intended: generated
            .iter()
            .filter_map(|g| g.cilium())
            .map(|policy| serde_json::to_value(policy).unwrap())
            .collect(),
    };

    let placed = placed(dataset, &generated);
    let report = verify_placed(dataset, &args.decisions, &placed, &scope, TimeWindow::ALL);
    if !report.all_agree() {
        problems.push(format!("{name}: verification: {}", report.summary()));
    }
    // The same review as CiliumNetworkPolicies, replayed under Cilium's semantics.
    let cilium_documents = cilium_documents(&generated);
    let placed_cilium = placed_cilium(dataset, &cilium_documents);
    let report = verify_placed(
        dataset,
        &args.decisions,
        &placed_cilium,
        &scope,
        TimeWindow::ALL,
    );
    if !report.all_agree() {
        problems.push(format!("{name}: Cilium verification: {}", report.summary()));
    }

    let mut observed: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| dataset.describe(c))
        .collect();
    observed.sort();
    let mut wanted = Vec::new();
    for line in expected.lines().map(str::trim) {
        if let Some(communication) = line.strip_prefix("communication ") {
            wanted.push(communication.trim().to_string());
        } else if let Some((verdict, rest)) = line
            .strip_prefix("allow ")
            .map(|r| (true, r))
            .or_else(|| line.strip_prefix("deny ").map(|r| (false, r)))
        {
            let (peers, port) = rest.rsplit_once(' ').unwrap();
            let (client, server) = peers.split_once(" -> ").unwrap();
            let (protocol, port) = port.split_once('/').unwrap();
            let protocol = Protocol::from_k8s(protocol).unwrap();
            for (kind, placed) in [("", &placed), (" (Cilium)", &placed_cilium)] {
                let outcome = probe_placed(
                    dataset,
                    placed,
                    probe_end(dataset, client.trim()),
                    probe_end(dataset, server.trim()),
                    protocol,
                    port.parse().unwrap(),
                );
                if outcome.allowed() != verdict {
                    problems.push(format!("{name}: probe `{line}`{kind} got {outcome:?}"));
                }
            }
        }
    }
    wanted.sort();
    if wanted.is_empty() {
        problems.push(format!(
            "{name}: the expectation names no `communication` line"
        ));
    } else if wanted != observed {
        problems.push(format!(
            "{name}: communications differ\n  expected: {wanted:#?}\n  observed: {observed:#?}"
        ));
    }
    Outcome {
        yaml,
        warnings,
        policies,
        problems,
        cilium,
    }
}

/// Every document reads back through k8s-openapi's type with no value changed.
fn round_trip_k8s_openapi(name: &str, outcome: &Outcome) -> Vec<String> {
    use k8s_openapi::api::networking::v1::NetworkPolicy as Upstream;
    let upstream: Vec<Upstream> = from_yaml(&outcome.yaml).unwrap();
    assert_eq!(upstream.len(), outcome.policies.len());
    upstream
        .iter()
        .zip(&outcome.policies)
        .filter_map(|(theirs, ours)| {
            let theirs = serde_json::to_value(theirs).unwrap();
            let ours = serde_json::to_value(ours).unwrap();
            (theirs != ours).then(|| format!("{name}: k8s-openapi reads {theirs} for {ours}"))
        })
        .collect()
}

/// Every document reads back through a YAML 1.1 reader as the policy it was written from.
fn round_trip_yaml_1_1(name: &str, outcome: &Outcome) -> Vec<String> {
    let intended: Vec<serde_json::Value> = outcome
        .policies
        .iter()
        .map(|policy| serde_json::to_value(policy).unwrap())
        .collect();
    let mut problems = read_back(name, &outcome.yaml, &intended);
    problems.extend(read_back(
        &format!("{name} (cilium)"),
        &outcome.cilium.yaml,
        &outcome.cilium.intended,
    ));
    problems
}

/// `yaml` reads back through a YAML 1.1 reader as `intended`.
fn read_back(name: &str, yaml: &str, intended: &[serde_json::Value]) -> Vec<String> {
    match yaml_1_1::read(yaml) {
        Ok(read) if read == *intended => Vec::new(),
        Ok(read) => vec![format!(
            "{name}: a YAML 1.1 reader reads {read:#?}\nfor {intended:#?}"
        )],
        Err(error) => vec![format!("{name}: a YAML 1.1 reader fails: {error}")],
    }
}

/// Writes `<name>.yaml` and its JSON twin for the schema layer of `tools/test.sh`.
fn write_for_validation(name: &str, outcome: &Outcome) {
    let dir = Path::new(MANIFEST).join("target/generated-policies");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("{name}.yaml")), &outcome.yaml).unwrap();
    fs::write(
        dir.join(format!("{name}.json")),
        serde_json::to_string_pretty(&outcome.policies).unwrap(),
    )
    .unwrap();
    let dir = Path::new(MANIFEST).join("target/generated-cilium-policies");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("{name}.yaml")), &outcome.cilium.yaml).unwrap();
}

/// The cluster names the fixtures' README lists (`- **name**: ...`).
fn clusters_in_readme(root: &Path) -> Vec<String> {
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let mut names: Vec<String> = readme
        .lines()
        .filter_map(|line| line.strip_prefix("- **"))
        .filter_map(|rest| rest.split_once("**"))
        .map(|(name, _)| name.to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn tricky_clusters() {
    let root = Path::new(MANIFEST).join("tests/fixtures/clusters");
    let mut clusters: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    clusters.sort();
    let names: Vec<String> = clusters
        .iter()
        .map(|dir| dir.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        clusters_in_readme(&root),
        "every cluster is described in the README, and every one described is tested"
    );
    let mut problems = Vec::new();
    for (dir, name) in clusters.iter().zip(&names) {
        let files = inputs(dir);
        let dataset = load(&files);
        let args = parse_args(&fs::read_to_string(dir.join("args")).unwrap());
        let expected = fs::read_to_string(dir.join("expected.txt")).unwrap();
        let outcome = generate_and_check(name, &dataset, &args, &expected);
        problems.extend(outcome.problems.iter().cloned());
        problems.extend(round_trip_k8s_openapi(name, &outcome));
        problems.extend(round_trip_yaml_1_1(name, &outcome));
        problems.extend(snapshot::check(&dir.join("expected.yaml"), &outcome.yaml));
        let warnings: String = outcome.warnings.iter().map(|w| format!("{w}\n")).collect();
        problems.extend(snapshot::check(
            &dir.join("expected.warnings.txt"),
            &warnings,
        ));
        problems.extend(snapshot::check(
            &dir.join("expected.cilium.yaml"),
            &outcome.cilium.yaml,
        ));
        let cilium_warnings: String = outcome
            .cilium
            .warnings
            .iter()
            .map(|w| format!("{w}\n"))
            .collect();
        problems.extend(snapshot::check(
            &dir.join("expected.cilium.warnings.txt"),
            &cilium_warnings,
        ));
        write_for_validation(&format!("cluster-{name}"), &outcome);

        // The same files in the other order: the same communications, probes and YAML.
        let mut reversed = files.clone();
        reversed.reverse();
        let again = generate_and_check(
            &format!("{name} (files reversed)"),
            &load(&reversed),
            &args,
            &expected,
        );
        problems.extend(again.problems);
        if again.yaml != outcome.yaml {
            problems.push(format!("{name}: file order changes the YAML"));
        }
        if again.cilium.yaml != outcome.cilium.yaml {
            problems.push(format!("{name}: file order changes the Cilium YAML"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn demo_dataset_policies() {
    let demo = Path::new(MANIFEST).join("public/demo");
    let dataset = load(&inputs(&demo));
    let truth = flowpol::engine::demo::DemoCluster::new(1);
    let mut communications: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| format!("communication {}\n", dataset.describe(c)))
        .collect();
    communications.sort();
    for (name, args, probes) in [
        ("demo", "", "probes.txt"),
        (
            "demo-dns-aliased",
            "--allow-dns --alias 0.0.0.0/0=internet",
            "probes-aliased.txt",
        ),
    ] {
        let args = parse_args(args);
        let probes =
            fs::read_to_string(Path::new(MANIFEST).join("tests/fixtures/demo").join(probes))
                .unwrap();
        assert!(probes.lines().filter(|l| l.starts_with("allow ")).count() >= 3);
        // The communications are tests/ingest/demo.rs's to check against the generator;
        // here they are the data the probes run on.
        let expected = format!("{}{probes}", communications.concat());
        let outcome = generate_and_check(name, &dataset, &args, &expected);
        let mut problems = outcome.problems.clone();
        problems.extend(
            outcome
                .warnings
                .iter()
                .filter(|w| {
                    !w.contains("may not resolve names")
                        && !w.starts_with("The kube-apiserver is allowed as ipBlock 172.20.0.2/32")
                })
                .map(|w| format!("{name}: warning: {w}")),
        );
        problems.extend(round_trip_k8s_openapi(name, &outcome));
        problems.extend(round_trip_yaml_1_1(name, &outcome));
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert_eq!(
            outcome.policies.len(),
            truth.workloads.len(),
            "one policy per workload the demo runs"
        );
        write_for_validation(name, &outcome);
    }
}

/// Scalars a YAML 1.1 reader misreads unquoted, written by the same `to_yaml` as every policy
/// into a ConfigMap (whose values, unlike label values, may be any string), for the PyYAML
/// read-back of `tools/validate_policies.py`.
#[test]
fn yaml_hostile_scalars_for_a_yaml_1_1_reader() {
    let hostile = [
        "on",
        "off",
        "yes",
        "no",
        "y",
        "n",
        "true",
        "False",
        "~",
        "null",
        "NULL",
        "1.10",
        "012",
        "0x1F",
        "1e3",
        "1_000",
        "0o17",
        "+1",
        ".inf",
        "-.nan",
        "2026-11-20",
        "12:30:00",
        "",
        "a: b # c",
        "# c",
        "- x",
        "@x",
        "`x",
        "%x",
        "!x",
        "&x",
        "*x",
        "{x}",
        "[x]",
        "|",
        ">",
        "'",
        "\"",
        "=",
        "<<",
        "?",
        " lead",
        "trail ",
        "tab\there",
        "line\nbreak",
        "ünï",
        "✓",
    ];
    let data: std::collections::BTreeMap<String, String> = hostile
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("k{i:02}"), v.to_string()))
        .collect();
    let config_map = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "yaml-hostile-scalars", "namespace": "default"},
        "data": data,
    });
    let yaml = flowpol::engine::yaml::to_yaml(std::slice::from_ref(&config_map)).unwrap();
    let back: Vec<serde_json::Value> = from_yaml(&yaml).unwrap();
    assert_eq!(back, vec![config_map.clone()], "{yaml}");
    assert_eq!(
        yaml_1_1::read(&yaml).unwrap(),
        vec![config_map.clone()],
        "as kubectl reads it: {yaml}"
    );
    let dir = Path::new(MANIFEST).join("target/generated-policies");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("yaml-hostile-scalars.yaml"), &yaml).unwrap();
    fs::write(
        dir.join("yaml-hostile-scalars.json"),
        serde_json::to_string(&[config_map]).unwrap(),
    )
    .unwrap();
}

/// A capture that misses one backend's node: the connections the client made through the
/// ClusterIP that no backend accounts for still reach a policy (an upper bound), never none.
#[test]
fn a_partial_capture_keeps_every_backend_reached_through_a_service() {
    let dir = Path::new(MANIFEST).join("tests/fixtures/clusters/named-targetport");
    let flows = fs::read_to_string(dir.join("flows.jsonl")).unwrap();
    let node_b_missing: String = flows
        .lines()
        .filter(|line| !line.contains(r#""destination":"10.244.1.121""#))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(node_b_missing.len() < flows.len(), "a line was dropped");
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", node_b_missing.as_bytes());
    ingest.add_file(
        "inventory.json",
        &fs::read(dir.join("inventory.json")).unwrap(),
    );
    let dataset = load::load(ingest.finish(), &[]).dataset;
    let lines: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| dataset.describe(c))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Deployment/shop/frontend -> Deployment/shop/api-v2 TCP/9090")),
        "{lines:#?}"
    );
}

/// Connections seen only before DNAT (addressed to the ClusterIP), from two pods of one
/// workload: each backend gets every one of them (an upper bound), counted once per pod and
/// whatever the order of the lines.
#[test]
fn connections_seen_only_at_the_cluster_ip_count_every_client_pod() {
    let dir = Path::new(MANIFEST).join("tests/fixtures/clusters/named-targetport");
    let flows = fs::read_to_string(dir.join("flows.jsonl")).unwrap();
    let before_dnat: Vec<&str> = flows
        .lines()
        .filter(|line| line.contains(r#""destination":"10.96.60.20""#))
        .collect();
    assert_eq!(before_dnat.len(), 4, "three SYNs and a later packet");
    let inventory = fs::read(dir.join("inventory.json")).unwrap();
    let load_lines = |lines: &[&str]| {
        let mut ingest = Ingest::new();
        ingest.add_file("flows.jsonl", (lines.join("\n") + "\n").as_bytes());
        ingest.add_file("inventory.json", &inventory);
        let dataset = load::load(ingest.finish(), &[]).dataset;
        let mut described: Vec<String> = dataset
            .communications
            .iter()
            .map(|c| dataset.describe(c))
            .collect();
        described.sort();
        described
    };
    let expected = vec![
        "Deployment/shop/frontend -> Deployment/shop/api-v1 TCP/8080 x3".to_string(),
        "Deployment/shop/frontend -> Deployment/shop/api-v2 TCP/9090 x3".to_string(),
    ];
    assert_eq!(load_lines(&before_dnat), expected);
    let reversed: Vec<&str> = before_dnat.iter().rev().copied().collect();
    assert_eq!(load_lines(&reversed), expected);
}

/// The same ClusterIP-only capture when the data spans two clusters (a line of another
/// cluster added): the Service's backends are the client's cluster's workloads, not
/// cluster-less copies of them.
#[test]
fn a_service_seen_before_dnat_is_the_clients_clusters() {
    let dir = Path::new(MANIFEST).join("tests/fixtures/clusters/named-targetport");
    let flows = fs::read_to_string(dir.join("flows.jsonl")).unwrap();
    let mut lines: Vec<String> = flows
        .lines()
        .filter(|line| line.contains(r#""destination":"10.96.60.20""#))
        .map(str::to_string)
        .collect();
    let other = fs::read_to_string(
        Path::new(MANIFEST).join("tests/fixtures/clusters/two-clusters/flows.jsonl"),
    )
    .unwrap();
    lines.push(other.lines().next().unwrap().to_string());
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", (lines.join("\n") + "\n").as_bytes());
    ingest.add_file(
        "inventory.json",
        &fs::read(dir.join("inventory.json")).unwrap(),
    );
    let dataset = load::load(ingest.finish(), &[]).dataset;
    assert!(dataset.spans_clusters());
    let mut described: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| dataset.describe(c))
        .collect();
    described.sort();
    assert_eq!(
        described,
        [
            "default/Deployment/shop/frontend -> default/Deployment/shop/api-v1 TCP/8080 x3",
            "default/Deployment/shop/frontend -> default/Deployment/shop/api-v2 TCP/9090 x3",
            "east/Deployment/shop/frontend -> east/Deployment/shop/cart TCP/7070 x1",
        ]
    );
    assert!(
        dataset.entities.iter().all(|e| e.cluster.is_some()),
        "no entity without its cluster"
    );
}

/// Across a Cluster Mesh, an alias over both clusters' pod addresses, with the other cluster's
/// pod range entered as a cluster range: the ipBlock keeps the other cluster's pods the
/// alias maps (no selector can pick them), so the call the review included is allowed, and
/// the verifier agrees.
#[test]
fn an_alias_across_clusters_keeps_the_other_clusters_pods() {
    let dir = Path::new(MANIFEST).join("tests/fixtures/clusters/two-clusters");
    let dataset = load(&inputs(&dir));
    let mut args = parse_args("--alias 10.0.0.0/8=mesh");
    args.decisions.cluster_ranges = vec!["10.2.0.0/16".parse().unwrap()];
    let expected = fs::read_to_string(dir.join("expected.txt")).unwrap();
    let communications: String = expected
        .lines()
        .filter(|line| line.starts_with("communication "))
        .map(|line| format!("{line}\n"))
        .collect();
    let probes = "allow east/Deployment/shop/frontend -> west/Deployment/shop/cart TCP/7070\n\
                  deny east/Deployment/shop/frontend -> west/Deployment/shop/catalog TCP/3550\n";
    let outcome = generate_and_check(
        "two-clusters aliased",
        &dataset,
        &args,
        &format!("{communications}{probes}"),
    );
    assert!(
        outcome.problems.is_empty(),
        "{:#?}\n{}",
        outcome.problems,
        outcome.yaml
    );
}

/// A peer's label is its key as text (decisions name peers by it), in one cluster or two.
#[test]
fn peer_labels_are_peer_keys_as_text() {
    for cluster in ["two-clusters", "api-server-cluster-ip", "external-aliased"] {
        let dir = Path::new(MANIFEST)
            .join("tests/fixtures/clusters")
            .join(cluster);
        let dataset = load(&inputs(&dir));
        let mut peers = 0;
        for c in &dataset.communications {
            for peer in [c.client, c.server] {
                assert_eq!(dataset.peer_label(peer), dataset.peer_key(peer).to_string());
                peers += 1;
            }
        }
        assert!(peers > 0, "{cluster} has communications");
        if cluster == "two-clusters" {
            assert!(dataset.spans_clusters());
            let label = dataset.peer_label(dataset.communications[0].client);
            assert!(
                dataset
                    .clusters
                    .iter()
                    .any(|k| label.starts_with(&format!("{k}/"))),
                "{label} names its cluster"
            );
        }
    }
}

/// An Argo Rollout from the flows alone: Hubble's `workloads[]` names the ReplicaSet (its pods
/// have no `pod-template-hash`), or older Cilium names nothing; the pods'
/// `rollouts-pod-template-hash` makes it `Rollout/shop/checkout` either way (inferred without
/// `workloads[]`), whose selector leaves that label out, and every probe still holds.
#[test]
fn a_rollout_from_the_flows_alone() {
    let dir = Path::new(MANIFEST).join("tests/fixtures/clusters/argo-rollout");
    let flows = fs::read_to_string(dir.join("flows.jsonl")).unwrap();
    let expected = fs::read_to_string(dir.join("expected.txt")).unwrap();
    let without_workloads: String = flows
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            for side in ["source", "destination"] {
                if let Some(endpoint) = record["flow"][side].as_object_mut() {
                    endpoint.remove("workloads");
                }
            }
            format!("{record}\n")
        })
        .collect();
    assert!(!without_workloads.contains("workloads"));
    for (name, text, inferred) in [
        ("argo-rollout (flows alone)", &flows, false),
        (
            "argo-rollout (flows alone, no workloads[])",
            &without_workloads,
            true,
        ),
    ] {
        let mut ingest = Ingest::new();
        ingest.add_file("flows.jsonl", text.as_bytes());
        let dataset = load::load(ingest.finish(), &[]).dataset;
        let rollout = dataset
            .find_owner(&"Rollout/shop/checkout".parse().unwrap())
            .unwrap_or_else(|| panic!("{name}: {:#?}", dataset.entities));
        let entity = &dataset.entities[rollout];
        assert_eq!(entity.pods.len(), 3, "{name}: stable and canary pods");
        assert_eq!(entity.kind_inferred, inferred, "{name}");
        assert_eq!(
            entity.selector,
            [("app".to_string(), "checkout".to_string())].into(),
            "{name}"
        );
        let outcome = generate_and_check(name, &dataset, &Args::default(), &expected);
        assert!(
            outcome.problems.is_empty(),
            "{:#?}\n{}",
            outcome.problems,
            outcome.yaml
        );
    }
}

/// Records of another tool (flowpol's format) naming the host-network ingress controller:
/// by its pod, its traffic is its node's address; by its workload alone, with no address, the
/// rule is an ipBlock of its pods' (nodes') addresses, never a podSelector, and the verifier,
/// which sees a host-network workload as its nodes, agrees; a hand-written policy that names
/// the controller by a podSelector is caught denying the connection.
#[test]
fn records_naming_a_host_network_pod_are_its_nodes() {
    use flowpol::engine::model::network_policy::NetworkPolicy;
    use flowpol::engine::verify::replay::verify_existing;
    let dir = Path::new(MANIFEST).join("tests/fixtures/clusters/host-network-service");
    let inventory = fs::read(dir.join("inventory.json")).unwrap();
    let load_records = |records: &str| {
        let mut ingest = Ingest::new();
        ingest.add_file("flows.flowpol.jsonl", records.as_bytes());
        ingest.add_file("inventory.json", &inventory);
        let result = load::load(ingest.finish(), &[]);
        assert_eq!(result.problem_count, 0, "{:?}", result.diagnostics);
        result.dataset
    };
    let by_pod = load_records(
        r#"{"src": {"namespace": "shop", "pod": "web-7b6c9d8f5c-h2k4n"}, "dst": {"namespace": "ingress-nginx", "pod": "ingress-nginx-controller-6d9f7c8b5b-x2k9p"}, "port": 443}
{"src": {"namespace": "ingress-nginx", "pod": "ingress-nginx-controller-6d9f7c8b5b-x2k9p"}, "dst": {"namespace": "shop", "pod": "web-7b6c9d8f5c-h2k4n"}, "port": 8080}
"#,
    );
    let mut described: Vec<String> = by_pod
        .communications
        .iter()
        .map(|c| by_pod.describe(c))
        .collect();
    described.sort();
    assert_eq!(
        described,
        [
            "172.18.0.3 -> Deployment/shop/web TCP/8080 x1",
            "Deployment/shop/web -> 172.18.0.3 TCP/443 x1"
        ]
    );

    let by_workload = load_records(
        r#"{"src": {"namespace": "shop", "workload": "Deployment/web"}, "dst": {"namespace": "ingress-nginx", "workload": "Deployment/ingress-nginx-controller"}, "port": 443}
"#,
    );
    let controller = by_workload
        .find_owner(
            &"Deployment/ingress-nginx/ingress-nginx-controller"
                .parse()
                .unwrap(),
        )
        .unwrap();
    assert!(by_workload.entities[controller].host_network);
    let expected = "communication Deployment/shop/web -> Deployment/ingress-nginx/ingress-nginx-controller TCP/443 x1\n\
                    allow Deployment/shop/web -> 172.18.0.3 TCP/443\n\
                    deny Deployment/shop/web -> 172.18.0.3 TCP/80\n";
    let outcome = generate_and_check(
        "host-network workload named by a record",
        &by_workload,
        &Args::default(),
        expected,
    );
    assert!(
        outcome.problems.is_empty(),
        "{:#?}\n{}",
        outcome.problems,
        outcome.yaml
    );
    assert!(
        outcome.yaml.contains("cidr: 172.18.0.3/32"),
        "{}",
        outcome.yaml
    );
    assert!(!outcome.yaml.contains("ingress-nginx"), "{}", outcome.yaml);

    // A policy naming the controller by its labels matches nothing at the node's address.
    let by_labels: Vec<NetworkPolicy> = from_yaml(
        "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {}
      podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
    ports: [{protocol: TCP, port: 443}]
",
    )
    .unwrap();
    let report = verify_existing(&by_workload, &by_labels, None, TimeWindow::ALL);
    assert_eq!(report.included_denied().count(), 1, "{}", report.summary());
}
