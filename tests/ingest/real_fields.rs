//! What else real Hubble data carries (issue 24): fields some Hubble versions and exporters
//! leave out or print differently, checked on the real captures of tests/fixtures/real
//! (hubble-otel's samples, Apache-2.0, see SOURCE.txt) and on variants of them made here.

use flowpol::engine::dataset::Dataset;
use flowpol::engine::ingest::flows::connection::SkipReason;
use flowpol::engine::load::{load_files, LoadResult};
use flowpol::engine::model::AddressClass;
use serde_json::{Map, Value};

use crate::summary::summary;

const HTTP: &[u8] =
    include_bytes!("../fixtures/real/hubble-otel_basic-sample-348-http-flows.jsonl");
const DNS: &[u8] = include_bytes!("../fixtures/real/hubble-otel_basic-sample-330-dns-flows.jsonl");
const HTTP_5: &[u8] =
    include_bytes!("../fixtures/real/hubble-otel_basic-sample-5-http-flows.jsonl");
const DNS_5: &[u8] = include_bytes!("../fixtures/real/hubble-otel_basic-sample-5-dns-flows.jsonl");
const REDIRECTED: &[u8] =
    include_bytes!("../fixtures/real/hubble-otel_basic-sample-400-l7-redirected-flows.jsonl");
const TCP: &[u8] = include_bytes!("../fixtures/real/hubble-otel_basic-sample-400-tcp-flows.jsonl");
const UDP: &[u8] = include_bytes!("../fixtures/real/hubble-otel_basic-sample-400-udp-flows.jsonl");
const TEN: &[u8] = include_bytes!("../fixtures/real/hubble-otel_basic-sample-10-flows.jsonl");
const ICMP: &[u8] =
    include_bytes!("../fixtures/real/hubble-otel_basic-sample-400-icmpv4-flows.jsonl");

fn load(name: &str, capture: &[u8]) -> LoadResult {
    load_files(&[(name, capture)], &[])
}

/// Every communication with all it holds (counts per vantage and minute, times, names), keyed
/// by its row, sorted.
fn everything(dataset: &Dataset) -> Vec<(String, Value)> {
    let mut all: Vec<(String, Value)> = dataset
        .communications
        .iter()
        .map(|c| {
            (
                dataset.row_key(c).to_string(),
                serde_json::to_value(&c.observed).unwrap(),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

/// `capture` with each line's flow (the envelope's `flow`, or the bare flow) changed by `edit`;
/// a line `edit` answers `false` for is left out.
fn rewrite(capture: &[u8], mut edit: impl FnMut(&mut Map<String, Value>) -> bool) -> Vec<u8> {
    let mut out = String::new();
    for line in std::str::from_utf8(capture).unwrap().lines() {
        if line.trim().is_empty() {
            continue;
        }
        let mut value: Value = serde_json::from_str(line).unwrap();
        let flow = match value.get("flow") {
            Some(_) => &mut value["flow"],
            None => &mut value,
        };
        if edit(flow.as_object_mut().unwrap()) {
            out.push_str(&serde_json::to_string(&value).unwrap());
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// `capture` without `is_reply` (nor the older `reply`), as some Hubble versions and exporters
/// write it (Cilium's exporter field mask "timestamp, verdict, ports, IP addresses, node name,
/// pod name, and namespace" keeps neither).
fn without_is_reply(capture: &[u8]) -> Vec<u8> {
    rewrite(capture, |flow| {
        for key in ["is_reply", "isReply", "reply"] {
            flow.remove(key);
        }
        true
    })
}

fn l7_type(flow: &Map<String, Value>) -> Option<&str> {
    flow.get("l7")?.get("type")?.as_str()
}

/// Item 1: a capture of L7 records alone (`hubble observe --protocol http`, the GKE HTTP and
/// DNS samples) gives the same communications, with the same times, whether its lines carry
/// `is_reply` or not: `l7.type` tells a request from a response by itself.
#[test]
fn captures_of_l7_records_without_is_reply_give_the_same_communications() {
    for (name, capture) in [
        ("http.jsonl", HTTP),
        ("dns.jsonl", DNS),
        ("http5.jsonl", HTTP_5),
        ("dns5.jsonl", DNS_5),
    ] {
        let stripped = without_is_reply(capture);
        assert!(!String::from_utf8_lossy(&stripped).contains("reply\""));
        let original = load(name, capture);
        let variant = load(name, &stripped);
        assert!(!original.dataset.communications.is_empty(), "{name}");
        assert_eq!(
            summary(&variant.dataset),
            summary(&original.dataset),
            "{name}"
        );
        assert_eq!(
            everything(&variant.dataset),
            everything(&original.dataset),
            "{name}"
        );
        assert_eq!(
            variant.files[0].skipped, original.files[0].skipped,
            "{name}: every record is still an L7 record in the report"
        );
    }
    // The HTTP capture: prometheus scraping its targets, and the bookinfo calls, all open
    // before the capture (L7 records show no connection start).
    let dataset = load("http.jsonl", &without_is_reply(HTTP)).dataset;
    assert!(summary(&dataset).contains(
        &"Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v1 TCP/9080 (already open when the capture began)"
            .to_string()
    ));
}

/// Item 1: a response never names a client, with or without `is_reply`; and a record that
/// says neither (no `is_reply`, no `l7.type`) is skipped.
#[test]
fn l7_responses_and_records_without_a_direction_name_no_client() {
    let responses = rewrite(&without_is_reply(HTTP), |flow| {
        l7_type(flow) == Some("RESPONSE")
    });
    let result = load("responses.jsonl", &responses);
    assert_eq!(result.files[0].records, 173);
    assert!(result.dataset.communications.is_empty());
    assert_eq!(result.files[0].skipped[&SkipReason::L7], 173);

    let untyped = rewrite(&without_is_reply(HTTP), |flow| {
        if let Some(Value::Object(l7)) = flow.get_mut("l7") {
            l7.remove("type");
        }
        true
    });
    let result = load("untyped.jsonl", &untyped);
    assert_eq!(result.files[0].records, 348);
    assert!(
        result.dataset.communications.is_empty(),
        "{:#?}",
        summary(&result.dataset)
    );
    assert_eq!(result.files[0].skipped[&SkipReason::L7], 348);
}

/// Item 2: `REDIRECTED` (the connection handed to the L7 proxy) is allowed traffic. The
/// kind sample of policy verdicts is REDIRECTED on every line: each becomes a communication,
/// counted exactly as the same lines marked FORWARDED, with no dropped start.
#[test]
fn a_redirected_connection_counts_like_a_forwarded_one() {
    let redirected = load("redirected.jsonl", REDIRECTED);
    assert_eq!(redirected.files[0].starts, 400);
    assert_eq!(
        summary(&redirected.dataset),
        [
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/details-v1 TCP/9080 x74",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v1 TCP/9080 x18",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v2 TCP/9080 x31",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v3 TCP/9080 x25",
            "Deployment/bookinfo/productpage-v1 -> Deployment/kube-system/coredns UDP/53 x112",
            "Deployment/bookinfo/ratings-v1 -> Deployment/bookinfo/productpage-v1 TCP/9080 x74",
            "Deployment/bookinfo/ratings-v1 -> Deployment/kube-system/coredns UDP/53 x66",
        ]
    );
    assert!(redirected
        .dataset
        .communications
        .iter()
        .all(|c| c.observed.dropped_starts == 0));
    let with_verdict = |verdict: &str| {
        rewrite(REDIRECTED, |flow| {
            assert_eq!(flow["verdict"], "REDIRECTED");
            flow.insert("verdict".into(), Value::from(verdict));
            true
        })
    };
    let forwarded = load("forwarded.jsonl", &with_verdict("FORWARDED"));
    assert_eq!(
        everything(&redirected.dataset),
        everything(&forwarded.dataset)
    );
    let audit = load("audit.jsonl", &with_verdict("AUDIT"));
    assert_eq!(everything(&audit.dataset), everything(&forwarded.dataset));
    // DROPPED stays as it was: the communication is kept, its starts counted as dropped.
    let dropped = load("dropped.jsonl", &with_verdict("DROPPED"));
    assert_eq!(summary(&dropped.dataset), summary(&forwarded.dataset));
    assert!(dropped
        .dataset
        .communications
        .iter()
        .all(|c| c.observed.dropped_starts > 0));
}

/// The addresses of `dataset` as (IP, class, node name), sorted.
fn addresses(dataset: &Dataset) -> Vec<(String, AddressClass, Option<String>)> {
    let mut all: Vec<_> = dataset
        .addresses
        .iter()
        .map(|a| (a.ip.to_string(), a.class, a.node.clone()))
        .collect();
    all.sort();
    all
}

fn class_of(dataset: &Dataset, ip: &str) -> Option<AddressClass> {
    dataset
        .addresses
        .iter()
        .find(|a| a.ip.to_string() == ip)
        .map(|a| a.class)
}

/// Item 4: in every real capture, an address Cilium printed as `host` or `remote-node` is a
/// Node, without any inventory: also 10.244.0.148 of the kind capture, the `cilium_host`
/// address of a node, printed as `host` on its own node, as `remote-node` in tunnel events, and
/// with the pod labels of the clients whose traffic its proxy re-originates (those resolve to
/// their workloads, never to the address).
#[test]
fn host_and_remote_node_addresses_are_nodes_in_every_real_capture() {
    let captures: [(&str, &[u8]); 8] = [
        ("http", HTTP),
        ("dns", DNS),
        ("redirected", REDIRECTED),
        ("tcp", TCP),
        ("udp", UDP),
        ("ten", TEN),
        ("icmp", ICMP),
        ("http5", HTTP_5),
    ];
    for (name, capture) in captures {
        let dataset = load(name, capture).dataset;
        for address in &dataset.addresses {
            if address
                .reserved
                .iter()
                .any(|r| r == "host" || r == "remote-node")
            {
                assert_eq!(address.class, AddressClass::Node, "{name}: {}", address.ip);
            }
        }
    }
    let node = |name: &str| Some(name.to_string());
    assert_eq!(
        addresses(&load("tcp", TCP).dataset),
        [
            (
                "10.244.0.148".into(),
                AddressClass::Node,
                node("kind-control-plane")
            ),
            (
                "172.19.0.3".into(),
                AddressClass::Node,
                node("kind-control-plane")
            ),
        ]
    );
    assert_eq!(
        addresses(&load("udp", UDP).dataset),
        [("10.244.0.148".into(), AddressClass::Node, None)],
        "remote-node only: a Node whose name no event tells"
    );
    // GKE: the node the capture was taken on is `host`; the other nodes' addresses are printed
    // as `world` there, and stay unknown.
    assert_eq!(
        addresses(&load("http", HTTP).dataset),
        [
            ("10.128.0.3".into(), AddressClass::Unknown, None),
            ("10.128.0.4".into(), AddressClass::Unknown, None),
            (
                "10.128.0.5".into(),
                AddressClass::Node,
                node("gke-ilya-otel-demo-2-ilya-otel-demo-2-dac8cc20-hr0z")
            ),
            ("10.128.0.6".into(), AddressClass::Unknown, None),
        ]
    );
}

/// Item 4: Cilium's exporter can leave labels out and keep identities (its documented field
/// mask "all information except pod labels"): `host` (1) and `remote-node` (6) are still
/// Nodes, the `host` one still named after the node that printed it.
#[test]
fn host_and_remote_node_exported_without_labels_are_still_nodes() {
    let without_labels = |capture: &[u8]| {
        rewrite(capture, |flow| {
            for side in ["source", "destination"] {
                if let Some(Value::Object(endpoint)) = flow.get_mut(side) {
                    endpoint.remove("labels");
                }
            }
            true
        })
    };
    for (name, capture) in [("tcp", TCP), ("udp", UDP), ("http", HTTP), ("ten", TEN)] {
        let labelled = load(name, capture).dataset;
        let stripped = without_labels(capture);
        assert!(!String::from_utf8_lossy(&stripped).contains("reserved:"));
        let dataset = load(name, &stripped).dataset;
        for address in labelled
            .addresses
            .iter()
            .filter(|a| a.class == AddressClass::Node)
        {
            assert_eq!(
                class_of(&dataset, &address.ip.to_string()),
                Some(AddressClass::Node),
                "{name}: {}",
                address.ip
            );
        }
    }
    let udp = load("udp", &without_labels(UDP)).dataset;
    assert_eq!(
        addresses(&udp),
        [("10.244.0.148".into(), AddressClass::Node, None)]
    );
    let http = load("http", &without_labels(HTTP)).dataset;
    let host = http
        .addresses
        .iter()
        .find(|a| a.ip.to_string() == "10.128.0.5")
        .unwrap();
    assert_eq!(
        (host.class, host.node.as_deref()),
        (
            AddressClass::Node,
            Some("gke-ilya-otel-demo-2-ilya-otel-demo-2-dac8cc20-hr0z")
        ),
        "named after the node whose event printed `host`"
    );
}
