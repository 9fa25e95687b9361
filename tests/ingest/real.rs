//! Ingest of real Hubble captures (tests/fixtures/real, Apache-2.0, see SOURCE.txt): the
//! communications each holds, checked by hand line by line.

use flowpol::engine::dataset::Dataset;
use flowpol::engine::ingest::flows::connection::SkipReason;
use flowpol::engine::load::{load_files, LoadResult};
use flowpol::engine::model::AddressClass;

use crate::summary::summary;

fn load(files: &[(&str, &[u8])]) -> (LoadResult, Dataset) {
    let result = load_files(files, &[]);
    let dataset = result.dataset.clone();
    (result, dataset)
}

/// The 129-line bookinfo capture (Istio sidecars, no `workloads[]`). By hand: 20 events start
/// connections (10 policy verdicts with their SYNs at TO_PROXY, 4 SYNs of the proxied legs
/// from the node's proxy address 10.244.0.148 carrying the client's identity), giving the four
/// bookinfo communications with their counts. Two more communications were open before the
/// capture and show no start:
/// - reviews-v2 calling ratings-v1 (lines 5 and 53: L7 requests, `is_reply` false, of a
///   sidecar connection whose SYN came before line 1);
/// - the OpenTelemetry collector (a DaemonSet's pod in kube-system, but this part of the
///   capture shows one pod, which could as well be a Job's: a bare pod) streaming from its
///   node's Hubble server on TCP/4244 (line 69, ACK+PSH with `is_reply` false; line 68 is its reply).
///
/// The proxy address 10.244.0.148 is no workload and no address of its own: its packets carry
/// the clients' identities (lines 4, 16, 18). Tunnel packets whose direction nothing tells
/// (among them Cilium's health check, line 22, to 4240) are left out and counted.
#[test]
fn bookinfo_capture_holds_exactly_these_communications() {
    let capture =
        include_bytes!("../fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl");
    let (result, dataset) = load(&[("bookinfo.jsonl", capture)]);
    assert_eq!(result.files[0].starts, 20);
    assert_eq!(
        summary(&dataset),
        vec![
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/details-v1 TCP/9080 x3",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v2 TCP/9080 x1",
            "Deployment/bookinfo/productpage-v1 -> Deployment/bookinfo/reviews-v3 TCP/9080 x1",
            "Deployment/bookinfo/ratings-v1 -> Deployment/bookinfo/productpage-v1 TCP/9080 x3",
            "Deployment/bookinfo/reviews-v2 -> Deployment/bookinfo/ratings-v1 TCP/9080 (already open when the capture began)",
            "Pod/kube-system/otelcol-hubble-collector-fwc6m -> 172.19.0.3 TCP/4244 (already open when the capture began)",
        ]
    );
    let addresses: Vec<(String, AddressClass, Option<&str>)> = dataset
        .addresses
        .iter()
        .map(|a| (a.ip.to_string(), a.class, a.node.as_deref()))
        .collect();
    assert_eq!(
        addresses,
        [(
            "172.19.0.3".to_string(),
            AddressClass::Node,
            Some("kind-control-plane")
        )],
        "the node, named; no proxy or health address"
    );
    assert_eq!(
        result.files[0].skipped[&SkipReason::UnknownDirection],
        7,
        "tunnel packets: the health check (line 22) and proxied legs no other packet directs"
    );
}

/// Five L7 DNS records (`hubble observe --protocol dns`): node-local-dns (one pod of it; the
/// 330-line capture shows all four, see flows_alone.rs) asks kube-dns over
/// TCP/53 (three requests, `is_reply` false); the two responses name no client.
#[test]
fn a_capture_of_dns_records_alone_shows_who_asks_whom() {
    let capture = include_bytes!("../fixtures/real/hubble-otel_basic-sample-5-dns-flows.jsonl");
    let (result, dataset) = load(&[("dns.jsonl", capture)]);
    assert_eq!(result.files[0].skipped.values().sum::<u64>(), 5);
    assert_eq!(
        summary(&dataset),
        vec![
            "Pod/kube-system/node-local-dns-88zrp -> Deployment/kube-system/kube-dns TCP/53 (already open when the capture began)"
        ]
    );
}

/// Inspektor Gadget's `advise network-policy` trace events, converted to flowpol's flow format
/// by the jq one-liner in docs/formats.md (the converted file is committed beside the original).
#[test]
fn inspektor_gadget_events_through_the_flowpol_format() {
    let converted =
        include_bytes!("../fixtures/flowpol/inspektor-gadget-connect-to-svc.flowpol.jsonl");
    let (ingest, dataset) = load(&[("ig.flowpol.jsonl", converted)]);
    assert_eq!(
        ingest.files[0].format,
        Some(flowpol::engine::ingest::formats::detect::InputFormat::FlowpolJson)
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
