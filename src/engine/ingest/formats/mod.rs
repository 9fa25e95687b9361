//! Formats: one file per input format, each turning the records [`scan`](super::scan) cut
//! into what the format holds.
//!
//! - [`detect`]: what a file holds, recognised from its first bytes.
//! - [`hubble`]: one Hubble line to a [`hubble::FlowEvent`] (its small values in `wire`,
//!   read straight from their bytes when plain, with serde otherwise; natively the lines of a
//!   chunk are parsed on several threads, `parallel`).
//! - [`flowpol_json`]: flowpol's own flow format, for other tools' data.
//! - [`inventory`]: a kubectl `List` to pods, Services, controllers, nodes and namespaces,
//!   read item by item as it streams by ([`list_items`]).
//! - [`policies`]: NetworkPolicies and CiliumNetworkPolicies in YAML or JSON, the cluster's own.

pub mod detect;
pub mod flowpol_json;
pub mod hubble;
pub mod inventory;
pub mod list_items;
pub mod policies;
