//! Hostile input, as production captures from clusters nobody here controls may hold it
//! (`tests/fixtures/hostile/`, written by `tools/make_hostile_fixtures.py`, and larger inputs
//! made here): markup, quotes, right-to-left and zero-width characters and 10,000-character
//! values in names, labels and DNS names; YAML-special label values; huge, negative and
//! fractional numbers where integers belong; duplicate keys; NUL bytes; CRLF line ends; a
//! byte-order mark; a cut-short last line; JSON nested 100,000 deep; an empty file; binary
//! noise; a gzip inside a gzip. Every valid line is read and every other one is reported with
//! its file and line, however the file is cut into chunks; the policies written from it read
//! back identically through k8s-openapi and a YAML 1.1 reader (kubectl's), as NetworkPolicies
//! and as CiliumNetworkPolicies. (That the page renders these strings as text, never markup, is
//! `tests/e2e/hostile.test.mjs`.)

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use flowpol::engine::decisions::Decisions;
use flowpol::engine::ingest::formats::policies::read_policies;
use flowpol::engine::ingest::session::{Ingest, Ingested};
use flowpol::engine::load::load;
use flowpol::engine::model::network_policy::NetworkPolicy;
use flowpol::engine::model::TimeWindow;
use flowpol::engine::policy::{
    generate_policies, policies_yaml, policies_yaml_as, select_entities, PolicyKind, Selection,
};
use flowpol::engine::yaml::from_yaml;

use crate::yaml_1_1;

const FLOWS: &str = "tests/fixtures/hostile/hostile-flows.jsonl";
const INVENTORY: &str = "tests/fixtures/hostile/hostile-inventory.json";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// Each file fed in chunks of `chunk` bytes.
fn ingest(files: &[(&str, &[u8])], chunk: usize) -> Ingested {
    let mut ingest = Ingest::new();
    for (name, bytes) in files {
        ingest.begin_file(name);
        for piece in bytes.chunks(chunk.max(1)) {
            ingest.push(piece);
        }
        ingest.end_file();
    }
    ingest.finish()
}

/// `expected.txt`: line number -> "flow" or "problem".
fn expected() -> BTreeMap<u64, String> {
    String::from_utf8(fixture("tests/fixtures/hostile/expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (line, what) = l.split_once(": ").unwrap();
            (line.parse().unwrap(), what.to_string())
        })
        .collect()
}

#[test]
fn every_valid_line_is_read_and_every_other_named_by_file_and_line() {
    let flows = fixture(FLOWS);
    let expected = expected();
    let problem_lines: Vec<u64> = expected
        .iter()
        .filter(|(_, what)| *what == "problem")
        .map(|(&line, _)| line)
        .collect();
    let flow_lines = expected.len() - problem_lines.len();
    assert!(problem_lines.len() >= 8 && flow_lines >= 30);
    for chunk in [1, 3, 4096, usize::MAX] {
        let ingested = ingest(&[("hostile.jsonl", &flows)], chunk);
        let report = &ingested.files[0];
        assert_eq!(report.records, expected.len() as u64, "chunk {chunk}");
        assert_eq!(report.flows, flow_lines as u64, "chunk {chunk}");
        let reported: Vec<u64> = ingested.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(reported, problem_lines, "chunk {chunk}");
        for diagnostic in &ingested.diagnostics {
            assert_eq!(diagnostic.file, "hostile.jsonl");
            assert!(!diagnostic.message.is_empty());
        }
    }
    let ingested = ingest(&[("hostile.jsonl", &flows)], usize::MAX);
    let message = |line: u64| {
        ingested
            .diagnostics
            .iter()
            .find(|d| d.line == line)
            .map(|d| d.message.clone())
            .unwrap()
    };
    // The numbers name their field; the raw NUL, the markup line and the cut line say why.
    for line in 31..=35 {
        assert!(message(line).contains("`l4`"), "{}", message(line));
    }
    assert!(message(38).contains("control character"), "{}", message(38));
    assert!(message(41).contains("invalid JSON"), "{}", message(41));
}

#[test]
fn hostile_names_reach_the_policies_and_read_back_identically() {
    let flows = fixture(FLOWS);
    let inventory = fixture(INVENTORY);
    let ingested = ingest(&[("flows", &flows), ("inventory", &inventory)], 7);
    assert_eq!(ingested.files[1].objects, 7, "{:?}", ingested.diagnostics);
    let result = load(ingested, &[]);
    let dataset = &result.dataset;
    let names: Vec<String> = dataset
        .entities
        .iter()
        .map(|e| e.owner.to_string())
        .collect();
    for hostile in [
        "<img src=x onerror=\"window.__pwned=1\">",
        "<svg onload=\"window.__pwned=1\">",
        "\u{202e}gnp.exe",
        "pay\u{200b}ments\u{200d}",
        &"L".repeat(10_000),
    ] {
        assert!(
            names.iter().any(|n| n.contains(hostile)),
            "{hostile:.40} in {names:.200?}"
        );
    }
    let scope = select_entities(dataset, &Selection::default()).unwrap();
    let decisions = Decisions::default();
    let generated = generate_policies(dataset, &decisions, &scope, TimeWindow::ALL);
    assert!(generated.len() >= 30);
    let policies: Vec<NetworkPolicy> = generated.iter().filter_map(|g| g.policy.clone()).collect();
    let yaml = policies_yaml(&generated).unwrap();
    let intended: Vec<serde_json::Value> = policies
        .iter()
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    assert_eq!(
        yaml_1_1::read(&yaml).unwrap(),
        intended,
        "as kubectl reads it"
    );
    let upstream: Vec<k8s_openapi::api::networking::v1::NetworkPolicy> = from_yaml(&yaml).unwrap();
    let upstream: Vec<serde_json::Value> = upstream
        .iter()
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    assert_eq!(upstream, intended, "as k8s-openapi reads it");
    // Label values Kubernetes would refuse are not written as selectors, and say so.
    let invalid_labels = generated
        .iter()
        .flat_map(|g| &g.warnings)
        .filter(|w| w.contains("is not a valid Kubernetes label"))
        .count();
    assert!(invalid_labels >= 20, "{invalid_labels} label warnings");
    assert!(!yaml.contains("app: <img"), "markup is no selector");

    let cilium_yaml = policies_yaml_as(&generated, PolicyKind::Cilium).unwrap();
    let cilium_intended: Vec<serde_json::Value> = generated
        .iter()
        .filter_map(|g| g.cilium())
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    assert_eq!(yaml_1_1::read(&cilium_yaml).unwrap(), cilium_intended);
}

/// JSON nested 100,000 deep as a flow file, an inventory, NetworkPolicies and a decisions
/// file: an error that says so, never a stack overflow.
#[test]
fn nesting_100000_deep_is_refused_not_overflowed() {
    let deep =
        |open: &str, close: &str| format!("{}{}", open.repeat(100_000), close.repeat(100_000));
    let arrays = deep("[", "]");
    let objects = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{{\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"ok\"}}}},{}]}}",
        deep("{\"a\":", "}")
    );
    let ingested = ingest(
        &[
            ("deep.json", arrays.as_bytes()),
            ("deep-inventory.json", objects.as_bytes()),
        ],
        65_536,
    );
    assert!(ingested.problem_count >= 1 || ingested.files[0].error.is_some());
    assert_eq!(ingested.files[1].objects, 1, "{:?}", ingested.files[1]);
    assert_eq!(ingested.files[1].problems, 1, "{:?}", ingested.files[1]);
    assert!(
        ingested
            .diagnostics
            .iter()
            .any(|d| d.file == "deep-inventory.json" && d.message.contains("recursion limit")),
        "{:?}",
        ingested.diagnostics
    );
    let yaml_deep = format!("kind: NetworkPolicy\nspec: {}", arrays);
    assert!(read_policies("deep.yaml", &yaml_deep).is_err());
    let yaml_block = (0..100_000).fold(String::new(), |mut s, depth| {
        s.push_str(&" ".repeat(depth % 200));
        s.push_str("- \n");
        s
    });
    let _ = read_policies("block.yaml", &yaml_block);
    assert!(Decisions::from_json(&arrays).is_err());
    assert!(Decisions::from_json(&objects).is_err());
}

/// An empty file, binary noise (with NUL bytes) and a gzip inside a gzip: each says what it is
/// not, and the other files are read.
#[test]
fn empty_binary_and_nested_gzip_files_say_why_and_the_rest_is_read() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: Vec<u8> = (0..65_536)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let bomb = gzip(&gzip(&vec![0u8; 64 << 20]));
    assert!(bomb.len() < 4096, "{} bytes", bomb.len());
    let flows = fixture(FLOWS);
    let ingested = ingest(
        &[
            ("empty.jsonl", b""),
            ("noise.bin", &noise),
            ("bomb.gz", &bomb),
            ("flows.jsonl", &flows),
        ],
        4096,
    );
    let error = |i: usize| ingested.files[i].error.clone().unwrap_or_default();
    assert_eq!(error(0), "the file is empty");
    assert!(error(1).starts_with("flowpol understands"), "{}", error(1));
    assert!(
        error(2).contains("a gzip file inside a gzip file"),
        "{}",
        error(2)
    );
    assert!(
        ingested.files[2].decoded_bytes < 1 << 20,
        "the inner gzip is not inflated"
    );
    assert!(ingested.files[3].flows >= 30);
}
