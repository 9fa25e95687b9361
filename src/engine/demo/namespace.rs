//! A large synthetic namespace for benchmarks of policy generation, verification and the
//! review: W Deployments (`w000`, `w001`, ...) in namespace `bench`, C distinct communications
//! between them (and some to external addresses; `w000` starts a quarter of them, so one
//! entity has a thousand rows), written as flowpol JSON lines with labels, so the
//! same data feeds the native benchmark and the browser measurement. Deterministic per seed.

use std::collections::BTreeSet;
use std::fmt::Write;

/// The file `flowpol demo --bench-namespace` writes.
pub const FILE: &str = "bench-namespace.flowpol.jsonl";

/// The namespace the synthetic workloads live in.
pub const NAMESPACE: &str = "bench";

const PORTS: [u16; 12] = [
    80, 443, 5432, 6379, 8080, 8443, 9090, 9092, 11211, 27017, 3306, 50051,
];
const TIERS: [&str; 5] = ["web", "api", "data", "cache", "batch"];

/// `communications` flowpol JSON lines between `workloads` Deployments.
pub fn namespace_flows(workloads: usize, communications: usize, seed: u64) -> String {
    let workloads = workloads.max(1);
    let mut rng = fastrand::Rng::with_seed(seed);
    let endpoint = |i: usize| {
        format!(
            r#"{{"namespace":"{NAMESPACE}","workload":"Deployment/w{i:03}","labels":{{"app":"w{i:03}","tier":"{}"}}}}"#,
            TIERS[i % TIERS.len()]
        )
    };
    let mut seen = BTreeSet::new();
    let mut out = String::new();
    let mut attempts = 0;
    while seen.len() < communications && attempts < communications * 20 {
        attempts += 1;
        // w000 is a hub that calls a quarter of everything: one entity with many rows.
        let client = if attempts % 4 == 0 {
            0
        } else {
            rng.usize(..workloads)
        };
        let external = rng.u8(..10) == 0;
        let server = if external {
            workloads + rng.usize(..16)
        } else {
            rng.usize(..workloads)
        };
        let port = PORTS[rng.usize(..PORTS.len())];
        if !seen.insert((client, server, port)) {
            continue;
        }
        let destination = if external {
            format!(
                r#"{{"ip":"203.0.113.{}","names":["api{}.example.com"]}}"#,
                server - workloads + 1,
                server - workloads
            )
        } else {
            endpoint(server)
        };
        let _ = writeln!(
            out,
            r#"{{"src":{},"dst":{destination},"port":{port},"protocol":"TCP","count":{},"time":"2026-11-20T09:{:02}:00Z"}}"#,
            endpoint(client),
            1 + rng.u32(..50),
            rng.u8(..60)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;

    #[test]
    fn gives_the_asked_shape() {
        let text = namespace_flows(20, 150, 1);
        assert_eq!(text, namespace_flows(20, 150, 1), "deterministic");
        let result = load_files(&[("bench.flowpol.jsonl", text.as_bytes())], &[]);
        let dataset = result.dataset;
        assert_eq!(result.problem_count, 0, "{:?}", result.diagnostics);
        assert_eq!(dataset.communications.len(), 150);
        assert_eq!(dataset.entities.len(), 20);
    }
}
