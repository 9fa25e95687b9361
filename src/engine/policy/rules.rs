//! What one entity's policy allows, before it is written as a kind of policy: its selector,
//! and per direction every peer with the ports it used, or "everything". The generator
//! (`build`) works this out once from the review; `network` writes it as a NetworkPolicy and
//! `cilium` as a CiliumNetworkPolicy, each in its own vocabulary (an IP block for the API
//! server in one, the `kube-apiserver` entity in the other).

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::model::network_policy::IpBlock;
use crate::engine::model::{Labels, Protocol};
use crate::engine::policy::l7_rules::L7Allowances;

/// A port a peer used.
pub type PortKey = (Protocol, u16);

/// A peer of a rule, as the review knows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RulePeer {
    /// Pods of `namespace` picked by `selector` (the policy's own namespace or another), in
    /// the policy's cluster.
    Pods { namespace: String, selector: Labels },
    /// Every pod of the policy's namespace (the general rule "allow the namespace").
    OwnNamespace,
    /// A workload of another cluster: NetworkPolicy can name it only by the IP blocks of the
    /// aliases covering its pods; Cilium's Cluster Mesh by its cluster and selector (`None`
    /// when its pods share no usable selector).
    RemotePods {
        cluster: String,
        namespace: String,
        selector: Option<Labels>,
        blocks: Vec<IpBlock>,
    },
    /// The addresses of an alias (its CIDR minus what it must not cover).
    Block(IpBlock),
    /// Every address outside the cluster: an alias of `0.0.0.0/0` (or `::/0`) that excepts
    /// only the cluster's ranges.
    World(IpBlock),
    /// Node addresses, by the alias that maps them.
    Nodes(IpBlock),
    /// The API server, at one of its addresses.
    ApiServer(IpBlock),
    /// The pods of `namespace` that run as `account`, for a workload no labels pick exactly:
    /// a CiliumNetworkPolicy says it; a NetworkPolicy names them by `covering`, the narrowest
    /// selector covering its pods (which picks others too).
    ServiceAccount {
        namespace: String,
        account: String,
        covering: Labels,
    },
    /// Addresses seen with a DNS name the review allows (a name or a `*` pattern): only a
    /// CiliumNetworkPolicy can say it (`toFQDNs`).
    Fqdn(String),
}

/// What one direction allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectionRules {
    /// Everything (the general rule "allow all").
    All,
    /// Exactly these peers, each on the ports it used (`None`: every port). Empty: nothing.
    Peers(BTreeMap<RulePeer, Option<BTreeSet<PortKey>>>),
}

/// What one entity's policy allows, whatever kind of policy it is written as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRules {
    pub namespace: String,
    pub name: String,
    /// The entity's cluster, when the data spans several: its pods' peers are in it too
    /// (Cilium's Cluster Mesh would otherwise match pods of every cluster).
    pub cluster: Option<String>,
    /// The labels that pick the entity's pods (the narrowest covering them all, when none
    /// pick exactly them).
    pub selector: Labels,
    /// What a CiliumNetworkPolicy picks them by instead, when `selector` picks more and their
    /// service account picks exactly them.
    pub cilium_selector: Option<Labels>,
    /// The labels of the cluster DNS pods (kube-system), for the DNS rule Cilium needs to
    /// match names (`toFQDNs`).
    pub dns_selector: Labels,
    pub ingress: DirectionRules,
    pub egress: DirectionRules,
    /// What L7 rules let through, per direction (empty unless L7 rules are asked for).
    pub ingress_l7: PortAllowances,
    pub egress_l7: PortAllowances,
}

/// What L7 rules let through, per peer and port.
pub type PortAllowances = L7Allowances<(RulePeer, PortKey)>;

impl DirectionRules {
    /// Nothing allowed.
    pub fn none() -> DirectionRules {
        DirectionRules::Peers(BTreeMap::new())
    }

    /// Adds `port` (every port when `None`) to what `peer` may use.
    pub fn allow(&mut self, peer: RulePeer, port: Option<PortKey>) {
        let DirectionRules::Peers(peers) = self else {
            return;
        };
        let ports = peers
            .entry(peer)
            .or_insert_with(|| port.map(|_| BTreeSet::new()));
        match (ports, port) {
            (Some(ports), Some(port)) => {
                ports.insert(port);
            }
            (ports, None) => *ports = None,
            (None, Some(_)) => {}
        }
    }

    /// Adds everything `other` allows: each of its peers with its ports ("everything"
    /// absorbs the rest).
    pub fn absorb(&mut self, other: DirectionRules) {
        let DirectionRules::Peers(peers) = other else {
            *self = DirectionRules::All;
            return;
        };
        for (peer, ports) in peers {
            match ports {
                None => self.allow(peer, None),
                Some(ports) => {
                    for port in ports {
                        self.allow(peer.clone(), Some(port));
                    }
                }
            }
        }
    }

    /// Whether it allows `peer` on `port`.
    pub fn allows(&self, (peer, port): &(RulePeer, PortKey)) -> bool {
        match self.peers() {
            None => true,
            Some(peers) => peers
                .get(peer)
                .is_some_and(|ports| ports.as_ref().is_none_or(|p| p.contains(port))),
        }
    }

    /// The peers and their ports, none when everything is allowed.
    pub fn peers(&self) -> Option<&BTreeMap<RulePeer, Option<BTreeSet<PortKey>>>> {
        match self {
            DirectionRules::All => None,
            DirectionRules::Peers(peers) => Some(peers),
        }
    }
}

/// Each peer as a kind of policy writes it (`write` may give several, or none), with the ports
/// of every review peer written alike merged (`None`, every port, absorbs the rest).
pub fn written_as<T: Ord, I: IntoIterator<Item = T>>(
    peers: &BTreeMap<RulePeer, Option<BTreeSet<PortKey>>>,
    mut write: impl FnMut(&RulePeer) -> I,
) -> BTreeMap<T, Option<BTreeSet<PortKey>>> {
    let mut written: BTreeMap<T, Option<BTreeSet<PortKey>>> = BTreeMap::new();
    for (peer, ports) in peers {
        for as_written in write(peer) {
            match (written.get_mut(&as_written), ports) {
                (None, _) => {
                    written.insert(as_written, ports.clone());
                }
                (Some(Some(known)), Some(ports)) => known.extend(ports.iter().copied()),
                (Some(known), None) => *known = None,
                (Some(None), Some(_)) => {}
            }
        }
    }
    written
}

/// Groups `items` by their port sets, in the order of the port sets (`None`, every port,
/// first), keeping each group's items in the order given.
pub fn by_port_set<T>(
    items: impl IntoIterator<Item = (T, Option<BTreeSet<PortKey>>)>,
) -> BTreeMap<Option<BTreeSet<PortKey>>, Vec<T>> {
    let mut groups: BTreeMap<Option<BTreeSet<PortKey>>, Vec<T>> = BTreeMap::new();
    for (item, ports) in items {
        groups.entry(ports).or_default().push(item);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods(name: &str) -> RulePeer {
        RulePeer::Pods {
            namespace: "shop".into(),
            selector: Labels::from([("app".to_string(), name.to_string())]),
        }
    }

    #[test]
    fn every_port_absorbs_single_ports_in_any_order() {
        let mut rules = DirectionRules::none();
        rules.allow(pods("a"), Some((Protocol::Tcp, 80)));
        rules.allow(pods("a"), None);
        rules.allow(pods("a"), Some((Protocol::Tcp, 443)));
        rules.allow(pods("b"), Some((Protocol::Udp, 53)));
        rules.allow(pods("b"), Some((Protocol::Tcp, 53)));
        let peers = rules.peers().unwrap();
        assert_eq!(peers[&pods("a")], None);
        assert_eq!(
            peers[&pods("b")],
            Some(BTreeSet::from([(Protocol::Tcp, 53), (Protocol::Udp, 53)]))
        );
        let mut all = DirectionRules::All;
        all.allow(pods("a"), None);
        assert_eq!(all, DirectionRules::All);
    }

    #[test]
    fn absorbing_adds_peers_and_ports_and_everything_wins() {
        let mut rules = DirectionRules::none();
        rules.allow(pods("a"), Some((Protocol::Tcp, 80)));
        let mut other = DirectionRules::none();
        other.allow(pods("a"), Some((Protocol::Tcp, 443)));
        other.allow(pods("b"), None);
        rules.absorb(other);
        let peers = rules.peers().unwrap();
        assert_eq!(
            peers[&pods("a")],
            Some(BTreeSet::from([(Protocol::Tcp, 80), (Protocol::Tcp, 443)]))
        );
        assert_eq!(peers[&pods("b")], None);
        rules.absorb(DirectionRules::All);
        assert_eq!(rules, DirectionRules::All);
    }

    #[test]
    fn groups_follow_the_port_sets() {
        let tcp80 = Some(BTreeSet::from([(Protocol::Tcp, 80)]));
        let groups = by_port_set([("x", tcp80.clone()), ("y", None), ("z", tcp80.clone())]);
        assert_eq!(
            groups.into_iter().collect::<Vec<_>>(),
            [(None, vec!["y"]), (tcp80, vec!["x", "z"])]
        );
    }
}
