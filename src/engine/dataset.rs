//! The resolved data: entities (workloads and bare pods), unresolved addresses, Services and
//! the communications between them. Plain data with public fields, indexed by typed ids; the UI
//! and the CLI read it, later steps (decisions, review, policies, verification, topology)
//! build on it.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::ops::Index;

use crate::engine::model::keys::API_SERVER;
use crate::engine::model::labels::Labels;
use crate::engine::model::observed::ObservedCommunication;
use crate::engine::model::ports::{ContainerPort, ServicePort};
use crate::engine::model::{
    AddressClass, AddressId, ClusterRanges, CommunicationId, Direction, EntityId, EntityKind,
    Owner, OwnerKey, PeerKey, Protocol, RowKey, ServiceId, TimeWindow,
};

/// How a communication whose connections were all open before the capture is marked.
pub const ALREADY_OPEN: &str = "already open when the capture began";

/// Where an entity's selector comes from.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorSource {
    /// The workload's own `spec.selector` from the inventory.
    Workload,
    /// The pod template's labels (CronJobs, Jobs) minus volatile labels.
    PodTemplate,
    /// The labels every observed pod shares, minus volatile labels.
    ObservedPods,
}

/// A workload (or a bare pod): the unit policies are written for.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct Entity {
    pub owner: Owner,
    pub cluster: Option<String>,
    /// `matchLabels` that pick the entity's pods.
    pub selector: Labels,
    pub selector_source: SelectorSource,
    /// Names of the pods seen (in flows or in the inventory).
    pub pods: BTreeSet<String>,
    /// Addresses of the pods seen (for a peer in another cluster, which NetworkPolicy can
    /// name only by address).
    #[serde(default)]
    pub addresses: BTreeSet<IpAddr>,
    /// Labels every pod of the entity carries.
    pub labels: Labels,
    /// The distinct label sets of its pods (at most 32), to tell whether another
    /// workload's selector picks some of them.
    #[serde(default)]
    pub label_sets: Vec<Labels>,
    /// The ports its containers declare.
    pub ports: Vec<ContainerPort>,
    /// The service accounts its pods run as (the inventory's `serviceAccountName`, Hubble's
    /// `io.cilium.k8s.policy.serviceaccount` label): a CiliumNetworkPolicy can select the
    /// pods by it when they share no label.
    #[serde(default)]
    pub service_accounts: BTreeSet<String>,
    /// Whether its kind was inferred from the flows (pod names, one pod per node, shared
    /// labels) rather than read from the inventory or Hubble's `workloads[]`.
    #[serde(default)]
    pub kind_inferred: bool,
    /// Whether its pods run in their node's network (`hostNetwork: true` on every inventory
    /// pod of it): no policy applies to them, no selector picks their traffic, and their
    /// addresses are their nodes'. flowpol writes no policy for it, and communications
    /// with it are written as its nodes' addresses.
    #[serde(default)]
    pub host_network: bool,
}

/// An address no pod explains: a node, or an address inside or outside the cluster.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub ip: IpAddr,
    pub class: AddressClass,
    /// The node's name, for a node's address when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// DNS names seen for it (`destination_names`, DNS answers).
    pub names: BTreeSet<String>,
    /// Cilium's reserved identities (`world`, `host`, ...).
    pub reserved: Vec<String>,
}

/// One side of a communication.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum Peer {
    Entity(EntityId),
    Address(AddressId),
    /// The Kubernetes API server, whichever of its addresses was reached.
    ApiServer,
}

/// A Service and the entities behind it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct ServiceInfo {
    pub namespace: String,
    pub name: String,
    pub cluster_ips: Vec<IpAddr>,
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    pub backends: Vec<EntityId>,
}

/// Client to server on one port: connection counts over time, names.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Communication {
    pub client: Peer,
    pub server: Peer,
    pub protocol: Protocol,
    /// The server's port after DNAT (the container port).
    pub port: u16,
    pub observed: ObservedCommunication,
}

impl Communication {
    /// Connections within `window`.
    pub fn connections_in(&self, window: TimeWindow) -> u64 {
        self.observed
            .connections_between(window.from_minute, window.to_minute)
    }

    /// Whether the communication happened within `window`: a connection started (or was
    /// dropped) in it, or packets of one opened before the capture went by.
    pub fn seen_in(&self, window: TimeWindow) -> bool {
        window == TimeWindow::ALL
            || self
                .observed
                .active_between(window.from_minute, window.to_minute)
    }

    /// The side of the communication that is `direction`'s own (the server for ingress, the
    /// client for egress), and the other side.
    pub fn sides(&self, direction: Direction) -> (Peer, Peer) {
        match direction {
            Direction::Ingress => (self.server, self.client),
            Direction::Egress => (self.client, self.server),
        }
    }
}

/// Everything the loaded files say.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
pub struct Dataset {
    pub entities: Vec<Entity>,
    pub addresses: Vec<Address>,
    pub services: Vec<ServiceInfo>,
    pub communications: Vec<Communication>,
    pub ranges: ClusterRanges,
    /// Clusters named by the flows or the user.
    pub clusters: BTreeSet<String>,
    /// Namespace labels from the inventory.
    pub namespaces: BTreeMap<String, Labels>,
    /// The API server's addresses (Cilium's `kube-apiserver` identity, the `kubernetes`
    /// Service's endpoints).
    #[serde(default)]
    pub api_server: BTreeSet<IpAddr>,
    /// Communications of Cilium's own health checks, counted and left out.
    #[serde(default)]
    pub health_checks: u64,
    /// Controllers the inventory holds with no pod (a CronJob that did not fire, replicas at
    /// zero): nothing of theirs is in the capture.
    #[serde(default)]
    pub podless: Vec<Owner>,
}

/// Lets a table be indexed by its own id type (and only by it, besides a plain position).
macro_rules! index_by_id {
    ($id:ty, $row:ty) => {
        impl Index<$id> for Vec<$row> {
            type Output = $row;
            fn index(&self, id: $id) -> &$row {
                &self[id.index()]
            }
        }
    };
}

index_by_id!(EntityId, Entity);
index_by_id!(AddressId, Address);
index_by_id!(CommunicationId, Communication);
index_by_id!(ServiceId, ServiceInfo);

impl Dataset {
    /// Every entity's id, in table order.
    pub fn entity_ids(&self) -> impl Iterator<Item = EntityId> + '_ {
        (0..self.entities.len()).map(EntityId::new)
    }

    /// Every communication with its id, in table order.
    pub fn communications_with_ids(
        &self,
    ) -> impl Iterator<Item = (CommunicationId, &Communication)> + '_ {
        self.communications
            .iter()
            .enumerate()
            .map(|(index, c)| (CommunicationId::new(index), c))
    }

    /// Every Service with its id, in table order.
    pub fn services_with_ids(&self) -> impl Iterator<Item = (ServiceId, &ServiceInfo)> + '_ {
        self.services
            .iter()
            .enumerate()
            .map(|(index, s)| (ServiceId::new(index), s))
    }

    /// The entity `kind/namespace/name`.
    pub fn find_entity(&self, kind: EntityKind, namespace: &str, name: &str) -> Option<EntityId> {
        self.entities
            .iter()
            .position(|e| {
                e.owner.kind == kind && e.owner.namespace == namespace && e.owner.name == name
            })
            .map(EntityId::new)
    }

    /// The entity a decisions key names, if any.
    pub fn find_owner(&self, key: &OwnerKey) -> Option<EntityId> {
        self.entity_ids().find(|&id| self.owner_key(id) == *key)
    }

    /// Whether the data spans several clusters: workloads are then named with their cluster.
    pub fn spans_clusters(&self) -> bool {
        self.clusters.len() > 1
    }

    /// The key decisions keep an entity's general rules under.
    pub fn owner_key(&self, id: EntityId) -> OwnerKey {
        let entity = &self.entities[id];
        OwnerKey {
            cluster: entity.cluster.clone().filter(|_| self.spans_clusters()),
            owner: entity.owner.clone(),
        }
    }

    /// The key naming, in `new` (loaded after this data), the workload `key` names here:
    /// data of one cluster that gains another names its workloads with their cluster from
    /// then on, and data left with one cluster names them without it.
    pub fn carry_key(&self, key: &OwnerKey, new: &Dataset) -> OwnerKey {
        let only_cluster = |dataset: &Dataset| {
            (dataset.clusters.len() == 1).then(|| dataset.clusters.first().cloned())?
        };
        let cluster = match (&key.cluster, self.spans_clusters(), new.spans_clusters()) {
            (None, false, true) => only_cluster(self),
            (Some(cluster), true, false) if only_cluster(new).as_ref() == Some(cluster) => None,
            _ => key.cluster.clone(),
        };
        OwnerKey {
            cluster,
            owner: key.owner.clone(),
        }
    }

    /// Whether two entities are in different clusters (a NetworkPolicy of one cannot select
    /// the other's pods).
    pub fn across_clusters(&self, a: EntityId, b: EntityId) -> bool {
        self.spans_clusters()
            && matches!(
                (&self.entities[a].cluster, &self.entities[b].cluster),
                (Some(x), Some(y)) if x != y
            )
    }

    /// A peer's key: its workload's, or its address.
    pub fn peer_key(&self, peer: Peer) -> PeerKey {
        match peer {
            Peer::Entity(id) => PeerKey::Workload(self.owner_key(id)),
            Peer::Address(id) => PeerKey::Address(self.addresses[id].ip),
            Peer::ApiServer => PeerKey::ApiServer,
        }
    }

    /// The key decisions keep a communication's inclusion under.
    pub fn row_key(&self, communication: &Communication) -> RowKey {
        RowKey {
            client: self.peer_key(communication.client),
            server: self.peer_key(communication.server),
            protocol: communication.protocol,
            port: communication.port,
        }
    }

    /// A communication in one line: `client -> server PROTOCOL/port xCONNECTIONS`, or
    /// `client -> server PROTOCOL/port (already open when the capture began)`.
    pub fn describe(&self, communication: &Communication) -> String {
        if communication.observed.already_open() {
            format!("{} ({ALREADY_OPEN})", self.row_key(communication))
        } else {
            format!(
                "{} x{}",
                self.row_key(communication),
                communication.observed.connections()
            )
        }
    }

    /// A peer as `kind/namespace/name` or its IP.
    pub fn peer_label(&self, peer: Peer) -> String {
        // What `peer_key(peer).to_string()` writes, without copying the key first: the review
        // labels every row.
        match peer {
            Peer::Entity(id) => {
                let entity = &self.entities[id];
                match entity.cluster.as_ref().filter(|_| self.spans_clusters()) {
                    Some(cluster) => format!("{cluster}/{}", entity.owner),
                    None => entity.owner.to_string(),
                }
            }
            Peer::Address(id) => self.addresses[id].ip.to_string(),
            Peer::ApiServer => API_SERVER.to_string(),
        }
    }
}
