//! Decisions applied to the review's rows: whether a row can be included and is, what decides
//! a side instead of its own row (the DNS option, a general rule, an address without alias),
//! and whether a side's policy allows it.

use crate::engine::dataset::{Communication, Dataset, Peer};
use crate::engine::model::{Direction, EntityId, Protocol};

use super::state::{Decisions, GeneralRule};
use super::values::name_matches;

/// What decides a row instead of its own decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowReason {
    /// The DNS option allows it (port 53 to the cluster DNS).
    DnsOption,
    /// The general rule of its side decides.
    Rule(GeneralRule),
    /// An address with no alias: it cannot be included.
    NeedsAlias,
    /// An address allowed by one of its DNS names.
    ByName,
}

impl RowReason {
    /// The row's short badge.
    pub fn badge(self) -> &'static str {
        match self {
            RowReason::DnsOption => "DNS option",
            RowReason::Rule(GeneralRule::AllowAll) => "rule: allow all",
            RowReason::Rule(GeneralRule::AllowNamespace) => "rule: namespace",
            RowReason::Rule(_) => "rule: block all",
            RowReason::NeedsAlias => "needs an alias",
            RowReason::ByName => "by name",
        }
    }

    /// What the row says, given whether it is allowed.
    pub fn text(self, allowed: bool) -> &'static str {
        match (self, allowed) {
            (RowReason::DnsOption, _) => "allowed by the DNS option",
            (RowReason::Rule(GeneralRule::AllowAll), _) => {
                "allowed by the general rule (allow all)"
            }
            (RowReason::Rule(GeneralRule::AllowNamespace), true) => {
                "allowed by the general rule (its namespace)"
            }
            (RowReason::Rule(GeneralRule::AllowNamespace), false) => {
                "blocked by the general rule (its namespace only)"
            }
            (RowReason::Rule(_), _) => "blocked by the general rule (block all)",
            (RowReason::NeedsAlias, _) => "excluded until its address is mapped to an alias",
            (RowReason::ByName, _) => {
                "allowed by its DNS name: a CiliumNetworkPolicy names it (toFQDNs); a \
                 NetworkPolicy cannot without an alias"
            }
        }
    }
}

/// Where cluster DNS runs: pods labelled `k8s-app=kube-dns` in kube-system.
pub const DNS_NAMESPACE: &str = "kube-system";

pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// Whether `peer` is a cluster DNS pod.
pub fn is_dns_server(dataset: &Dataset, peer: Peer) -> bool {
    match peer {
        Peer::Entity(id) => {
            let entity = &dataset.entities[id];
            entity.owner.namespace == DNS_NAMESPACE
                && entity.labels.get(DNS_LABEL.0).map(String::as_str) == Some(DNS_LABEL.1)
        }
        Peer::Address(_) | Peer::ApiServer => false,
    }
}

impl Decisions {
    /// The general rule of entity `id` in `direction` (no key is built while no entity has
    /// one: the review asks for every row).
    pub fn entity_rule(
        &self,
        dataset: &Dataset,
        id: EntityId,
        direction: Direction,
    ) -> GeneralRule {
        if self.general.is_empty() {
            return GeneralRule::default();
        }
        self.general_rule(&dataset.owner_key(id), direction)
    }

    /// Whether the row can be included at all, and is unless excluded: communications
    /// between Kubernetes entities (and with the API server, whose addresses are known) can,
    /// and those with an address only when an alias covers it, since only an alias's CIDR
    /// becomes an `ipBlock`.
    ///
    /// Workloads of two clusters are addresses to each other (NetworkPolicy cannot select
    /// across clusters): their rows need aliases covering both workloads' pod addresses.
    pub fn can_include(&self, dataset: &Dataset, communication: &Communication) -> bool {
        if let (Peer::Entity(a), Peer::Entity(b)) = (communication.client, communication.server) {
            if dataset.across_clusters(a, b) {
                let covered = |id: crate::engine::model::EntityId| {
                    let addresses = &dataset.entities[id].addresses;
                    !addresses.is_empty() && addresses.iter().all(|ip| self.alias_of(*ip).is_some())
                };
                return covered(a) && covered(b);
            }
        }
        let includable = |peer: Peer, is_server: bool| match peer {
            Peer::Entity(_) => true,
            Peer::ApiServer => !dataset.api_server.is_empty(),
            Peer::Address(id) => {
                self.alias_of(dataset.addresses[id].ip).is_some()
                    || is_server && self.allowed_name(dataset, id).is_some()
            }
        };
        includable(communication.client, false) && includable(communication.server, true)
    }

    /// The allowed name (or pattern) that one of the address's DNS names matches, if any.
    pub fn allowed_name(
        &self,
        dataset: &Dataset,
        address: crate::engine::model::AddressId,
    ) -> Option<&str> {
        let names = &dataset.addresses[address].names;
        self.allowed_names
            .iter()
            .find(|allowed| names.iter().any(|name| name_matches(allowed, name)))
            .map(String::as_str)
    }

    /// Whether the row is included.
    pub fn is_included(&self, dataset: &Dataset, communication: &Communication) -> bool {
        self.can_include(dataset, communication)
            && (self.excluded.is_empty()
                || !self.excluded.contains(&dataset.row_key(communication)))
    }

    /// Includes or excludes one row. A row with an address that has no alias is excluded
    /// whatever is asked (it cannot be written as a policy): including it does nothing and
    /// returns false, and excluding it records nothing, so mapping the address later
    /// includes it as any aliased row.
    pub fn set_included(
        &mut self,
        dataset: &Dataset,
        communication: &Communication,
        on: bool,
    ) -> bool {
        let key = dataset.row_key(communication);
        if !self.can_include(dataset, communication) {
            return false;
        }
        if on {
            self.excluded.remove(&key);
        } else {
            self.excluded.insert(key);
        }
        true
    }

    /// Includes or excludes every row given (the rows shown).
    pub fn set_all_included<'a>(
        &mut self,
        dataset: &Dataset,
        communications: impl IntoIterator<Item = &'a Communication>,
        on: bool,
    ) {
        for communication in communications {
            self.set_included(dataset, communication, on);
        }
    }

    /// What decides `communication` on one side instead of its own row decision, if
    /// anything: the DNS option, the general rule, or an address with no alias (see
    /// [`side_allows`](Self::side_allows)).
    pub fn side_reason(
        &self,
        dataset: &Dataset,
        communication: &Communication,
        direction: Direction,
    ) -> Option<RowReason> {
        let (own, _) = communication.sides(direction);
        let Peer::Entity(id) = own else {
            return None;
        };
        let rule = self.entity_rule(dataset, id, direction);
        if self.dns_applies(dataset, communication, direction, rule) {
            return Some(RowReason::DnsOption);
        }
        if rule != GeneralRule::PerRow {
            return Some(RowReason::Rule(rule));
        }
        if !self.can_include(dataset, communication) {
            return Some(RowReason::NeedsAlias);
        }
        match communication.server {
            Peer::Address(id)
                if direction == Direction::Egress
                    && self.alias_of(dataset.addresses[id].ip).is_none() =>
            {
                self.allowed_name(dataset, id).map(|_| RowReason::ByName)
            }
            _ => None,
        }
    }

    /// Whether the DNS option lets `communication` through on its side in `direction`.
    fn dns_applies(
        &self,
        dataset: &Dataset,
        communication: &Communication,
        direction: Direction,
        rule: GeneralRule,
    ) -> bool {
        self.allow_dns
            && direction == Direction::Egress
            && matches!(rule, GeneralRule::PerRow | GeneralRule::AllowNamespace)
            && communication.port == 53
            && matches!(communication.protocol, Protocol::Udp | Protocol::Tcp)
            && is_dns_server(dataset, communication.server)
    }

    /// Whether the review lets `communication` through on one side, in `direction` (egress at
    /// the client, ingress at the server; an address has no side and lets it through): the
    /// DNS option, else the general rule, else the row decision.
    pub fn side_allows(
        &self,
        dataset: &Dataset,
        communication: &Communication,
        direction: Direction,
    ) -> bool {
        let (own, other) = communication.sides(direction);
        let Peer::Entity(id) = own else {
            return true;
        };
        let owner = &dataset.entities[id].owner;
        let rule = self.entity_rule(dataset, id, direction);
        if self.dns_applies(dataset, communication, direction, rule) {
            return true;
        }
        match rule {
            GeneralRule::PerRow => self.is_included(dataset, communication),
            GeneralRule::BlockAll => false,
            GeneralRule::AllowAll => true,
            GeneralRule::AllowNamespace => match other {
                Peer::Entity(peer) => {
                    dataset.entities[peer].owner.namespace == owner.namespace
                        && !dataset.across_clusters(peer, id)
                }
                Peer::Address(_) | Peer::ApiServer => false,
            },
        }
    }
}
