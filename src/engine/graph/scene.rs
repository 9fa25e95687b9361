//! What a topology picture holds once laid out: boxes for nodes and groups, polylines for
//! edges, each with what the view shows of it and what hovering tells. Plain data: the UI
//! draws it as SVG, tests measure it.

use crate::engine::dataset::Peer;
use crate::engine::model::{CommunicationId, Direction, Protocol};
use crate::engine::units::{thousands, utc_time};

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
    /// The text drawn beside it: its `TCP/8080`, or the ports between its two boxes on the
    /// first of their edges (the first three and `+N` for the others; the others draw none).
    pub label: String,
    /// Where the label goes (its start, or its end for a label left of its edge).
    pub label_at: Point,
    /// Drawn against the layers' direction (it closes a cycle).
    pub reversed: bool,
    /// In the entity view, the subject's side the edge is on: its state is the review row's
    /// (that side's decision). `None` in the namespace view: both ends' decisions count.
    pub direction: Option<Direction>,
}

impl EdgePath {
    /// The point halfway along its line (where a denied edge carries its mark): away from
    /// its ends, where the labels and arrows are.
    pub fn midpoint(&self) -> Point {
        let length = |a: Point, b: Point| (b.x - a.x).hypot(b.y - a.y);
        let total: f64 = self.points.windows(2).map(|s| length(s[0], s[1])).sum();
        let mut left = total / 2.0;
        for segment in self.points.windows(2) {
            let (a, b) = (segment[0], segment[1]);
            let step = length(a, b);
            if step > 0.0 && left <= step {
                let t = left / step;
                return Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
            }
            left -= step;
        }
        self.points.first().copied().unwrap_or(Point::new(0.0, 0.0))
    }

    /// `TCP/8080`.
    pub fn port_label(&self) -> String {
        format!("{}/{}", self.protocol, self.port)
    }

    /// The tooltip: ends, port, connections, first and last seen.
    pub fn details(&self) -> Vec<Detail> {
        let mut details: Vec<Detail> = vec![
            ("From".into(), self.from.clone()),
            ("To".into(), self.to.clone()),
            ("Port".into(), self.port_label()),
        ];
        if self.already_open {
            details.push((
                "Connections".into(),
                "already open when the capture began".into(),
            ));
        } else {
            details.push(("Connections".into(), thousands(self.connections)));
        }
        if let Some(first) = self.first_seen {
            details.push(("First seen".into(), utc_time(first)));
        }
        if let Some(last) = self.last_seen {
            details.push(("Last seen".into(), utc_time(last)));
        }
        if self.communications.len() > 1 {
            details.push((
                "Rows".into(),
                format!("{} (toggled together)", self.communications.len()),
            ));
        }
        details
    }
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

/// The width of a label of `chars` characters at the size the view draws labels.
pub fn label_width(chars: usize) -> f64 {
    chars as f64 * 6.7 + 4.0
}

/// A label's height, from the ascent to the descent of the 11 px monospace it is drawn in (a
/// line of labels, when they are stacked).
pub const LABEL_HEIGHT: f64 = 14.0;
/// How far above the baseline (`label_at`) a label's ascent reaches.
const LABEL_ASCENT: f64 = 11.0;

impl EdgePath {
    /// The box its label takes where it is drawn (none when it draws no label): right of
    /// `label_at`, or left of it for an egress edge of the entity view (drawn `text-anchor:
    /// end`), from the text's ascent to its descent.
    pub fn label_rect(&self) -> Option<Rect> {
        self.label_rect_at(self.label_at)
    }

    fn label_rect_at(&self, at: Point) -> Option<Rect> {
        if self.label.is_empty() {
            return None;
        }
        // Room for the `✗ ` a denied edge's label begins with: the place does not depend on
        // the decisions.
        let width = label_width(self.label.chars().count() + 2);
        let left = if self.direction == Some(Direction::Egress) {
            at.x - width
        } else {
            at.x
        };
        Some(Rect::new(left, at.y - LABEL_ASCENT, width, LABEL_HEIGHT))
    }
}

/// How far (in lines) [`Scene::spread_labels`] looks up and down for a free place near an
/// edge before it looks further.
const NEAR_LINES: usize = 8;

impl Scene {
    /// Moves labels that would cover another label or a box down (or up) a line at a time, in
    /// drawing order (deterministic): first within a few lines of the edge, then further down
    /// until the label is free. The picture grows to hold its labels.
    pub fn spread_labels(&mut self) {
        let mut taken: Vec<Rect> = self.nodes.iter().map(|n| n.rect).collect();
        let (mut right, mut bottom) = (self.width, self.height);
        for edge in self.edges.iter_mut().filter(|e| !e.label.is_empty()) {
            let start = edge.label_at;
            let free = |dy: f64| {
                let rect = edge.label_rect_at(Point::new(start.x, start.y + dy))?;
                (rect.y >= 0.0 && !taken.iter().any(|r| r.overlaps(&rect))).then_some(dy)
            };
            let near = (0..NEAR_LINES).flat_map(|step| {
                let dy = step as f64 * LABEL_HEIGHT;
                [dy, -dy]
            });
            let further = (NEAR_LINES..).map(|step| step as f64 * LABEL_HEIGHT);
            // The search ends: below every box and label there is room.
            let Some(dy) = near.chain(further).find_map(free) else {
                continue;
            };
            edge.label_at = Point::new(start.x, start.y + dy);
            if let Some(rect) = edge.label_rect() {
                right = right.max(rect.right());
                bottom = bottom.max(rect.bottom());
                taken.push(rect);
            }
        }
        self.width = right;
        self.height = bottom;
    }

    /// Labels drawn over another label or over a node box (none, in a good picture): the
    /// edges' `from -> to port` and what they cover.
    pub fn overlapping_labels(&self) -> Vec<(String, String)> {
        let name = |e: &EdgePath| format!("{} -> {} {}", e.from, e.to, e.port_label());
        let labels: Vec<(&EdgePath, Rect)> = self
            .edges
            .iter()
            .filter_map(|e| Some((e, e.label_rect()?)))
            .collect();
        let mut found = Vec::new();
        for (i, (edge, rect)) in labels.iter().enumerate() {
            for (other, other_rect) in &labels[i + 1..] {
                if rect.overlaps(other_rect) {
                    found.push((name(edge), format!("the label of {}", name(other))));
                }
            }
            for node in self.nodes.iter().filter(|n| n.rect.overlaps(rect)) {
                found.push((name(edge), format!("the box of {}", node.key)));
            }
        }
        found
    }

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

#[cfg(test)]
mod tests {
    use super::{EdgePath, Point};
    use crate::engine::model::Protocol;

    fn edge(points: &[(f64, f64)]) -> EdgePath {
        EdgePath {
            from: "a".into(),
            to: "b".into(),
            protocol: Protocol::Tcp,
            port: 80,
            communications: Vec::new(),
            connections: 1,
            first_seen: None,
            last_seen: None,
            already_open: false,
            points: points.iter().map(|&(x, y)| Point::new(x, y)).collect(),
            label: String::new(),
            label_at: Point::new(0.0, 0.0),
            reversed: false,
            direction: None,
        }
    }

    #[test]
    fn the_midpoint_is_halfway_along_the_line_not_between_its_ends() {
        assert_eq!(
            edge(&[(0.0, 0.0), (10.0, 0.0)]).midpoint(),
            Point::new(5.0, 0.0)
        );
        // Down 30, then right 10: halfway (20 along) is on the first segment.
        assert_eq!(
            edge(&[(0.0, 0.0), (0.0, 30.0), (10.0, 30.0)]).midpoint(),
            Point::new(0.0, 20.0)
        );
        // A repeated point is skipped.
        assert_eq!(
            edge(&[(0.0, 0.0), (0.0, 0.0), (0.0, 8.0)]).midpoint(),
            Point::new(0.0, 4.0)
        );
        assert_eq!(edge(&[(3.0, 4.0)]).midpoint(), Point::new(3.0, 4.0));
    }
}
