//! The entity view: the subject in the middle, the peers that call it on the left (ingress),
//! the peers it calls on the right (egress), each side in boxes: its own namespace, each
//! other namespace, the control plane and nodes, unresolved addresses inside the cluster,
//! outside the cluster. Every edge joins a side's column to the subject, and the ends of a
//! side's edges are in the same order on both columns, so no two edges cross. The order is
//! by name, and nothing depends on the decisions but which alias names an address: a
//! toggle moves nothing.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::decisions::Decisions;
use crate::engine::model::{CommunicationId, Direction, Protocol, TimeWindow};
use crate::engine::review::{review_rows, ReviewRow};
use crate::engine::scope::Subject;

use super::describe::{ports_text, Describer, NodeText, Place};
use super::geometry::{Point, Rect};
use super::scene::{EdgePath, GroupBox, NodeBox, NodeRole, Scene};
use super::style::{
    node_height, COLUMN_GAP, GROUP_GAP, GROUP_HEADER, GROUP_PAD, NODE_GAP, NODE_WIDTH,
};

/// Space between two edge ends on a box side.
const ANCHOR_SPACING: f64 = 7.0;

/// The most addresses of one kind a side shows one by one.
const MAX_ADDRESSES: usize = 5;

/// The box of every address of `sample`'s kind on a side: `12 External addresses`.
fn collapsed_addresses(sample: &NodeText, all: &BTreeSet<String>) -> NodeText {
    let mut details: Vec<(String, String)> = vec![("Kind".into(), sample.kind.clone())];
    details.extend(
        all.iter()
            .take(12)
            .map(|ip| ("Address".to_string(), ip.clone())),
    );
    if all.len() > 12 {
        details.push(("…".into(), format!("{} more", all.len() - 12)));
    }
    NodeText {
        // As in the namespace view: `addresses/external` for `External address`.
        key: format!(
            "addresses/{}",
            sample
                .kind
                .split_whitespace()
                .next()
                .unwrap_or("unknown")
                .to_lowercase()
        ),
        role: NodeRole::Unresolved,
        kind: format!("{}es", sample.kind),
        title: format!("{} addresses", all.len()),
        subtitle: sample.place.label(),
        services: Vec::new(),
        details,
        peer: None,
        place: sample.place.clone(),
    }
}

/// One edge before it is placed.
struct PendingEdge {
    peer_key: String,
    protocol: Protocol,
    port: u16,
    communications: Vec<CommunicationId>,
    connections: u64,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    already_open: bool,
}

/// One side's nodes and edges: nodes by group (the subject's namespace first, then by
/// place) and key.
#[derive(Default)]
struct Side {
    nodes: BTreeMap<(bool, Place, String), NodeText>,
    edges: BTreeMap<(String, Protocol, u16), PendingEdge>,
}

/// The subject's node.
fn subject_node(dataset: &Dataset, describer: &Describer<'_>, subject: Subject) -> NodeText {
    match subject {
        Subject::Entity(id) => NodeText {
            role: NodeRole::Selected,
            ..describer.node(Peer::Entity(id))
        },
        Subject::Service(id) => {
            let service = &dataset.services[id.index()];
            let backends: Vec<String> = service
                .backends
                .iter()
                .map(|&b| dataset.peer_label(Peer::Entity(b)))
                .collect();
            NodeText {
                key: format!("Service/{}/{}", service.namespace, service.name),
                role: NodeRole::Selected,
                kind: "Service".into(),
                title: service.name.clone(),
                subtitle: service.namespace.clone(),
                services: vec![format!("{}/{}", service.namespace, service.name)],
                details: vec![
                    ("Kind".into(), "Service".into()),
                    ("Name".into(), service.name.clone()),
                    ("Namespace".into(), service.namespace.clone()),
                    (
                        "Cluster IPs".into(),
                        crate::engine::model::address::joined(&service.cluster_ips),
                    ),
                    ("Backends".into(), backends.join(", ")),
                ],
                peer: None,
                place: Place::Namespace(None, service.namespace.clone()),
            }
        }
    }
}

/// The ports each server was seen listening on in `window`.
fn listening_ports(
    dataset: &Dataset,
    window: TimeWindow,
) -> BTreeMap<Peer, BTreeSet<(Protocol, u16)>> {
    let mut ports: BTreeMap<Peer, BTreeSet<(Protocol, u16)>> = BTreeMap::new();
    for communication in dataset.communications.iter().filter(|c| c.seen_in(window)) {
        ports
            .entry(communication.server)
            .or_default()
            .insert((communication.protocol, communication.port));
    }
    ports
}

/// The ports `text`'s peer was seen listening on (none for a node that is no peer).
fn ports_of(listening: &BTreeMap<Peer, BTreeSet<(Protocol, u16)>>, text: &NodeText) -> Vec<String> {
    text.peer
        .and_then(|peer| listening.get(&peer))
        .map(ports_text)
        .unwrap_or_default()
}

/// The width of a column: a node in its group box.
const COLUMN_WIDTH: f64 = NODE_WIDTH + 2.0 * GROUP_PAD;

/// Where the view's columns start: ingress peers, the subject, egress peers.
const COLUMNS: [f64; 3] = [
    0.0,
    COLUMN_WIDTH + COLUMN_GAP,
    2.0 * (COLUMN_WIDTH + COLUMN_GAP),
];

/// The entity view of `subject` over `window`.
pub fn entity_view(
    dataset: &Dataset,
    decisions: &Decisions,
    subject: Subject,
    window: TimeWindow,
) -> Scene {
    let describer = Describer::new(dataset, decisions);
    let listening = listening_ports(dataset, window);
    let centre = subject_node(dataset, &describer, subject);
    let sides = Direction::BOTH.map(|direction| {
        let rows = review_rows(dataset, decisions, subject, direction, window);
        side_of(&describer, rows, &centre.place)
    });
    let mut scene = Scene::default();
    let mut heights = [0.0f64; 2];
    let mut placed_sides: [Vec<usize>; 2] = Default::default();
    for (s, side) in sides.iter().enumerate() {
        let x = COLUMNS[if s == 0 { 0 } else { 2 }];
        (heights[s], placed_sides[s]) = place_side(&mut scene, side, s, x, &listening);
    }
    let edge_count = sides[0].edges.len().max(sides[1].edges.len());
    let centre_ports = ports_of(&listening, &centre);
    let centre_height = node_height(centre_ports.len(), centre.services.len(), 0)
        .max(edge_count as f64 * ANCHOR_SPACING + ANCHOR_SPACING);
    let total = heights[0].max(heights[1]).max(centre_height);
    let centre_rect = Rect::new(
        COLUMNS[1] + GROUP_PAD,
        (total - centre_height) / 2.0,
        NODE_WIDTH,
        centre_height,
    );
    let centre_index = scene.nodes.len();
    scene
        .nodes
        .push(place_node(&centre, centre_ports, centre_rect, None));
    for (s, side) in sides.iter().enumerate() {
        connect_side(&mut scene, side, s, &placed_sides[s], centre_index);
    }
    scene.width = COLUMNS[2] + COLUMN_WIDTH;
    scene.height = total;
    scene.spread_labels();
    scene
}

/// One side's nodes and edges from the review's rows of its direction; past a few addresses
/// of one kind on a side, they are one box.
fn side_of(describer: &Describer<'_>, rows: Vec<ReviewRow>, centre: &Place) -> Side {
    let mut side = Side::default();
    let mut addresses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in &rows {
        let node = describer.node(row.peer);
        if node.role == NodeRole::Unresolved {
            addresses
                .entry(node.kind.clone())
                .or_default()
                .insert(node.key);
        }
    }
    for row in rows {
        let mut node = describer.node(row.peer);
        if node.role == NodeRole::Unresolved {
            if let Some(all) = addresses
                .get(&node.kind)
                .filter(|a| a.len() > MAX_ADDRESSES)
            {
                node = collapsed_addresses(&node, all);
            }
        }
        let key = node.key.clone();
        let elsewhere = node.place != *centre;
        side.nodes
            .entry((elsewhere, node.place.clone(), key.clone()))
            .or_insert(node);
        let edge = side
            .edges
            .entry((key.clone(), row.protocol, row.port))
            .or_insert_with(|| PendingEdge {
                peer_key: key,
                protocol: row.protocol,
                port: row.port,
                communications: Vec::new(),
                connections: 0,
                first_seen: None,
                last_seen: None,
                already_open: true,
            });
        edge.communications.push(row.communication);
        edge.connections += row.connections;
        edge.first_seen = earliest(edge.first_seen, row.first_seen);
        edge.last_seen = edge.last_seen.max(row.last_seen);
        edge.already_open &= row.already_open;
    }
    side
}

/// Places side `s`'s nodes (0 ingress, 1 egress) down the column at `x`, in group boxes by
/// place; returns the column's height and the indices of its nodes in the scene.
fn place_side(
    scene: &mut Scene,
    side: &Side,
    s: usize,
    x: f64,
    listening: &BTreeMap<Peer, BTreeSet<(Protocol, u16)>>,
) -> (f64, Vec<usize>) {
    let mut placed = Vec::new();
    let mut y = 0.0;
    let mut current: Option<(Place, f64)> = None;
    for ((_, place, _), text) in &side.nodes {
        if current.as_ref().map(|(p, _)| p) != Some(place) {
            if let Some((previous, top)) = current.take() {
                scene.groups.push(GroupBox {
                    label: previous.label(),
                    rect: Rect::new(x, top, COLUMN_WIDTH, y - top + GROUP_PAD - NODE_GAP),
                });
                y += GROUP_PAD - NODE_GAP + GROUP_GAP;
            }
            current = Some((place.clone(), y));
            y += GROUP_HEADER;
        }
        let ports = ports_of(listening, text);
        let edges = side
            .edges
            .values()
            .filter(|e| e.peer_key == text.key)
            .count();
        let height = node_height(ports.len(), text.services.len(), 0)
            .max(edges as f64 * ANCHOR_SPACING + ANCHOR_SPACING);
        placed.push(scene.nodes.len());
        scene.nodes.push(place_node(
            text,
            ports,
            Rect::new(x + GROUP_PAD, y, NODE_WIDTH, height),
            Some(if s == 0 { "ingress" } else { "egress" }),
        ));
        y += height + NODE_GAP;
    }
    if let Some((previous, top)) = current.take() {
        scene.groups.push(GroupBox {
            label: previous.label(),
            rect: Rect::new(x, top, COLUMN_WIDTH, y - top + GROUP_PAD - NODE_GAP),
        });
        y += GROUP_PAD - NODE_GAP;
    }
    (y, placed)
}

/// Side `s`'s edges, in the order of their peers from top to bottom (then by port), ends
/// spread evenly on the peer's side and on the subject's.
fn connect_side(scene: &mut Scene, side: &Side, s: usize, placed: &[usize], centre_index: usize) {
    let mut ordered: Vec<(usize, &PendingEdge)> = Vec::new();
    for &node_index in placed {
        let key = &scene.nodes[node_index].key;
        ordered.extend(
            side.edges
                .values()
                .filter(|e| &e.peer_key == key)
                .map(|e| (node_index, e)),
        );
    }
    let centre_rect = scene.nodes[centre_index].rect;
    let mut per_node: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, &(node_index, edge)) in ordered.iter().enumerate() {
        let peer_rect = scene.nodes[node_index].rect;
        let on_peer = per_node.entry(node_index).or_insert(0);
        let peer_edges = ordered.iter().filter(|(n, _)| *n == node_index).count();
        let peer_y = spread(peer_rect, *on_peer, peer_edges);
        *on_peer += 1;
        let centre_y = spread(centre_rect, i, ordered.len());
        let centre_key = scene.nodes[centre_index].key.clone();
        let (from, to, points, label_at) = if s == 0 {
            let peer_point = Point::new(peer_rect.right(), peer_y);
            (
                edge.peer_key.clone(),
                centre_key,
                vec![peer_point, Point::new(centre_rect.x, centre_y)],
                Point::new(peer_point.x + 6.0, peer_point.y - 3.0),
            )
        } else {
            let peer_point = Point::new(peer_rect.x, peer_y);
            (
                centre_key,
                edge.peer_key.clone(),
                vec![Point::new(centre_rect.right(), centre_y), peer_point],
                Point::new(peer_point.x - 6.0, peer_point.y - 3.0),
            )
        };
        scene.edges.push(EdgePath {
            from,
            to,
            protocol: edge.protocol,
            port: edge.port,
            communications: edge.communications.clone(),
            connections: edge.connections,
            first_seen: edge.first_seen,
            last_seen: edge.last_seen,
            already_open: edge.already_open,
            points,
            label: format!("{}/{}", edge.protocol, edge.port),
            label_at,
            reversed: false,
            direction: Some(Direction::BOTH[s]),
        });
    }
}

/// The `index`-th of `count` points spread evenly down the side of `rect`.
fn spread(rect: Rect, index: usize, count: usize) -> f64 {
    rect.y + rect.height * (index as f64 + 1.0) / (count as f64 + 1.0)
}

/// The earlier of two times, either of which may be unknown.
pub(super) fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A placed node.
pub(super) fn place_node(
    text: &NodeText,
    ports: Vec<String>,
    rect: Rect,
    side: Option<&'static str>,
) -> NodeBox {
    let mut details = text.details.clone();
    if !ports.is_empty() {
        details.push(("Listening on".into(), ports.join(", ")));
    }
    NodeBox {
        key: text.key.clone(),
        role: text.role,
        kind: text.kind.clone(),
        title: text.title.clone(),
        subtitle: text.subtitle.clone(),
        ports,
        services: text.services.clone(),
        badges: Vec::new(),
        details,
        peer: text.peer,
        side,
        namespace: None,
        rect,
    }
}
