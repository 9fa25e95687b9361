//! Replays the communications in scope through policies: each row allowed or denied, against
//! what the review decided (for generated policies) or against "everything observed should
//! still work" (for existing policies).

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::dataset::{Communication, Dataset, Peer};
use crate::engine::decisions::Decisions;
use crate::engine::model::address::AddressClass;
use crate::engine::model::l7::L7Request;
use crate::engine::model::labels::LabelSelector;
use crate::engine::model::labels::{Labels, NAMESPACE_NAME_LABEL};
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::model::{CommunicationId, Direction, EntityId, Protocol, TimeWindow};
use crate::engine::units::thousands;
use crate::engine::verify::endpoint::Endpoint;
use crate::engine::verify::evaluate::{
    evaluate_any, evaluate_request, AnyPolicy, SideVerdict, Verdict,
};

/// The outcome for one communication.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RowVerdict {
    pub communication: CommunicationId,
    pub verdict: Verdict,
    /// Whether the review wants it allowed.
    pub expected: bool,
}

impl RowVerdict {
    pub fn agrees(&self) -> bool {
        self.verdict.allowed() == self.expected
    }
}

/// Every row and the counts of the summary.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub rows: Vec<RowVerdict>,
}

impl Report {
    /// Rows the review includes that the policies deny.
    pub fn included_denied(&self) -> impl Iterator<Item = &RowVerdict> {
        self.rows
            .iter()
            .filter(|r| r.expected && !r.verdict.allowed())
    }

    /// Rows the review excludes that the policies still allow.
    pub fn excluded_allowed(&self) -> impl Iterator<Item = &RowVerdict> {
        self.rows
            .iter()
            .filter(|r| !r.expected && r.verdict.allowed())
    }

    pub fn all_agree(&self) -> bool {
        self.rows.iter().all(RowVerdict::agrees)
    }

    /// "all 42 included communications allowed, all 3 excluded denied", or the mismatches.
    pub fn summary(&self) -> String {
        let included = self.rows.iter().filter(|r| r.expected).count();
        let excluded = self.rows.len() - included;
        let included_denied = self.included_denied().count();
        let excluded_allowed = self.excluded_allowed().count();
        let count = |n: usize| thousands(n as u64);
        let included_part = match (included, included_denied) {
            (0, _) => "no included communication".to_string(),
            (1, 0) => "the 1 included communication allowed".to_string(),
            (n, 0) => format!("all {} included communications allowed", count(n)),
            (n, d) => format!(
                "{} of {} included communications DENIED",
                count(d),
                count(n)
            ),
        };
        let excluded_part = match (excluded, excluded_allowed) {
            (0, _) => "none excluded".to_string(),
            (1, 0) => "the 1 excluded denied".to_string(),
            (n, 0) => format!("all {} excluded denied", count(n)),
            (n, a) => format!("{} of {} excluded still ALLOWED", count(a), count(n)),
        };
        format!("{included_part}, {excluded_part}")
    }
}

/// How policies see the data: the labels of every namespace (with the
/// `kubernetes.io/metadata.name` label Kubernetes adds), and each entity's distinct pod label
/// sets, reduced to the label keys the policies' selectors read (a rollout's or a canary's
/// pods differ in labels; a policy may select some of them and not the others).
pub(crate) struct PolicyView<'p> {
    namespaces: BTreeMap<String, Labels>,
    /// The label keys the policies' selectors read.
    keys: BTreeSet<&'p str>,
    /// Per entity, the label sets of its pods that policies can tell apart (made on first
    /// use: a replay of one workload's rows needs a few).
    pod_labels: Vec<std::cell::OnceCell<Vec<Labels>>>,
    /// Per entity, its pods' addresses, for policies of another cluster (made on first use).
    addresses: Vec<std::cell::OnceCell<Vec<std::net::IpAddr>>>,
}

/// The label keys any selector of `policies` reads.
fn selector_keys<'p>(policies: &[Placed<'p>]) -> BTreeSet<&'p str> {
    let mut keys = BTreeSet::new();
    // Cilium's selectors may name a label with its source (`k8s:app`).
    let plain = |key: &'p str| {
        key.strip_prefix("k8s:")
            .or(key.strip_prefix("any:"))
            .unwrap_or(key)
    };
    let mut add = |selector: &'p LabelSelector| {
        keys.extend(selector.match_labels.keys().map(|k| plain(k)));
        keys.extend(selector.match_expressions.iter().map(|r| plain(&r.key)));
    };
    for (_, policy) in policies {
        let policy = match policy {
            AnyPolicy::Kubernetes(policy) | AnyPolicy::KubernetesPodBlocks(policy) => policy,
            AnyPolicy::Cilium(policy) => {
                add(&policy.spec.endpoint_selector);
                for rule in policy
                    .spec
                    .ingress
                    .iter()
                    .chain(&policy.spec.egress)
                    .flatten()
                {
                    for selector in rule
                        .from_endpoints
                        .iter()
                        .chain(&rule.to_endpoints)
                        .flatten()
                    {
                        add(selector);
                    }
                }
                continue;
            }
        };
        add(&policy.spec.pod_selector);
        let ingress_peers = policy
            .spec
            .ingress
            .iter()
            .flatten()
            .flat_map(|r| r.from.iter().flatten());
        let egress_peers = policy
            .spec
            .egress
            .iter()
            .flatten()
            .flat_map(|r| r.to.iter().flatten());
        for peer in ingress_peers.chain(egress_peers) {
            if let Some(selector) = &peer.pod_selector {
                add(selector);
            }
        }
    }
    keys
}

impl<'p> PolicyView<'p> {
    pub(crate) fn of(dataset: &Dataset, policies: &[Placed<'p>]) -> PolicyView<'p> {
        let mut namespaces = dataset.namespaces.clone();
        for entity in &dataset.entities {
            namespaces
                .entry(entity.owner.namespace.clone())
                .or_default();
        }
        for (name, labels) in &mut namespaces {
            labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.clone());
        }
        PolicyView {
            namespaces,
            keys: selector_keys(policies),
            pod_labels: (0..dataset.entities.len())
                .map(|_| std::cell::OnceCell::new())
                .collect(),
            addresses: (0..dataset.entities.len())
                .map(|_| std::cell::OnceCell::new())
                .collect(),
        }
    }

    /// `entity`'s pods' addresses.
    fn addresses(&self, dataset: &Dataset, entity: EntityId) -> &[std::net::IpAddr] {
        self.addresses[entity.index()]
            .get_or_init(|| dataset.entities[entity].addresses.iter().copied().collect())
    }

    /// The label sets of `entity`'s pods that the policies tell apart.
    fn pod_labels(&self, dataset: &Dataset, entity: EntityId) -> &[Labels] {
        self.pod_labels[entity.index()].get_or_init(|| {
            let entity = &dataset.entities[entity];
            let sets = if entity.label_sets.is_empty() {
                std::slice::from_ref(&entity.labels)
            } else {
                &entity.label_sets[..]
            };
            let mut seen: Vec<Labels> = sets
                .iter()
                .map(|labels| {
                    labels
                        .iter()
                        .filter(|(key, _)| self.keys.contains(key.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .collect();
            seen.sort();
            seen.dedup();
            seen
        })
    }

    /// How policies see `peer`: its pods (one per label set policies tell apart; seen from
    /// another cluster's policies when `remote`; a host-network workload's are its nodes'
    /// addresses), a node's address or another address; the API server is each of its
    /// addresses.
    fn endpoints<'a>(
        &'a self,
        dataset: &'a Dataset,
        peer: Peer,
        remote: bool,
    ) -> Vec<Endpoint<'a>> {
        match peer {
            // Pods in their node's network are their node to every policy: no selector picks
            // them, no policy isolates them, an ipBlock (or Cilium's node entities) of the
            // node's address names them.
            Peer::Entity(id)
                if dataset.entities[id].host_network
                    && !dataset.entities[id].addresses.is_empty() =>
            {
                dataset.entities[id]
                    .addresses
                    .iter()
                    .map(|&ip| Endpoint::Node(ip))
                    .collect()
            }
            Peer::Entity(id) => {
                let entity = &dataset.entities[id];
                let namespace_labels = self
                    .namespaces
                    .get(&entity.owner.namespace)
                    .unwrap_or(&EMPTY);
                self.pod_labels(dataset, id)
                    .iter()
                    .map(|labels| Endpoint::Pod {
                        namespace: &entity.owner.namespace,
                        labels,
                        namespace_labels,
                        ports: &entity.ports,
                        cluster: entity.cluster.as_deref(),
                        service_account: match entity.service_accounts.len() {
                            1 => entity.service_accounts.first().map(String::as_str),
                            _ => None,
                        },
                        addresses: self.addresses(dataset, id),
                        remote,
                    })
                    .collect()
            }
            Peer::Address(id) => {
                let address = &dataset.addresses[id];
                let ip = address.ip;
                vec![match address.class {
                    AddressClass::Node => Endpoint::Node(ip),
                    _ if !address.names.is_empty() => Endpoint::Named(ip, &address.names),
                    _ => Endpoint::Address(ip),
                }]
            }
            Peer::ApiServer if dataset.api_server.is_empty() => vec![Endpoint::ApiServer(None)],
            Peer::ApiServer => dataset
                .api_server
                .iter()
                .map(|&ip| Endpoint::ApiServer(Some(ip)))
                .collect(),
        }
    }

    /// The verdict for `client` to `server`: egress under the client's cluster's policies,
    /// ingress under the server's, each seeing a workload of another cluster as remote pods
    /// (NetworkPolicy names them by their addresses); on every address an end has (the API
    /// server has several), denied on a side when denied for any.
    fn evaluate(
        &self,
        dataset: &Dataset,
        policies: &[Placed<'_>],
        ends: (Peer, Peer),
        protocol: Protocol,
        port: u16,
    ) -> Verdict {
        self.evaluate_request(dataset, policies, ends, (protocol, port), None)
    }

    /// [`PolicyView::evaluate`] for one request made on the connection.
    pub(crate) fn evaluate_request(
        &self,
        dataset: &Dataset,
        policies: &[Placed<'_>],
        (client, server): (Peer, Peer),
        (protocol, port): (Protocol, u16),
        request: Option<&L7Request>,
    ) -> Verdict {
        let across = match (client, server) {
            (Peer::Entity(a), Peer::Entity(b)) => dataset.across_clusters(a, b),
            _ => false,
        };
        let egress_policies = of_cluster(dataset, policies, client);
        let ingress_policies = of_cluster(dataset, policies, server);
        let (clients, servers) = (
            self.endpoints(dataset, client, false),
            self.endpoints(dataset, server, across),
        );
        let egress = first_denial(clients.iter().flat_map(|from| {
            servers.iter().map(|to| {
                evaluate_request(&egress_policies, from, to, (protocol, port), request).egress
            })
        }));
        let (clients, servers) = (
            self.endpoints(dataset, client, across),
            self.endpoints(dataset, server, false),
        );
        let ingress = first_denial(clients.iter().flat_map(|from| {
            servers.iter().map(|to| {
                evaluate_request(&ingress_policies, from, to, (protocol, port), request).ingress
            })
        }));
        Verdict { egress, ingress }
    }
}

/// A policy of either kind and the cluster it is written for (`None`: every cluster).
pub type Placed<'a> = (Option<&'a str>, AnyPolicy<'a>);

/// NetworkPolicies for every cluster.
fn everywhere(policies: &[NetworkPolicy]) -> Vec<Placed<'_>> {
    policies
        .iter()
        .map(|p| (None, AnyPolicy::Kubernetes(p)))
        .collect()
}

/// The policies that apply to `peer`'s pods: those of its cluster.
fn of_cluster<'a>(dataset: &Dataset, policies: &[Placed<'a>], peer: Peer) -> Vec<AnyPolicy<'a>> {
    let cluster = match peer {
        Peer::Entity(id) if dataset.spans_clusters() => dataset.entities[id].cluster.as_deref(),
        _ => None,
    };
    policies
        .iter()
        .filter(|(of, _)| of.is_none() || cluster.is_none() || *of == cluster)
        .map(|(_, policy)| *policy)
        .collect()
}

static EMPTY: Labels = Labels::new();

/// The communications of `scope` (as client or server) seen in `window`.
pub fn communications_in_scope(
    dataset: &Dataset,
    scope: &[EntityId],
    window: TimeWindow,
) -> Vec<CommunicationId> {
    let scope: BTreeSet<EntityId> = scope.iter().copied().collect();
    let touches = |peer: Peer| matches!(peer, Peer::Entity(id) if scope.contains(&id));
    dataset
        .communications_with_ids()
        .filter(|(_, c)| (touches(c.client) || touches(c.server)) && c.seen_in(window))
        .map(|(id, _)| id)
        .collect()
}

/// Whether the review lets `communication` through, given that only the entities of `scope`
/// get policies.
pub(crate) fn review_allows(
    dataset: &Dataset,
    decisions: &Decisions,
    scope: &BTreeSet<EntityId>,
    communication: &Communication,
) -> bool {
    let decided = |peer: Peer| matches!(peer, Peer::Entity(id) if scope.contains(&id));
    (!decided(communication.client)
        || decisions.side_allows(dataset, communication, Direction::Egress))
        && (!decided(communication.server)
            || decisions.side_allows(dataset, communication, Direction::Ingress))
}

/// Replays the communications of `scope` through policies generated for `scope`, expecting
/// exactly what the review decided. The policies apply in every cluster; see
/// [`verify_placed`] for policies of several clusters.
pub fn verify_generated(
    dataset: &Dataset,
    decisions: &Decisions,
    policies: &[NetworkPolicy],
    scope: &[EntityId],
    window: TimeWindow,
) -> Report {
    let placed = everywhere(policies);
    verify_placed(dataset, decisions, &placed, scope, window)
}

/// Replays the communications of `scope` through policies generated for `scope`, each for
/// its cluster, expecting exactly what the review decided.
pub fn verify_placed(
    dataset: &Dataset,
    decisions: &Decisions,
    policies: &[Placed<'_>],
    scope: &[EntityId],
    window: TimeWindow,
) -> Report {
    let in_scope: BTreeSet<EntityId> = scope.iter().copied().collect();
    replay(
        dataset,
        policies,
        communications_in_scope(dataset, scope, window),
        |c| review_allows(dataset, decisions, &in_scope, c),
    )
}

/// Replays the communications seen in `window` (of `scope` only, when given) through existing
/// policies, expecting each to be allowed (they were observed, so the cluster needs them).
pub fn verify_existing(
    dataset: &Dataset,
    policies: &[NetworkPolicy],
    scope: Option<&[EntityId]>,
    window: TimeWindow,
) -> Report {
    let policies: Vec<AnyPolicy<'_>> = policies.iter().map(AnyPolicy::Kubernetes).collect();
    verify_existing_any(dataset, &policies, scope, window)
}

/// [`verify_existing`] with policies of either kind.
pub fn verify_existing_any(
    dataset: &Dataset,
    policies: &[AnyPolicy<'_>],
    scope: Option<&[EntityId]>,
    window: TimeWindow,
) -> Report {
    let rows = match scope {
        Some(scope) => communications_in_scope(dataset, scope, window),
        None => dataset
            .communications_with_ids()
            .filter(|(_, c)| c.seen_in(window))
            .map(|(id, _)| id)
            .collect(),
    };
    let placed: Vec<Placed<'_>> = policies.iter().map(|&p| (None, p)).collect();
    replay(dataset, &placed, rows, |_| true)
}

fn replay(
    dataset: &Dataset,
    policies: &[Placed<'_>],
    rows: Vec<CommunicationId>,
    expected: impl Fn(&Communication) -> bool,
) -> Report {
    let view = PolicyView::of(dataset, policies);
    let rows = rows
        .into_iter()
        .map(|index| {
            let communication = &dataset.communications[index];
            RowVerdict {
                communication: index,
                verdict: view.evaluate(
                    dataset,
                    policies,
                    (communication.client, communication.server),
                    communication.protocol,
                    communication.port,
                ),
                expected: expected(communication),
            }
        })
        .collect();
    Report { rows }
}

/// The positions in `policies` of those that select `peer`'s pods and restrict `direction`
/// for them: the policies that deny a connection there when none of them allows it.
pub fn isolating(
    dataset: &Dataset,
    policies: &[AnyPolicy<'_>],
    peer: Peer,
    direction: Direction,
) -> Vec<usize> {
    let placed: Vec<Placed<'_>> = policies.iter().map(|&p| (None, p)).collect();
    let view = PolicyView::of(dataset, &placed);
    let ends = view.endpoints(dataset, peer, false);
    (0..policies.len())
        .filter(|&i| ends.iter().any(|end| policies[i].isolates(end, direction)))
        .collect()
}

/// One end of a probe: something in the dataset, or any address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeEnd {
    Peer(Peer),
    Ip(std::net::IpAddr),
}

/// Whether `policies` let `client` reach `server` on `protocol`/`port`: for connections
/// never observed ("could the client use another port?"). The policies apply in every cluster;
/// see [`probe_placed`] for policies of several clusters.
pub fn probe(
    dataset: &Dataset,
    policies: &[NetworkPolicy],
    client: ProbeEnd,
    server: ProbeEnd,
    protocol: Protocol,
    port: u16,
) -> Verdict {
    let placed = everywhere(policies);
    probe_placed(dataset, &placed, client, server, protocol, port)
}

/// [`probe`] with policies each for its cluster.
pub fn probe_placed(
    dataset: &Dataset,
    policies: &[Placed<'_>],
    client: ProbeEnd,
    server: ProbeEnd,
    protocol: Protocol,
    port: u16,
) -> Verdict {
    let view = PolicyView::of(dataset, policies);
    match (client, server) {
        (ProbeEnd::Peer(client), ProbeEnd::Peer(server)) => {
            view.evaluate(dataset, policies, (client, server), protocol, port)
        }
        _ => {
            let endpoints = |end: ProbeEnd| match end {
                ProbeEnd::Peer(peer) => view.endpoints(dataset, peer, false),
                ProbeEnd::Ip(ip) if dataset.api_server.contains(&ip) => {
                    vec![Endpoint::ApiServer(Some(ip))]
                }
                ProbeEnd::Ip(ip) if dataset.ranges.nodes.contains(&ip) => {
                    vec![Endpoint::Node(ip)]
                }
                ProbeEnd::Ip(ip) => vec![Endpoint::Address(ip)],
            };
            let cluster_peer = |end: ProbeEnd| match end {
                ProbeEnd::Peer(peer) => peer,
                ProbeEnd::Ip(_) => Peer::ApiServer,
            };
            let egress = of_cluster(dataset, policies, cluster_peer(client));
            let ingress = of_cluster(dataset, policies, cluster_peer(server));
            let (froms, tos) = (endpoints(client), endpoints(server));
            let pairs = || {
                froms
                    .iter()
                    .flat_map(|from| tos.iter().map(move |to| (from, to)))
            };
            Verdict {
                egress: first_denial(
                    pairs()
                        .map(|(from, to)| evaluate_any(&egress, from, to, protocol, port).egress),
                ),
                ingress: first_denial(
                    pairs()
                        .map(|(from, to)| evaluate_any(&ingress, from, to, protocol, port).ingress),
                ),
            }
        }
    }
}

/// The verdict of a side over several pods: the first that does not allow, else the last.
fn first_denial(verdicts: impl Iterator<Item = SideVerdict>) -> SideVerdict {
    let mut side = SideVerdict::NotIsolated;
    for verdict in verdicts {
        side = verdict;
        if !side.allows() {
            break;
        }
    }
    side
}

#[cfg(test)]
mod tests {
    use super::{Report, RowVerdict};
    use crate::engine::verify::evaluate::{SideVerdict, Verdict};

    fn row(expected: bool, allowed: bool) -> RowVerdict {
        let side = if allowed {
            SideVerdict::NotIsolated
        } else {
            SideVerdict::Denied
        };
        RowVerdict {
            communication: crate::engine::model::CommunicationId::new(0),
            verdict: Verdict {
                egress: SideVerdict::NotIsolated,
                ingress: side,
            },
            expected,
        }
    }

    #[test]
    fn summaries_say_what_agrees_and_what_does_not() {
        let report = |rows: Vec<RowVerdict>| Report { rows };
        let all_good = report(vec![row(true, true), row(true, true), row(false, false)]);
        assert_eq!(
            all_good.summary(),
            "all 2 included communications allowed, the 1 excluded denied"
        );
        assert!(all_good.all_agree());
        let bad = report(vec![row(true, false), row(true, true), row(false, true)]);
        assert_eq!(
            bad.summary(),
            "1 of 2 included communications DENIED, 1 of 1 excluded still ALLOWED"
        );
        assert_eq!(bad.included_denied().count(), 1);
        assert_eq!(bad.excluded_allowed().count(), 1);
        assert_eq!(
            report(vec![]).summary(),
            "no included communication, none excluded"
        );
    }
}
