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
//! decision changes an edge's colour and nothing else ([`edge_allowed`]).

pub mod describe;
pub mod entity_view;
pub mod geometry;
pub mod layered;
pub mod namespace_view;
pub mod scene;
pub mod style;

pub use entity_view::entity_view;
pub use namespace_view::{namespace_job, namespace_view, namespaces, NamespaceJob, NamespaceScope};
pub use scene::{EdgePath, GroupBox, NodeBox, NodeRole, Scene};

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::model::Direction;

/// Whether the review lets the communications of `edge` through: in the entity view, the
/// subject's side decides (as the review row shows it); in the namespace view, both ends'.
pub fn edge_allowed(dataset: &Dataset, decisions: &Decisions, edge: &EdgePath) -> bool {
    edge.communications.iter().all(|&id| {
        let communication = &dataset.communications[id];
        match edge.direction {
            Some(direction) => decisions.side_allows(dataset, communication, direction),
            None => Direction::BOTH
                .iter()
                .all(|&direction| decisions.side_allows(dataset, communication, direction)),
        }
    })
}
