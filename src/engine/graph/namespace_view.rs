//! The namespace view: every workload of one namespace and what it talks to, laid out in
//! layers (clients above their servers); with no namespace, the overview: every namespace as
//! one box. To stay readable with hundreds of workloads:
//!
//! - the workloads of each other namespace are one box, and unresolved addresses one box per
//!   class (an alias stays its own node, the API server too);
//! - a hub (a node linked to many others, such as DNS or a metrics scraper) keeps its box but
//!   not its edges: each of its peers carries a badge naming it and the ports instead;
//! - past [`MAX_NODES`] boxes or [`MAX_EDGES`] edges the picture is not drawn: a note says
//!   so (the table, or a workload's entity view, shows the same data).
//!
//! The layout depends on the data, the namespace and the time span, never on decisions.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::decisions::Decisions;
use crate::engine::model::{CommunicationId, EntityId, Protocol, TimeWindow};
use crate::engine::review::AddressClassifier;
use crate::engine::units::thousands;

use super::describe::{ports_text, Describer, NodeText, Place};
use super::entity_view::{earliest, place_node};
use super::geometry::Point;
use super::layered::{self_loop, LayeredInput, LayeredJob, LayeredOutput, SELF_LOOP_ROOM};
use super::scene::{EdgePath, NodeRole, Scene};
use super::style::{node_height, NODE_WIDTH};

/// The most boxes the view draws.
pub const MAX_NODES: usize = 400;
/// The most edges the view draws.
pub const MAX_EDGES: usize = 4_000;
/// A node linked to at least this many others, and to a third of all, is a hub...
const HUB_DEGREE: usize = 8;
/// ... in a picture of more boxes than this (a small picture draws every line).
const HUB_PICTURE: usize = 16;

/// Which namespace to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceScope {
    /// `None`: the overview, every namespace as one box.
    pub namespace: Option<String>,
    /// With several clusters, the cluster (`None`: every cluster).
    pub cluster: Option<String>,
}

impl NamespaceScope {
    /// The view of one namespace.
    pub fn of(namespace: &str) -> NamespaceScope {
        NamespaceScope {
            namespace: Some(namespace.to_string()),
            cluster: None,
        }
    }
}

/// A node of the namespace graph before layout.
struct GraphNode {
    text: NodeText,
    ports: BTreeSet<(Protocol, u16)>,
}

/// The communications of one port between two nodes.
struct GraphEdge {
    from: usize,
    to: usize,
    protocol: Protocol,
    port: u16,
    communications: Vec<CommunicationId>,
    connections: u64,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    already_open: bool,
}

/// The namespaces workloads run in (with their cluster when the data spans several), for the
/// view's choice.
pub fn namespaces(dataset: &Dataset) -> Vec<NamespaceScope> {
    let spans = dataset.spans_clusters();
    let set: BTreeSet<(Option<String>, String)> = dataset
        .entities
        .iter()
        .map(|e| {
            (
                e.cluster.clone().filter(|_| spans),
                e.owner.namespace.clone(),
            )
        })
        .collect();
    set.into_iter()
        .map(|(cluster, namespace)| NamespaceScope {
            namespace: Some(namespace),
            cluster,
        })
        .collect()
}

/// Builds the graph: own workloads, collapsed others, edges per port.
struct Builder<'a> {
    dataset: &'a Dataset,
    describer: Describer<'a>,
    classifier: AddressClassifier<'a>,
    scope: &'a NamespaceScope,
    nodes: Vec<GraphNode>,
    index: BTreeMap<String, usize>,
    /// Workloads behind each collapsed namespace box.
    collapsed: BTreeMap<usize, BTreeSet<EntityId>>,
}

impl<'a> Builder<'a> {
    /// Whether `id` is in the cluster drawn.
    fn in_cluster(&self, id: EntityId) -> bool {
        self.scope.cluster.is_none()
            || !self.dataset.spans_clusters()
            || self.dataset.entities[id].cluster == self.scope.cluster
    }

    /// Whether `id` is drawn as itself (a workload of the namespace drawn).
    fn is_own(&self, id: EntityId) -> bool {
        let entity = &self.dataset.entities[id];
        self.scope.namespace.as_ref() == Some(&entity.owner.namespace) && self.in_cluster(id)
    }

    /// Whether the communications of `peer` are drawn.
    fn is_drawn(&self, peer: Peer) -> bool {
        match peer {
            Peer::Entity(id) if self.scope.namespace.is_none() => self.in_cluster(id),
            Peer::Entity(id) => self.is_own(id),
            _ => false,
        }
    }

    fn add(&mut self, text: NodeText) -> usize {
        if let Some(&index) = self.index.get(&text.key) {
            return index;
        }
        let index = self.nodes.len();
        self.index.insert(text.key.clone(), index);
        self.nodes.push(GraphNode {
            text,
            ports: BTreeSet::new(),
        });
        index
    }

    /// The node `peer` is drawn as.
    fn node_of(&mut self, peer: Peer) -> usize {
        match peer {
            Peer::Entity(id) if self.is_own(id) => {
                let text = self.describer.node(peer);
                self.add(text)
            }
            Peer::Entity(id) => {
                let place = self.describer.entity_place(id);
                let entity = &self.dataset.entities[id];
                let namespace = &entity.owner.namespace;
                let name = match entity
                    .cluster
                    .as_ref()
                    .filter(|_| self.dataset.spans_clusters())
                {
                    Some(cluster) => format!("{cluster}/{namespace}"),
                    None => namespace.clone(),
                };
                let index = self.add(NodeText {
                    key: format!("namespace/{name}"),
                    role: NodeRole::Peer,
                    kind: "Namespace".into(),
                    title: name.clone(),
                    subtitle: String::new(),
                    services: Vec::new(),
                    details: vec![("Kind".into(), "Namespace (its workloads, collapsed)".into())],
                    peer: None,
                    place: place.clone(),
                });
                self.collapsed.entry(index).or_default().insert(id);
                index
            }
            Peer::ApiServer => {
                let text = self.describer.node(peer);
                self.add(text)
            }
            Peer::Address(id) => {
                let text = self.describer.node(peer);
                if text.role == NodeRole::Aliased {
                    return self.add(text);
                }
                let class = self.classifier.class(id);
                let index = self.add(NodeText {
                    key: format!("addresses/{}", class.key()),
                    role: NodeRole::Unresolved,
                    kind: format!("{} addresses", class.label()),
                    title: String::new(),
                    subtitle: String::new(),
                    services: Vec::new(),
                    details: Vec::new(),
                    peer: None,
                    place: text.place,
                });
                let node = &mut self.nodes[index].text;
                node.details
                    .push(("Address".into(), self.dataset.addresses[id].ip.to_string()));
                index
            }
        }
    }
}

/// The namespace view of `scope` over `window`, in one go.
pub fn namespace_view(
    dataset: &Dataset,
    decisions: &Decisions,
    scope: &NamespaceScope,
    window: TimeWindow,
) -> Scene {
    let mut job = namespace_job(dataset, decisions, scope, window);
    loop {
        if let Some(scene) = job.step() {
            return scene;
        }
    }
}

/// The namespace view laid out a step at a time (see [`LayeredJob`]): the graph is built at
/// once, the layout in steps.
pub struct NamespaceJob {
    nodes: Vec<GraphNode>,
    edges: Vec<GraphEdge>,
    /// Per pair of boxes (one layout edge), the indices of its edges in `edges`.
    pairs: Vec<((usize, usize), Vec<usize>)>,
    badges: Vec<Vec<String>>,
    ports_of: Vec<Vec<String>>,
    notes: Vec<String>,
    layout: Option<LayeredJob>,
}

impl NamespaceJob {
    /// Does the next step: `Some` with the picture once done.
    pub fn step(&mut self) -> Option<Scene> {
        let Some(job) = &mut self.layout else {
            return Some(Scene {
                notes: std::mem::take(&mut self.notes),
                ..Scene::default()
            });
        };
        let placed = job.step()?;
        Some(self.scene(&placed))
    }

    /// The picture once the boxes are placed.
    fn scene(&mut self, placed: &LayeredOutput) -> Scene {
        let nodes = &self.nodes;
        let mut scene = Scene {
            width: placed.width,
            height: placed.height,
            notes: std::mem::take(&mut self.notes),
            ..Scene::default()
        };
        for (i, node) in nodes.iter().enumerate() {
            let mut rect = placed.boxes[i];
            rect.width = NODE_WIDTH;
            let mut boxed = place_node(&node.text, self.ports_of[i].clone(), rect, None);
            boxed.badges = self.badges[i].clone();
            if let Place::Namespace(cluster, namespace) = &node.text.place {
                if node.text.kind == "Namespace" {
                    boxed.namespace = Some((cluster.clone(), namespace.clone()));
                }
            }
            scene.nodes.push(boxed);
        }
        for (pair_index, ((from, to), group)) in self.pairs.iter().enumerate() {
            let (from, to) = (*from, *to);
            let route = if from == to {
                self_loop(scene.nodes[from].rect)
            } else {
                placed.routes[pair_index].clone()
            };
            let count = group.len();
            for (k, &edge_index) in group.iter().enumerate() {
                let edge = &self.edges[edge_index];
                // Ports between one pair run side by side, 4 px apart.
                let dx = (k as f64 - (count as f64 - 1.0) / 2.0) * 4.0;
                let points: Vec<Point> = route.iter().map(|p| Point::new(p.x + dx, p.y)).collect();
                let label_at = label_point(&points);
                let label = if k == 0 {
                    pair_label(group.iter().map(|&e| &self.edges[e]))
                } else {
                    String::new()
                };
                scene.edges.push(EdgePath {
                    from: nodes[from].text.key.clone(),
                    to: nodes[to].text.key.clone(),
                    protocol: edge.protocol,
                    port: edge.port,
                    communications: edge.communications.clone(),
                    connections: edge.connections,
                    first_seen: edge.first_seen,
                    last_seen: edge.last_seen,
                    already_open: edge.already_open,
                    points,
                    label,
                    label_at,
                    reversed: placed.reversed[pair_index],
                    direction: None,
                });
            }
        }
        scene.spread_labels();
        scene
    }
}

/// The edges of the graph, one per pair of nodes and port.
type Edges = BTreeMap<(usize, usize, Protocol, u16), GraphEdge>;

/// Builds the namespace view's graph of `scope` over `window` and starts its layout.
pub fn namespace_job(
    dataset: &Dataset,
    decisions: &Decisions,
    scope: &NamespaceScope,
    window: TimeWindow,
) -> NamespaceJob {
    let mut builder = Builder {
        dataset,
        describer: Describer::new(dataset, decisions),
        classifier: AddressClassifier::new(dataset, decisions),
        scope,
        nodes: Vec::new(),
        index: BTreeMap::new(),
        collapsed: BTreeMap::new(),
    };
    builder.add_own_workloads();
    let edges = builder.edges(window);
    builder.complete_texts();
    let (nodes, edges) = in_key_order(builder.nodes, edges);
    let mut notes = Vec::new();
    if nodes.len() > MAX_NODES || edges.len() > MAX_EDGES {
        notes.push(too_big(scope, nodes.len(), edges.len()));
        return NamespaceJob {
            nodes: Vec::new(),
            edges: Vec::new(),
            pairs: Vec::new(),
            badges: Vec::new(),
            ports_of: Vec::new(),
            notes,
            layout: None,
        };
    }
    let (hubs, badges) = hub_badges(&nodes, &edges, &mut notes);
    // One layout edge per pair of boxes; the ports between them share its route.
    let drawn: Vec<GraphEdge> = edges
        .into_values()
        .filter(|e| !hubs.contains(&e.from) && !hubs.contains(&e.to))
        .collect();
    let mut by_pair: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (index, edge) in drawn.iter().enumerate() {
        by_pair.entry((edge.from, edge.to)).or_default().push(index);
    }
    let ports_of: Vec<Vec<String>> = nodes.iter().map(|n| ports_text(&n.ports)).collect();
    let input = LayeredInput {
        sizes: nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let room = if by_pair.contains_key(&(i, i)) {
                    SELF_LOOP_ROOM
                } else {
                    0.0
                };
                (
                    NODE_WIDTH + room,
                    node_height(ports_of[i].len(), n.text.services.len(), badges[i].len()),
                )
            })
            .collect(),
        edges: by_pair.keys().copied().collect(),
    };
    NamespaceJob {
        layout: Some(LayeredJob::new(&input)),
        nodes,
        edges: drawn,
        pairs: by_pair.into_iter().collect(),
        badges,
        ports_of,
        notes,
    }
}

impl Builder<'_> {
    /// Own workloads first, by key, so that their order does not depend on the edges.
    fn add_own_workloads(&mut self) {
        let dataset = self.dataset;
        let mut own: Vec<EntityId> = dataset.entity_ids().filter(|&id| self.is_own(id)).collect();
        own.sort_by_key(|&id| dataset.peer_label(Peer::Entity(id)));
        for id in own {
            self.node_of(Peer::Entity(id));
        }
    }

    /// The edges of the communications drawn in `window`, per pair of nodes and port, adding
    /// their ends' nodes and the servers' ports.
    fn edges(&mut self, window: TimeWindow) -> Edges {
        let mut edges = Edges::new();
        for (id, communication) in self.dataset.communications_with_ids() {
            let involves_own = [communication.client, communication.server]
                .iter()
                .any(|&p| self.is_drawn(p));
            if !involves_own || !communication.seen_in(window) {
                continue;
            }
            let from = self.node_of(communication.client);
            let to = self.node_of(communication.server);
            self.nodes[to]
                .ports
                .insert((communication.protocol, communication.port));
            let edge = edges
                .entry((from, to, communication.protocol, communication.port))
                .or_insert_with(|| GraphEdge {
                    from,
                    to,
                    protocol: communication.protocol,
                    port: communication.port,
                    communications: Vec::new(),
                    connections: 0,
                    first_seen: None,
                    last_seen: None,
                    already_open: true,
                });
            edge.communications.push(id);
            edge.connections += communication.connections_in(window);
            edge.first_seen = earliest(edge.first_seen, communication.observed.first_seen);
            edge.last_seen = edge.last_seen.max(communication.observed.last_seen);
            edge.already_open &= communication.observed.already_open();
        }
        edges
    }

    /// The collapsed boxes' texts once every member is known: a namespace's count and
    /// workloads, an address class's count and (the first twelve) addresses.
    fn complete_texts(&mut self) {
        let dataset = self.dataset;
        for (&index, members) in &self.collapsed {
            let node = &mut self.nodes[index].text;
            node.subtitle = counted(members.len(), "workload");
            let names: Vec<String> = members
                .iter()
                .map(|&e| dataset.peer_label(Peer::Entity(e)))
                .collect();
            node.details.push(("Workloads".into(), names.join(", ")));
        }
        for node in self
            .nodes
            .iter_mut()
            .filter(|n| n.text.key.starts_with("addresses/"))
        {
            let count = node.text.details.len();
            node.text.title = counted(count, "address");
            node.text.subtitle = node.text.place.label();
            if count > 12 {
                node.text.details.truncate(12);
                node.text
                    .details
                    .push(("…".into(), format!("{} more", thousands(count as u64 - 12))));
            }
        }
    }
}

/// Nodes in key order (the layout's starting order), whatever order the communications came
/// in, and the edges renumbered to match.
fn in_key_order(nodes: Vec<GraphNode>, edges: Edges) -> (Vec<GraphNode>, Edges) {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| nodes[a].text.key.cmp(&nodes[b].text.key));
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<GraphNode>> = nodes.into_iter().map(Some).collect();
    let nodes: Vec<GraphNode> = order.iter().filter_map(|&old| slots[old].take()).collect();
    let edges: Edges = edges
        .into_values()
        .map(|mut edge| {
            edge.from = new_index[edge.from];
            edge.to = new_index[edge.to];
            ((edge.from, edge.to, edge.protocol, edge.port), edge)
        })
        .collect();
    (nodes, edges)
}

/// The note of a picture too big to draw.
fn too_big(scope: &NamespaceScope, nodes: usize, edges: usize) -> String {
    format!(
        "{} has {} boxes and {} edges to draw: more than the picture shows readably \
         ({MAX_NODES} and {MAX_EDGES}). The tables show every row; choose a workload for \
         its entity view.",
        scope
            .namespace
            .as_ref()
            .map_or_else(|| "The cluster".to_string(), |n| format!("Namespace {n}")),
        thousands(nodes as u64),
        thousands(edges as u64)
    )
}

/// Hubs: nodes linked to many, whose edges become badges on their peers (each hub's note in
/// `notes`); returns the hubs and every node's badges.
fn hub_badges(
    nodes: &[GraphNode],
    edges: &Edges,
    notes: &mut Vec<String>,
) -> (BTreeSet<usize>, Vec<Vec<String>>) {
    let mut linked: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); nodes.len()];
    for edge in edges.values().filter(|e| e.from != e.to) {
        linked[edge.from].insert(edge.to);
        linked[edge.to].insert(edge.from);
    }
    let hubs: BTreeSet<usize> = (0..nodes.len())
        .filter(|&n| {
            nodes.len() > HUB_PICTURE
                && linked[n].len() >= HUB_DEGREE
                && linked[n].len() * 3 >= nodes.len()
        })
        .collect();
    let mut badges: Vec<Vec<String>> = vec![Vec::new(); nodes.len()];
    for &hub in &hubs {
        let name = &nodes[hub].text.key;
        // Per peer: the ports it calls the hub on, and those the hub calls it on.
        let mut ports: BTreeMap<usize, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for edge in edges.values() {
            let port = || format!("{}/{}", edge.protocol, edge.port);
            if edge.to == hub && edge.from != hub {
                ports.entry(edge.from).or_default().0.push(port());
            } else if edge.from == hub && edge.to != hub {
                ports.entry(edge.to).or_default().1.push(port());
            }
        }
        for (peer, (calls, called)) in ports {
            if !calls.is_empty() {
                badges[peer].push(format!("→ {name} {}", calls.join(", ")));
            }
            if !called.is_empty() {
                badges[peer].push(format!("← {name} {}", called.join(", ")));
            }
        }
        notes.push(format!(
            "{name} talks to {} boxes: its edges are drawn as badges on them.",
            linked[hub].len()
        ));
    }
    for &hub in &hubs {
        badges[hub].push(format!("hub: {} peers, as badges", linked[hub].len()));
    }
    (hubs, badges)
}

/// `1 workload`, `3 workloads`, `2 addresses`.
fn counted(count: usize, noun: &str) -> String {
    let plural = if noun.ends_with('s') {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    };
    format!(
        "{} {}",
        thousands(count as u64),
        if count == 1 { noun } else { &plural }
    )
}

/// Where an edge's label goes: beside its longest segment's middle.
/// The most ports a pair's label names; past them it says how many more (each edge's tooltip
/// names its own).
const LABEL_PORTS: usize = 3;

/// The label of the edges between two boxes: their ports (`TCP/8080 UDP/53`), the first
/// [`LABEL_PORTS`] and `+N` for the others.
fn pair_label<'e>(edges: impl ExactSizeIterator<Item = &'e GraphEdge>) -> String {
    let more = edges.len().saturating_sub(LABEL_PORTS);
    let mut words: Vec<String> = edges
        .take(LABEL_PORTS)
        .map(|edge| format!("{}/{}", edge.protocol, edge.port))
        .collect();
    if more > 0 {
        words.push(format!("+{more}"));
    }
    words.join(" ")
}

fn label_point(points: &[Point]) -> Point {
    let longest = points
        .windows(2)
        .max_by(|a, b| {
            let length = |s: &[Point]| (s[1].x - s[0].x).hypot(s[1].y - s[0].y);
            length(a).total_cmp(&length(b))
        })
        .map(|s| Point::new((s[0].x + s[1].x) / 2.0, (s[0].y + s[1].y) / 2.0))
        .unwrap_or(Point::new(0.0, 0.0));
    Point::new(longest.x + 6.0, longest.y)
}

#[cfg(test)]
mod tests {
    use super::{pair_label, GraphEdge};
    use crate::engine::model::Protocol;

    fn edge(protocol: Protocol, port: u16) -> GraphEdge {
        GraphEdge {
            from: 0,
            to: 1,
            protocol,
            port,
            communications: Vec::new(),
            connections: 1,
            first_seen: None,
            last_seen: None,
            already_open: false,
        }
    }

    #[test]
    fn a_pairs_label_names_three_ports_and_counts_the_others() {
        let edges: Vec<GraphEdge> = (0..22).map(|i| edge(Protocol::Tcp, 9000 + i)).collect();
        assert_eq!(pair_label(edges.iter()), "TCP/9000 TCP/9001 TCP/9002 +19");
        assert_eq!(pair_label(edges[..3].iter()), "TCP/9000 TCP/9001 TCP/9002");
        let mixed = [edge(Protocol::Tcp, 8443), edge(Protocol::Udp, 53)];
        assert_eq!(pair_label(mixed.iter()), "TCP/8443 UDP/53");
        assert_eq!(pair_label([].iter()), "");
    }
}
