//! Data-driven policy tests over the tricky clusters of `tests/fixtures/clusters/` (see its
//! README) and the demo dataset. For each cluster: ingest gives exactly the hand-written
//! `communication` lines of `expected.txt`; the generated YAML equals the reviewed snapshot
//! `expected.yaml` (rewrite with `UPDATE_SNAPSHOTS=1`, then read the diff); the verifier
//! agrees with the review; every hand-written `allow`/`deny` probe holds; the warnings equal
//! `expected.warnings.txt`; every document
//! round-trips through k8s-openapi's NetworkPolicy unchanged; and the documents are written
//! to `target/generated-policies/` for `tools/validate_policies.py` (kubernetes-validate,
//! PyYAML).
#![cfg(not(target_arch = "wasm32"))]

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
    generate_policies, placed, policies_yaml, select_entities, Selection,
};
use flowpol::engine::verify::replay::{probe_placed, verify_placed, ProbeEnd};
use flowpol::engine::yaml::from_yaml;

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
        return match dataset.addresses.iter().position(|a| a.ip == text) {
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

    let placed = placed(dataset, &generated);
    let report = verify_placed(dataset, &args.decisions, &placed, &scope, TimeWindow::ALL);
    if !report.all_agree() {
        problems.push(format!("{name}: verification: {}", report.summary()));
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
            let outcome = probe_placed(
                dataset,
                &placed,
                probe_end(dataset, client.trim()),
                probe_end(dataset, server.trim()),
                protocol,
                port.parse().unwrap(),
            );
            if outcome.allowed() != verdict {
                problems.push(format!("{name}: probe `{line}` got {outcome:?}"));
            }
        }
    }
    wanted.sort();
    if !wanted.is_empty() && wanted != observed {
        problems.push(format!(
            "{name}: communications differ\n  expected: {wanted:#?}\n  observed: {observed:#?}"
        ));
    }
    Outcome {
        yaml,
        warnings,
        policies,
        problems,
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
}

/// Compares with the reviewed snapshot, or rewrites it under `UPDATE_SNAPSHOTS=1`.
fn snapshot(path: &Path, yaml: &str) -> Option<String> {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        fs::write(path, yaml).unwrap();
        return None;
    }
    let reviewed = fs::read_to_string(path).unwrap_or_default();
    (reviewed != yaml).then(|| {
        format!(
            "{} differs from the generated YAML (UPDATE_SNAPSHOTS=1 rewrites it; review the diff):\n{yaml}",
            path.display()
        )
    })
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
    assert!(clusters.len() >= 10, "the ten tricky clusters");
    let mut problems = Vec::new();
    for dir in &clusters {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let files = inputs(dir);
        let dataset = load(&files);
        let args = parse_args(&fs::read_to_string(dir.join("args")).unwrap_or_default());
        let expected = fs::read_to_string(dir.join("expected.txt")).unwrap();
        let outcome = generate_and_check(&name, &dataset, &args, &expected);
        problems.extend(outcome.problems.iter().cloned());
        problems.extend(round_trip_k8s_openapi(&name, &outcome));
        problems.extend(snapshot(&dir.join("expected.yaml"), &outcome.yaml));
        let warnings: String = outcome.warnings.iter().map(|w| format!("{w}\n")).collect();
        problems.extend(snapshot(&dir.join("expected.warnings.txt"), &warnings));
        write_for_validation(&format!("cluster-{name}"), &outcome);

        // The same files in the other order give byte-identical YAML.
        let mut reversed = files.clone();
        reversed.reverse();
        let again = generate_and_check(&name, &load(&reversed), &args, "");
        if again.yaml != outcome.yaml {
            problems.push(format!("{name}: file order changes the YAML"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn demo_dataset_policies() {
    let demo = Path::new(MANIFEST).join("public/demo");
    let dataset = load(&inputs(&demo));
    for (name, args) in [
        ("demo", ""),
        ("demo-dns-aliased", "--allow-dns --alias 0.0.0.0/0=internet"),
    ] {
        let args = parse_args(args);
        let outcome = generate_and_check(name, &dataset, &args, "");
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
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(outcome.policies.len() >= 12, "one policy per workload");
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
