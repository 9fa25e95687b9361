//! Ingest: from the bytes of dropped files to what they hold, and nothing more: flows
//! aggregated into observed communications between endpoints as the flows name them, the
//! kubectl inventory, the cluster's NetworkPolicies, and a report of every file with its
//! problems. Resolving endpoints to workloads is the next step (`engine::resolve`).
//!
//! Three rooms, each using only those before it, and the session that drives them:
//! - [`scan`]: bytes to fields, the fast path: a stream of chunks cut into JSON records, the
//!   members of a JSON object found without parsing it, eight (or sixteen) bytes at a time.
//! - [`formats`]: one file per input format, each turning records into what it holds: Hubble
//!   lines into flow events, flowpol's own flow format into aggregate records, kubectl
//!   inventories, NetworkPolicies; and the format of a file recognised from its first bytes.
//! - [`flows`]: what the flow events mean: connection starts, replies and undecided packets,
//!   endpoints stored once, connections counted per communication.
//! - [`session`]: files fed in chunks, gzip undone, formats recognised, records sent to their
//!   format and the flows; the only file that knows all three rooms.
//! - [`report`]: each file's report, problems with file and line.

pub mod flows;
pub mod formats;
pub mod report;
pub mod scan;
pub mod session;
