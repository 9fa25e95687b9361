//! What a topology picture holds once laid out: boxes for nodes and groups, polylines for
//! edges, each with what the view shows of it and what hovering tells. Plain data: the UI
//! draws it as SVG, tests measure it.

use crate::engine::dataset::Peer;
use crate::engine::model::{CommunicationId, Direction, Protocol};

use super::geometry::{Point, Rect};

/// What a node stands for, as the `data-role` hook names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum NodeRole {
    /// The subject of the entity view (drawn blue).
    Selected,
    /// A workload, the API server, or a collapsed group of workloads.
    Peer,
    /// An address nothing resolves (its class is shown).
    Unresolved,
    /// An address, or several, under an alias the review named.
    Aliased,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Selected => "selected",
            NodeRole::Peer => "peer",
            NodeRole::Unresolved => "unresolved",
            NodeRole::Aliased => "aliased",
        }
    }
}

/// A line of a node's tooltip: a name and its value.
pub type Detail = (String, String);

/// A node of the picture.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NodeBox {
    /// What it is in the review: `Kind/namespace/name`, an alias's name, an IP, or
    /// `namespace/NAME` for a collapsed namespace (the `data-entity` hook).
    pub key: String,
    pub role: NodeRole,
    /// The first line: the kind (`Deployment`, `External address`, `Namespace`, ...).
    pub kind: String,
    /// The second line: the name.
    pub title: String,
    /// The third line: the namespace, the address class, or what the group holds.
    pub subtitle: String,
    /// Listening ports seen (`TCP/8080`), shown as badges.
    pub ports: Vec<String>,
    /// Services in front of it (`shop/web`).
    pub services: Vec<String>,
    /// Notes drawn on the node: hubs its edges were folded into (`↔ kube-system UDP/53`).
    pub badges: Vec<String>,
    /// The tooltip.
    pub details: Vec<Detail>,
    /// What clicking it scopes to, when it is one peer of the dataset.
    pub peer: Option<Peer>,
    /// In the entity view: the side it is drawn on (`ingress`, `egress`), or none for the
    /// subject.
    pub side: Option<&'static str>,
    /// For a collapsed namespace: its cluster (when the data spans several) and name, what
    /// clicking it shows.
    pub namespace: Option<(Option<String>, String)>,
    pub rect: Rect,
}

/// A box around nodes: a namespace, "outside the cluster", ...
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GroupBox {
    pub label: String,
    pub rect: Rect,
}

/// An edge: one communication (or, in the namespace view, the communications of one port
/// between two boxes), client to server.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EdgePath {
    /// The nodes' keys, client first.
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    pub port: u16,
    /// The communications it draws: what clicking it toggles.
    pub communications: Vec<CommunicationId>,
    pub connections: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Whether every communication it draws was open before the capture began.
    pub already_open: bool,
    /// From the client's box to the server's, through the points between.
    pub points: Vec<Point>,
    /// Where its `TCP/8080` label goes.
    pub label_at: Point,
    /// Drawn against the layers' direction (it closes a cycle).
    pub reversed: bool,
    /// In the entity view, the subject's side the edge is on: its state is the review row's
    /// (that side's decision). `None` in the namespace view: both ends' decisions count.
    pub direction: Option<Direction>,
}

/// A laid-out picture.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub groups: Vec<GroupBox>,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<EdgePath>,
    /// What was left out or folded, when anything was (a hub, a picture too large).
    pub notes: Vec<String>,
}

impl Scene {
    /// The node whose key is `key` (the first, when a peer is drawn on both sides).
    pub fn node(&self, key: &str) -> Option<&NodeBox> {
        self.nodes.iter().find(|n| n.key == key)
    }

    /// How many times its edges cross each other.
    pub fn crossings(&self) -> usize {
        let lines: Vec<&[Point]> = self.edges.iter().map(|e| &e.points[..]).collect();
        super::geometry::crossings(&lines)
    }

    /// Pairs of nodes whose boxes overlap (none, in a good picture).
    pub fn overlapping_nodes(&self) -> Vec<(&str, &str)> {
        let mut pairs = Vec::new();
        for (i, a) in self.nodes.iter().enumerate() {
            for b in &self.nodes[i + 1..] {
                if a.rect.overlaps(&b.rect) {
                    pairs.push((a.key.as_str(), b.key.as_str()));
                }
            }
        }
        pairs
    }

    /// Edges that pass through a node box other than their own ends'.
    pub fn edges_through_nodes(&self) -> Vec<(&EdgePath, &str)> {
        let mut found = Vec::new();
        for edge in &self.edges {
            for node in &self.nodes {
                let own = |key: &str| key == edge.from || key == edge.to;
                if own(&node.key) {
                    continue;
                }
                if edge
                    .points
                    .windows(2)
                    .any(|s| node.rect.crossed_by(s[0], s[1]))
                {
                    found.push((edge, node.key.as_str()));
                }
            }
        }
        found
    }
}
