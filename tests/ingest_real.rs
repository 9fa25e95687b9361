//! Ingest of real Hubble captures (tests/fixtures/real, Apache-2.0, see SOURCE.txt): the
//! communications each holds, checked by hand line by line.
#![cfg(not(target_arch = "wasm32"))]

use flowpol::engine::dataset::Dataset;
use flowpol::engine::load::{load_files, LoadResult};

fn load(files: &[(&str, &[u8])]) -> (LoadResult, Dataset) {
    let result = load_files(files, &[]);
    let dataset = result.dataset.clone();
    (result, dataset)
}

/// Every communication as `client -> server protocol/port xN`, sorted.
fn summary(dataset: &Dataset) -> Vec<String> {
    let mut lines: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| dataset.describe(c))
        .collect();
    lines.sort();
    lines
}

/// The 129-line bookinfo capture (Istio sidecars, no `workloads[]`). By hand: 20 events start
/// connections (10 policy verdicts with their SYNs at TO_PROXY, 4 SYNs of the proxied legs
/// from the node's proxy address 10.244.0.148 carrying the client's identity). Everything else
/// is replies, later packets (ACK/PSH/FIN), L7 records, and two mid-connection flows
/// (health checks to 4240, the Hubble collector to 4244) that never show their start.
#[test]
fn bookinfo_capture_holds_exactly_these_communications() {
    let capture =
        include_bytes!("fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl");
    let (ingest, dataset) = load(&[("bookinfo.jsonl", capture)]);
    assert_eq!(ingest.files[0].starts, 20);
    assert_eq!(
        summary(&dataset),
        vec![
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/details-v1 TCP/9080 x3",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v2 TCP/9080 x1",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v3 TCP/9080 x1",
            "Deployment/bookinfo/ratings-v1 -> Deployment/bookinfo/productpage-v1 TCP/9080 x3",
        ]
    );
}

/// Inspektor Gadget's `advise network-policy` trace events, converted to flowpol's flow format
/// by the jq one-liner in the README (the converted file is committed beside the original).
#[test]
fn inspektor_gadget_events_through_the_flowpol_format() {
    let converted =
        include_bytes!("fixtures/flowpol/inspektor-gadget-connect-to-svc.flowpol.jsonl");
    let (ingest, dataset) = load(&[("ig.flowpol.jsonl", converted)]);
    assert_eq!(
        ingest.files[0].format,
        Some(flowpol::engine::ingest::format::InputFormat::FlowpolJson)
    );
    assert_eq!(ingest.files[0].records, 5);
    assert_eq!(
        summary(&dataset),
        vec![
            "Pod/test-networkpolicy-8485776873410829123/test-pod -> 10.96.0.1 TCP/443 x2",
            "Pod/test-networkpolicy-8485776873410829123/test-pod -> 10.96.0.10 UDP/53 x3",
        ]
    );
}
