//! The pipeline from files to data: what ingest read ([`Ingested`]) is resolved into a
//! [`Dataset`], and handed over with each file's report, the problems found and the cluster's
//! own NetworkPolicies. This is what the browser's worker sends back to the page and what the
//! command line works from.

use ipnet::IpNet;

use crate::engine::dataset::Dataset;
use crate::engine::ingest::report::{Diagnostic, FileReport};
use crate::engine::ingest::session::{Ingest, Ingested};
use crate::engine::model::cilium_policy::CiliumNetworkPolicy;
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::resolve::resolve;
use crate::engine::units::thousands;

pub mod pieces;

/// Everything a finished load tells.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
pub struct LoadResult {
    pub files: Vec<FileReport>,
    /// The first [`LISTED_PROBLEMS`](crate::engine::ingest::report::LISTED_PROBLEMS) problems.
    pub diagnostics: Vec<Diagnostic>,
    pub problem_count: u64,
    pub dataset: Dataset,
    /// NetworkPolicies the files hold (the cluster's own), to verify observed traffic against.
    pub policies: Vec<NetworkPolicy>,
    /// CiliumNetworkPolicies the files hold, the same way.
    #[serde(default)]
    pub cilium_policies: Vec<CiliumNetworkPolicy>,
}

impl LoadResult {
    /// The dataset in one sentence: `420 connections in 72 communications between 13
    /// workloads and 20 unresolved addresses.`, with the communications open before the
    /// capture and the health checks left out, when there are.
    pub fn summary(&self) -> String {
        let dataset = &self.dataset;
        let connections: u64 = dataset
            .communications
            .iter()
            .map(|c| c.observed.connections())
            .sum();
        let mut text = format!(
            "{} connections in {} communications between {} workloads and {} unresolved \
             addresses.",
            thousands(connections),
            thousands(dataset.communications.len() as u64),
            thousands(dataset.entities.len() as u64),
            thousands(dataset.addresses.len() as u64)
        );
        let open = dataset
            .communications
            .iter()
            .filter(|c| c.observed.already_open())
            .count();
        if open > 0 {
            text.push_str(&format!(
                " {} already open when the capture began.",
                thousands(open as u64)
            ));
        }
        if dataset.health_checks > 0 {
            text.push_str(&format!(
                " {} of Cilium's health checks left out.",
                thousands(dataset.health_checks)
            ));
        }
        text
    }
}

/// Resolves what the files held; `extra_ranges` are cluster CIDRs the user entered (pod or
/// Service ranges) when the inventory does not give them.
pub fn load(ingested: Ingested, extra_ranges: &[IpNet]) -> LoadResult {
    let dataset = resolve(&ingested.flows, &ingested.inventory, extra_ranges);
    LoadResult {
        files: ingested.files,
        diagnostics: ingested.diagnostics,
        problem_count: ingested.problem_count,
        dataset,
        policies: ingested.inventory.network_policies,
        cilium_policies: ingested.inventory.cilium_policies,
    }
}

/// Loads files held in memory, in the order given (tests, the demo, small inputs).
pub fn load_files(files: &[(&str, &[u8])], extra_ranges: &[IpNet]) -> LoadResult {
    let mut ingest = Ingest::new();
    for (name, bytes) in files {
        ingest.add_file(name, bytes);
    }
    load(ingest.finish(), extra_ranges)
}

/// The shipped demo data (`public/demo/`: the capture and its inventory), loaded as the
/// page's demo button loads it, for the engine's tests.
#[cfg(test)]
pub(crate) fn shipped_demo() -> crate::engine::dataset::Dataset {
    let files: [(&str, &[u8]); 2] = [
        (
            "flows.jsonl",
            include_bytes!("../../../public/demo/flows.jsonl"),
        ),
        (
            "inventory.json",
            include_bytes!("../../../public/demo/inventory.json"),
        ),
    ];
    load_files(&files, &[]).dataset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::formats::detect::InputFormat;

    const CAPTURE: &[u8] = include_bytes!(
        "../../../tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl"
    );

    #[test]
    fn huge_counts_saturate_instead_of_overflowing() {
        let record = br#"{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"port":80,"count":4294967295,"time":"2026-01-01T00:00:00Z"}"#;
        let result = load_files(
            &[("a.json", &[&record[..], b"\n", &record[..]].concat())],
            &[],
        );
        assert_eq!(
            result.dataset.communications[0].observed.connections(),
            u64::from(u32::MAX)
        );
    }

    #[test]
    fn a_load_result_survives_json_unchanged() {
        let result = load_files(
            &[("capture.jsonl", CAPTURE), ("notes.txt", b"hello")],
            &["10.244.0.0/16".parse().unwrap()],
        );
        let text = serde_json::to_string(&result).unwrap();
        let back: LoadResult = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        assert_eq!(back.files, result.files);
        assert_eq!(back.dataset.communications.len(), 6);
        assert_eq!(
            back.dataset.communications[0].observed.connections(),
            result.dataset.communications[0].observed.connections()
        );
    }

    #[test]
    fn network_policies_in_yaml_and_in_a_json_inventory_are_kept() {
        let result = load_files(
            &[
                (
                    "netpol.yaml",
                    b"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec: {podSelector: {}}\n",
                ),
                (
                    "inventory.json",
                    br#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"b"},"spec":{"podSelector":{}}}]}"#,
                ),
                ("broken.yaml", b"kind: NetworkPolicy\nspec: [\n"),
            ],
            &[],
        );
        assert_eq!(
            result.files[0].format,
            Some(InputFormat::NetworkPoliciesYaml)
        );
        assert_eq!(result.files[0].objects, 1);
        assert_eq!(result.files[1].objects, 1);
        let names: Vec<(&str, &str)> = result
            .policies
            .iter()
            .map(|p| (p.metadata.namespace.as_str(), p.metadata.name.as_str()))
            .collect();
        assert_eq!(names, [("shop", "a"), ("default", "b")]);
        let error = result.files[2].error.as_deref().unwrap_or_default();
        assert!(error.starts_with("broken.yaml: not YAML"), "{error}");
    }

    #[test]
    fn the_summaries_say_what_became_of_the_capture() {
        let result = load_files(&[("capture.jsonl", CAPTURE)], &[]);
        assert_eq!(
            result.summary(),
            "8 connections in 6 communications between 6 workloads and 1 unresolved \
             addresses. 2 already open when the capture began."
        );
        assert_eq!(
            result.files[0].summary(),
            "129 records · 20 connection starts · 0 problems · 7 packets of unknown direction \
             left out"
        );
    }

    #[test]
    fn the_health_checks_of_cilium_are_counted_and_left_out() {
        let line = br#"{"IP":{"source":"10.0.0.1","destination":"10.0.1.1"},"l4":{"TCP":{"source_port":40000,"destination_port":4240,"flags":{"SYN":true}}},"source":{"identity":6,"labels":["reserved:remote-node"]},"destination":{"identity":4,"labels":["reserved:health"]},"event_type":{"type":4}}"#;
        let result = load_files(&[("health.jsonl", line)], &[]);
        assert!(result.dataset.communications.is_empty());
        assert_eq!(result.dataset.health_checks, 1);
        assert!(result
            .summary()
            .ends_with(" 1 of Cilium's health checks left out."));
    }
}
