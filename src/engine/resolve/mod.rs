//! Resolution: observed endpoints to entities (owners), Services and classified addresses;
//! observed communications to communications between them, with ports after DNAT.
//!
//! - [`owners`]: which workload a pod belongs to.
//! - `merge`: observed communications merged into communications between peers.
//! - [`canonical`]: the dataset in one order whatever the order of files and lines.

pub mod canonical;
pub mod infer;
mod merge;
pub mod owners;
pub mod podless;
pub mod reach;

use crate::engine::model::cilium_policy::CILIUM_SERVICE_ACCOUNT_LABEL;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::engine::dataset::{Address, Dataset, Entity, Peer, SelectorSource, ServiceInfo};
use crate::engine::ingest::flows::aggregate::Flows;
use crate::engine::ingest::flows::endpoints::{CommunicationKey, ObservedEndpoint};
use crate::engine::ingest::formats::inventory::{is_api_server_service, Inventory, Pod, Service};
use crate::engine::model::labels::{common_labels, selects, stable_labels, Labels};
use crate::engine::model::ports::TargetPort;
use crate::engine::model::{
    AddressClass, AddressId, ClusterRanges, EntityId, EntityKind, Owner, Protocol,
};

use merge::Merger;
use owners::{owner_from_hubble, owner_from_inventory, owner_from_name, pod_labels_from_hubble};

/// What an observed endpoint turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Peer(Peer),
    /// Cilium's health checks: counted and left out.
    Health,
    /// Only labels are known: resolved once every entity's labels are.
    ByLabels,
}

impl Side {
    /// The peer it resolved to, if it is one.
    fn peer(self) -> Option<Peer> {
        match self {
            Side::Peer(peer) => Some(peer),
            Side::Health | Side::ByLabels => None,
        }
    }
}

/// What is being built while resolving.
struct Resolver<'i> {
    inventory: &'i Inventory,
    pods_by_name: HashMap<(&'i str, &'i str), &'i Pod>,
    pods_by_ip: HashMap<IpAddr, &'i Pod>,
    services_by_ip: HashMap<IpAddr, &'i Service>,
    dataset: Dataset,
    /// Entities by cluster (when the data spans several) and owner.
    entity_ids: HashMap<(Option<String>, Owner), EntityId>,
    /// Whether the flows name several clusters: entities are then told apart by cluster too.
    spans_clusters: bool,
    /// Labels of each observed pod, by entity, to find the common ones.
    pod_labels: BTreeMap<EntityId, BTreeMap<String, Labels>>,
    address_ids: HashMap<IpAddr, AddressId>,
    /// Node names by address, from the inventory.
    node_names: HashMap<IpAddr, &'i str>,
    /// Entities seen with each Cilium security identity.
    identities: HashMap<u32, BTreeSet<EntityId>>,
    /// Owners the flows imply for pods no inventory or `workloads[]` names (see [`infer`]).
    inferred: BTreeMap<infer::PodKey, Owner>,
    /// Entities some record names by their kind (the inventory, Hubble's `workloads[]`): their
    /// kind is not inferred, whatever other records say.
    kind_named: BTreeSet<EntityId>,
    /// Entities with an inventory pod that runs in its node's network (`hostNetwork: true`),
    /// and those with a pod that does not (another inventory pod, or one a record with a
    /// Cilium identity names: Cilium never names a host-network pod): an entity is
    /// host-network when all its pods are.
    host_network_pods: BTreeSet<EntityId>,
    pod_network_pods: BTreeSet<EntityId>,
}

impl<'i> Resolver<'i> {
    fn new(inventory: &'i Inventory, extra_ranges: &[IpNet], spans_clusters: bool) -> Self {
        let mut ranges = ClusterRanges::default();
        let mut node_names = HashMap::new();
        for node in &inventory.nodes {
            node.pod_cidrs.iter().for_each(|c| ranges.add_range(c));
            for address in &node.addresses {
                ranges.add_node(*address);
                node_names.insert(*address, node.name.as_str());
            }
        }
        for service in &inventory.services {
            service
                .cluster_ips
                .iter()
                .for_each(|ip| ranges.add_address(*ip));
        }
        ranges.ranges.extend(extra_ranges.iter().copied());
        let mut pods_by_ip = HashMap::new();
        for pod in &inventory.pods {
            if pod.host_network {
                // Its address is its node's (status.podIP is status.hostIP), even when the
                // inventory lists no Node objects.
                for ip in &pod.ips {
                    ranges.add_node(*ip);
                    if let Some(node) = &pod.node_name {
                        node_names.entry(*ip).or_insert(node.as_str());
                    }
                }
                continue;
            }
            for ip in &pod.ips {
                pods_by_ip.insert(*ip, pod);
            }
        }
        Resolver {
            inventory,
            pods_by_name: inventory
                .pods
                .iter()
                .map(|p| ((p.metadata.namespace.as_str(), p.metadata.name.as_str()), p))
                .collect(),
            pods_by_ip,
            services_by_ip: inventory
                .services
                .iter()
                .flat_map(|s| s.cluster_ips.iter().map(move |ip| (*ip, s)))
                .collect(),
            dataset: Dataset {
                ranges,
                namespaces: inventory
                    .namespaces
                    .iter()
                    .map(|n| (n.name.clone(), n.labels.clone()))
                    .collect(),
                // The `kubernetes` Service's endpoints, even when only its ClusterIP is seen.
                api_server: inventory.api_server_addresses.iter().cloned().collect(),
                ..Dataset::default()
            },
            entity_ids: HashMap::new(),
            spans_clusters,
            pod_labels: BTreeMap::new(),
            address_ids: HashMap::new(),
            node_names,
            identities: HashMap::new(),
            inferred: BTreeMap::new(),
            kind_named: BTreeSet::new(),
            host_network_pods: BTreeSet::new(),
            pod_network_pods: BTreeSet::new(),
        }
    }

    /// The entity of `owner`. Entities are told apart by owner only: one dataset describes one
    /// cluster (the cluster name, when flows give it, is recorded on the entity).
    fn entity(&mut self, cluster: Option<&str>, owner: Owner) -> EntityId {
        // One cluster's data: the cluster, when flows name it, is recorded on the entity. Data
        // of several: `shop/frontend` of two clusters are two entities.
        let key = (
            cluster.filter(|_| self.spans_clusters).map(str::to_string),
            owner,
        );
        let id = match self.entity_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = EntityId::new(self.dataset.entities.len());
                self.dataset.entities.push(Entity {
                    owner: key.1.clone(),
                    cluster: None,
                    selector: Labels::new(),
                    selector_source: SelectorSource::ObservedPods,
                    pods: BTreeSet::new(),
                    addresses: BTreeSet::new(),
                    labels: Labels::new(),
                    label_sets: Vec::new(),
                    ports: Vec::new(),
                    service_accounts: BTreeSet::new(),
                    kind_inferred: false,
                    host_network: false,
                });
                self.entity_ids.insert(key, id);
                id
            }
        };
        let entity = &mut self.dataset.entities[id.index()];
        if entity.cluster.is_none() {
            entity.cluster = cluster.map(str::to_string);
        }
        id
    }

    /// Records a pod of `entity` with its labels. A record without labels (flowpol JSON
    /// naming only a workload or a pod) says nothing of them, so it does not narrow the
    /// labels the entity's pods share. A pod seen with different labels (relabelled during
    /// the capture, or described differently by two files) has the labels all its records
    /// share, whatever order they came in.
    fn note_pod(&mut self, entity: EntityId, pod: &str, labels: Labels) {
        self.dataset.entities[entity.index()]
            .pods
            .insert(pod.to_string());
        if labels.is_empty() {
            return;
        }
        self.pod_labels
            .entry(entity)
            .or_default()
            .entry(pod.to_string())
            .and_modify(|known| known.retain(|key, value| labels.get(key) == Some(value)))
            .or_insert(labels);
    }

    /// Whether every pod of `entity` known so far runs in its node's network.
    fn is_host_network(&self, entity: EntityId) -> bool {
        self.host_network_pods.contains(&entity) && !self.pod_network_pods.contains(&entity)
    }

    /// Registers an inventory pod as part of its entity.
    fn inventory_pod(&mut self, cluster: Option<&str>, pod: &'i Pod) -> EntityId {
        let owner = owner_from_inventory(self.inventory, &pod.metadata);
        let id = self.entity(cluster, owner);
        self.kind_named.insert(id);
        if pod.host_network {
            self.host_network_pods.insert(id);
        } else {
            self.pod_network_pods.insert(id);
        }
        self.note_pod(id, &pod.metadata.name, pod.metadata.labels.clone());
        let entity = &mut self.dataset.entities[id.index()];
        entity.addresses.extend(pod.ips.iter().cloned());
        entity
            .service_accounts
            .extend(pod.service_account.iter().cloned());
        let ports = &mut entity.ports;
        for port in &pod.ports {
            if !ports.contains(port) {
                ports.push(port.clone());
            }
        }
        id
    }

    /// The address of `endpoint`. An address printed several ways (a node is `host` on its
    /// own events and `remote-node` on others') gathers every way, whatever the order.
    fn address(&mut self, ip: IpAddr, endpoint: &ObservedEndpoint) -> Peer {
        let reserved: Vec<&str> = endpoint.reserved().collect();
        self.address_as(ip, &reserved, endpoint.node.as_deref())
    }

    /// The address `ip`, printed with Cilium's `reserved` identities, seen at `node` (for a
    /// node's address, the node it is when no inventory names it).
    fn address_as(&mut self, ip: IpAddr, reserved: &[&str], node: Option<&str>) -> Peer {
        let id = match self.address_ids.get(&ip) {
            Some(&id) => id,
            None => {
                let id = AddressId::new(self.dataset.addresses.len());
                self.dataset.addresses.push(Address {
                    ip,
                    class: AddressClass::Unknown,
                    node: None,
                    names: BTreeSet::new(),
                    reserved: Vec::new(),
                });
                self.address_ids.insert(ip, id);
                id
            }
        };
        let address = &mut self.dataset.addresses[id.index()];
        for &reserved in reserved {
            if !address.reserved.iter().any(|r| r == reserved) {
                address.reserved.push(reserved.to_string());
                address.reserved.sort();
            }
        }
        address.class = self
            .dataset
            .ranges
            .classify(address.ip, address.reserved.iter().map(String::as_str));
        if address.class == AddressClass::Node {
            let named = node
                .or_else(|| self.node_names.get(&ip).copied())
                .map(str::to_string);
            address.node = match (address.node.take(), named) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Peer::Address(id)
    }

    /// What an observed endpoint is: a workload's pod, Cilium's health checks, the API
    /// server, an address, or (when only its labels are known) to be resolved in a second
    /// pass, once every entity's labels are known.
    fn side(&mut self, endpoint: &ObservedEndpoint) -> Side {
        let cluster = endpoint.cluster.as_deref();
        if let (Some(namespace), Some(pod)) = (&endpoint.namespace, &endpoint.pod_name) {
            let hubble_labels = pod_labels_from_hubble(endpoint.k8s_labels());
            if let Some(&inventory_pod) = self.pods_by_name.get(&(namespace.as_str(), pod.as_str()))
            {
                let id = self.inventory_pod(cluster, inventory_pod);
                if inventory_pod.host_network {
                    // A record naming a host-network pod (not Hubble's, which prints the
                    // node): its traffic is its node's.
                    let ip = endpoint.ip.or_else(|| inventory_pod.ips.first().copied());
                    if let Some(ip) = ip {
                        let reserved: Vec<&str> = endpoint.reserved().collect();
                        let node = inventory_pod
                            .node_name
                            .as_deref()
                            .or(endpoint.node.as_deref());
                        return Side::Peer(self.address_as(ip, &reserved, node));
                    }
                }
                self.note_identity(endpoint.identity, id);
                return Side::Peer(Peer::Entity(id));
            }
            let named = endpoint
                .workload
                .as_ref()
                .and_then(|(kind, name)| owner_from_hubble(namespace, kind, name, &hubble_labels));
            let kind_inferred = named.is_none();
            let owner = named
                .or_else(|| {
                    let key = (
                        endpoint.cluster.clone().filter(|_| self.spans_clusters),
                        namespace.clone(),
                        pod.clone(),
                    );
                    self.inferred.get(&key).cloned()
                })
                .unwrap_or_else(|| owner_from_name(namespace, pod, &hubble_labels));
            let inferred = kind_inferred && owner.kind != EntityKind::Pod;
            let id = self.entity(cluster, owner);
            if endpoint.identity >= 256 {
                // A Cilium endpoint's identity: a pod of the pod network.
                self.pod_network_pods.insert(id);
            } else if let Some(ip) = endpoint.ip.filter(|_| self.is_host_network(id)) {
                // Another tool's record naming a host-network workload at an address: the
                // node's.
                return Side::Peer(self.address(ip, endpoint));
            }
            if inferred {
                self.dataset.entities[id.index()].kind_inferred = true;
            } else {
                self.kind_named.insert(id);
            }
            self.note_pod(id, pod, hubble_labels);
            self.note_identity(endpoint.identity, id);
            let account = endpoint
                .k8s_labels()
                .find(|(key, _)| *key == CILIUM_SERVICE_ACCOUNT_LABEL)
                .map(|(_, account)| account.to_string());
            self.dataset.entities[id.index()]
                .service_accounts
                .extend(account);
            // flowpol JSON may name a pod without its address.
            self.dataset.entities[id.index()]
                .addresses
                .extend(endpoint.ip);
            return Side::Peer(Peer::Entity(id));
        }
        // Every endpoint without a pod has an address (the formats refuse one without either).
        let Some(ip) = endpoint.ip else {
            return Side::ByLabels;
        };
        if let Some(&pod) = self.pods_by_ip.get(&ip) {
            // An address is reused when its pod goes: a record whose labels are another pod's
            // was made before the inventory's pod had it, and its labels decide.
            if describes(endpoint, pod) {
                return Side::Peer(Peer::Entity(self.inventory_pod(cluster, pod)));
            }
        }
        if endpoint.reserved().any(|r| r == "health") {
            return Side::Health;
        }
        let api_server = endpoint.reserved().any(|r| r == "kube-apiserver")
            || self.inventory.api_server_addresses.contains(&ip);
        if api_server {
            self.dataset.api_server.insert(ip);
            return Side::Peer(Peer::ApiServer);
        }
        // Labels or a workload's identity (an export that drops labels keeps the identity)
        // without a pod name: traffic a node-local proxy re-originated for a pod.
        let workload_identity = endpoint.identity >= 256;
        if endpoint.reserved().next().is_none()
            && (endpoint.k8s_labels().next().is_some() || workload_identity)
        {
            return Side::ByLabels;
        }
        Side::Peer(self.address(ip, endpoint))
    }

    /// Remembers that pods of `entity` carry Cilium security identity `identity`.
    fn note_identity(&mut self, identity: u32, entity: EntityId) {
        // Identities below 256 are Cilium's reserved ones (host, world, ...).
        if identity >= 256 {
            self.identities.entry(identity).or_default().insert(entity);
        }
    }

    /// An endpoint known only by its identity and labels, with no pod name (traffic
    /// re-originated by a node-local proxy): the one entity seen with the same identity, else
    /// the one entity of its namespace whose selector its labels satisfy.
    fn peer_by_labels(&mut self, endpoint: &ObservedEndpoint) -> Peer {
        if let Some(entities) = self.identities.get(&endpoint.identity) {
            if let [only] = entities.iter().copied().collect::<Vec<_>>()[..] {
                return Peer::Entity(only);
            }
        }
        let labels = pod_labels_from_hubble(endpoint.k8s_labels());
        let namespace = endpoint
            .namespace
            .as_deref()
            .or_else(|| {
                endpoint
                    .k8s_labels()
                    .find(|(k, _)| *k == "io.kubernetes.pod.namespace")
                    .map(|(_, v)| v)
            })
            .unwrap_or("");
        let candidates: Vec<EntityId> = self
            .dataset
            .entity_ids()
            .filter(|&id| {
                let entity = &self.dataset.entities[id];
                entity.owner.namespace == namespace
                    && !entity.selector.is_empty()
                    && selects(&entity.selector, &labels)
            })
            .collect();
        match candidates[..] {
            [only] => Peer::Entity(only),
            // Endpoints without a pod always have an address (the formats refuse one without
            // either); the unspecified address stands in should one ever come.
            _ => self.address(endpoint.ip.unwrap_or(IpAddr::from([0, 0, 0, 0])), endpoint),
        }
    }

    /// Sets each entity's selector and common labels.
    fn settle_selectors(&mut self) {
        for id in (0..self.dataset.entities.len()).map(EntityId::new) {
            let common = self
                .pod_labels
                .get(&id)
                .map(|pods| common_labels(pods.values()))
                .unwrap_or_default();
            let owner = self.dataset.entities[id].owner.clone();
            let controller = self.inventory.controllers.iter().find(|c| {
                c.kind.entity_kind() == Some(owner.kind)
                    && c.metadata.namespace == owner.namespace
                    && c.metadata.name == owner.name
            });
            let (selector, source) = match (owner.kind, controller) {
                (
                    EntityKind::Deployment
                    | EntityKind::Rollout
                    | EntityKind::StatefulSet
                    | EntityKind::DaemonSet,
                    Some(controller),
                ) if controller.selector.as_ref().is_some_and(|s| {
                    s.match_expressions.is_empty() && !s.match_labels.is_empty()
                }) =>
                {
                    let selector = controller.selector.clone().unwrap_or_default().match_labels;
                    (selector, SelectorSource::Workload)
                }
                (EntityKind::CronJob | EntityKind::Job, Some(controller))
                    if !stable_labels(&controller.template_labels).is_empty() =>
                {
                    (
                        stable_labels(&controller.template_labels),
                        SelectorSource::PodTemplate,
                    )
                }
                _ => (stable_labels(&common), SelectorSource::ObservedPods),
            };
            let mut label_sets: Vec<Labels> = self
                .pod_labels
                .get(&id)
                .map(|pods| pods.values().cloned().collect())
                .unwrap_or_default();
            label_sets.sort();
            label_sets.dedup();
            label_sets.truncate(MAX_LABEL_SETS);
            let host_network = self.is_host_network(id);
            let entity = &mut self.dataset.entities[id.index()];
            entity.kind_inferred &= !self.kind_named.contains(&id);
            entity.host_network = host_network;
            entity.label_sets = label_sets;
            entity.labels = common;
            entity.selector = selector;
            entity.selector_source = source;
        }
    }

    /// The peers behind a Service reached at its ClusterIP `via`, each with its pod (whose
    /// ports a Service port targets): the pod's entity, or for a host-network pod its node's
    /// address (of `via`'s family, when the node has one), which the connection reaches.
    fn backends(
        &mut self,
        cluster: Option<&str>,
        service: &'i Service,
        via: Option<IpAddr>,
    ) -> Vec<(Peer, &'i Pod)> {
        let Some(selector) = &service.selector else {
            return Vec::new();
        };
        let mut backends = Vec::new();
        let inventory = self.inventory;
        for pod in &inventory.pods {
            if pod.metadata.namespace == service.metadata.namespace
                && !selector.is_empty()
                && selects(selector, &pod.metadata.labels)
            {
                let entity = self.inventory_pod(cluster, pod);
                let same_family =
                    |ip: &&IpAddr| via.is_none_or(|via| via.is_ipv4() == ip.is_ipv4());
                let node_address = match pod.host_network {
                    true => pod.ips.iter().find(same_family).or(pod.ips.first()),
                    false => None,
                };
                let peer = match node_address {
                    Some(&ip) => self.address_as(ip, &[], pod.node_name.as_deref()),
                    None => Peer::Entity(entity),
                };
                backends.push((peer, pod));
            }
        }
        backends
    }
}

/// Whether a record naming no pod can be inventory `pod`, the pod that has its address now:
/// its namespace and the Kubernetes labels it prints (a Cilium identity's labels, which are
/// some of the pod's) are the pod's. A record that prints none (an address alone, a reserved
/// identity) says nothing against it.
fn describes(endpoint: &ObservedEndpoint, pod: &Pod) -> bool {
    let namespace = endpoint.namespace.as_deref().or_else(|| {
        endpoint
            .k8s_labels()
            .find(|(key, _)| *key == "io.kubernetes.pod.namespace")
            .map(|(_, namespace)| namespace)
    });
    namespace.is_none_or(|namespace| namespace == pod.metadata.namespace)
        && pod_labels_from_hubble(endpoint.k8s_labels())
            .iter()
            .all(|(key, value)| pod.metadata.labels.get(key) == Some(value))
}

/// The container port a Service port reaches on `pod`.
fn target_port(service: &Service, port: u16, protocol: Protocol, pod: &Pod) -> Option<u16> {
    let service_port = service
        .ports
        .iter()
        .find(|p| p.port == port && p.protocol == protocol)?;
    match &service_port.target {
        TargetPort::Number(n) => Some(*n),
        TargetPort::Name(name) => pod
            .ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name.as_str()) && p.protocol == protocol)
            .map(|p| p.port),
    }
}

/// How many distinct pod label sets an entity keeps.
const MAX_LABEL_SETS: usize = 32;

/// Resolves aggregated flows against the inventory. `extra_ranges` are cluster CIDRs the user
/// entered (pod or Service ranges) when the inventory does not give them.
pub fn resolve(flows: &Flows, inventory: &Inventory, extra_ranges: &[IpNet]) -> Dataset {
    let endpoints = &flows.endpoints;
    let clusters: BTreeSet<&str> = endpoints
        .iter()
        .filter_map(|e| e.cluster.as_deref())
        .collect();
    let spans_clusters = clusters.len() > 1;
    let mut resolver = Resolver::new(inventory, extra_ranges, spans_clusters);
    let sides = resolver.sides(endpoints);
    let mut merger = Merger::default();
    let mut health_checks = 0;
    for (key, observed) in &flows.communications {
        let (client, server) = (sides[key.client as usize], sides[key.server as usize]);
        if client == Side::Health || server == Side::Health {
            health_checks += 1;
            continue;
        }
        let Side::Peer(client) = client else {
            continue;
        };
        let service_targets = resolver.service_targets(endpoints, key);
        merger.observe((key, observed), client, server.peer(), service_targets);
    }
    let mut dataset = resolver.dataset;
    dataset.health_checks = health_checks;
    dataset.communications = merger.finish();
    name_addresses(&mut dataset, &flows.dns_names);
    dataset.clusters = endpoints.iter().filter_map(|e| e.cluster.clone()).collect();
    dataset.services = services(inventory, &dataset);
    dataset.podless = podless::podless_controllers(inventory, &dataset);
    canonical::canonical(dataset)
}

impl Resolver<'_> {
    /// What each observed endpoint is. Every inventory pod is an entity's pod, seen in flows
    /// or not (an inventory names no cluster: with several, its pods are the entities of the
    /// cluster whose flows show them); endpoints known only by labels are resolved last.
    fn sides(&mut self, endpoints: &[ObservedEndpoint]) -> Vec<Side> {
        if !self.spans_clusters {
            for pod in &self.inventory.pods {
                self.inventory_pod(None, pod);
            }
        }
        self.inferred = infer::inferred_owners(endpoints, self.spans_clusters, |namespace, pod| {
            self.pods_by_name.contains_key(&(namespace, pod))
        });
        let mut sides: Vec<Side> = endpoints.iter().map(|e| self.side(e)).collect();
        self.settle_selectors();
        for (index, endpoint) in endpoints.iter().enumerate() {
            if sides[index] == Side::ByLabels {
                sides[index] = Side::Peer(self.peer_by_labels(endpoint));
            }
        }
        sides
    }

    /// The backends (with their target ports) a connection to `server`'s address on `key`'s
    /// port reaches when that address is a Service's ClusterIP; the API server for the
    /// `kubernetes` Service. Empty for any other address.
    fn service_targets(
        &mut self,
        endpoints: &[ObservedEndpoint],
        key: &CommunicationKey,
    ) -> Vec<(Peer, u16)> {
        let server_endpoint = &endpoints[key.server as usize];
        let mut servers: Vec<(Peer, u16)> = Vec::new();
        let Some(&service) = server_endpoint
            .ip
            .and_then(|ip| self.services_by_ip.get(&ip))
        else {
            return servers;
        };
        if is_api_server_service(&service.metadata.namespace, &service.metadata.name) {
            let port = service
                .ports
                .iter()
                .find(|p| p.port == key.port && p.protocol == key.protocol)
                .and_then(|p| match p.target {
                    TargetPort::Number(port) => Some(port),
                    TargetPort::Name(_) => None,
                })
                .unwrap_or(key.port);
            servers.push((Peer::ApiServer, port));
        }
        // Hubble names no cluster for a ClusterIP (a world address): the Service is the
        // client's cluster's.
        let cluster = server_endpoint
            .cluster
            .clone()
            .or_else(|| endpoints[key.client as usize].cluster.clone());
        for (peer, pod) in self.backends(cluster.as_deref(), service, server_endpoint.ip) {
            if let Some(port) = target_port(service, key.port, key.protocol, pod) {
                if !servers.contains(&(peer, port)) {
                    servers.push((peer, port));
                }
            }
        }
        servers
    }
}

/// Each address's DNS names: those the flows to it carried and those DNS answers gave it.
fn name_addresses(dataset: &mut Dataset, dns_names: &BTreeMap<IpAddr, BTreeSet<String>>) {
    for communication in &dataset.communications {
        if let Peer::Address(id) = communication.server {
            dataset.addresses[id.index()]
                .names
                .extend(communication.observed.server_names.iter().cloned());
        }
    }
    for address in &mut dataset.addresses {
        if let Some(names) = dns_names.get(&address.ip) {
            address.names.extend(names.iter().cloned());
        }
    }
}

/// The inventory's Services, each with the entities of its namespace its selector picks.
fn services(inventory: &Inventory, dataset: &Dataset) -> Vec<ServiceInfo> {
    let mut services: Vec<ServiceInfo> = inventory
        .services
        .iter()
        .map(|service| ServiceInfo {
            namespace: service.metadata.namespace.clone(),
            name: service.metadata.name.clone(),
            cluster_ips: service.cluster_ips.clone(),
            selector: service.selector.clone(),
            ports: service.ports.clone(),
            backends: Vec::new(),
        })
        .collect();
    for info in &mut services {
        let Some(selector) = &info.selector else {
            continue;
        };
        if selector.is_empty() {
            continue;
        }
        info.backends = (0..dataset.entities.len())
            .map(EntityId::new)
            .filter(|&id| {
                let entity = &dataset.entities[id];
                entity.owner.namespace == info.namespace && selects(selector, &entity.labels)
            })
            .collect();
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::formats::inventory::Metadata;
    use crate::engine::model::labels::labels_of;

    fn endpoint(namespace: Option<&str>, labels: &[&str]) -> ObservedEndpoint {
        ObservedEndpoint {
            ip: Some("10.244.1.50".parse().unwrap()),
            cluster: None,
            namespace: namespace.map(str::to_string),
            pod_name: None,
            workload: None,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            identity: 30010,
            node: None,
            pod_nodes: Vec::new(),
        }
    }

    /// The pod that has 10.244.1.50 now: shop/catalog.
    fn catalog() -> Pod {
        Pod {
            metadata: Metadata {
                name: "catalog-5c8b7d6f9b-r7t3v".into(),
                namespace: "shop".into(),
                labels: labels_of(&[("app", "catalog"), ("pod-template-hash", "5c8b7d6f9b")]),
                owner_references: Vec::new(),
            },
            ..Pod::default()
        }
    }

    #[test]
    fn a_record_describes_the_pod_at_its_address_unless_its_labels_are_another_pods() {
        let pod = catalog();
        let cilium = |app: &str, namespace: &str| {
            [
                format!("k8s:app={app}"),
                "k8s:io.cilium.k8s.policy.cluster=default".to_string(),
                format!("k8s:io.kubernetes.pod.namespace={namespace}"),
            ]
        };
        let labels = cilium("catalog", "shop");
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        assert!(describes(&endpoint(None, &labels), &pod));
        assert!(describes(&endpoint(Some("shop"), &labels), &pod));
        // The address's earlier pod, of another workload or another namespace.
        let orders = cilium("orders", "shop");
        let orders: Vec<&str> = orders.iter().map(String::as_str).collect();
        assert!(!describes(&endpoint(None, &orders), &pod));
        let elsewhere = cilium("catalog", "staging");
        let elsewhere: Vec<&str> = elsewhere.iter().map(String::as_str).collect();
        assert!(!describes(&endpoint(None, &elsewhere), &pod));
        assert!(!describes(&endpoint(Some("staging"), &[]), &pod));
        // An address alone, or a reserved identity, says nothing against the pod.
        assert!(describes(&endpoint(None, &[]), &pod));
        assert!(describes(&endpoint(None, &["reserved:world"]), &pod));
    }
}
