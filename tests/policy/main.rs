//! The policies: the NetworkPolicy and CiliumNetworkPolicy evaluators against the documented
//! semantics (`semantics`, `semantics_cilium`); the review written as CiliumNetworkPolicies
//! (`cilium`); how a policy names its pods and peers (`peers`); the tricky clusters of
//! `tests/fixtures/clusters/` with their snapshots and probes (`clusters`); properties over
//! random worlds (`properties`); `diff` against an evaluator of its own (`diff_oracle`); L7 rules against an evaluator of
//! their own, on a generated family of requests and the real captures (`l7`); what the Generated Policy tab shows (`view`); and the YAML 1.1
//! reader the tests read the policies back with (`yaml_reader`).
#![cfg(not(target_arch = "wasm32"))]

mod cilium;
mod clusters;
mod diff_oracle;
mod l7;
mod peers;
mod properties;
mod semantics;
mod semantics_cilium;
mod view;
mod yaml_reader;

// Shared with other test binaries (tests/support/).
#[path = "../support/regressions.rs"]
mod regressions;
#[path = "../support/snapshot.rs"]
mod snapshot;
#[path = "../support/demo.rs"]
mod support_demo;
#[path = "../support/yaml_1_1.rs"]
mod yaml_1_1;
