//! [`PolicyRules`] written as a CiliumNetworkPolicy (`cilium.io/v2`): pods as endpoint
//! selectors (another namespace's with `k8s:io.kubernetes.pod.namespace`, another cluster's
//! with `io.cilium.k8s.policy.cluster`), the API server as the `kube-apiserver` entity, nodes
//! as `host` and `remote-node`, an alias of everything outside the cluster as `world`, other
//! aliases as CIDR sets. Cilium allows one kind of peer per rule, so peers with identical port
//! sets share a rule per kind. A direction is listed always: `[{}]` when nothing is allowed
//! (Cilium's default deny once a direction has a rule), `all` when everything is.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::decisions::DNS_NAMESPACE;
use crate::engine::l7::PatternRule;
use crate::engine::model::cilium_policy::{
    CidrRule, CiliumNetworkPolicy, CiliumPort, CiliumRule, FqdnSelector, L7Rules, PortRule,
    CILIUM_CLUSTER_LABEL, CILIUM_NAMESPACE_LABEL, CILIUM_SERVICE_ACCOUNT_LABEL,
};
use crate::engine::model::labels::{LabelSelector, Labels};
use crate::engine::model::network_policy::IpBlock;
use crate::engine::model::Direction;
use crate::engine::model::Protocol;
use crate::engine::policy::l7_rules::{l7_rules, L7Allowed};
use crate::engine::policy::names::MANAGED_BY;
use crate::engine::policy::rules::{
    by_port_set, written_as, DirectionRules, PolicyRules, PortAllowances, PortKey, RulePeer,
};

/// The most ports Cilium's CRD takes in one `toPorts` entry.
const MAX_PORTS_PER_ENTRY: usize = 40;

/// A peer as Cilium names it; the order is the order of rules with equal ports.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum CiliumPeer {
    Endpoints(LabelSelector),
    Entity(&'static str),
    Cidr(CidrRule),
    Fqdn(FqdnSelector),
}

/// The kind of a peer: one kind per rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PeerKind {
    Endpoints,
    Entities,
    Cidr,
    Fqdn,
}

impl CiliumPeer {
    fn kind(&self) -> PeerKind {
        match self {
            CiliumPeer::Endpoints(_) => PeerKind::Endpoints,
            CiliumPeer::Entity(_) => PeerKind::Entities,
            CiliumPeer::Cidr(_) => PeerKind::Cidr,
            CiliumPeer::Fqdn(_) => PeerKind::Fqdn,
        }
    }
}

/// The CiliumNetworkPolicy of `rules`.
pub fn cilium_policy(rules: &PolicyRules) -> CiliumNetworkPolicy {
    let labels = Labels::from([(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string())]);
    let mut policy = CiliumNetworkPolicy::new(
        &rules.namespace,
        &rules.name,
        labels,
        LabelSelector::of_labels(rules.cilium_selector.as_ref().unwrap_or(&rules.selector)),
    );
    policy.spec.ingress = Some(direction(
        rules,
        (&rules.ingress, &rules.ingress_l7),
        Direction::Ingress,
    ));
    policy.spec.egress = Some(direction(
        rules,
        (&rules.egress, &rules.egress_l7),
        Direction::Egress,
    ));
    policy
}

/// Per Cilium peer and port, the L7 rules that restrict it: a port some review peer written
/// as that Cilium peer allows without L7 rules lets every request through, and is left out.
fn restricted_ports(
    policy: &PolicyRules,
    peers: &BTreeMap<RulePeer, Option<BTreeSet<PortKey>>>,
    l7: &PortAllowances,
) -> BTreeMap<(CiliumPeer, PortKey), BTreeSet<PatternRule>> {
    if l7.0.is_empty() {
        return BTreeMap::new();
    }
    let mut allowed: BTreeMap<(CiliumPeer, PortKey), L7Allowed> = BTreeMap::new();
    let mut every_port: BTreeSet<CiliumPeer> = BTreeSet::new();
    for (peer, ports) in peers {
        for written in cilium_peers(&policy.namespace, policy.cluster.as_deref(), peer) {
            let Some(ports) = ports else {
                every_port.insert(written);
                continue;
            };
            for &port in ports {
                let this =
                    l7.0.get(&(peer.clone(), port))
                        .cloned()
                        .unwrap_or(L7Allowed::Any);
                let merged = match allowed.remove(&(written.clone(), port)) {
                    None => this,
                    Some(mine) => mine.union(this),
                };
                allowed.insert((written.clone(), port), merged);
            }
        }
    }
    allowed
        .into_iter()
        .filter(|((peer, _), _)| !every_port.contains(peer))
        .filter_map(|(key, allowed)| match allowed {
            L7Allowed::Only(rules) if !rules.is_empty() => Some((key, rules)),
            _ => None,
        })
        .collect()
}

/// The rules of one direction.
fn direction(
    policy: &PolicyRules,
    (rules, l7): (&DirectionRules, &PortAllowances),
    direction: Direction,
) -> Vec<CiliumRule> {
    let Some(peers) = rules.peers() else {
        return vec![rule(
            direction,
            PeerKind::Entities,
            vec![CiliumPeer::Entity("all")],
            None,
        )];
    };
    let mut written = written_as(peers, |peer| {
        cilium_peers(&policy.namespace, policy.cluster.as_deref(), peer)
    });
    if written.is_empty() {
        return vec![CiliumRule::default()];
    }
    let mut restricted = restricted_ports(policy, peers, l7);
    // A port with L7 rules gets a rule of its own: it leaves the peer's port set.
    for (peer, port) in restricted.keys() {
        if let Some(Some(ports)) = written.get_mut(peer) {
            ports.remove(port);
            if ports.is_empty() {
                written.remove(peer);
            }
        }
    }
    let mut out = Vec::new();
    // Names are matched on the answers Cilium's DNS proxy sees: the DNS pods get a rule of
    // their own that sends lookups through it.
    let names_used = written.keys().any(|p| p.kind() == PeerKind::Fqdn);
    if names_used {
        let dns = cilium_peers(
            &policy.namespace,
            policy.cluster.as_deref(),
            &RulePeer::Pods {
                namespace: DNS_NAMESPACE.to_string(),
                selector: policy.dns_selector.clone(),
            },
        );
        // Its lookups go through the DNS rule; any other port it was reached on stays.
        let mut lookups: Option<BTreeSet<PatternRule>> = Some(BTreeSet::new());
        for peer in &dns {
            let was_restricted = [Protocol::Udp, Protocol::Tcp]
                .map(|protocol| restricted.remove(&(peer.clone(), (protocol, 53))));
            if let Some(Some(ports)) = written.get_mut(peer) {
                // A port 53 allowed with no L7 rule: every name.
                if ports.iter().any(|&(_, port)| port == 53) {
                    lookups = None;
                }
                ports.retain(|&(_, port)| port != 53);
                if ports.is_empty() {
                    written.remove(peer);
                }
            }
            if let Some(names) = &mut lookups {
                if was_restricted.iter().all(Option::is_none) {
                    lookups = None;
                } else {
                    names.extend(was_restricted.into_iter().flatten().flatten());
                }
            }
        }
        let fqdns = written.keys().filter_map(|peer| match peer {
            CiliumPeer::Fqdn(selector) => Some(selector.clone()),
            _ => None,
        });
        let names = lookups.map(|names| {
            let mut selectors = l7_rules(&names).dns;
            selectors.extend(fqdns);
            selectors.sort();
            selectors.dedup();
            selectors
        });
        out.push(dns_rule(dns, names));
    }
    for (ports, peers) in by_port_set(written) {
        let mut by_kind: BTreeMap<PeerKind, Vec<CiliumPeer>> = BTreeMap::new();
        for peer in peers {
            by_kind.entry(peer.kind()).or_default().push(peer);
        }
        for (kind, peers) in by_kind {
            out.push(rule(direction, kind, peers, ports.as_ref()));
        }
    }
    // Peers on one port with the same L7 rules share a rule, one kind of peer per rule.
    let mut by_rules: BTreeMap<(PortKey, BTreeSet<PatternRule>, PeerKind), Vec<CiliumPeer>> =
        BTreeMap::new();
    for ((peer, port), rules) in restricted {
        by_rules
            .entry((port, rules, peer.kind()))
            .or_default()
            .push(peer);
    }
    for ((port, rules, kind), peers) in by_rules {
        let mut written = rule(direction, kind, peers, Some(&BTreeSet::from([port])));
        if let Some(entry) = written.to_ports.as_mut().and_then(|p| p.first_mut()) {
            entry.rules = Some(l7_rules(&rules));
        }
        out.push(written);
    }
    out
}

/// One rule: `peers` (all of `kind`) on `ports` (every port when `None`).
fn rule(
    direction: Direction,
    kind: PeerKind,
    peers: Vec<CiliumPeer>,
    ports: Option<&BTreeSet<PortKey>>,
) -> CiliumRule {
    let mut selectors = Vec::new();
    let mut entities: Vec<String> = Vec::new();
    let mut cidrs = Vec::new();
    let mut names = Vec::new();
    for peer in peers {
        match peer {
            CiliumPeer::Endpoints(selector) => selectors.push(selector),
            CiliumPeer::Entity(entity) => entities.push(entity.to_string()),
            CiliumPeer::Cidr(cidr) => cidrs.push(cidr),
            CiliumPeer::Fqdn(name) => names.push(name),
        }
    }
    // Cilium takes at most 40 ports in one `toPorts` entry.
    let to_ports = ports.map(|ports| {
        let ports: Vec<CiliumPort> = ports
            .iter()
            .map(|&(protocol, port)| CiliumPort {
                port: port.to_string(),
                end_port: None,
                protocol: protocol.as_k8s().to_string(),
            })
            .collect();
        ports
            .chunks(MAX_PORTS_PER_ENTRY)
            .map(|chunk| PortRule {
                ports: chunk.to_vec(),
                rules: None,
            })
            .collect()
    });
    let (endpoints, entities, cidrs) = (
        (kind == PeerKind::Endpoints).then_some(selectors),
        (kind == PeerKind::Entities).then_some(entities),
        (kind == PeerKind::Cidr).then_some(cidrs),
    );
    match direction {
        Direction::Ingress => CiliumRule {
            from_endpoints: endpoints,
            from_entities: entities,
            from_cidr_set: cidrs,
            to_ports,
            ..CiliumRule::default()
        },
        Direction::Egress => CiliumRule {
            to_endpoints: endpoints,
            to_entities: entities,
            to_cidr_set: cidrs,
            to_fqdns: (kind == PeerKind::Fqdn).then_some(names),
            to_ports,
            ..CiliumRule::default()
        },
    }
}

/// Egress to the cluster DNS pods on UDP and TCP 53, every lookup through Cilium's DNS proxy
/// (`matchPattern: "*"`, or only `names` when L7 rules restrict them), so that `toFQDNs`
/// learns the addresses of the names allowed.
fn dns_rule(dns: Vec<CiliumPeer>, names: Option<Vec<FqdnSelector>>) -> CiliumRule {
    let port = |protocol: Protocol| CiliumPort {
        port: "53".to_string(),
        end_port: None,
        protocol: protocol.as_k8s().to_string(),
    };
    CiliumRule {
        to_endpoints: Some(
            dns.into_iter()
                .filter_map(|peer| match peer {
                    CiliumPeer::Endpoints(selector) => Some(selector),
                    _ => None,
                })
                .collect(),
        ),
        to_ports: Some(vec![PortRule {
            ports: vec![port(Protocol::Tcp), port(Protocol::Udp)],
            rules: Some(L7Rules {
                dns: names.unwrap_or_else(|| {
                    vec![FqdnSelector {
                        match_name: None,
                        match_pattern: Some("*".to_string()),
                    }]
                }),
                ..L7Rules::default()
            }),
        }]),
        ..CiliumRule::default()
    }
}

/// How Cilium names `peer`, seen from a policy in `namespace`.
fn cilium_peers(namespace: &str, cluster: Option<&str>, peer: &RulePeer) -> Vec<CiliumPeer> {
    let in_cluster = |mut labels: Labels| {
        if let Some(cluster) = cluster {
            labels.insert(CILIUM_CLUSTER_LABEL.to_string(), cluster.to_string());
        }
        CiliumPeer::Endpoints(LabelSelector::of_labels(&labels))
    };
    let cidr = |block: &IpBlock| {
        CiliumPeer::Cidr(CidrRule {
            cidr: block.cidr.clone(),
            except: block.except.clone(),
        })
    };
    match peer {
        RulePeer::Pods {
            namespace: peer_namespace,
            selector,
        } => {
            let mut labels = selector.clone();
            if peer_namespace != namespace {
                labels.insert(CILIUM_NAMESPACE_LABEL.to_string(), peer_namespace.clone());
            }
            vec![in_cluster(labels)]
        }
        RulePeer::OwnNamespace => vec![in_cluster(Labels::new())],
        RulePeer::ServiceAccount {
            namespace: peer_namespace,
            account,
            ..
        } => {
            let mut labels =
                Labels::from([(CILIUM_SERVICE_ACCOUNT_LABEL.to_string(), account.clone())]);
            if peer_namespace != namespace {
                labels.insert(CILIUM_NAMESPACE_LABEL.to_string(), peer_namespace.clone());
            }
            vec![in_cluster(labels)]
        }
        RulePeer::RemotePods {
            cluster,
            namespace: peer_namespace,
            selector: Some(selector),
            ..
        } => {
            let mut labels = selector.clone();
            labels.insert(CILIUM_NAMESPACE_LABEL.to_string(), peer_namespace.clone());
            labels.insert(CILIUM_CLUSTER_LABEL.to_string(), cluster.clone());
            vec![CiliumPeer::Endpoints(LabelSelector::of_labels(&labels))]
        }
        RulePeer::RemotePods { blocks, .. } => blocks.iter().map(cidr).collect(),
        RulePeer::Block(block) => vec![cidr(block)],
        RulePeer::World(_) => vec![CiliumPeer::Entity("world")],
        RulePeer::Nodes(_) => vec![
            CiliumPeer::Entity("host"),
            CiliumPeer::Entity("remote-node"),
        ],
        RulePeer::ApiServer(_) => vec![CiliumPeer::Entity("kube-apiserver")],
        RulePeer::Fqdn(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            vec![CiliumPeer::Fqdn(if name.contains('*') {
                FqdnSelector {
                    match_name: None,
                    match_pattern: Some(name),
                }
            } else {
                FqdnSelector {
                    match_name: Some(name),
                    match_pattern: None,
                }
            })]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(egress: DirectionRules) -> PolicyRules {
        PolicyRules {
            namespace: "shop".into(),
            name: "web-deployment".into(),
            cluster: None,
            selector: Labels::from([("app".to_string(), "web".to_string())]),
            cilium_selector: None,
            dns_selector: Labels::from([("k8s-app".to_string(), "kube-dns".to_string())]),
            ingress: DirectionRules::none(),
            egress,
            ingress_l7: Default::default(),
            egress_l7: Default::default(),
        }
    }

    #[test]
    fn more_than_forty_ports_take_several_entries() {
        let mut egress = DirectionRules::none();
        for port in 1000..1045 {
            egress.allow(
                RulePeer::World(IpBlock::default()),
                Some((Protocol::Tcp, port)),
            );
        }
        let policy = cilium_policy(&rules(egress));
        let egress = policy.spec.egress.unwrap();
        let entries = egress[0].to_ports.as_ref().unwrap();
        assert_eq!(
            entries.iter().map(|e| e.ports.len()).collect::<Vec<_>>(),
            [40, 5]
        );
    }

    #[test]
    fn the_dns_pods_keep_their_other_ports_when_names_are_used() {
        let mut egress = DirectionRules::none();
        egress.allow(
            RulePeer::Fqdn("api.example.com".into()),
            Some((Protocol::Tcp, 443)),
        );
        let dns = RulePeer::Pods {
            namespace: DNS_NAMESPACE.into(),
            selector: Labels::from([("k8s-app".to_string(), "kube-dns".to_string())]),
        };
        egress.allow(dns.clone(), Some((Protocol::Udp, 53)));
        egress.allow(dns, Some((Protocol::Tcp, 9153)));
        let egress = cilium_policy(&rules(egress)).spec.egress.unwrap();
        assert!(
            egress[0].to_ports.as_ref().unwrap()[0].rules.is_some(),
            "{egress:?}"
        );
        let metrics: Vec<_> = egress
            .iter()
            .filter(|r| r.to_endpoints.is_some())
            .flat_map(|r| r.to_ports.iter().flatten().flat_map(|p| p.ports.iter()))
            .map(|p| p.port.as_str())
            .collect();
        assert!(metrics.contains(&"9153"), "{egress:?}");
        assert_eq!(
            metrics.iter().filter(|p| **p == "53").count(),
            2,
            "TCP and UDP, once"
        );
    }
}
