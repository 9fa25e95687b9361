//! The result of ingest: entities, unresolved addresses, Services and the communications
//! between them. Plain data with public fields; the UI and the CLI read it, later steps
//! (decisions, policies, verification, topology) build on it.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::ingest::aggregate::{minute_of, ObservedCommunication};
use crate::engine::inventory::{ContainerPort, Labels, ServicePort};
use crate::engine::model::Protocol;
use crate::engine::resolve::addresses::{AddressClass, ClusterRanges};
use crate::engine::resolve::owners::Owner;

/// An index into [`Dataset::entities`].
pub type EntityId = usize;
/// An index into [`Dataset::addresses`].
pub type AddressId = usize;

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
    /// Labels every pod of the entity carries.
    pub labels: Labels,
    /// The distinct label sets of its pods (at most 32), to tell whether another
    /// workload's selector picks some of them.
    #[serde(default)]
    pub label_sets: Vec<Labels>,
    /// The ports its containers declare.
    pub ports: Vec<ContainerPort>,
}

/// An address no Kubernetes object explains.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub ip: String,
    pub class: AddressClass,
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
}

/// A Service and the entities behind it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct ServiceInfo {
    pub namespace: String,
    pub name: String,
    pub cluster_ips: Vec<String>,
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

/// A span of time in whole minutes since the Unix epoch, both ends included.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    pub from_minute: i64,
    pub to_minute: i64,
}

impl TimeWindow {
    /// The whole capture.
    pub const ALL: TimeWindow = TimeWindow {
        from_minute: i64::MIN,
        to_minute: i64::MAX,
    };

    /// The minutes from `since` to `until` (nanoseconds since the epoch; open when `None`).
    pub fn between(since: Option<i64>, until: Option<i64>) -> TimeWindow {
        TimeWindow {
            from_minute: since.map_or(i64::MIN, minute_of),
            to_minute: until.map_or(i64::MAX, minute_of),
        }
    }
}

impl Communication {
    /// Connections within `window`.
    pub fn connections_in(&self, window: TimeWindow) -> u64 {
        self.observed
            .connections_between(window.from_minute, window.to_minute)
    }

    /// Whether the communication happened within `window` (a connection started, or one was
    /// dropped, in it).
    pub fn seen_in(&self, window: TimeWindow) -> bool {
        window == TimeWindow::ALL || self.connections_in(window) > 0
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
}

impl Dataset {
    /// The entity `kind/namespace/name`.
    pub fn find_entity(&self, kind: &str, namespace: &str, name: &str) -> Option<EntityId> {
        self.entities.iter().position(|e| {
            e.owner.kind.as_str().eq_ignore_ascii_case(kind)
                && e.owner.namespace == namespace
                && e.owner.name == name
        })
    }

    /// A communication in one line: `client -> server PROTOCOL/port xCONNECTIONS`.
    pub fn describe(&self, communication: &Communication) -> String {
        format!(
            "{} -> {} {}/{} x{}",
            self.peer_label(communication.client),
            self.peer_label(communication.server),
            communication.protocol,
            communication.port,
            communication.observed.connections()
        )
    }

    /// A peer as `kind/namespace/name` or its IP.
    pub fn peer_label(&self, peer: Peer) -> String {
        match peer {
            Peer::Entity(id) => {
                let owner = &self.entities[id].owner;
                format!("{}/{}/{}", owner.kind, owner.namespace, owner.name)
            }
            Peer::Address(id) => self.addresses[id].ip.clone(),
        }
    }
}
