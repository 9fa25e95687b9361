//! What a node of the topology shows: its kind, name and namespace, the ports it was seen
//! listening on, the Services in front of it, and the tooltip (labels, pods, addresses). The
//! same for a workload, the API server, an address (with its class) or an alias.

use std::collections::BTreeSet;

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::decisions::{Alias, Decisions};
use crate::engine::model::{AddressId, EntityId, Protocol};
use crate::engine::review::{AddressClassifier, ReviewClass};

use super::scene::{Detail, NodeRole};

/// A node before it is placed.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeText {
    pub key: String,
    pub role: NodeRole,
    pub kind: String,
    pub title: String,
    pub subtitle: String,
    pub services: Vec<String>,
    pub details: Vec<Detail>,
    pub peer: Option<Peer>,
    /// Where it belongs: its namespace, or the kind of place an address is.
    pub place: Place,
}

/// Where a node belongs, for grouping: the order of the variants is the order of the groups.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// A namespace (with its cluster when the data spans several).
    Namespace(Option<String>, String),
    /// The API server and the nodes.
    ControlPlane,
    /// Addresses inside the cluster's ranges that no pod explains.
    InsideUnresolved,
    /// Aliases and addresses outside the cluster.
    Outside,
    /// Addresses of no known range.
    Unknown,
}

impl Place {
    /// The group's label.
    pub fn label(&self) -> String {
        match self {
            Place::Namespace(Some(cluster), namespace) => {
                format!("namespace {namespace} ({cluster})")
            }
            Place::Namespace(None, namespace) => format!("namespace {namespace}"),
            Place::ControlPlane => "control plane and nodes".into(),
            Place::InsideUnresolved => "inside the cluster, unresolved".into(),
            Place::Outside => "outside the cluster".into(),
            Place::Unknown => "unknown addresses".into(),
        }
    }
}

/// Describes peers as the review names them (`review_rows`' `peer_label`).
pub struct Describer<'a> {
    dataset: &'a Dataset,
    decisions: &'a Decisions,
    classifier: AddressClassifier<'a>,
}

impl<'a> Describer<'a> {
    pub fn new(dataset: &'a Dataset, decisions: &'a Decisions) -> Self {
        Describer {
            dataset,
            decisions,
            classifier: AddressClassifier::new(dataset, decisions),
        }
    }

    /// The place of an entity.
    pub fn entity_place(&self, id: EntityId) -> Place {
        let entity = &self.dataset.entities[id];
        Place::Namespace(
            entity
                .cluster
                .clone()
                .filter(|_| self.dataset.spans_clusters()),
            entity.owner.namespace.clone(),
        )
    }

    /// The node of `peer`.
    pub fn node(&self, peer: Peer) -> NodeText {
        match peer {
            Peer::Entity(id) => self.entity_node(id),
            Peer::ApiServer => self.api_server_node(),
            Peer::Address(id) => self.address_node(id),
        }
    }

    /// A workload's node: its kind, name, namespace (and cluster), labels, pods and Services.
    fn entity_node(&self, id: EntityId) -> NodeText {
        let dataset = self.dataset;
        let peer = Peer::Entity(id);
        let entity = &dataset.entities[id];
        let owner = &entity.owner;
        let services = self.services_of(id);
        let mut details: Vec<Detail> = vec![
            ("Kind".into(), owner.kind.as_str().into()),
            ("Name".into(), owner.name.clone()),
            ("Namespace".into(), owner.namespace.clone()),
        ];
        if let Some(cluster) = entity.cluster.as_ref().filter(|_| dataset.spans_clusters()) {
            details.push(("Cluster".into(), cluster.clone()));
        }
        details.push(("Labels".into(), labels_text(&entity.labels)));
        if !entity.pods.is_empty() {
            details.push(("Pods".into(), entity.pods.len().to_string()));
        }
        if !services.is_empty() {
            details.push(("Services".into(), services.join(", ")));
        }
        NodeText {
            key: dataset.peer_label(peer),
            role: NodeRole::Peer,
            kind: owner.kind.as_str().into(),
            title: owner.name.clone(),
            subtitle: owner.namespace.clone(),
            services,
            details,
            peer: Some(peer),
            place: self.entity_place(id),
        }
    }

    /// The API server's node, with the addresses it was seen at.
    fn api_server_node(&self) -> NodeText {
        let dataset = self.dataset;
        let addresses: Vec<String> = dataset.api_server.iter().map(ToString::to_string).collect();
        NodeText {
            key: dataset.peer_label(Peer::ApiServer),
            role: NodeRole::Peer,
            kind: "API server".into(),
            title: "kube-apiserver".into(),
            subtitle: addresses
                .first()
                .cloned()
                .unwrap_or_else(|| "address unknown".into()),
            services: vec!["default/kubernetes".into()],
            details: vec![
                ("Kind".into(), "Kubernetes API server".into()),
                ("Addresses".into(), addresses.join(", ")),
            ],
            peer: Some(Peer::ApiServer),
            place: Place::ControlPlane,
        }
    }

    /// An address's node: its alias's when the review named it, else the address with its
    /// class, node and DNS names.
    fn address_node(&self, id: AddressId) -> NodeText {
        let address = &self.dataset.addresses[id];
        if let Some(alias) = self.decisions.alias_of(address.ip) {
            return alias_node(alias);
        }
        let names: Vec<&str> = address.names.iter().map(String::as_str).collect();
        let class = self.classifier.class(id);
        let (kind, place) = match class {
            ReviewClass::Node => ("Node address", Place::ControlPlane),
            ReviewClass::Internal => ("Internal address", Place::InsideUnresolved),
            ReviewClass::External | ReviewClass::Aliased => ("External address", Place::Outside),
            ReviewClass::Unknown => ("Unknown address", Place::Unknown),
        };
        let subtitle = match (&address.node, names.first()) {
            (Some(node), _) => format!("node {node}"),
            (None, Some(name)) => (*name).to_string(),
            (None, None) => class.label().to_lowercase(),
        };
        let mut details: Vec<Detail> = vec![
            ("Kind".into(), kind.into()),
            ("Address".into(), address.ip.to_string()),
            ("Class".into(), class.label().into()),
        ];
        if let Some(node) = &address.node {
            details.push(("Node".into(), node.clone()));
        }
        if !names.is_empty() {
            details.push(("Names".into(), names.join(", ")));
        }
        NodeText {
            key: address.ip.to_string(),
            role: NodeRole::Unresolved,
            kind: kind.into(),
            title: address.ip.to_string(),
            subtitle,
            services: Vec::new(),
            details,
            peer: Some(Peer::Address(id)),
            place,
        }
    }

    /// The Services whose backends include `entity`, as `namespace/name`.
    fn services_of(&self, entity: EntityId) -> Vec<String> {
        let mut services: Vec<String> = self
            .dataset
            .services
            .iter()
            .filter(|s| s.backends.contains(&entity))
            .map(|s| format!("{}/{}", s.namespace, s.name))
            .collect();
        services.dedup();
        services
    }
}

/// The node of an alias: every address it maps is drawn as this one node.
fn alias_node(alias: &Alias) -> NodeText {
    NodeText {
        key: alias.name.clone(),
        role: NodeRole::Aliased,
        kind: "Alias".into(),
        title: alias.name.clone(),
        subtitle: alias.cidr.to_string(),
        services: Vec::new(),
        details: vec![
            ("Kind".into(), "Alias (named by the review)".into()),
            ("Name".into(), alias.name.clone()),
            ("Range".into(), alias.cidr.to_string()),
        ],
        peer: None,
        place: Place::Outside,
    }
}

/// `app=web, tier=front`.
pub fn labels_text(labels: &crate::engine::model::labels::Labels) -> String {
    if labels.is_empty() {
        return "none".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `TCP/8080` for each port, in order.
pub fn ports_text(ports: &BTreeSet<(Protocol, u16)>) -> Vec<String> {
    ports
        .iter()
        .map(|(protocol, port)| format!("{protocol}/{port}"))
        .collect()
}
