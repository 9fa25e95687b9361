//! The cluster inventory: what `kubectl get namespaces,nodes,pods,services,replicasets,
//! deployments,statefulsets,daemonsets,jobs,cronjobs -A -o json` tells flowpol. Reads a
//! `v1 List` (or a single object), keeps the fields flowpol uses, and reports items it cannot
//! read by their index and field, keeping every other item.

use std::net::IpAddr;

use serde::Deserialize;

use crate::engine::model::labels::{LabelSelector, Labels};
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::model::ports::{ContainerPort, ServicePort, TargetPort};
use crate::engine::model::{parse_ip, ControllerKind, Protocol};

/// A reference from an object to its controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct OwnerReference {
    /// `apps/v1`, `argoproj.io/v1alpha1`, ... (empty when left out).
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub controller: Option<bool>,
}

/// The metadata flowpol reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Metadata {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub owner_references: Vec<OwnerReference>,
}

impl Metadata {
    /// The controlling owner (or the first owner when none is marked controller).
    pub fn controller(&self) -> Option<&OwnerReference> {
        self.owner_references
            .iter()
            .find(|o| o.controller == Some(true))
            .or_else(|| self.owner_references.first())
    }
}

/// A pod.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pod {
    pub metadata: Metadata,
    pub node_name: Option<String>,
    pub host_network: bool,
    pub ips: Vec<IpAddr>,
    pub ports: Vec<ContainerPort>,
    /// `spec.serviceAccountName`.
    pub service_account: Option<String>,
}

/// A Service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Service {
    pub metadata: Metadata,
    /// `None` when the Service has no selector (its endpoints are managed by hand).
    pub selector: Option<Labels>,
    pub cluster_ips: Vec<IpAddr>,
    pub ports: Vec<ServicePort>,
}

/// A controller: ReplicaSet, Deployment, Argo Rollouts' Rollout, StatefulSet, DaemonSet, Job
/// or CronJob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controller {
    pub kind: ControllerKind,
    pub metadata: Metadata,
    pub selector: Option<LabelSelector>,
    /// Labels of the pod template.
    pub template_labels: Labels,
}

/// A node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub pod_cidrs: Vec<String>,
    pub addresses: Vec<IpAddr>,
}

/// A namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
}

/// Everything read from the inventories.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub namespaces: Vec<Namespace>,
    pub nodes: Vec<Node>,
    pub pods: Vec<Pod>,
    pub services: Vec<Service>,
    pub controllers: Vec<Controller>,
    /// The cluster's own NetworkPolicies, to verify observed traffic against.
    pub network_policies: Vec<NetworkPolicy>,
    /// CiliumNetworkPolicies the inventory holds.
    pub cilium_policies: Vec<crate::engine::model::cilium_policy::CiliumNetworkPolicy>,
    /// The API server's addresses: the endpoints of Service `default/kubernetes` (an
    /// `Endpoints` or `EndpointSlice` object, when the inventory holds one).
    pub api_server_addresses: Vec<IpAddr>,
}

/// The namespace and name of the Service in front of the API server.
pub const API_SERVER_SERVICE: (&str, &str) = ("default", "kubernetes");

/// An item of an inventory that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemProblem {
    /// Index of the item in `items` (0 for a single object).
    pub index: usize,
    /// `kind namespace/name` when known.
    pub object: String,
    pub message: String,
}

// --- wire shapes -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireList {
    items: Vec<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WirePodSpec {
    node_name: Option<String>,
    host_network: bool,
    containers: Vec<WireContainer>,
    service_account_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireContainer {
    ports: Vec<WireContainerPort>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireContainerPort {
    name: Option<String>,
    container_port: u16,
    protocol: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WirePodStatus {
    #[serde(rename = "podIP")]
    pod_ip: Option<String>,
    #[serde(rename = "podIPs")]
    pod_ips: Vec<WireIp>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireIp {
    ip: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WirePod {
    metadata: Metadata,
    spec: WirePodSpec,
    status: WirePodStatus,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireServiceSpec {
    selector: Option<Labels>,
    #[serde(rename = "clusterIP")]
    cluster_ip: Option<String>,
    #[serde(rename = "clusterIPs")]
    cluster_ips: Vec<String>,
    ports: Vec<WireServicePort>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireServicePort {
    name: Option<String>,
    port: u16,
    target_port: Option<serde_json::Value>,
    protocol: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireService {
    metadata: Metadata,
    spec: WireServiceSpec,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireTemplate {
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireJobTemplate {
    spec: WireControllerSpec,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireControllerSpec {
    selector: Option<LabelSelector>,
    template: WireTemplate,
    job_template: Option<Box<WireJobTemplate>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireController {
    metadata: Metadata,
    spec: WireControllerSpec,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEndpointAddress {
    ip: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEndpointSubset {
    addresses: Vec<WireEndpointAddress>,
}

/// An `Endpoints` object.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEndpoints {
    metadata: Metadata,
    subsets: Vec<WireEndpointSubset>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireSliceEndpoint {
    addresses: Vec<String>,
}

/// An `EndpointSlice` object.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEndpointSlice {
    metadata: Metadata,
    endpoints: Vec<WireSliceEndpoint>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireNodeSpec {
    #[serde(rename = "podCIDR")]
    pod_cidr: Option<String>,
    #[serde(rename = "podCIDRs")]
    pod_cidrs: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireNodeAddress {
    #[serde(rename = "type")]
    kind: String,
    address: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireNodeStatus {
    addresses: Vec<WireNodeAddress>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireNode {
    metadata: Metadata,
    spec: WireNodeSpec,
    status: WireNodeStatus,
}

fn protocol(text: Option<&str>) -> Result<Protocol, String> {
    match text {
        None => Ok(Protocol::Tcp),
        Some(p) => Protocol::from_k8s(p).ok_or_else(|| format!("unknown protocol `{p}`")),
    }
}

fn object_name(value: &serde_json::Value) -> String {
    let kind = value["kind"].as_str().unwrap_or("object");
    let namespace = value["metadata"]["namespace"].as_str().unwrap_or("");
    let name = value["metadata"]["name"].as_str().unwrap_or("?");
    if namespace.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {namespace}/{name}")
    }
}

/// Whether `namespace/name` is the Service in front of the API server.
pub fn is_api_server_service(namespace: &str, name: &str) -> bool {
    (namespace, name) == API_SERVER_SERVICE
}

impl Inventory {
    /// Adds the objects of one inventory document (a `List` or a single object).
    /// Unreadable items are returned as problems; every other item is kept.
    pub fn add_document(&mut self, bytes: &[u8]) -> Result<Vec<ItemProblem>, String> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
        if !value.is_object() {
            return Err("not a Kubernetes object or List".to_string());
        }
        let items = if value["items"].is_array() || value["kind"] == "List" {
            serde_json::from_value::<WireList>(value)
                .map_err(|e| format!("invalid List: {e}"))?
                .items
        } else {
            vec![value]
        };
        let mut problems = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let object = object_name(&item);
            if let Err(message) = self.add_object(item) {
                problems.push(ItemProblem {
                    index,
                    object,
                    message,
                });
            }
        }
        Ok(problems)
    }

    /// Adds one item of a `List`, from its JSON bytes. When it cannot be read: the object
    /// (`kind namespace/name`, when known) and why.
    pub fn add_item(&mut self, bytes: &[u8]) -> Result<(), (String, String)> {
        let item: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| ("an item".to_string(), format!("invalid JSON: {e}")))?;
        let object = object_name(&item);
        self.add_object(item).map_err(|message| (object, message))
    }

    fn add_object(&mut self, item: serde_json::Value) -> Result<(), String> {
        let kind = item["kind"].as_str().unwrap_or("").to_string();
        let read = |e: serde_json::Error| e.to_string();
        match kind.as_str() {
            "Namespace" => {
                let wire: WireController = serde_json::from_value(item).map_err(read)?;
                self.namespaces.push(Namespace {
                    name: wire.metadata.name,
                    labels: wire.metadata.labels,
                });
            }
            "Node" => self
                .nodes
                .push(node(serde_json::from_value(item).map_err(read)?)),
            "Pod" => self
                .pods
                .push(pod(serde_json::from_value(item).map_err(read)?)?),
            "Service" => self
                .services
                .push(service(serde_json::from_value(item).map_err(read)?)?),
            "Endpoints" => {
                let wire: WireEndpoints = serde_json::from_value(item).map_err(read)?;
                if is_api_server_service(&wire.metadata.namespace, &wire.metadata.name) {
                    let addresses = wire.subsets.into_iter().flat_map(|s| s.addresses);
                    let texts = addresses.map(|a| a.ip);
                    self.api_server_addresses.extend(self::addresses(texts));
                }
            }
            "EndpointSlice" => {
                let wire: WireEndpointSlice = serde_json::from_value(item).map_err(read)?;
                let service = wire
                    .metadata
                    .labels
                    .get("kubernetes.io/service-name")
                    .map(String::as_str)
                    .unwrap_or_default();
                if is_api_server_service(&wire.metadata.namespace, service) {
                    let texts = wire.endpoints.into_iter().flat_map(|e| e.addresses);
                    self.api_server_addresses.extend(addresses(texts));
                }
            }
            "NetworkPolicy" => {
                let mut policy: NetworkPolicy = serde_json::from_value(item).map_err(read)?;
                if policy.metadata.namespace.is_empty() {
                    policy.metadata.namespace = "default".to_string();
                }
                self.network_policies.push(policy);
            }
            "CiliumNetworkPolicy" => {
                let policies =
                    crate::engine::ingest::formats::policies::read_inventory_object(item)?;
                self.cilium_policies.extend(policies.cilium);
            }
            other => {
                // Other kinds (ConfigMaps, Endpoints, ...) carry nothing flowpol uses.
                let api_version = item["apiVersion"].as_str().unwrap_or_default();
                if let Some(kind) = ControllerKind::parse_with_api(other, api_version) {
                    self.add_controller(kind, item)?;
                }
            }
        }
        Ok(())
    }

    fn add_controller(
        &mut self,
        kind: ControllerKind,
        item: serde_json::Value,
    ) -> Result<(), String> {
        let wire: WireController = serde_json::from_value(item).map_err(|e| e.to_string())?;
        let (selector, template_labels) = match wire.spec.job_template {
            Some(job) => (job.spec.selector, job.spec.template.metadata.labels),
            None => (wire.spec.selector, wire.spec.template.metadata.labels),
        };
        self.controllers.push(Controller {
            kind,
            metadata: wire.metadata,
            selector,
            template_labels,
        });
        Ok(())
    }

    /// Number of objects read.
    pub fn object_count(&self) -> usize {
        self.namespaces.len()
            + self.nodes.len()
            + self.pods.len()
            + self.services.len()
            + self.controllers.len()
            + self.network_policies.len()
            + self.cilium_policies.len()
    }
}

/// The addresses among `texts`: an empty one, `None` (a headless Service's ClusterIP) or any
/// other text that is not an address names no address.
fn addresses(texts: impl IntoIterator<Item = String>) -> Vec<IpAddr> {
    texts
        .into_iter()
        .filter_map(|text| parse_ip(&text))
        .collect()
}

/// A Node's pod CIDRs and addresses.
fn node(wire: WireNode) -> Node {
    let mut pod_cidrs = wire.spec.pod_cidrs;
    if pod_cidrs.is_empty() {
        pod_cidrs.extend(wire.spec.pod_cidr);
    }
    Node {
        name: wire.metadata.name,
        pod_cidrs,
        addresses: wire
            .status
            .addresses
            .into_iter()
            .filter(|a| a.kind.ends_with("IP"))
            .filter_map(|a| parse_ip(&a.address))
            .collect(),
    }
}

/// A Pod's addresses, container ports, node and service account.
fn pod(wire: WirePod) -> Result<Pod, String> {
    let mut texts: Vec<String> = wire.status.pod_ips.into_iter().map(|i| i.ip).collect();
    if texts.is_empty() {
        texts.extend(wire.status.pod_ip);
    }
    let ips = addresses(texts);
    let mut ports = Vec::new();
    for container in wire.spec.containers {
        for port in container.ports {
            ports.push(ContainerPort {
                name: port.name,
                port: port.container_port,
                protocol: protocol(port.protocol.as_deref())
                    .map_err(|e| format!("spec.containers[].ports: {e}"))?,
            });
        }
    }
    Ok(Pod {
        metadata: wire.metadata,
        node_name: wire.spec.node_name,
        host_network: wire.spec.host_network,
        ips,
        ports,
        service_account: wire.spec.service_account_name.filter(|s| !s.is_empty()),
    })
}

/// A Service's selector, ClusterIPs and ports.
fn service(wire: WireService) -> Result<Service, String> {
    let mut cluster_ips = wire.spec.cluster_ips;
    if cluster_ips.is_empty() {
        cluster_ips.extend(wire.spec.cluster_ip);
    }
    let cluster_ips = addresses(cluster_ips);
    let mut ports = Vec::new();
    for port in wire.spec.ports {
        let target = target_port(port.port, port.target_port)?;
        ports.push(ServicePort {
            name: port.name,
            port: port.port,
            target,
            protocol: protocol(port.protocol.as_deref())
                .map_err(|e| format!("spec.ports[]: {e}"))?,
        });
    }
    Ok(Service {
        metadata: wire.metadata,
        selector: wire.spec.selector,
        cluster_ips,
        ports,
    })
}

/// A Service port's `targetPort`: a number, a numeric string, a name, or (absent) the port.
fn target_port(port: u16, target_port: Option<serde_json::Value>) -> Result<TargetPort, String> {
    Ok(match target_port {
        None => TargetPort::Number(port),
        Some(serde_json::Value::Number(n)) => TargetPort::Number(
            n.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .ok_or("spec.ports[].targetPort: not a port number")?,
        ),
        Some(serde_json::Value::String(name)) => match name.parse::<u16>() {
            Ok(number) => TargetPort::Number(number),
            Err(_) => TargetPort::Name(name),
        },
        Some(_) => return Err("spec.ports[].targetPort: not a number or name".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::demo::{inventory_json, DemoCluster};

    fn ip(text: &str) -> IpAddr {
        parse_ip(text).unwrap()
    }

    /// An inventory's CiliumNetworkPolicy that cannot be read is named by the inventory, and
    /// the message names the field.
    #[test]
    fn an_unreadable_cilium_policy_item_names_its_field() {
        let mut inventory = Inventory::default();
        let good = br#"{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "a", "namespace": "shop"}, "spec": {"endpointSelector": {}}}"#;
        inventory.add_item(good).unwrap();
        assert_eq!(inventory.cilium_policies.len(), 1);
        let bad = br#"{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "b", "namespace": "shop"}, "spec": {"endpointSelector": {}, "ingress": "everyone"}}"#;
        let (object, message) = inventory.add_item(bad).unwrap_err();
        assert_eq!(object, "CiliumNetworkPolicy shop/b");
        assert!(
            message.starts_with("CiliumNetworkPolicy: spec.ingress: "),
            "{message}"
        );
        assert_eq!(inventory.cilium_policies.len(), 1, "nothing of it kept");
    }

    #[test]
    fn reads_the_demo_inventory() {
        let mut inventory = Inventory::default();
        let problems = inventory
            .add_document(inventory_json(&DemoCluster::new(1)).as_bytes())
            .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(inventory.nodes.len(), 3);
        assert_eq!(inventory.nodes[0].pod_cidrs, vec!["10.244.1.0/24"]);
        let frontend = inventory
            .services
            .iter()
            .find(|s| s.metadata.name == "frontend")
            .unwrap();
        assert_eq!(frontend.ports[0].target, TargetPort::Name("http".into()));
        let headless = inventory
            .services
            .iter()
            .find(|s| s.metadata.name == "orders-db")
            .unwrap();
        assert!(headless.cluster_ips.is_empty());
        let cron = inventory
            .controllers
            .iter()
            .find(|c| c.kind == ControllerKind::CronJob)
            .unwrap();
        assert_eq!(cron.template_labels["app"], "db-backup");
        let pod = inventory
            .pods
            .iter()
            .find(|p| p.metadata.name.starts_with("frontend-"))
            .unwrap();
        assert_eq!(pod.metadata.controller().unwrap().kind, "ReplicaSet");
        assert!(pod
            .ports
            .iter()
            .any(|p| p.name.as_deref() == Some("http") && p.port == 8080));
    }

    #[test]
    fn the_api_servers_endpoints_are_read() {
        let mut inventory = Inventory::default();
        inventory
            .add_document(br#"{"kind":"List","items":[
                {"kind":"Endpoints","metadata":{"name":"kubernetes","namespace":"default"},"subsets":[{"addresses":[{"ip":"172.20.0.2"}],"ports":[{"port":6443}]}]},
                {"kind":"Endpoints","metadata":{"name":"other","namespace":"default"},"subsets":[{"addresses":[{"ip":"10.0.0.9"}]}]},
                {"kind":"EndpointSlice","metadata":{"name":"kubernetes","namespace":"default","labels":{"kubernetes.io/service-name":"kubernetes"}},"endpoints":[{"addresses":["172.20.0.3"]}]}
            ]}"#)
            .unwrap();
        assert_eq!(
            inventory.api_server_addresses,
            [ip("172.20.0.2"), ip("172.20.0.3")]
        );
    }

    #[test]
    fn a_single_object_is_an_inventory_too() {
        let mut inventory = Inventory::default();
        inventory
            .add_document(br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"x"},"status":{"podIP":"10.0.0.5"}}"#)
            .unwrap();
        assert_eq!(inventory.pods[0].ips, vec![ip("10.0.0.5")]);
    }

    #[test]
    fn a_bad_item_is_reported_and_the_rest_kept() {
        let mut inventory = Inventory::default();
        let problems = inventory
            .add_document(
                br#"{"kind":"List","items":[
                    {"kind":"Service","metadata":{"name":"bad","namespace":"x"},"spec":{"ports":[{"port":"eighty"}]}},
                    {"kind":"Service","metadata":{"name":"odd","namespace":"x"},"spec":{"ports":[{"port":80,"protocol":"QUIC"}]}},
                    {"kind":"Namespace","metadata":{"name":"x","labels":{"team":"a"}}}
                ]}"#,
            )
            .unwrap();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].index, 0);
        assert_eq!(problems[0].object, "Service x/bad");
        assert!(
            problems[0].message.contains("invalid type"),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("unknown protocol `QUIC`"));
        assert_eq!(inventory.namespaces.len(), 1);
        assert!(inventory.add_document(b"[1]").is_err());
        assert!(inventory.add_document(b"{").is_err());
    }

    /// The demo cluster's inventory.
    #[cfg(not(target_arch = "wasm32"))]
    static DEMO_INVENTORY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1))
    });

    /// Ways to make an item unreadable: a field of the wrong type where every kind has it.
    #[cfg(not(target_arch = "wasm32"))]
    const DAMAGES: [fn(&mut serde_json::Value); 3] = [
        |item| item["metadata"] = serde_json::json!("not an object"),
        |item| item["metadata"]["name"] = serde_json::json!(42),
        |item| item["metadata"]["labels"] = serde_json::json!(["a", "list"]),
    ];

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = Inventory::default().add_document(&bytes);
        }

        /// The demo's inventory with some items damaged (a field of the wrong type): each is
        /// one problem at its own index, and the rest is read as if they were not there.
        #[test]
        fn damaged_items_are_named_and_the_rest_is_kept(
            damage in proptest::collection::btree_map(0usize..1000, 0usize..DAMAGES.len(), 0..8),
        ) {
            let mut list: serde_json::Value = serde_json::from_str(&DEMO_INVENTORY).unwrap();
            let items = list["items"].as_array_mut().unwrap();
            let damage: std::collections::BTreeMap<usize, usize> =
                damage.into_iter().map(|(index, how)| (index % items.len(), how)).collect();
            let mut kept = Vec::new();
            for (index, item) in items.iter_mut().enumerate() {
                match damage.get(&index) {
                    Some(&how) => DAMAGES[how](item),
                    None => kept.push(item.clone()),
                }
            }
            let mut damaged = Inventory::default();
            let problems = damaged.add_document(list.to_string().as_bytes()).unwrap();
            let named: Vec<usize> = problems.iter().map(|p| p.index).collect();
            proptest::prop_assert_eq!(named, damage.keys().copied().collect::<Vec<_>>(), "{:?}", problems);
            let mut clean = Inventory::default();
            let without = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": kept});
            proptest::prop_assert!(clean.add_document(without.to_string().as_bytes()).unwrap().is_empty());
            proptest::prop_assert_eq!(damaged, clean);
        }

        #[test]
        fn never_panics_on_json_items(kind in "(Pod|Service|Node|Deployment|CronJob|Namespace)", body in "[{}\\[\\]\":, a-z0-9]{0,80}") {
            let document = format!(r#"{{"kind":"List","items":[{{"kind":"{kind}","spec":{body}}}]}}"#);
            let _ = Inventory::default().add_document(document.as_bytes());
        }
    }
}
