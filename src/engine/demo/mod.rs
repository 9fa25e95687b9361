//! The project's own deterministic demo data: a Hubble flow log and the matching `kubectl get
//! ... -o json` inventory of a small online shop. The demo button loads a small copy shipped in
//! `public/demo/`; the same generator writes the large files benchmarks read
//! (`flowpol demo --flows N --out DIR`). Pure: it returns text, the caller writes it.

pub mod cluster;
mod connection;
mod context;
mod event;
pub mod flows;
pub mod hubble_wire;
pub mod inventory;
mod line;
pub mod namespace;
mod sample;
pub mod traffic;
pub mod truth;

pub use cluster::DemoCluster;
pub use flows::{FlowLines, FlowOptions};
pub use inventory::inventory_json;

/// The file name of the demo's flow log.
pub const FLOWS_FILE: &str = "flows.jsonl";
/// The file name of the demo's inventory.
pub const INVENTORY_FILE: &str = "inventory.json";
/// The number of flow lines in the copy shipped for the demo button.
pub const SHIPPED_FLOW_LINES: usize = 2_000;
