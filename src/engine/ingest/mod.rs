//! Ingest: from the bytes of dropped files to what they hold, and nothing more: flows
//! aggregated into observed communications between endpoints as the flows name them, the
//! kubectl inventory, the cluster's NetworkPolicies, and a report of every file with its
//! problems. Resolving endpoints to workloads is the next step (`engine::resolve`).
//!
//! - [`format`]: what a file holds, recognised from its first bytes.
//! - [`records`]: a stream of chunks cut into JSON records (lines or array elements).
//! - [`json_scan`]: the members of a JSON object found without parsing them (with `swar`,
//!   which finds quotes and brackets eight bytes at a time).
//! - [`hubble`]: one Hubble line to a [`hubble::FlowEvent`] (its small values in `hubble_wire`,
//!   read straight from their bytes when plain, with serde otherwise).
//! - [`flowpol_json`]: flowpol's own flow format, for other tools' data.
//! - `parallel`: the lines of a chunk parsed on several threads (natively), results in order.
//! - [`connection`]: what an event means: a start, evidence of an open connection, a reply,
//!   undecided, or nothing a policy can name.
//! - [`endpoints`]: endpoints as the flows describe them, each stored once.
//! - [`aggregate`]: events counted per communication, connections not events (`tally`);
//!   packets of unknown direction decided once every file is read (`undecided`).
//! - [`inventory`]: a kubectl `List` to pods, Services, controllers, nodes and namespaces,
//!   read item by item as it streams by (`list_items`).
//! - [`policies`]: NetworkPolicies in YAML or JSON, the cluster's own.
//! - [`report`]: each file's report, problems with file and line.
//! - [`session`]: files fed in chunks, gzip undone, formats recognised, problems reported.

pub mod aggregate;
pub mod connection;
pub mod endpoints;
pub mod flowpol_json;
pub mod format;
pub mod hubble;
mod hubble_wire;
pub mod inventory;
pub mod json_scan;
pub mod list_items;
mod parallel;
pub mod policies;
pub mod records;
pub mod report;
pub mod session;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;
mod swar;
mod tally;
mod undecided;

/// How container bytes are classified: 16 at a time with wasm's SIMD, else 8 at a time.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd as blocks;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use swar::words as blocks;
