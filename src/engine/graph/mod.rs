//! The topology (step 3): the graph of a scope laid out as a picture, pure geometry with no
//! browser in it. Two views:
//!
//! - the entity view (`entity_view`): the subject between the peers that call it and the
//!   peers it calls, grouped by namespace and place, with no crossing;
//! - the namespace view (`namespace_view`): every workload of a namespace, other namespaces
//!   collapsed into one box each, hubs folded into badges, laid out in layers (`layered`,
//!   on petgraph).
//!
//! Positions depend on the data and the scope, never on which rows are included, so a
//! decision changes an edge's colour and nothing else ([`edge_allowed`], [`edge_state`]: an
//! edge the review includes but the generated policies deny is drawn as such).

pub mod describe;
pub mod entity_view;
pub mod geometry;
pub mod layered;
pub mod namespace_view;
pub mod pan_zoom;
pub mod scene;
pub mod style;
pub mod svg_text;
pub mod tooltip;
pub mod topology_tab;

pub use entity_view::entity_view;
pub use namespace_view::{namespace_job, namespace_view, namespaces, NamespaceJob, NamespaceScope};
pub use scene::{EdgePath, GroupBox, NodeBox, NodeRole, Scene};
pub use style::EdgeState;

use std::collections::BTreeMap;

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::model::{CommunicationId, Direction};

/// Whether the review lets the communications of `edge` through: in the entity view, the
/// subject's side decides (as the review row shows it); in the namespace view, both ends'.
pub fn edge_allowed(dataset: &Dataset, decisions: &Decisions, edge: &EdgePath) -> bool {
    edge.communications
        .iter()
        .all(|&id| lets_through(dataset, decisions, edge, id))
}

/// Whether the review lets `id`, one of `edge`'s communications, through.
fn lets_through(
    dataset: &Dataset,
    decisions: &Decisions,
    edge: &EdgePath,
    id: CommunicationId,
) -> bool {
    let communication = &dataset.communications[id];
    match edge.direction {
        Some(direction) => decisions.side_allows(dataset, communication, direction),
        None => Direction::BOTH
            .iter()
            .all(|&direction| decisions.side_allows(dataset, communication, direction)),
    }
}

/// The state `edge` is drawn in: whether the review lets it through ([`edge_allowed`]), and
/// whether the generated policies deny communications of it that the review includes
/// (`denied`: each communication the verifier found denied, and why, as
/// `engine::policy::view` works it out; one the review no longer includes does not count, so a
/// verification a decision behind marks nothing wrongly). When several communications are
/// drawn as one edge, it says how many are denied.
pub fn edge_state(
    dataset: &Dataset,
    decisions: &Decisions,
    edge: &EdgePath,
    denied: &BTreeMap<CommunicationId, String>,
) -> EdgeState {
    let reasons: Vec<&String> = edge
        .communications
        .iter()
        .filter(|&&id| lets_through(dataset, decisions, edge, id))
        .filter_map(|id| denied.get(id))
        .collect();
    let denied = match (reasons.first(), edge.communications.len()) {
        (None, _) => None,
        (Some(reason), 1) => Some((*reason).clone()),
        (Some(reason), rows) => Some(format!(
            "{} of its {rows} rows; the first: {reason}",
            reasons.len()
        )),
    };
    EdgeState {
        included: edge_allowed(dataset, decisions, edge),
        denied,
        would_break: None,
    }
}

/// `state` with why some of `edge`'s communications would break (`breaking`: each such
/// communication with why, from `policy::compare`), when some would.
pub fn with_breaks(
    mut state: EdgeState,
    edge: &EdgePath,
    breaking: &BTreeMap<CommunicationId, String>,
) -> EdgeState {
    let reasons: Vec<&String> = edge
        .communications
        .iter()
        .filter_map(|id| breaking.get(id))
        .collect();
    state.would_break = match (reasons.first(), edge.communications.len()) {
        (None, _) => None,
        (Some(reason), 1) => Some((*reason).clone()),
        (Some(reason), rows) => Some(format!(
            "{} of its {rows} rows; the first: {reason}",
            reasons.len()
        )),
    };
    state
}
