//! From the review to NetworkPolicies: one policy per entity, selecting exactly its pods,
//! allowing exactly the included communications in the time window: each peer only the
//! ports and protocols it used (peers with identical port sets share a rule), pods by
//! selector (another namespace's as ONE peer with both selectors), aliased addresses by
//! `ipBlock`. What a policy cannot express is said in warnings, never papered over.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::decisions::{
    is_dns_server, Alias, Decisions, GeneralRule, DNS_LABEL, DNS_NAMESPACE,
};
use crate::engine::model::keys::API_SERVER;
use crate::engine::model::labels::{labels_text, LabelSelector, Labels, NAMESPACE_NAME_LABEL};
use crate::engine::model::network_policy::{
    EgressRule, IngressRule, IpBlock, NetworkPolicy, PolicyPeer, PolicyPort, PortValue,
};
use crate::engine::model::{Direction, EntityId, Protocol, TimeWindow};
use crate::engine::policy::names::{is_valid_label, policy_name};

/// The label flowpol puts on the policies it writes.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "flowpol");

/// The policy of one entity, or why there is none, with what it cannot express.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedPolicy {
    pub entity: EntityId,
    /// The cluster the policy is for, when the data spans several.
    pub cluster: Option<String>,
    /// `None` when no correct policy exists (see `warnings`).
    pub policy: Option<NetworkPolicy>,
    pub warnings: Vec<String>,
}

/// A port a peer used.
type PortKey = (Protocol, u16);

/// Each peer's selector, or why it cannot be selected.
type PeerSelectors = BTreeMap<EntityId, Result<Labels, String>>;

/// The peers of one direction, each with the ports it used (`None`: every port).
type Peers = BTreeMap<PolicyPeer, Option<BTreeSet<PortKey>>>;

/// Writes the policies of one review: the data, the decisions and the time window they share,
/// and each peer's selector, worked out once for all policies.
pub struct PolicyGenerator<'a> {
    dataset: &'a Dataset,
    decisions: &'a Decisions,
    window: TimeWindow,
    peer_selectors: PeerSelectors,
}

impl<'a> PolicyGenerator<'a> {
    pub fn new(dataset: &'a Dataset, decisions: &'a Decisions, window: TimeWindow) -> Self {
        PolicyGenerator {
            dataset,
            decisions,
            window,
            peer_selectors: PeerSelectors::new(),
        }
    }

    /// The policy of `entity`.
    pub fn policy(&mut self, entity: EntityId) -> GeneratedPolicy {
        let dataset = self.dataset;
        let mut warnings = Vec::new();
        let own = &dataset.entities[entity];
        let own_selector = usable_selector(dataset, entity, &mut warnings);
        if let Some(problem) = selector_problem(dataset, entity, &own_selector) {
            warnings.push(format!(
                "No policy for {}: {problem}",
                dataset.owner_key(entity)
            ));
            return GeneratedPolicy {
                entity,
                cluster: dataset.owner_key(entity).cluster,
                policy: None,
                warnings,
            };
        }
        let mut policy = NetworkPolicy::new(&own.owner.namespace, &policy_name(&own.owner));
        policy
            .metadata
            .labels
            .insert(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string());
        policy.spec.pod_selector = LabelSelector::of_labels(&own_selector);
        policy.spec.policy_types = Direction::BOTH
            .iter()
            .map(|d| d.as_str().to_string())
            .collect();
        let ingress = self.direction_rules(entity, Direction::Ingress, &mut warnings);
        let egress = self.direction_rules(entity, Direction::Egress, &mut warnings);
        policy.spec.ingress = (!ingress.is_empty()).then(|| {
            ingress
                .into_iter()
                .map(|(from, ports)| IngressRule { from, ports })
                .collect()
        });
        policy.spec.egress = (!egress.is_empty()).then(|| {
            egress
                .into_iter()
                .map(|(to, ports)| EgressRule { to, ports })
                .collect()
        });
        GeneratedPolicy {
            entity,
            cluster: dataset.owner_key(entity).cluster,
            policy: Some(policy),
            warnings,
        }
    }

    /// The rules of one direction, as its general rule says.
    fn direction_rules(
        &mut self,
        entity: EntityId,
        direction: Direction,
        warnings: &mut Vec<String>,
    ) -> Vec<Rule> {
        let dataset = self.dataset;
        let rule = self
            .decisions
            .general_rule(&dataset.owner_key(entity), direction);
        let mut peers = Peers::new();
        match rule {
            GeneralRule::BlockAll => return Vec::new(),
            GeneralRule::AllowAll => return vec![(None, None)],
            GeneralRule::AllowNamespace => {
                let everyone_here = PolicyPeer {
                    pod_selector: Some(LabelSelector::default()),
                    ..PolicyPeer::default()
                };
                peers.insert(everyone_here, None);
            }
            GeneralRule::PerRow => self.row_peers(entity, direction, &mut peers, warnings),
        }
        if direction == Direction::Egress && self.decisions.allow_dns {
            add_dns_peer(dataset, entity, &mut peers);
        } else if direction == Direction::Egress && !peers.is_empty() {
            warnings.extend(dns_warning(dataset, entity, &peers));
        }
        group_by_ports(peers)
    }

    /// The peers of the included communications of `entity` in `direction`, each with the
    /// ports it used.
    fn row_peers(
        &mut self,
        entity: EntityId,
        direction: Direction,
        peers: &mut Peers,
        warnings: &mut Vec<String>,
    ) {
        let (dataset, decisions) = (self.dataset, self.decisions);
        let own = &dataset.entities[entity];
        for communication in &dataset.communications {
            let (this_side, other_side) = communication.sides(direction);
            if this_side != Peer::Entity(entity) || !communication.seen_in(self.window) {
                continue;
            }
            if let Peer::Entity(other) = other_side {
                if dataset.across_clusters(entity, other)
                    && !decisions.can_include(dataset, communication)
                {
                    warnings.push(format!(
                        "{} {} not allowed: {} is in another cluster, which a NetworkPolicy \
                         cannot select; map its pods' addresses to an alias to allow it",
                        direction.as_str(),
                        dataset.describe(communication),
                        dataset.owner_key(other)
                    ));
                    continue;
                }
            }
            if !decisions.is_included(dataset, communication) {
                continue;
            }
            let policy_peers = match other_side {
                Peer::Entity(other_id) if dataset.across_clusters(entity, other_id) => {
                    match remote_peers(dataset, decisions, other_id, warnings) {
                        Some(peers) => peers,
                        None => {
                            warnings.push(format!(
                                "{} {} not allowed: {} is in another cluster, which a \
                                 NetworkPolicy cannot select; map its pods' addresses to an \
                                 alias to allow it",
                                direction.as_str(),
                                dataset.describe(communication),
                                dataset.owner_key(other_id)
                            ));
                            continue;
                        }
                    }
                }
                Peer::Entity(other_id) => {
                    let other = &dataset.entities[other_id];
                    let selector = match self
                        .peer_selectors
                        .entry(other_id)
                        .or_insert_with(|| peer_selector(dataset, other_id))
                    {
                        Ok(selector) => selector.clone(),
                        Err(problem) => {
                            warnings.push(format!(
                                "{} {} not allowed: {} cannot be selected: {problem}",
                                direction.as_str(),
                                dataset.describe(communication),
                                dataset.owner_key(other_id)
                            ));
                            continue;
                        }
                    };
                    vec![pod_peer(
                        &own.owner.namespace,
                        &other.owner.namespace,
                        &selector,
                    )]
                }
                Peer::Address(address) => {
                    let ip = &dataset.addresses[address].ip;
                    // Included rows with an address always have an alias (see `can_include`).
                    let Some(alias) = decisions.alias_of(ip) else {
                        continue;
                    };
                    vec![PolicyPeer {
                        ip_block: Some(alias_block(dataset, decisions, alias, warnings)),
                        ..PolicyPeer::default()
                    }]
                }
                Peer::ApiServer => api_server_peers(dataset, warnings),
            };
            if communication.port == 0 {
                continue;
            }
            for peer in policy_peers {
                peers
                    .entry(peer)
                    .or_insert_with(|| Some(BTreeSet::new()))
                    .get_or_insert_with(BTreeSet::new)
                    .insert((communication.protocol, communication.port));
            }
        }
    }
}

/// Why the entity's selector cannot be the policy's `podSelector`, if it cannot: it is empty
/// (it would pick every pod of the namespace), or it also picks another workload's pods.
fn selector_problem(dataset: &Dataset, entity: EntityId, selector: &Labels) -> Option<String> {
    let own = &dataset.entities[entity];
    if selector.is_empty() {
        return Some(format!(
            "its pods share no label, so no selector can pick them without picking every pod \
             of namespace {}",
            own.owner.namespace
        ));
    }
    let selector_labels = selector;
    let selector = LabelSelector::of_labels(selector_labels);
    let others: Vec<String> = dataset
        .entity_ids()
        .filter(|&id| {
            let other = &dataset.entities[id];
            id != entity
                && !dataset.across_clusters(id, entity)
                && other.owner.namespace == own.owner.namespace
                // Its pods' label sets: a selector its common labels match picks the first of
                // them too (an entity without pods has neither).
                && other.label_sets.iter().any(|pod| selector.matches(pod))
        })
        .map(|id| dataset.owner_key(id).to_string())
        .collect();
    (!others.is_empty()).then(|| {
        format!(
            "its selector {} also picks the pods of {}",
            labels_text(selector_labels),
            others.join(", ")
        )
    })
}

/// The entity's selector without labels the API server would reject (only hand-made data
/// carries them, and no real pod can), each left out with a warning.
fn usable_selector(dataset: &Dataset, entity: EntityId, warnings: &mut Vec<String>) -> Labels {
    let own = &dataset.entities[entity];
    let mut selector = own.selector.clone();
    selector.retain(|key, value| {
        let valid = is_valid_label(key, value);
        if !valid {
            warnings.push(format!(
                "The label {key}={value} of {} is not a valid Kubernetes label: it is left out \
                 of selectors",
                own.owner
            ));
        }
        valid
    });
    selector
}

/// The selector a peer is picked by, or why it cannot be picked.
fn peer_selector(dataset: &Dataset, entity: EntityId) -> Result<Labels, String> {
    let mut ignored = Vec::new();
    let selector = usable_selector(dataset, entity, &mut ignored);
    match selector_problem(dataset, entity, &selector) {
        Some(problem) => Err(problem),
        None => Ok(selector),
    }
}

/// The `ipBlock` of an alias: its CIDR, except the more specific aliases inside it (their
/// addresses get their own rules, so no port of one leaks to another) and the cluster's
/// ranges inside it (some CNIs match ipBlock against pod traffic). An alias inside a cluster
/// range is warned about, for the same reason.
fn alias_block(
    dataset: &Dataset,
    decisions: &Decisions,
    alias: &Alias,
    warnings: &mut Vec<String>,
) -> IpBlock {
    let inside = |net: &IpNet| *net != alias.cidr && alias.cidr.contains(net);
    let cluster_ranges = dataset
        .ranges
        .ranges
        .iter()
        .chain(&decisions.cluster_ranges);
    // A cluster range holding an address this alias names stays allowed: that address is
    // what the review included. With several clusters, so do the pod addresses of workloads
    // the alias maps (another cluster's pods, which no selector can pick).
    let entity_addresses = dataset
        .entities
        .iter()
        .filter(|_| dataset.spans_clusters())
        .flat_map(|entity| entity.addresses.iter());
    let named: Vec<std::net::IpAddr> = dataset
        .addresses
        .iter()
        .map(|a| &a.ip)
        .chain(entity_addresses)
        .filter(|ip| decisions.alias_of(ip).is_some_and(|x| x.cidr == alias.cidr))
        .filter_map(|ip| ip.parse().ok())
        .collect();
    let names_an_address_in = |range: &IpNet| named.iter().any(|ip| range.contains(ip));
    let mut except: Vec<IpNet> = decisions
        .aliases
        .iter()
        .map(|other| other.cidr)
        .chain(
            cluster_ranges
                .clone()
                .copied()
                .filter(|range| !names_an_address_in(range)),
        )
        .filter(inside)
        .collect();
    except.sort();
    except.dedup();
    // Only the outermost exceptions are needed.
    let outermost: Vec<IpNet> = except
        .iter()
        .filter(|net| {
            !except
                .iter()
                .any(|other| other != *net && other.contains(*net))
        })
        .copied()
        .collect();
    for range in cluster_ranges {
        if range.contains(&alias.cidr) {
            let warning = format!(
                "The alias {} ({}) lies inside the cluster range {range}: CNIs that apply \
                 ipBlock to pod traffic would let pods there through too",
                alias.name, alias.cidr
            );
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    }
    IpBlock {
        cidr: alias.cidr.to_string(),
        except: outermost.iter().map(ToString::to_string).collect(),
    }
}

/// A workload of another cluster as NetworkPolicy can name it: the `ipBlock`s of the aliases
/// covering its pods' addresses, or `None` when some address has none.
fn remote_peers(
    dataset: &Dataset,
    decisions: &Decisions,
    remote: EntityId,
    warnings: &mut Vec<String>,
) -> Option<Vec<PolicyPeer>> {
    let addresses = &dataset.entities[remote].addresses;
    let mut aliases: Vec<&Alias> = Vec::new();
    for ip in addresses {
        let alias = decisions.alias_of(ip)?;
        if !aliases.iter().any(|a| a.cidr == alias.cidr) {
            aliases.push(alias);
        }
    }
    (!aliases.is_empty()).then(|| {
        aliases
            .into_iter()
            .map(|alias| PolicyPeer {
                ip_block: Some(alias_block(dataset, decisions, alias, warnings)),
                ..PolicyPeer::default()
            })
            .collect()
    })
}

/// The API server as NetworkPolicy can name it: an `ipBlock` per address it was seen at (after
/// DNAT, so on its own port, 6443 usually), with a warning, since CNIs differ here.
fn api_server_peers(dataset: &Dataset, warnings: &mut Vec<String>) -> Vec<PolicyPeer> {
    let warning = if dataset.api_server.is_empty() {
        format!(
            "The {API_SERVER} was reached only through its Service, and its address is not \
             known: add it as an alias (or load an inventory with the kubernetes Endpoints)"
        )
    } else {
        format!(
            "The {API_SERVER} is allowed as ipBlock {}: some CNIs do not apply ipBlock to the \
             API server's traffic and need their own construct (Cilium: toEntities \
             kube-apiserver)",
            dataset
                .api_server
                .iter()
                .map(|ip| host_cidr(ip))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
    dataset
        .api_server
        .iter()
        .map(|ip| PolicyPeer {
            ip_block: Some(IpBlock {
                cidr: host_cidr(ip),
                except: Vec::new(),
            }),
            ..PolicyPeer::default()
        })
        .collect()
}

/// `ip/32` (or `/128`).
fn host_cidr(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(ip) => IpNet::from(ip).to_string(),
        Err(_) => ip.to_string(),
    }
}

/// Pods selected by `selector` in `peer_namespace`, seen from a policy in `policy_namespace`:
/// a `podSelector` alone in the same namespace, else ONE peer with both selectors (AND).
fn pod_peer(policy_namespace: &str, peer_namespace: &str, selector: &Labels) -> PolicyPeer {
    let namespace_selector = (policy_namespace != peer_namespace).then(|| {
        LabelSelector::of_labels(&Labels::from([(
            NAMESPACE_NAME_LABEL.to_string(),
            peer_namespace.to_string(),
        )]))
    });
    PolicyPeer {
        namespace_selector,
        pod_selector: Some(LabelSelector::of_labels(selector)),
        ip_block: None,
    }
}

/// A warning when egress is restricted and allows no DNS: the pods may fail to resolve
/// names.
fn dns_warning(dataset: &Dataset, entity: EntityId, peers: &Peers) -> Option<String> {
    let reaches_dns = peers.values().any(|ports| match ports {
        None => true,
        Some(ports) => ports.iter().any(|&(_, port)| port == 53),
    });
    (!reaches_dns).then(|| {
        format!(
            "{} may not resolve names: its egress allows no DNS (port 53). Turn on the DNS \
             option if it looks names up.",
            dataset.owner_key(entity)
        )
    })
}

/// Adds UDP and TCP 53 to the cluster DNS pods: the entity labelled `k8s-app=kube-dns` in
/// kube-system when the data has it, else that label in kube-system.
fn add_dns_peer(dataset: &Dataset, entity: EntityId, peers: &mut Peers) {
    let dns_selector = dataset
        .entity_ids()
        .find(|&id| is_dns_server(dataset, Peer::Entity(id)))
        .map(|id| dataset.entities[id].selector.clone())
        .filter(|selector| !selector.is_empty())
        .unwrap_or_else(|| Labels::from([(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())]));
    let peer = pod_peer(
        &dataset.entities[entity].owner.namespace,
        DNS_NAMESPACE,
        &dns_selector,
    );
    if let Some(ports) = peers.entry(peer).or_insert_with(|| Some(BTreeSet::new())) {
        ports.insert((Protocol::Udp, 53));
        ports.insert((Protocol::Tcp, 53));
    }
}

/// A rule's peers and ports (`None`: any).
type Rule = (Option<Vec<PolicyPeer>>, Option<Vec<PolicyPort>>);

/// Rules from peers: peers with identical port sets share a rule, never more. `None` ports
/// mean every port. Rules come in the order of their port sets, peers sorted within.
fn group_by_ports(peers: Peers) -> Vec<Rule> {
    let mut by_ports: BTreeMap<Option<BTreeSet<PortKey>>, Vec<PolicyPeer>> = BTreeMap::new();
    for (peer, ports) in peers {
        by_ports.entry(ports).or_default().push(peer);
    }
    by_ports
        .into_iter()
        .map(|(ports, peers)| {
            let ports = ports.map(|ports| {
                ports
                    .into_iter()
                    .map(|(protocol, port)| PolicyPort {
                        protocol: Some(protocol.as_k8s().to_string()),
                        port: Some(PortValue::Number(i64::from(port))),
                        end_port: None,
                    })
                    .collect()
            });
            (Some(peers), ports)
        })
        .collect()
}
