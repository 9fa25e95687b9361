//! Ingest of the project's demo data: the communications found are exactly the ones the
//! generator's templates describe, whatever the order of the files, and replies never appear
//! as communications.

use std::collections::BTreeSet;

use flowpol::engine::dataset::{Dataset, Peer};
use flowpol::engine::demo::truth::EmittedPeer;
use flowpol::engine::demo::{inventory_json, DemoCluster, FlowLines, FlowOptions};
use flowpol::engine::ingest::session::Ingest;
use flowpol::engine::load::load;
use flowpol::engine::model::{AddressClass, EntityKind};

const FLOWS: &[u8] = include_bytes!("../../public/demo/flows.jsonl");
const INVENTORY: &[u8] = include_bytes!("../../public/demo/inventory.json");

fn normalized(dataset: &Dataset, peer: Peer) -> String {
    match peer {
        Peer::Entity(_) | Peer::ApiServer => dataset.peer_label(peer),
        Peer::Address(id) => format!(
            "{}:{}",
            dataset.addresses[id].class.as_str(),
            dataset.addresses[id].ip
        ),
    }
}

fn found(dataset: &Dataset) -> BTreeSet<String> {
    dataset
        .communications
        .iter()
        .map(|c| {
            format!(
                "{} -> {} {}/{}",
                normalized(dataset, c.client),
                normalized(dataset, c.server),
                c.protocol,
                c.port
            )
        })
        .collect()
}

/// What the generator says it emitted: every communication some line of which it wrote,
/// recorded as it wrote them (`FlowLines::communications_emitted`), in the form [`found`]
/// writes.
fn emitted(cluster: &DemoCluster, lines: usize, seed: u64) -> (String, BTreeSet<String>) {
    let mut generator = FlowLines::new(
        cluster,
        FlowOptions {
            lines,
            seed,
            ..FlowOptions::default()
        },
    );
    let text: String = generator.by_ref().map(|line| line + "\n").collect();
    let peer = |peer: &EmittedPeer| match peer {
        EmittedPeer::Workload(index) => {
            let spec = &cluster.workloads[*index];
            format!("{}/{}/{}", spec.kind.as_str(), spec.namespace, spec.name)
        }
        EmittedPeer::Address(class, ip) => format!("{}:{ip}", class.as_str()),
        EmittedPeer::ApiServer => "kube-apiserver".to_string(),
    };
    let truth = generator
        .communications_emitted()
        .iter()
        .map(|c| {
            format!(
                "{} -> {} {}/{}",
                peer(&c.client),
                peer(&c.server),
                c.protocol,
                c.port
            )
        })
        .collect();
    (text, truth)
}

#[test]
fn demo_communications_are_exactly_the_ones_the_generator_emitted() {
    let cluster = DemoCluster::new(1);
    let (text, truth) = emitted(&cluster, flowpol::engine::demo::SHIPPED_FLOW_LINES, 1);
    assert_eq!(
        text.as_bytes(),
        FLOWS,
        "the shipped demo is the generator's output"
    );
    // Every template is in the shipped demo.
    assert_eq!(
        truth
            .iter()
            .filter(|line| line.contains("kube-apiserver"))
            .count(),
        1
    );
    for order in [
        [("flows.jsonl", FLOWS), ("inventory.json", INVENTORY)],
        [("inventory.json", INVENTORY), ("flows.jsonl", FLOWS)],
    ] {
        let mut ingest = Ingest::new();
        for (name, bytes) in order {
            ingest.add_file(name, bytes);
        }
        let result = load(ingest.finish(), &[]);
        let dataset = &result.dataset;
        assert_eq!(found(dataset), truth);
        assert_eq!(result.problem_count, 0);
        let already_open: Vec<String> = dataset
            .communications
            .iter()
            .filter(|c| c.observed.already_open())
            .map(|c| dataset.describe(c))
            .collect();
        assert_eq!(
            already_open,
            ["Deployment/payments/checkout -> Deployment/data/redis TCP/6379 (already open when the capture began)"]
        );
        assert!(dataset
            .api_server
            .contains(&cluster.api_server_ip.parse().unwrap()));
    }
}

#[test]
fn replies_and_ephemeral_ports_never_become_communications() {
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", FLOWS);
    ingest.add_file("inventory.json", INVENTORY);
    let result = load(ingest.finish(), &[]);
    let dataset = &result.dataset;
    assert!(dataset.communications.iter().all(|c| c.port < 32768));
    assert!(result.files[0].skipped.values().sum::<u64>() > 0);
}

#[test]
fn a_clusterip_connection_resolves_to_the_backend_and_target_port() {
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", FLOWS);
    ingest.add_file("inventory.json", INVENTORY);
    let result = load(ingest.finish(), &[]);
    let dataset = &result.dataset;
    let found = found(dataset);
    assert!(found.contains("Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550"));
    assert!(
        !found.iter().any(|l| l.contains("10.96.20.12")),
        "the ClusterIP is not a peer"
    );
}

#[test]
fn without_the_inventory_owners_come_from_hubble_and_addresses_are_unknown() {
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", FLOWS);
    let result = load(ingest.finish(), &[]);
    let dataset = &result.dataset;
    let catalog = dataset
        .find_entity(EntityKind::Deployment, "shop", "catalog")
        .unwrap();
    assert_eq!(
        dataset.entities[catalog]
            .selector
            .get("app")
            .map(String::as_str),
        Some("catalog")
    );
    let vanished = dataset
        .addresses
        .iter()
        .find(|a| a.ip.to_string() == "10.244.2.250")
        .unwrap();
    assert_eq!(vanished.class, AddressClass::Unknown);
    // The user enters the pod range: the same address becomes Internal.
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", FLOWS);
    let result = load(ingest.finish(), &["10.244.0.0/16".parse().unwrap()]);
    let dataset = &result.dataset;
    let vanished = dataset
        .addresses
        .iter()
        .find(|a| a.ip.to_string() == "10.244.2.250")
        .unwrap();
    assert_eq!(vanished.class, AddressClass::Internal);
}

#[test]
fn entities_carry_selectors_names_and_counts() {
    let mut ingest = Ingest::new();
    ingest.add_file("inventory.json", INVENTORY);
    ingest.add_file("flows.jsonl", FLOWS);
    let result = load(ingest.finish(), &[]);
    let dataset = &result.dataset;
    let frontend = &dataset.entities[dataset
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap()];
    assert_eq!(
        frontend.pods.len(),
        4,
        "two ReplicaSets mid-rollout, one entity"
    );
    assert_eq!(frontend.selector.len(), 2);
    let backup = &dataset.entities[dataset
        .find_entity(EntityKind::CronJob, "data", "db-backup")
        .unwrap()];
    assert_eq!(
        backup.selector.get("app").map(String::as_str),
        Some("db-backup")
    );
    assert!(backup.selector.keys().all(|k| !k.contains("job")));
    let stripe = dataset
        .addresses
        .iter()
        .find(|a| a.ip.to_string() == "203.0.113.10")
        .unwrap();
    assert!(stripe.names.contains("api.stripe.com"));
    let dropped = dataset
        .communications
        .iter()
        .find(|c| c.port == 5432 && dataset.peer_label(c.client).ends_with("debug-shell"))
        .unwrap();
    // Every connection of this pair was dropped (retries included in the starts).
    assert!(dropped.observed.connections() > 0);
    assert!(dropped.observed.dropped_starts >= dropped.observed.connections());
}

#[test]
fn connections_are_counted_exactly_at_scale() {
    // The generator knows how many connections it printed; every one of them is seen at up
    // to five vantage points on three nodes, with replies, retransmissions, tunnel and
    // pre-DNAT events. Ingest must count each once.
    let cluster = DemoCluster::new(3);
    let mut lines = FlowLines::new(
        &cluster,
        FlowOptions {
            lines: 20_000,
            seed: 3,
            ..FlowOptions::default()
        },
    );
    let text: String = lines.by_ref().map(|l| l + "\n").collect();
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", text.as_bytes());
    ingest.add_file("inventory.json", inventory_json(&cluster).as_bytes());
    let result = load(ingest.finish(), &[]);
    let dataset = &result.dataset;
    let total: u64 = dataset
        .communications
        .iter()
        .map(|c| c.observed.connections())
        .sum();
    assert_eq!(total, lines.connections_emitted());
    let (text_again, truth) = emitted(&cluster, 20_000, 3);
    assert_eq!(text_again, text);
    assert_eq!(found(dataset), truth);
}

#[test]
fn lines_parsed_on_several_threads_give_the_same_dataset() {
    let cluster = DemoCluster::new(4);
    let mut lines = FlowLines::new(
        &cluster,
        FlowOptions {
            lines: 20_000,
            seed: 4,
            ..FlowOptions::default()
        },
    );
    let mut text: String = lines.by_ref().map(|l| l + "\n").collect();
    // A broken line, cutting another in two: two problems.
    text.insert_str(text.len() / 2, "{\"flow\": broken\n");
    let read = |threads: usize| {
        let mut ingest = Ingest::new().with_parse_threads(threads);
        ingest.begin_file("flows.jsonl");
        // Chunks that cut lines, as a browser or a pipe delivers them.
        for chunk in text.as_bytes().chunks(1 << 20) {
            ingest.push(chunk);
        }
        ingest.end_file();
        ingest.add_file("inventory.json", inventory_json(&cluster).as_bytes());
        let result = load(ingest.finish(), &[]);
        let dataset = &result.dataset;
        let counts: Vec<(String, u64)> = found(dataset)
            .into_iter()
            .zip(
                dataset
                    .communications
                    .iter()
                    .map(|c| c.observed.connections()),
            )
            .collect();
        (
            format!("{:?} {:?}", result.files, result.diagnostics),
            counts,
        )
    };
    let alone = read(1);
    assert!(alone.0.contains("problems: 2"), "{}", alone.0);
    for threads in [2, 4] {
        assert_eq!(read(threads), alone, "{threads} threads");
    }
}
