//! From the review to policies: one per entity, selecting exactly its pods, allowing exactly
//! the included communications in the time window: each peer only the ports and protocols it
//! used, pods by selector, aliased addresses by their blocks. The generator works out the
//! kind-neutral [`PolicyRules`] once, and writes them as a NetworkPolicy (`network`); a
//! CiliumNetworkPolicy is written from the same rules on demand (`cilium`). What a policy
//! cannot express is said in warnings, per kind, never papered over.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use ipnet::IpNet;

use crate::engine::coverage::silent_entities;
use crate::engine::dataset::{Communication, Dataset, Peer};
use crate::engine::decisions::{
    host_cidr, is_dns_server, Alias, Decisions, GeneralRule, DNS_LABEL, DNS_NAMESPACE,
};
use crate::engine::l7::{self, Allowance, L7Options, PatternRule};
use crate::engine::model::address::AddressClass;
use crate::engine::model::cilium_policy::{CiliumNetworkPolicy, CILIUM_SERVICE_ACCOUNT_LABEL};
use crate::engine::model::keys::API_SERVER;
use crate::engine::model::labels::Labels;
use crate::engine::model::network_policy::{IpBlock, NetworkPolicy};
use crate::engine::model::{AddressId, Direction, EntityId, OwnerKey, Protocol, TimeWindow};
use crate::engine::policy::l7_rules::L7Allowed;
use crate::engine::policy::names::{is_valid_label, policy_name};
use crate::engine::policy::rules::{DirectionRules, PolicyRules, PortAllowances, RulePeer};
use crate::engine::policy::{cilium, network};
use crate::engine::resolve::reach::{host_network_note, Reach, SelectorKey};

/// The policy of one entity, or why there is none, with what it cannot express.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedPolicy {
    pub entity: EntityId,
    /// The cluster the policy is for, when the data spans several.
    pub cluster: Option<String>,
    /// `None` when no correct policy exists (see `warnings`).
    pub policy: Option<NetworkPolicy>,
    /// What the NetworkPolicy cannot express.
    pub warnings: Vec<String>,
    /// What the policy allows, whatever its kind (`None` with `policy`).
    pub rules: Option<PolicyRules>,
    /// What the CiliumNetworkPolicy cannot express.
    pub cilium_warnings: Vec<String>,
    /// Every entity whose pods the policy's selector picks, its own among them, in id order
    /// (others when its workload's pods share no label of their own: the policy applies to
    /// them as well). Shared by the policies of one selector.
    pub selects: Arc<[EntityId]>,
}

impl GeneratedPolicy {
    /// The other entities the policy's selector picks besides its own.
    pub fn also_selects(&self) -> impl Iterator<Item = EntityId> + '_ {
        self.selects.iter().copied().filter(|&id| id != self.entity)
    }

    /// The same rules as a CiliumNetworkPolicy.
    pub fn cilium(&self) -> Option<CiliumNetworkPolicy> {
        self.rules.as_ref().map(cilium::cilium_policy)
    }
}

/// Warnings for each kind of policy; most hold for both.
#[derive(Default)]
struct Warnings {
    network: Vec<String>,
    cilium: Vec<String>,
    /// The warnings given once, per kind (a policy with 50,000 peers must not compare each
    /// with every other).
    network_given: HashSet<String>,
    cilium_given: HashSet<String>,
}

impl Warnings {
    fn both(&mut self, warning: String) {
        self.cilium.push(warning.clone());
        self.network.push(warning);
    }

    fn network_once(&mut self, warning: String) {
        if self.network_given.insert(warning.clone()) {
            self.network.push(warning);
        }
    }

    /// A communication with another cluster's workload that no alias lets the review include.
    fn in_another_cluster(&mut self, direction: Direction, described: &str, other: &OwnerKey) {
        let direction = direction.as_str();
        self.network.push(format!(
            "{direction} {described} not allowed: {other} is in another cluster, which a \
             NetworkPolicy cannot select; map its pods' addresses to an alias to allow it"
        ));
        self.cilium.push(format!(
            "{direction} {described} not allowed: {other} is in another cluster; map its pods' \
             addresses to an alias to include it (the CiliumNetworkPolicy then selects it by \
             its cluster)"
        ));
    }

    fn cilium_once(&mut self, warning: String) {
        if self.cilium_given.insert(warning.clone()) {
            self.cilium.push(warning);
        }
    }
}

/// Each peer's selector, and why it picks more than the peer's pods when it does.
type PeerSelectors = BTreeMap<EntityId, (Labels, Option<String>)>;

/// What every entity a selector picks needs, by direction: the rules of a policy that
/// selects them all.
type ClassRules = HashMap<SelectorKey, (Rules, Rules)>;

/// One direction's rules and what their L7 rules let through.
type Rules = (DirectionRules, PortAllowances);

/// Writes the policies of one review: the data, the decisions and the time window they share,
/// and each peer's selector, worked out once for all policies.
pub struct PolicyGenerator<'a> {
    dataset: &'a Dataset,
    decisions: &'a Decisions,
    window: TimeWindow,
    peer_selectors: PeerSelectors,
    /// What each selector picks, worked out once per selector.
    reach: Reach,
    class_rules: ClassRules,
    /// How L7 rules are written, when they are (`generate --l7`).
    l7: Option<L7Options>,
    /// Workloads with no traffic in the capture: their policies are written without evidence.
    silent: BTreeSet<EntityId>,
}

impl<'a> PolicyGenerator<'a> {
    pub fn new(dataset: &'a Dataset, decisions: &'a Decisions, window: TimeWindow) -> Self {
        PolicyGenerator {
            dataset,
            decisions,
            window,
            peer_selectors: PeerSelectors::new(),
            reach: Reach::default(),
            class_rules: ClassRules::new(),
            l7: None,
            silent: silent_entities(dataset).into_iter().collect(),
        }
    }

    /// Writes L7 rules for the requests seen, generalised as `l7` says (`None`: none).
    pub fn with_l7(mut self, l7: Option<L7Options>) -> Self {
        self.l7 = l7;
        self
    }

    /// The policy of `entity`. When no labels pick exactly its pods, availability comes
    /// first: the narrowest selector covering them all is written, what else it picks is
    /// said, and the rules of those others are added, since the policy isolates them too (a
    /// CiliumNetworkPolicy picks its pods exactly by their service account when no other
    /// workload of the namespace runs as it).
    pub fn policy(&mut self, entity: EntityId) -> GeneratedPolicy {
        let dataset = self.dataset;
        let mut warnings = Warnings::default();
        let own = &dataset.entities[entity];
        if own.host_network {
            // No policy applies to pods in their node's network: a document selecting them
            // would do nothing, and say something false.
            return GeneratedPolicy {
                entity,
                cluster: dataset.owner_key(entity).cluster,
                policy: None,
                warnings: vec![host_network_note(dataset, entity, "NetworkPolicy")],
                rules: None,
                cilium_warnings: vec![format!(
                    "{}; only a host policy (a CiliumClusterwideNetworkPolicy with a \
                     nodeSelector) governs a node, and flowpol writes none",
                    host_network_note(dataset, entity, "CiliumNetworkPolicy")
                )],
                selects: Vec::new().into(),
            };
        }
        if self.silent.contains(&entity) {
            warnings.both(format!(
                "{} had no traffic in the capture: its policy, which denies everything, is \
                 written without evidence (a CronJob that did not run, a standby, a path used \
                 monthly would be cut off); capture longer, or leave it out",
                dataset.owner_key(entity)
            ));
        }
        let own_selector = usable_selector(dataset, entity, &mut warnings);
        let (class, selects) = self.reach.class(dataset, entity, &own_selector);
        let mut cilium_selector = None;
        let overreach = self.reach.overreach(dataset, entity, &own_selector);
        if let Some(overreach) = &overreach {
            let warning = format!(
                "The policy of {} selects more than its pods: {overreach}; it carries their \
                 rules too, so that applied alone it denies them nothing, and its pods get \
                 them as well (give its pods a label of their own and run again)",
                dataset.owner_key(entity)
            );
            match service_account_of(dataset, entity) {
                Some(account) => {
                    warnings.network.push(format!(
                        "{warning} (a CiliumNetworkPolicy selects them exactly by their \
                         service account {account})"
                    ));
                    cilium_selector = Some(Labels::from([(
                        CILIUM_SERVICE_ACCOUNT_LABEL.to_string(),
                        account.to_string(),
                    )]));
                }
                None => warnings.both(warning),
            }
        }
        let mut ingress = self.direction_rules(entity, Direction::Ingress, &mut warnings);
        let mut egress = self.direction_rules(entity, Direction::Egress, &mut warnings);
        // The other workloads its selector picks are isolated by it too: it carries their
        // rules as well, so that, applied alone, it denies them nothing the review included.
        // Worked out once per selector (the same for every workload it picks).
        if overreach.is_some() {
            if !self.class_rules.contains_key(&class) {
                let none = || (DirectionRules::none(), PortAllowances::default());
                let mut union = (none(), none());
                for &member in selects.iter() {
                    let mut theirs = Warnings::default();
                    let member_in = self.direction_rules(member, Direction::Ingress, &mut theirs);
                    absorb(&mut union.0, member_in);
                    let member_out = self.direction_rules(member, Direction::Egress, &mut theirs);
                    absorb(&mut union.1, member_out);
                }
                self.class_rules.insert(class.clone(), union);
            }
            let (theirs_in, theirs_out) = &self.class_rules[&class];
            absorb(&mut ingress, theirs_in.clone());
            absorb(&mut egress, theirs_out.clone());
        }
        let ((ingress, ingress_l7), (egress, egress_l7)) = (ingress, egress);
        let rules = PolicyRules {
            namespace: own.owner.namespace.clone(),
            name: policy_name(&own.owner),
            cluster: own.cluster.clone().filter(|_| dataset.spans_clusters()),
            selector: own_selector,
            cilium_selector,
            dns_selector: dns_selector(dataset),
            ingress,
            egress,
            ingress_l7,
            egress_l7,
        };
        GeneratedPolicy {
            entity,
            cluster: dataset.owner_key(entity).cluster,
            policy: Some(network::network_policy(&rules)),
            warnings: warnings.network,
            rules: Some(rules),
            cilium_warnings: warnings.cilium,
            selects,
        }
    }

    /// The selector a peer is picked by (cached), and why it picks more than its pods.
    fn peer_selector(&mut self, peer: EntityId) -> (Labels, Option<String>) {
        let dataset = self.dataset;
        self.peer_selectors
            .entry(peer)
            .or_insert_with(|| {
                let selector = usable_selector(dataset, peer, &mut Warnings::default());
                let overreach = self.reach.overreach(dataset, peer, &selector);
                (selector, overreach)
            })
            .clone()
    }

    /// The rules of one direction, as its general rule says.
    fn direction_rules(
        &mut self,
        entity: EntityId,
        direction: Direction,
        warnings: &mut Warnings,
    ) -> Rules {
        let dataset = self.dataset;
        let rule = self
            .decisions
            .general_rule(&dataset.owner_key(entity), direction);
        let mut peers = DirectionRules::none();
        let mut l7 = PortAllowances::default();
        match rule {
            GeneralRule::BlockAll => return (peers, l7),
            GeneralRule::AllowAll => return (DirectionRules::All, l7),
            GeneralRule::AllowNamespace => peers.allow(RulePeer::OwnNamespace, None),
            GeneralRule::PerRow => {
                self.row_peers(entity, direction, (&mut peers, &mut l7), warnings)
            }
        }
        let restricted = peers.peers().is_some_and(|p| !p.is_empty());
        if direction == Direction::Egress && self.decisions.allow_dns {
            add_dns_peer(dataset, &mut peers);
        } else if direction == Direction::Egress && restricted {
            if let Some(warning) = dns_warning(dataset, entity, &peers) {
                warnings.both(warning);
            }
        }
        (peers, l7)
    }

    /// What the L7 rules of one included communication let through, with a warning when
    /// its evidence cannot be written.
    fn l7_allowed(&self, row: &Row<'_>, options: L7Options, warnings: &mut Warnings) -> L7Allowed {
        let (dataset, communication) = (self.dataset, row.communication);
        let excluded = self
            .decisions
            .excluded_requests
            .get(&dataset.row_key(communication));
        match l7::allowance(&communication.observed.l7, excluded, options) {
            Allowance::NoEvidence => L7Allowed::Any,
            // Cilium takes DNS rules on egress only: the DNS server's ingress allows the port,
            // the client's egress restricts the names.
            Allowance::Rules(rules)
                if row.direction == Direction::Ingress
                    && rules.iter().all(|r| matches!(r, PatternRule::Dns { .. })) =>
            {
                L7Allowed::Any
            }
            Allowance::Rules(rules) => L7Allowed::Only(rules),
            Allowance::PortRule(why) => {
                warnings.cilium.push(format!(
                    "{} {}: no L7 rule written, the port allows every request: {why}",
                    row.direction.as_str(),
                    dataset.describe(communication)
                ));
                L7Allowed::Any
            }
            Allowance::Nothing => {
                warnings.cilium.push(format!(
                    "{} {}: every request pattern is excluded, yet the communication is \
                     included: its port stays allowed for every request (exclude the row to \
                     deny it)",
                    row.direction.as_str(),
                    dataset.describe(communication)
                ));
                L7Allowed::Any
            }
        }
    }

    /// The peers of the included communications of `entity` in `direction`, each with the
    /// ports it used.
    fn row_peers(
        &mut self,
        entity: EntityId,
        direction: Direction,
        (peers, l7): (&mut DirectionRules, &mut PortAllowances),
        warnings: &mut Warnings,
    ) {
        let (dataset, decisions) = (self.dataset, self.decisions);
        for communication in &dataset.communications {
            let (this_side, other_side) = communication.sides(direction);
            if this_side != Peer::Entity(entity) || !communication.seen_in(self.window) {
                continue;
            }
            if let Peer::Entity(other) = other_side {
                if dataset.across_clusters(entity, other)
                    && !decisions.can_include(dataset, communication)
                {
                    warnings.in_another_cluster(
                        direction,
                        &dataset.describe(communication),
                        &dataset.owner_key(other),
                    );
                    continue;
                }
            }
            if !decisions.is_included(dataset, communication) {
                continue;
            }
            let row = Row {
                entity,
                direction,
                communication,
            };
            let rule_peers = match other_side {
                Peer::Entity(other) if dataset.entities[other].host_network => {
                    host_network_peers(dataset, other)
                }
                Peer::Entity(other) if dataset.across_clusters(entity, other) => {
                    self.remote_peers(&row, other, warnings)
                }
                Peer::Entity(other) => self.pod_peers(&row, other, warnings),
                Peer::Address(id) => self.address_peers(&row, id, peers, warnings),
                Peer::ApiServer => api_server_blocks(dataset, warnings)
                    .into_iter()
                    .map(RulePeer::ApiServer)
                    .collect(),
            };
            if communication.port == 0 {
                continue;
            }
            let port = (communication.protocol, communication.port);
            if let Some(options) = self.l7 {
                let allowed = self.l7_allowed(&row, options, warnings);
                for peer in &rule_peers {
                    l7.note((peer.clone(), port), allowed.clone());
                }
            }
            for peer in rule_peers {
                peers.allow(peer, Some(port));
            }
        }
    }

    /// The peer of a row with another cluster's workload: its pods by the blocks of the
    /// aliases covering their addresses (and, for Cilium, by cluster and selector); none, with
    /// a warning, when some address has no alias.
    fn remote_peers(
        &mut self,
        row: &Row<'_>,
        other_id: EntityId,
        warnings: &mut Warnings,
    ) -> Vec<RulePeer> {
        let (dataset, decisions) = (self.dataset, self.decisions);
        let Some(blocks) = remote_blocks(dataset, decisions, other_id, warnings) else {
            warnings.in_another_cluster(
                row.direction,
                &dataset.describe(row.communication),
                &dataset.owner_key(other_id),
            );
            return Vec::new();
        };
        let other = &dataset.entities[other_id];
        let (selector, overreach) = self.peer_selector(other_id);
        if let Some(overreach) = overreach {
            warnings.cilium_once(format!(
                "{} of {} to {} allows more than its pods: {overreach}",
                row.direction.as_str(),
                dataset.owner_key(row.entity),
                dataset.owner_key(other_id)
            ));
        }
        vec![RulePeer::RemotePods {
            cluster: other.cluster.clone().unwrap_or_default(),
            namespace: other.owner.namespace.clone(),
            selector: Some(selector),
            blocks,
        }]
    }

    /// The peer of a row with a workload of the same cluster: its pods by their selector;
    /// when that picks more than its pods, availability first: the narrowest selector
    /// covering them (Cilium picks them exactly by their service account when it can).
    fn pod_peers(
        &mut self,
        row: &Row<'_>,
        other_id: EntityId,
        warnings: &mut Warnings,
    ) -> Vec<RulePeer> {
        let dataset = self.dataset;
        let namespace = dataset.entities[other_id].owner.namespace.clone();
        let (selector, overreach) = self.peer_selector(other_id);
        let Some(overreach) = overreach else {
            return vec![RulePeer::Pods {
                namespace,
                selector,
            }];
        };
        let wider = format!(
            "{} of {} to {} allows more than its pods: {overreach}",
            row.direction.as_str(),
            dataset.owner_key(row.entity),
            dataset.owner_key(other_id)
        );
        match service_account_of(dataset, other_id) {
            Some(account) => {
                warnings.network_once(wider);
                vec![RulePeer::ServiceAccount {
                    namespace,
                    account: account.to_string(),
                    covering: selector,
                }]
            }
            None => {
                warnings.network_once(wider.clone());
                warnings.cilium_once(wider);
                vec![RulePeer::Pods {
                    namespace,
                    selector,
                }]
            }
        }
    }

    /// The peer of a row with an address: its alias's block (nodes, the world, or a block);
    /// without an alias, the DNS name the review allows, which only Cilium can say (added to
    /// `peers` here, with a warning for NetworkPolicy).
    fn address_peers(
        &self,
        row: &Row<'_>,
        id: AddressId,
        peers: &mut DirectionRules,
        warnings: &mut Warnings,
    ) -> Vec<RulePeer> {
        let (dataset, decisions) = (self.dataset, self.decisions);
        let communication = row.communication;
        let address = &dataset.addresses[id];
        // Included rows with an address have an alias, or a name allowed (see
        // `can_include`).
        let Some(alias) = decisions.alias_of(address.ip) else {
            if let Some(name) = decisions.allowed_name(dataset, id) {
                warnings.network.push(format!(
                    "{} {} not allowed: a NetworkPolicy cannot name {} by its DNS name \
                     {name}; map the address to an alias, or write CiliumNetworkPolicies",
                    row.direction.as_str(),
                    dataset.describe(communication),
                    address.ip
                ));
                if communication.port != 0 {
                    peers.allow(
                        RulePeer::Fqdn(name.to_string()),
                        Some((communication.protocol, communication.port)),
                    );
                }
            }
            return Vec::new();
        };
        let block = alias_block(dataset, decisions, alias, warnings);
        if address.class == AddressClass::Internal {
            warnings.cilium_once(format!(
                "{} lies inside the cluster (alias {}): Cilium does not apply CIDR rules to \
                 the endpoints it manages, so if it is a pod, its communications stay denied; \
                 load an inventory that names it",
                address.ip, alias.name
            ));
        }
        vec![match address.class {
            AddressClass::Node => RulePeer::Nodes(block),
            _ if alias.cidr.prefix_len() == 0 && !holds_other_aliases(decisions, alias) => {
                RulePeer::World(block)
            }
            _ => RulePeer::Block(block),
        }]
    }
}

/// The peer of a row naming a host-network workload (only a record naming its pods or
/// workload without their address does; resolution writes their traffic as their nodes'
/// addresses): no selector picks its traffic, which comes from and goes to its nodes, so each
/// of its addresses as a node's.
fn host_network_peers(dataset: &Dataset, other: EntityId) -> Vec<RulePeer> {
    dataset.entities[other]
        .addresses
        .iter()
        .map(|&ip| {
            RulePeer::Nodes(IpBlock {
                cidr: host_cidr(ip),
                except: Vec::new(),
            })
        })
        .collect()
}

/// Adds `other` (a direction's rules and L7 allowances) to `mine`.
fn absorb(mine: &mut Rules, other: Rules) {
    let (other_rules, other_l7) = other;
    let mine_rules = &mine.0;
    mine.1.absorb(
        |key| mine_rules.allows(key),
        other_l7,
        |key| other_rules.allows(key),
    );
    mine.0.absorb(other_rules);
}

/// An included row of an entity's review: the entity, the direction, the communication.
struct Row<'d> {
    entity: EntityId,
    direction: Direction,
    communication: &'d Communication,
}

/// The entity's selector without labels the API server would reject (only hand-made data
/// carries them, and no real pod can), each left out with a warning.
fn usable_selector(dataset: &Dataset, entity: EntityId, warnings: &mut Warnings) -> Labels {
    let own = &dataset.entities[entity];
    let mut selector = own.selector.clone();
    selector.retain(|key, value| {
        let valid = is_valid_label(key, value);
        if !valid {
            warnings.both(format!(
                "The label {key}={value} of {} is not a valid Kubernetes label: it is left out \
                 of selectors",
                own.owner
            ));
        }
        valid
    });
    selector
}

/// The service account to pick `entity`'s pods by exactly, in a CiliumNetworkPolicy, when
/// no labels can: all its pods run as one account, and no other workload of the namespace
/// (and cluster) runs as it.
fn service_account_of(dataset: &Dataset, entity: EntityId) -> Option<&str> {
    let own = &dataset.entities[entity];
    // One account, short enough to be a label value.
    let [account] = own.service_accounts.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if account.len() > 63 {
        return None;
    }
    let shared = dataset.entity_ids().any(|id| {
        let other = &dataset.entities[id];
        id != entity
            && !dataset.across_clusters(id, entity)
            && other.owner.namespace == own.owner.namespace
            && other.service_accounts.contains(account)
    });
    (!shared).then_some(account.as_str())
}

/// The `ipBlock` of an alias: its CIDR, except the more specific aliases inside it (their
/// addresses get their own rules, so no port of one leaks to another) and the cluster's
/// ranges inside it (some CNIs match ipBlock against pod traffic). An alias inside a cluster
/// range is warned about, for the same reason.
fn alias_block(
    dataset: &Dataset,
    decisions: &Decisions,
    alias: &Alias,
    warnings: &mut Warnings,
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
        .filter(|ip| {
            decisions
                .alias_of(**ip)
                .is_some_and(|x| x.cidr == alias.cidr)
        })
        .copied()
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
            warnings.network_once(format!(
                "The alias {} ({}) lies inside the cluster range {range}: CNIs that apply \
                 ipBlock to pod traffic would let pods there through too",
                alias.name, alias.cidr
            ));
            warnings.cilium_once(format!(
                "The alias {} ({}) lies inside the cluster range {range}: Cilium does not \
                 apply CIDR rules to the traffic of pods it manages, so it allows none of them",
                alias.name, alias.cidr
            ));
        }
    }
    IpBlock {
        cidr: alias.cidr.to_string(),
        except: outermost.iter().map(ToString::to_string).collect(),
    }
}

/// A workload of another cluster as NetworkPolicy can name it: the `ipBlock`s of the aliases
/// covering its pods' addresses, or `None` when some address has none.
fn remote_blocks(
    dataset: &Dataset,
    decisions: &Decisions,
    remote: EntityId,
    warnings: &mut Warnings,
) -> Option<Vec<IpBlock>> {
    let addresses = &dataset.entities[remote].addresses;
    let mut aliases: Vec<&Alias> = Vec::new();
    for ip in addresses {
        let alias = decisions.alias_of(*ip)?;
        if !aliases.iter().any(|a| a.cidr == alias.cidr) {
            aliases.push(alias);
        }
    }
    (!aliases.is_empty()).then(|| {
        aliases
            .into_iter()
            .map(|alias| alias_block(dataset, decisions, alias, warnings))
            .collect()
    })
}

/// Whether other aliases lie inside `alias` (its block then excepts them).
fn holds_other_aliases(decisions: &Decisions, alias: &Alias) -> bool {
    decisions
        .aliases
        .iter()
        .any(|other| other.cidr != alias.cidr && alias.cidr.contains(&other.cidr))
}

/// The API server as NetworkPolicy can name it: an `ipBlock` per address it was seen at (after
/// DNAT, so on its own port, 6443 usually), with a warning, since CNIs differ here (Cilium
/// names it by its entity instead).
fn api_server_blocks(dataset: &Dataset, warnings: &mut Warnings) -> Vec<IpBlock> {
    if dataset.api_server.is_empty() {
        let warning = format!(
            "The {API_SERVER} was reached only through its Service, and its address is not \
             known: add it as an alias (or load an inventory with the kubernetes Endpoints)"
        );
        warnings.network_once(warning.clone());
        warnings.cilium_once(warning);
    } else {
        warnings.network_once(format!(
            "The {API_SERVER} is allowed as ipBlock {}: some CNIs do not apply ipBlock to the \
             API server's traffic and need their own construct (Cilium: toEntities \
             kube-apiserver)",
            dataset
                .api_server
                .iter()
                .map(|&ip| host_cidr(ip))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    dataset
        .api_server
        .iter()
        .map(|&ip| IpBlock {
            cidr: host_cidr(ip),
            except: Vec::new(),
        })
        .collect()
}

/// A warning when egress is restricted and allows no DNS: the pods may fail to resolve
/// names.
fn dns_warning(dataset: &Dataset, entity: EntityId, peers: &DirectionRules) -> Option<String> {
    let reaches_dns = peers.peers()?.values().any(|ports| match ports {
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

/// The selector of the cluster DNS pods: the entity's labelled `k8s-app=kube-dns` in
/// kube-system when the data has it, else that label.
fn dns_selector(dataset: &Dataset) -> Labels {
    dataset
        .entity_ids()
        .find(|&id| is_dns_server(dataset, Peer::Entity(id)))
        .map(|id| dataset.entities[id].selector.clone())
        .filter(|selector| !selector.is_empty())
        .unwrap_or_else(|| Labels::from([(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())]))
}

/// Adds UDP and TCP 53 to the cluster DNS pods: the entity labelled `k8s-app=kube-dns` in
/// kube-system when the data has it, else that label in kube-system.
fn add_dns_peer(dataset: &Dataset, peers: &mut DirectionRules) {
    let peer = RulePeer::Pods {
        namespace: DNS_NAMESPACE.to_string(),
        selector: dns_selector(dataset),
    };
    peers.allow(peer.clone(), Some((Protocol::Udp, 53)));
    peers.allow(peer, Some((Protocol::Tcp, 53)));
}
