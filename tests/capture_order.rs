//! Real captures come as one file per node, or rotated logs, in no order with each other, and
//! the lines of one file are not quite in time order either. The result must not depend on
//! it: the same flows split into per-node files, given in every order, with lines shuffled
//! within a window (so a reply may come before its start), give the same dataset, byte for
//! byte, and the same policies.
#![cfg(not(target_arch = "wasm32"))]

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
    #![proptest_config(ProptestConfig::with_cases(12))]

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
