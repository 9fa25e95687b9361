//! Real captures come as one file per node, or rotated logs, in no order with each other, and
//! the lines of one file are not quite in time order either. The result must not depend on
//! it: the same flows split into per-node files, given in every order, with lines shuffled
//! within a window (so a reply may come before its start), give the same dataset, byte for
//! byte, and the same policies.

use flowpol::engine::decisions::Decisions;
use flowpol::engine::demo::{inventory_json, DemoCluster, FlowLines, FlowOptions};
use flowpol::engine::load::load_files;
use flowpol::engine::model::TimeWindow;
use flowpol::engine::policy::{generate_policies, policies_yaml, select_entities, Selection};
use proptest::prelude::*;

/// The dataset (as JSON) and every policy (as YAML) of `files`.
fn outcome(files: &[(&str, &[u8])]) -> (String, String) {
    let result = load_files(files, &[]);
    let dataset = &result.dataset;
    let decisions = Decisions {
        allow_dns: true,
        ..Decisions::default()
    };
    let entities = select_entities(dataset, &Selection::default()).unwrap();
    let generated = generate_policies(dataset, &decisions, &entities, TimeWindow::ALL);
    (
        serde_json::to_string_pretty(dataset).unwrap(),
        policies_yaml(&generated).unwrap(),
    )
}

/// The demo's lines, one group per node (`node_name`), in their order.
fn per_node(lines: &[String]) -> Vec<Vec<String>> {
    let mut nodes: Vec<(String, Vec<String>)> = Vec::new();
    for line in lines {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let node = value["node_name"].as_str().unwrap_or("").to_string();
        match nodes.iter_mut().find(|(n, _)| *n == node) {
            Some((_, group)) => group.push(line.clone()),
            None => nodes.push((node, vec![line.clone()])),
        }
    }
    nodes.into_iter().map(|(_, group)| group).collect()
}

/// Every order of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut order = rest.clone();
            order.insert(at, n - 1);
            all.push(order);
        }
    }
    all
}

/// `lines` with each run of `window` lines shuffled by `rng`.
fn shuffled_within(lines: &[String], window: usize, rng: &mut fastrand::Rng) -> Vec<String> {
    let mut out = lines.to_vec();
    for run in out.chunks_mut(window) {
        rng.shuffle(run);
    }
    out
}

fn text(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn demo(seed: u64, lines: usize) -> (Vec<String>, String) {
    let cluster = DemoCluster::new(seed);
    let flows: Vec<String> = FlowLines::new(
        &cluster,
        FlowOptions {
            lines,
            seed,
            ..FlowOptions::default()
        },
    )
    .collect();
    (flows, inventory_json(&cluster))
}

#[test]
fn per_node_files_in_every_order_give_one_dataset() {
    let (lines, inventory) = demo(1, 3000);
    let whole = text(&lines);
    let expected = outcome(&[
        ("inventory.json", inventory.as_bytes()),
        ("flows.jsonl", whole.as_bytes()),
    ]);
    let nodes: Vec<String> = per_node(&lines).iter().map(|g| text(g)).collect();
    assert_eq!(nodes.len(), 3, "three nodes");
    for order in permutations(nodes.len()) {
        let names: Vec<String> = order.iter().map(|i| format!("node-{i}.jsonl")).collect();
        let mut files: Vec<(&str, &[u8])> = order
            .iter()
            .zip(&names)
            .map(|(&i, name)| (name.as_str(), nodes[i].as_bytes()))
            .collect();
        files.insert(order[0], ("inventory.json", inventory.as_bytes()));
        let got = outcome(&files);
        assert!(got.0 == expected.0, "dataset differs for order {order:?}");
        assert_eq!(got.1, expected.1, "policies differ for order {order:?}");
    }
}

proptest! {
    #![proptest_config(crate::regressions::beside_the_source(ProptestConfig::with_cases(12)))]

    /// Lines shuffled within windows of up to 40 lines, per node file, the files in any order.
    #[test]
    fn lines_out_of_order_give_one_dataset(
        seed in 1u64..1000,
        window in 2usize..40,
        order in prop::sample::select(permutations(3)),
    ) {
        let (lines, inventory) = demo(seed, 1500);
        let expected = outcome(&[
            ("flows.jsonl", text(&lines).as_bytes()),
            ("inventory.json", inventory.as_bytes()),
        ]);
        let mut rng = fastrand::Rng::with_seed(seed);
        let nodes = per_node(&lines);
        let files_text: Vec<String> = order
            .iter()
            .filter_map(|&i| nodes.get(i))
            .map(|group| text(&shuffled_within(group, window, &mut rng)))
            .collect();
        let mut files: Vec<(&str, &[u8])> = files_text
            .iter()
            .map(|t| ("node.jsonl", t.as_bytes()))
            .collect();
        files.push(("inventory.json", inventory.as_bytes()));
        let got = outcome(&files);
        prop_assert!(got.0 == expected.0, "the dataset differs");
        prop_assert_eq!(got.1, expected.1);
    }
}

/// A packet on a tunnel (no `is_reply`) between two pods, `ports` and `flags` as given.
fn tunnel_packet(second: u32, (from, to): (&str, &str), ports: (u16, u16), l4: &str) -> String {
    format!(
        r#"{{"flow":{{"time":"2026-11-20T09:00:{second:02}Z","IP":{{"source":"{from}","destination":"{to}"}},"l4":{{{l4}}},"event_type":{{"type":4}},"trace_observation_point":"TO_OVERLAY"}},"node_name":"n1"}}"#
    )
    .replace("SPORT", &ports.0.to_string())
    .replace("DPORT", &ports.1.to_string())
}

fn udp(second: u32, ends: (&str, &str), ports: (u16, u16)) -> String {
    tunnel_packet(
        second,
        ends,
        ports,
        r#""UDP":{"source_port":SPORT,"destination_port":DPORT}"#,
    )
}

/// The communications of `lines`, in every order of the lines.
fn communications_in_every_order(lines: &[String]) -> Vec<String> {
    let mut results = std::collections::BTreeSet::new();
    for order in permutations(lines.len()) {
        let text: String = order.iter().map(|&i| format!("{}\n", lines[i])).collect();
        let dataset = load_files(&[("flows.jsonl", text.as_bytes())], &[]).dataset;
        let mut described: Vec<String> = dataset
            .communications
            .iter()
            .map(|c| dataset.describe(c))
            .collect();
        described.sort();
        results.insert(described);
    }
    assert_eq!(
        results.len(),
        1,
        "the order of lines changes the result: {results:#?}"
    );
    results.into_iter().next().unwrap()
}

/// A client whose ports are not in the usual ephemeral range (`ip_local_port_range` tuned, or
/// SNAT) calls a server on a high port, both seen on a tunnel: the request, seen first, makes
/// the client; its port guess (a reply from a low port to a high one) breaks no tie here.
#[test]
fn a_request_from_a_low_port_to_a_high_one_is_still_a_request() {
    let ends = ("10.0.0.1", "10.0.0.2");
    let back = ("10.0.0.2", "10.0.0.1");
    let lines = [udp(1, ends, (20000, 40000)), udp(2, back, (40000, 20000))];
    assert_eq!(
        communications_in_every_order(&lines),
        ["10.0.0.1 -> 10.0.0.2 UDP/40000 x1"]
    );
}

/// A reply whose request was not captured (a DNS answer from port 53 to a high port): the
/// ports tell, and no rule opens the client's port.
#[test]
fn a_lone_reply_from_a_service_port_opens_nothing() {
    let lines = [
        udp(1, ("10.0.0.53", "10.0.0.1"), (53, 45000)),
        udp(3, ("10.0.0.53", "10.0.0.1"), (53, 45000)),
    ];
    assert_eq!(communications_in_every_order(&lines), Vec::<String>::new());
}

/// A TCP path whose packets carry flags on some events and none on others (a tunnel point
/// of an exporter that leaves them out): one outcome whatever comes first.
#[test]
fn a_path_with_and_without_tcp_flags_is_decided_alike_in_any_order() {
    let ends = ("10.0.0.1", "10.0.0.2");
    let flagged = tunnel_packet(
        1,
        ends,
        (41000, 8080),
        r#""TCP":{"source_port":SPORT,"destination_port":DPORT,"flags":{"ACK":true}}"#,
    );
    let bare = tunnel_packet(
        2,
        ends,
        (41000, 8080),
        r#""TCP":{"source_port":SPORT,"destination_port":DPORT}"#,
    );
    assert_eq!(
        communications_in_every_order(&[flagged, bare]),
        ["10.0.0.1 -> 10.0.0.2 TCP/8080 x1"]
    );
}

/// A pod relabelled during the capture (or described differently by two nodes' files): its
/// workload's selector is the labels every record of it shares, in either order of the files.
#[test]
fn a_relabelled_pods_selector_is_what_its_records_share() {
    let syn = |second: u32, version: &str| {
        format!(
            r#"{{"flow":{{"time":"2026-11-20T09:00:{second:02}Z","IP":{{"source":"10.0.0.7","destination":"10.0.0.9"}},"l4":{{"TCP":{{"source_port":4100{second},"destination_port":80,"flags":{{"SYN":true}}}}}},"source":{{"identity":40001,"namespace":"shop","labels":["k8s:app=web","k8s:version={version}","k8s:io.kubernetes.pod.namespace=shop"],"pod_name":"web-7d4b9c8f6d-x2x9q","workloads":[{{"name":"web","kind":"Deployment"}}]}},"event_type":{{"type":4}},"is_reply":false}}}}
"#
        )
    };
    let (v1, v2) = (syn(1, "v1"), syn(2, "v2"));
    let selectors: Vec<String> = [[&v1, &v2], [&v2, &v1]]
        .iter()
        .map(|files| {
            let dataset = load_files(
                &[
                    ("a.jsonl", files[0].as_bytes()),
                    ("b.jsonl", files[1].as_bytes()),
                ],
                &[],
            )
            .dataset;
            let web = dataset
                .entities
                .iter()
                .find(|e| e.owner.name == "web")
                .unwrap();
            format!("{:?}", web.selector)
        })
        .collect();
    assert_eq!(selectors[0], selectors[1]);
    assert!(selectors[0].contains("\"app\""), "{}", selectors[0]);
    assert!(!selectors[0].contains("version"), "{}", selectors[0]);
}
