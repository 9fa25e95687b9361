//! The demo data shipped for the "Load demo data" button is exactly what the project's own
//! generator writes, and it holds every case the demo promises.

use std::collections::BTreeSet;

use flowpol::engine::demo::{self, DemoCluster, FlowLines, FlowOptions};
use flowpol::engine::ingest::formats::detect::{detect_format, InputFormat};
use serde_json::Value;

const SHIPPED_FLOWS: &str = include_str!("../../public/demo/flows.jsonl");
const SHIPPED_INVENTORY: &str = include_str!("../../public/demo/inventory.json");

fn generated_flows(lines: usize, seed: u64) -> String {
    let cluster = DemoCluster::new(seed);
    let options = FlowOptions {
        lines,
        seed,
        ..FlowOptions::default()
    };
    FlowLines::new(&cluster, options)
        .map(|line| line + "\n")
        .collect()
}

#[test]
fn shipped_demo_is_the_generators_output() {
    let flows = generated_flows(demo::SHIPPED_FLOW_LINES, 1);
    assert!(
        flows == SHIPPED_FLOWS,
        "public/demo/flows.jsonl is stale: run `cargo run -- demo --out public/demo`"
    );
    let inventory = demo::inventory_json(&DemoCluster::new(1));
    assert!(
        inventory == SHIPPED_INVENTORY,
        "public/demo/inventory.json is stale: run `cargo run -- demo --out public/demo`"
    );
}

#[test]
fn generator_is_deterministic_and_seeded() {
    assert_eq!(generated_flows(300, 9), generated_flows(300, 9));
    assert_ne!(generated_flows(300, 9), generated_flows(300, 10));
    assert_eq!(generated_flows(300, 9).lines().count(), 300);
}

#[test]
fn shipped_files_are_recognised() {
    assert_eq!(detect_format(SHIPPED_FLOWS.as_bytes()), InputFormat::Hubble);
    assert_eq!(
        detect_format(SHIPPED_INVENTORY.as_bytes()),
        InputFormat::KubernetesInventory
    );
}

fn flows() -> Vec<Value> {
    SHIPPED_FLOWS
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("every demo line is JSON"))
        .map(|envelope| envelope["flow"].clone())
        .collect()
}

fn pod_name(endpoint: &Value) -> &str {
    endpoint["pod_name"].as_str().unwrap_or("")
}

#[test]
fn every_line_is_a_hubble_envelope() {
    for line in SHIPPED_FLOWS.lines() {
        let envelope: Value = serde_json::from_str(line).unwrap();
        let flow = &envelope["flow"];
        assert_eq!(envelope["time"], flow["time"]);
        assert_eq!(envelope["node_name"], flow["node_name"]);
        assert!(flow["IP"]["source"].is_string() && flow["IP"]["destination"].is_string());
        assert!(flow["l4"]["TCP"].is_object() || flow["l4"]["UDP"].is_object());
        assert!(flow["event_type"]["type"].is_u64());
    }
}

#[test]
fn has_replies_double_observation_and_tunnel_events() {
    let flows = flows();
    assert!(flows.iter().any(|f| f["is_reply"] == true));
    let tunnel = flows
        .iter()
        .find(|f| f["trace_observation_point"] == "TO_OVERLAY")
        .expect("a tunnel event");
    assert!(tunnel.get("is_reply").is_none() && tunnel.get("traffic_direction").is_none());
    // The same connection (client address and port) observed on two nodes.
    let mut seen = std::collections::BTreeMap::<(String, u64), BTreeSet<String>>::new();
    for f in flows
        .iter()
        .filter(|f| f["l4"]["TCP"]["flags"]["SYN"] == true)
    {
        if f["l4"]["TCP"]["flags"]["ACK"] == true {
            continue;
        }
        let key = (
            f["IP"]["source"].as_str().unwrap().to_string(),
            f["l4"]["TCP"]["source_port"].as_u64().unwrap(),
        );
        seen.entry(key)
            .or_default()
            .insert(f["node_name"].as_str().unwrap().to_string());
    }
    assert!(seen.values().any(|nodes| nodes.len() == 2));
}

#[test]
fn has_every_controller_shape_in_the_flows() {
    let flows = flows();
    let kinds: BTreeSet<&str> = flows
        .iter()
        .flat_map(|f| [&f["source"], &f["destination"]])
        .filter_map(|e| e["workloads"][0]["kind"].as_str())
        .collect();
    for kind in [
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "CronJob",
        "Job",
        "Pod",
    ] {
        assert!(kinds.contains(kind), "no {kind} in the demo flows");
    }
    // Both ReplicaSets of the Deployment mid-rollout are seen.
    let frontend_sets: BTreeSet<&str> = flows
        .iter()
        .flat_map(|f| [&f["source"], &f["destination"]])
        .map(pod_name)
        .filter(|name| name.starts_with("frontend-"))
        .map(|name| &name[..name.rfind('-').unwrap()])
        .collect();
    assert_eq!(frontend_sets.len(), 2, "{frontend_sets:?}");
}

#[test]
fn has_dns_external_names_unknown_ip_and_drops() {
    let flows = flows();
    assert!(flows
        .iter()
        .any(|f| f["l4"]["UDP"]["destination_port"] == 53
            && f["destination_service"]["name"] == "kube-dns"));
    assert!(flows.iter().any(|f| f["l7"]["dns"]["query"].is_string()));
    assert!(flows
        .iter()
        .any(|f| f["destination_names"][0] == "api.stripe.com"));
    let cluster = DemoCluster::new(1);
    let vanished = cluster.vanished_pod_ip();
    assert!(flows.iter().any(|f| f["IP"]["source"] == vanished.as_str()));
    assert!(!SHIPPED_INVENTORY.contains(&format!("\"{vanished}\"")));
    assert!(flows.iter().any(|f| f["verdict"] == "DROPPED"));
    // A connection addressed to a ClusterIP before DNAT.
    assert!(flows.iter().any(
        |f| f["IP"]["destination"] == "10.96.20.12" && f["l4"]["TCP"]["destination_port"] == 80
    ));
}

#[test]
fn inventory_has_a_named_target_port_and_volatile_labels() {
    let inventory: Value = serde_json::from_str(SHIPPED_INVENTORY).unwrap();
    let items = inventory["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["kind"] == "Service"
        && i["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["targetPort"].is_string())));
    let pod_labels = |prefix: &str| {
        items
            .iter()
            .find(|i| {
                i["kind"] == "Pod" && i["metadata"]["name"].as_str().unwrap().starts_with(prefix)
            })
            .map(|p| p["metadata"]["labels"].clone())
            .unwrap()
    };
    assert!(pod_labels("frontend-")["pod-template-hash"].is_string());
    assert!(pod_labels("orders-db-")["statefulset.kubernetes.io/pod-name"].is_string());
    assert!(pod_labels("db-backup-")["batch.kubernetes.io/job-name"].is_string());
    assert_eq!(pod_labels("catalog-")["version"], "1.10");
}
