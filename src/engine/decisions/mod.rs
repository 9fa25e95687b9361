//! What the user decided in the review, as plain data with pure operations: which
//! communications are included or excluded, a general rule per entity and direction, aliases
//! for unresolved addresses, extra cluster ranges and the DNS option. The UI wraps it in a
//! signal, stores it in the browser and exports it as JSON; the CLI builds it from flags or
//! reads the exported JSON. Decisions are keyed by names ([`RowKey`], [`OwnerKey`]), not
//! indices, so they survive a reload of the same (or a newer) capture.
//!
//! - [`values`]: aliases, CIDRs and names allowed by name, parsed and written.
//! - [`state`]: what the user decided, and its edits.
//! - [`file`]: the exported JSON file.
//! - [`apply`]: decisions applied to the review's rows.

pub mod apply;
pub mod file;
pub mod state;
pub mod values;

pub use apply::{is_dns_server, RowReason, DNS_LABEL, DNS_NAMESPACE};
pub use state::{Decisions, GeneralRule, UnreadableEntries};
pub use values::{
    alias_name_from, cidr_warning, host_cidr, name_matches, parse_allowed_name, parse_cidr,
    parse_cidr_list, Alias, AliasError, CidrList,
};

#[cfg(test)]
mod tests;
