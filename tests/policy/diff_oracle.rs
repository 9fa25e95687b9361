//! `flowpol diff` against an evaluator it shares no code with. Random worlds (pods in two
//! labelled namespaces, with named container ports, and addresses outside the cluster, one of
//! them inside the pod range) and two random sets of NetworkPolicies (pod selectors with
//! matchLabels and every matchExpressions operator, namespace selectors alone and with pod
//! selectors, ipBlocks with except, numbered, named and ranged ports, both protocols,
//! every form of policyTypes, absent and empty rule lists), read as Cilium or as Calico reads
//! ipBlocks. For every communication, the diff's verdict before and after is the one this
//! file's own minimal evaluator finds, reading the policies as JSON by the Kubernetes API
//! reference; and the change follows from the two.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use flowpol::engine::dataset::{Address, Communication, Dataset, Entity, Peer, SelectorSource};
use flowpol::engine::model::labels::Labels;
use flowpol::engine::model::network_policy::NetworkPolicy;
use flowpol::engine::model::observed::ObservedCommunication;
use flowpol::engine::model::ports::ContainerPort;
use flowpol::engine::model::{
    AddressClass, AddressId, EntityId, EntityKind, Owner, Protocol, TimeWindow,
};
use flowpol::engine::verify::diff::{diff, Change};
use flowpol::engine::verify::evaluate::AnyPolicy;
use proptest::prelude::*;
use serde_json::{json, Value};

const NAMESPACES: [(&str, &str); 2] = [("a", "x"), ("b", "y")];
const APPS: [&str; 3] = ["p", "q", "r"];
const PORTS: [u16; 5] = [53, 80, 443, 8080, 8443];
/// Addresses outside the cluster; the last lies in the pods' range.
const OUTSIDE: [[u8; 4]; 3] = [[203, 0, 113, 1], [203, 0, 113, 9], [10, 0, 9, 1]];
/// ipBlocks drawn: a CIDR and the exceptions inside it.
const BLOCKS: [(&str, &[&str]); 5] = [
    ("10.0.0.0/8", &[]),
    ("10.0.0.0/8", &["10.0.0.2/32", "10.0.9.0/24"]),
    ("10.0.0.0/30", &[]),
    ("203.0.113.0/24", &["203.0.113.1/32"]),
    ("0.0.0.0/0", &["10.0.0.0/8"]),
];

/// A pod of the world: its namespace, labels, address and container ports.
#[derive(Clone, Debug)]
struct Pod {
    namespace: &'static str,
    labels: BTreeMap<String, String>,
    ip: Ipv4Addr,
    /// (name, number, protocol).
    ports: Vec<(&'static str, u16, &'static str)>,
}

/// One end of a communication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Pod(usize),
    Outside(usize),
}

#[derive(Clone, Debug)]
struct World {
    pods: Vec<Pod>,
    /// (client, server, protocol, port).
    communications: Vec<(End, End, &'static str, u16)>,
    current: Vec<Value>,
    proposed: Vec<Value>,
    pod_blocks: bool,
}

fn pod(index: usize, (namespace, app, tier, dns): (usize, usize, bool, bool)) -> Pod {
    let mut labels = BTreeMap::from([("app".to_string(), APPS[app].to_string())]);
    if tier {
        labels.insert("tier".into(), "web".into());
    }
    let mut ports = vec![("http", 8080, "TCP")];
    if dns {
        ports.push(("dns", 53, "UDP"));
    }
    Pod {
        namespace: NAMESPACES[namespace].0,
        labels,
        ip: Ipv4Addr::new(10, 0, 0, index as u8 + 1),
        ports,
    }
}

fn selector() -> impl Strategy<Value = Value> {
    let expression = (0..2usize, 0..4usize, 0..APPS.len()).prop_map(|(key, operator, value)| {
        let key = ["app", "tier"][key];
        let operator = ["In", "NotIn", "Exists", "DoesNotExist"][operator];
        let values = match (key, operator) {
            (_, "Exists" | "DoesNotExist") => json!(null),
            ("app", _) => json!([APPS[value]]),
            _ => json!(["web"]),
        };
        if values.is_null() {
            json!({"key": key, "operator": operator})
        } else {
            json!({"key": key, "operator": operator, "values": values})
        }
    });
    prop_oneof![
        Just(json!({})),
        (0..APPS.len()).prop_map(|app| json!({"matchLabels": {"app": APPS[app]}})),
        prop::collection::vec(expression, 1..3).prop_map(|e| json!({"matchExpressions": e})),
    ]
}

fn namespace_selector() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        (0..2usize).prop_map(|n| json!({"matchLabels": {"team": NAMESPACES[n].1}})),
        (0..2usize)
            .prop_map(|n| json!({"matchLabels": {"kubernetes.io/metadata.name": NAMESPACES[n].0}})),
    ]
}

fn peer() -> impl Strategy<Value = Value> {
    prop_oneof![
        selector().prop_map(|s| json!({"podSelector": s})),
        namespace_selector().prop_map(|n| json!({"namespaceSelector": n})),
        (selector(), namespace_selector())
            .prop_map(|(s, n)| json!({"podSelector": s, "namespaceSelector": n})),
        (0..BLOCKS.len()).prop_map(|b| {
            let (cidr, except) = BLOCKS[b];
            if except.is_empty() {
                json!({"ipBlock": {"cidr": cidr}})
            } else {
                json!({"ipBlock": {"cidr": cidr, "except": except}})
            }
        }),
    ]
}

fn port() -> impl Strategy<Value = Value> {
    let protocol = prop_oneof![Just(None), Just(Some("TCP")), Just(Some("UDP"))];
    let number = prop_oneof![
        Just(json!(null)),
        (0..PORTS.len()).prop_map(|p| json!(PORTS[p])),
        prop_oneof![Just(json!("http")), Just(json!("dns"))],
    ];
    (protocol, number, prop::option::weighted(0.3, 0..3u16)).prop_map(|(protocol, number, span)| {
        let mut port = serde_json::Map::new();
        if let Some(protocol) = protocol {
            port.insert("protocol".into(), json!(protocol));
        }
        if !number.is_null() {
            if let (Some(n), Some(span)) = (number.as_u64(), span) {
                port.insert("endPort".into(), json!(n as u16 + span * 400));
            }
            port.insert("port".into(), number);
        }
        Value::Object(port)
    })
}

/// A list that is absent (`None`), empty, or holds items.
fn list(item: impl Strategy<Value = Value>, most: usize) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(json!([]))),
        4 => prop::collection::vec(item, 1..most).prop_map(|v| Some(Value::Array(v))),
    ]
}

fn rule(peers_key: &'static str) -> impl Strategy<Value = Value> {
    (list(peer(), 3), list(port(), 3)).prop_map(move |(peers, ports)| {
        let mut rule = serde_json::Map::new();
        if let Some(peers) = peers {
            rule.insert(peers_key.into(), peers);
        }
        if let Some(ports) = ports {
            rule.insert("ports".into(), ports);
        }
        Value::Object(rule)
    })
}

fn policy(name: String) -> impl Strategy<Value = Value> {
    let types = prop_oneof![
        Just(None),
        Just(Some(json!([]))),
        Just(Some(json!(["Ingress"]))),
        Just(Some(json!(["Egress"]))),
        Just(Some(json!(["Ingress", "Egress"]))),
    ];
    (
        0..2usize,
        selector(),
        types,
        list(rule("from"), 3),
        list(rule("to"), 3),
    )
        .prop_map(move |(namespace, pod_selector, types, ingress, egress)| {
            let mut spec = serde_json::Map::new();
            spec.insert("podSelector".into(), pod_selector);
            for (key, value) in [
                ("policyTypes", types),
                ("ingress", ingress),
                ("egress", egress),
            ] {
                if let Some(value) = value {
                    spec.insert(key.into(), value);
                }
            }
            json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": NAMESPACES[namespace].0},
                "spec": spec,
            })
        })
}

fn policies(prefix: &'static str) -> impl Strategy<Value = Vec<Value>> {
    (0..4usize).prop_flat_map(move |n| {
        (0..n)
            .map(|i| policy(format!("{prefix}{i}")))
            .collect::<Vec<_>>()
    })
}

fn world() -> impl Strategy<Value = World> {
    let pods = prop::collection::vec(
        (0..2usize, 0..APPS.len(), any::<bool>(), any::<bool>()),
        1..5,
    );
    (pods, policies("now"), policies("next"), any::<bool>()).prop_flat_map(
        |(pods, current, proposed, pod_blocks)| {
            let pods: Vec<Pod> = pods
                .into_iter()
                .enumerate()
                .map(|(i, spec)| pod(i, spec))
                .collect();
            let ends = pods.len() + OUTSIDE.len();
            let communication = (0..ends, 0..pods.len(), any::<bool>(), 0..PORTS.len());
            (
                Just(pods),
                prop::collection::vec(communication, 1..10),
                Just(current),
                Just(proposed),
                Just(pod_blocks),
            )
                .prop_map(|(pods, drawn, current, proposed, pod_blocks)| {
                    let end = |i: usize| {
                        if i < pods.len() {
                            End::Pod(i)
                        } else {
                            End::Outside(i - pods.len())
                        }
                    };
                    let mut seen = BTreeSet::new();
                    let communications = drawn
                        .into_iter()
                        .map(|(client, server, udp, port)| {
                            (
                                end(client),
                                End::Pod(server),
                                if udp { "UDP" } else { "TCP" },
                                PORTS[port],
                            )
                        })
                        .filter(|c| seen.insert(*c))
                        .collect();
                    World {
                        pods,
                        communications,
                        current,
                        proposed,
                        pod_blocks,
                    }
                })
        },
    )
}

// ---- The oracle: the Kubernetes API reference, read from the JSON. ----

fn ip_of(world: &World, end: End) -> Ipv4Addr {
    match end {
        End::Pod(i) => world.pods[i].ip,
        End::Outside(i) => Ipv4Addr::from(OUTSIDE[i]),
    }
}

fn in_cidr(ip: Ipv4Addr, cidr: &str) -> bool {
    let (base, bits) = cidr.split_once('/').unwrap();
    let (base, bits): (Ipv4Addr, u32) = (base.parse().unwrap(), bits.parse().unwrap());
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(ip) & mask == u32::from(base) & mask
}

fn selector_matches(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let match_labels = selector["matchLabels"].as_object().into_iter().flatten();
    let labels_ok = match_labels
        .into_iter()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten();
    labels_ok
        && expressions.into_iter().all(|e| {
            let value = labels.get(e["key"].as_str().unwrap());
            let listed = |v: &String| {
                e["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x.as_str() == Some(v))
            };
            match e["operator"].as_str().unwrap() {
                "In" => value.is_some_and(listed),
                "NotIn" => !value.is_some_and(listed),
                "Exists" => value.is_some(),
                _ => value.is_none(),
            }
        })
}

fn namespace_labels(name: &str) -> BTreeMap<String, String> {
    let team = NAMESPACES.iter().find(|(n, _)| *n == name).unwrap().1;
    BTreeMap::from([
        ("team".to_string(), team.to_string()),
        ("kubernetes.io/metadata.name".to_string(), name.to_string()),
    ])
}

fn peer_matches(world: &World, policy_namespace: &str, peer: &Value, target: End) -> bool {
    if let Some(block) = peer.get("ipBlock") {
        let pod_target = matches!(target, End::Pod(_));
        if pod_target && !world.pod_blocks {
            return false;
        }
        let ip = ip_of(world, target);
        let excepted = block["except"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| in_cidr(ip, e.as_str().unwrap()));
        return in_cidr(ip, block["cidr"].as_str().unwrap()) && !excepted;
    }
    let End::Pod(i) = target else { return false };
    let pod = &world.pods[i];
    let namespace_ok = match peer.get("namespaceSelector") {
        None => pod.namespace == policy_namespace,
        Some(selector) => selector_matches(selector, &namespace_labels(pod.namespace)),
    };
    namespace_ok
        && peer
            .get("podSelector")
            .is_none_or(|s| selector_matches(s, &pod.labels))
}

fn port_matches(world: &World, port: &Value, server: End, protocol: &str, number: u16) -> bool {
    if port["protocol"].as_str().unwrap_or("TCP") != protocol {
        return false;
    }
    match &port["port"] {
        Value::Null => true,
        Value::Number(n) => {
            let first = n.as_u64().unwrap() as u16;
            let last = port["endPort"].as_u64().map_or(first, |e| e as u16);
            (first..=last).contains(&number)
        }
        Value::String(name) => match server {
            End::Pod(i) => world.pods[i]
                .ports
                .iter()
                .any(|(n, p, proto)| n == name && *p == number && *proto == protocol),
            End::Outside(_) => false,
        },
        other => panic!("port {other}"),
    }
}

/// Whether `policy` restricts `direction` ("Ingress"/"Egress"): its policyTypes, or by
/// default Ingress, and Egress when it has egress rules.
fn restricts(policy: &Value, direction: &str) -> bool {
    match policy["spec"]["policyTypes"].as_array() {
        Some(types) if !types.is_empty() => types.iter().any(|t| t == direction),
        _ => {
            direction == "Ingress"
                || policy["spec"]["egress"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty())
        }
    }
}

/// Whether `policies` let `client` reach `server` on `protocol`/`number`.
fn oracle(
    world: &World,
    policies: &[Value],
    (client, server, protocol, number): (End, End, &str, u16),
) -> bool {
    let side = |own: End, direction: &str, rules_key: &str, peers_key: &str, other: End| {
        let End::Pod(i) = own else { return true };
        let pod = &world.pods[i];
        let selecting: Vec<&Value> = policies
            .iter()
            .filter(|p| p["metadata"]["namespace"] == pod.namespace)
            .filter(|p| selector_matches(&p["spec"]["podSelector"], &pod.labels))
            .filter(|p| restricts(p, direction))
            .collect();
        selecting.is_empty()
            || selecting.iter().any(|p| {
                let namespace = p["metadata"]["namespace"].as_str().unwrap();
                p["spec"][rules_key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|rule| {
                        let peers_ok = match rule[peers_key].as_array() {
                            None => true,
                            Some(peers) if peers.is_empty() => true,
                            Some(peers) => peers
                                .iter()
                                .any(|peer| peer_matches(world, namespace, peer, other)),
                        };
                        let ports_ok = match rule["ports"].as_array() {
                            None => true,
                            Some(ports) if ports.is_empty() => true,
                            Some(ports) => ports
                                .iter()
                                .any(|port| port_matches(world, port, server, protocol, number)),
                        };
                        peers_ok && ports_ok
                    })
            })
    };
    side(client, "Egress", "egress", "to", server)
        && side(server, "Ingress", "ingress", "from", client)
}

// ---- The same world as flowpol's dataset. ----

fn dataset(world: &World) -> Dataset {
    let mut dataset = Dataset::default();
    for (index, pod) in world.pods.iter().enumerate() {
        let labels: Labels = pod
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        dataset.entities.push(Entity {
            owner: Owner {
                kind: EntityKind::Pod,
                namespace: pod.namespace.to_string(),
                name: format!("pod-{index}"),
            },
            cluster: None,
            selector: labels.clone(),
            selector_source: SelectorSource::Workload,
            pods: BTreeSet::from([format!("pod-{index}")]),
            addresses: BTreeSet::from([IpAddr::V4(pod.ip)]),
            label_sets: vec![labels.clone()],
            labels,
            ports: pod
                .ports
                .iter()
                .map(|&(name, port, protocol)| ContainerPort {
                    name: Some(name.to_string()),
                    port,
                    protocol: if protocol == "UDP" {
                        Protocol::Udp
                    } else {
                        Protocol::Tcp
                    },
                })
                .collect(),
            service_accounts: BTreeSet::new(),
            kind_inferred: false,
            host_network: false,
        });
    }
    for (name, team) in NAMESPACES {
        dataset.namespaces.insert(
            name.to_string(),
            Labels::from([("team".to_string(), team.to_string())]),
        );
    }
    for ip in OUTSIDE {
        dataset.addresses.push(Address {
            ip: IpAddr::from(ip),
            class: AddressClass::External,
            node: None,
            names: BTreeSet::new(),
            reserved: Vec::new(),
        });
    }
    let peer = |end: End| match end {
        End::Pod(i) => Peer::Entity(EntityId::new(i)),
        End::Outside(i) => Peer::Address(AddressId::new(i)),
    };
    for &(client, server, protocol, port) in &world.communications {
        dataset.communications.push(Communication {
            client: peer(client),
            server: peer(server),
            protocol: if protocol == "UDP" {
                Protocol::Udp
            } else {
                Protocol::Tcp
            },
            port,
            observed: ObservedCommunication::default(),
        });
    }
    dataset
}

fn read(policies: &[Value]) -> Vec<NetworkPolicy> {
    policies
        .iter()
        .map(|p| serde_json::from_value(p.clone()).unwrap_or_else(|e| panic!("{e}: {p}")))
        .collect()
}

/// The policies as the diff reads them: ipBlocks as Cilium does, or as Calico with `pod_blocks`.
fn reading(set: &[NetworkPolicy], pod_blocks: bool) -> Vec<AnyPolicy<'_>> {
    set.iter()
        .map(AnyPolicy::Kubernetes)
        .map(|p| if pod_blocks { p.with_pod_blocks() } else { p })
        .collect()
}

proptest! {
    #![proptest_config(crate::regressions::beside_the_source(ProptestConfig::with_cases(3000)))]

    #[test]
    fn every_verdict_before_and_after_is_the_reference_evaluators(world in world()) {
        let dataset = dataset(&world);
        let (current, proposed) = (read(&world.current), read(&world.proposed));
        let report = diff(
            &dataset,
            &reading(&current, world.pod_blocks),
            &reading(&proposed, world.pod_blocks),
            TimeWindow::ALL,
        );
        prop_assert_eq!(report.communications.len(), world.communications.len());
        for (row, &communication) in report.communications.iter().zip(&world.communications) {
            let before = oracle(&world, &world.current, communication);
            let after = oracle(&world, &world.proposed, communication);
            prop_assert_eq!(row.current.allowed(), before, "today, {:?}", communication);
            prop_assert_eq!(row.proposed.allowed(), after, "proposed, {:?}", communication);
            let change = match (before, after) {
                (true, false) => Change::WouldBreak,
                (false, true) => Change::WouldOpen,
                _ => Change::Unchanged,
            };
            prop_assert_eq!(row.change(), change);
            prop_assert_eq!(row.by.is_empty(), change == Change::Unchanged, "{}", row.by);
        }
    }
}
