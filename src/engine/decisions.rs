//! What the user decided in the review, as plain data with pure operations: which
//! communications are included or excluded, a general rule per entity and direction, aliases
//! for unresolved addresses, extra cluster ranges and the DNS option. The UI wraps it in a
//! signal, stores it in the browser and exports it as JSON; the CLI builds it from flags or
//! reads the exported JSON. Decisions are keyed by names ([`RowKey`], [`OwnerKey`]), not
//! indices, so they survive a reload of the same (or a newer) capture.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::engine::dataset::{Communication, Dataset, Peer};
use crate::engine::model::{Direction, EntityId, OwnerKey, PeerKey, Protocol, RowKey};

/// How a direction of an entity is decided.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash,
)]
#[serde(rename_all = "kebab-case")]
pub enum GeneralRule {
    /// Each communication by its own include/exclude decision.
    #[default]
    PerRow,
    /// Nothing is allowed.
    BlockAll,
    /// Every pod of the entity's namespace is allowed, nothing else.
    AllowNamespace,
    /// Everything is allowed.
    AllowAll,
}

impl GeneralRule {
    pub const ALL: [GeneralRule; 4] = [
        GeneralRule::PerRow,
        GeneralRule::BlockAll,
        GeneralRule::AllowNamespace,
        GeneralRule::AllowAll,
    ];

    /// The value used in forms and in exported decisions.
    pub fn as_str(self) -> &'static str {
        match self {
            GeneralRule::PerRow => "per-row",
            GeneralRule::BlockAll => "block-all",
            GeneralRule::AllowNamespace => "allow-namespace",
            GeneralRule::AllowAll => "allow-all",
        }
    }

    pub fn parse(text: &str) -> Option<GeneralRule> {
        GeneralRule::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// What the rule does, in one line.
    pub fn explanation(self, direction: Direction) -> &'static str {
        match (self, direction) {
            (GeneralRule::PerRow, _) => "Each communication as included or excluded below.",
            (GeneralRule::BlockAll, Direction::Ingress) => {
                "No pod may connect to this entity (Ingress listed with no rule)."
            }
            (GeneralRule::BlockAll, Direction::Egress) => {
                "This entity may connect nowhere, DNS included (Egress listed with no rule)."
            }
            (GeneralRule::AllowNamespace, Direction::Ingress) => {
                "Any pod of the same namespace may connect, on any port; nothing from outside it."
            }
            (GeneralRule::AllowNamespace, Direction::Egress) => {
                "This entity may connect to any pod of its namespace, on any port; nothing else."
            }
            (GeneralRule::AllowAll, Direction::Ingress) => {
                "Anything may connect, on any port: no restriction on ingress."
            }
            (GeneralRule::AllowAll, Direction::Egress) => {
                "This entity may connect anywhere: no restriction on egress."
            }
        }
    }
}

impl fmt::Display for GeneralRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name the user gave to an address or a range no Kubernetes object explains.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    pub name: String,
    pub cidr: IpNet,
}

/// Why an alias cannot be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AliasError {
    EmptyName,
    BadCidr(String),
}

impl fmt::Display for AliasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AliasError::EmptyName => f.write_str("the alias needs a name"),
            AliasError::BadCidr(text) => write!(
                f,
                "`{text}` is not an address or a CIDR (e.g. 203.0.113.10/32 or 2001:db8::/64)"
            ),
        }
    }
}

/// The CIDR an alias of one address starts with: the address alone.
pub fn host_cidr(ip: &str) -> String {
    format!("{ip}/{}", if ip.contains(':') { 128 } else { 32 })
}

/// An alias name from the first of an address's DNS names (`api.stripe.com.` gives
/// `api.stripe.com`), or nothing.
pub fn alias_name_from(names: &[String]) -> String {
    names
        .first()
        .map(|n| n.trim_end_matches('.').to_string())
        .unwrap_or_default()
}

/// Why an alias of `cidr` would not do for `addresses` (it holds not all of them), if it
/// would not; nothing for a text that is no CIDR (saving says why).
pub fn cidr_warning(cidr: &str, addresses: &[String]) -> Option<String> {
    let net = parse_cidr(cidr).ok()?;
    let outside: Vec<&str> = addresses
        .iter()
        .filter(|ip| ip.parse::<IpAddr>().is_ok_and(|ip| !net.contains(&ip)))
        .map(String::as_str)
        .collect();
    (!outside.is_empty()).then(|| {
        format!(
            "{cidr} does not contain {}: this alias would not apply to it.",
            outside.join(", ")
        )
    })
}

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

/// Parses `203.0.113.10`, `203.0.113.0/24` or an IPv6 equivalent into a network with its
/// host bits cleared.
pub fn parse_cidr(text: &str) -> Result<IpNet, AliasError> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| AliasError::BadCidr(text.to_string()))
}

/// Parses a list of addresses or CIDRs separated by commas, spaces or line ends.
pub fn parse_cidr_list(text: &str) -> Result<Vec<IpNet>, AliasError> {
    text.split([',', ' ', '\n'])
        .filter(|s| !s.trim().is_empty())
        .map(parse_cidr)
        .collect()
}

/// CIDRs written as a list: `10.244.0.0/16, 10.96.0.0/12`.
pub struct CidrList<'a>(pub &'a [IpNet]);

impl fmt::Display for CidrList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, cidr) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{cidr}")?;
        }
        Ok(())
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

/// A DNS name or pattern as the review keeps it: lower case, no final dot; letters, digits,
/// `-`, `_`, `.` and `*` only.
pub fn parse_allowed_name(text: &str) -> Result<String, String> {
    let name = text.trim().trim_end_matches('.').to_ascii_lowercase();
    // `**` (any number of labels, in newer Cilium) is not offered: one `*` per run.
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.*".contains(c))
        && !name.split('.').any(str::is_empty)
        && !name.contains("**");
    if valid {
        Ok(name)
    } else {
        Err(format!(
            "{}: expected a DNS name (api.example.com) or a pattern with * (*.example.com)",
            text.trim()
        ))
    }
}

/// Whether the DNS name `name` matches `allowed`: a name, equal but for case and a final dot,
/// or a pattern whose `*` stands for any run of characters within one label (Cilium's
/// `matchPattern`; `*` alone matches every name).
pub fn name_matches(allowed: &str, name: &str) -> bool {
    let normal = |text: &str| text.trim_end_matches('.').to_ascii_lowercase();
    let (allowed, name) = (normal(allowed), normal(name));
    if allowed == "*" {
        return true;
    }
    let (patterns, labels): (Vec<&str>, Vec<&str>) =
        (allowed.split('.').collect(), name.split('.').collect());
    patterns.len() == labels.len()
        && patterns
            .iter()
            .zip(&labels)
            .all(|(pattern, label)| label_matches(pattern.as_bytes(), label.as_bytes()))
}

/// Whether one DNS label matches a pattern label whose `*` stands for any run of characters:
/// the greedy two-pointer glob match, linear in practice whatever the stars.
fn label_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] != b'*' && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// All decisions of a review.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(from = "WireDecisions", into = "WireDecisions")]
pub struct Decisions {
    /// Rows the user excluded; every other row that can be included is.
    pub excluded: BTreeSet<RowKey>,
    /// General rules other than per-row, by workload and direction.
    pub general: BTreeMap<OwnerKey, BTreeMap<Direction, GeneralRule>>,
    pub aliases: Vec<Alias>,
    /// Cluster ranges the user entered (the inventory's are in the dataset).
    pub cluster_ranges: Vec<IpNet>,
    /// Allow UDP and TCP 53 to the cluster DNS pods from every entity that has an egress
    /// policy.
    pub allow_dns: bool,
    /// DNS names (or patterns with `*`, as Cilium's `matchPattern`) whose addresses are
    /// allowed by name: egress to an address seen with such a name is included without an
    /// alias, and a CiliumNetworkPolicy names it in `toFQDNs`.
    pub allowed_names: BTreeSet<String>,
    /// Entries of an imported file that name no row or workload flowpol writes (a typo, another
    /// tool's kind): they decide nothing, are warned about, and are written back unchanged.
    pub unreadable: UnreadableEntries,
}

/// Entries of a decisions file whose keys are not flowpol's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnreadableEntries {
    pub excluded: BTreeSet<String>,
    pub general: BTreeMap<String, BTreeMap<Direction, GeneralRule>>,
}

/// Decisions as the exported file holds them: keys as text, in text order.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
#[serde(default, deny_unknown_fields)]
struct WireDecisions {
    excluded: BTreeSet<String>,
    general: BTreeMap<String, BTreeMap<Direction, GeneralRule>>,
    aliases: Vec<Alias>,
    cluster_ranges: Vec<IpNet>,
    allow_dns: bool,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    allow_names: BTreeSet<String>,
}

impl From<WireDecisions> for Decisions {
    fn from(wire: WireDecisions) -> Decisions {
        let mut decisions = Decisions {
            aliases: wire.aliases,
            cluster_ranges: wire.cluster_ranges,
            allow_dns: wire.allow_dns,
            allowed_names: wire
                .allow_names
                .iter()
                .filter_map(|name| parse_allowed_name(name).ok())
                .collect(),
            ..Decisions::default()
        };
        for text in wire.excluded {
            match text.parse::<RowKey>() {
                Ok(key) => {
                    decisions.excluded.insert(key);
                }
                Err(_) => {
                    decisions.unreadable.excluded.insert(text);
                }
            }
        }
        for (text, rules) in wire.general {
            match text.parse::<OwnerKey>() {
                Ok(key) => {
                    decisions.general.insert(key, rules);
                }
                Err(_) => {
                    decisions.unreadable.general.insert(text, rules);
                }
            }
        }
        decisions
    }
}

impl From<Decisions> for WireDecisions {
    fn from(decisions: Decisions) -> WireDecisions {
        let mut excluded: BTreeSet<String> =
            decisions.excluded.iter().map(ToString::to_string).collect();
        excluded.extend(decisions.unreadable.excluded);
        let mut general: BTreeMap<String, BTreeMap<Direction, GeneralRule>> = decisions
            .general
            .into_iter()
            .map(|(key, rules)| (key.to_string(), rules))
            .collect();
        general.extend(decisions.unreadable.general);
        WireDecisions {
            excluded,
            general,
            aliases: decisions.aliases,
            cluster_ranges: decisions.cluster_ranges,
            allow_dns: decisions.allow_dns,
            allow_names: decisions.allowed_names,
        }
    }
}

impl Decisions {
    /// The alias covering `ip`, the most specific one when several do.
    pub fn alias_of(&self, ip: &str) -> Option<&Alias> {
        let ip = ip.parse::<IpAddr>().ok()?;
        self.aliases
            .iter()
            .filter(|a| a.cidr.contains(&ip))
            .max_by_key(|a| a.cidr.prefix_len())
    }

    /// Adds an alias (replacing one with the same CIDR).
    pub fn add_alias(&mut self, name: &str, cidr: &str) -> Result<(), AliasError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AliasError::EmptyName);
        }
        let cidr = parse_cidr(cidr)?;
        self.aliases.retain(|a| a.cidr != cidr);
        self.aliases.push(Alias {
            name: name.to_string(),
            cidr,
        });
        self.aliases
            .sort_by(|a, b| (a.cidr, &a.name).cmp(&(b.cidr, &b.name)));
        Ok(())
    }

    /// Maps the address of every node the data shows to an alias named after the node (or
    /// `nodes` when its name is not known), in one step: kubelet probes and host-network pods
    /// come from there. An address an alias covers already keeps it (the user's name wins).
    /// Returns how many addresses were mapped.
    pub fn map_nodes(&mut self, dataset: &Dataset) -> usize {
        let mut mapped = 0;
        for address in &dataset.addresses {
            if address.class != crate::engine::model::AddressClass::Node
                || self.alias_of(&address.ip).is_some()
            {
                continue;
            }
            let name = address.node.as_deref().unwrap_or("nodes");
            if self.add_alias(name, &address.ip).is_ok() {
                mapped += 1;
            }
        }
        mapped
    }

    pub fn remove_alias(&mut self, cidr: &IpNet) {
        self.aliases.retain(|a| a.cidr != *cidr);
    }

    /// The same decisions over `new` data, loaded after `old`: keys of workloads follow them
    /// when the data gains or loses clusters ([`Dataset::carry_key`]).
    pub fn carry_over(&self, old: &Dataset, new: &Dataset) -> Decisions {
        let carry = |key: &OwnerKey| old.carry_key(key, new);
        let carry_peer = |peer: &PeerKey| match peer {
            PeerKey::Workload(key) => PeerKey::Workload(carry(key)),
            other => other.clone(),
        };
        Decisions {
            excluded: self
                .excluded
                .iter()
                .map(|row| RowKey {
                    client: carry_peer(&row.client),
                    server: carry_peer(&row.server),
                    ..row.clone()
                })
                .collect(),
            general: self
                .general
                .iter()
                .map(|(key, rules)| (carry(key), rules.clone()))
                .collect(),
            ..self.clone()
        }
    }

    /// The general rule of the workload `key` in `direction`.
    pub fn general_rule(&self, key: &OwnerKey, direction: Direction) -> GeneralRule {
        self.general
            .get(key)
            .and_then(|rules| rules.get(&direction))
            .copied()
            .unwrap_or_default()
    }

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

    pub fn set_general_rule(&mut self, key: &OwnerKey, direction: Direction, rule: GeneralRule) {
        let key = key.clone();
        let rules = self.general.entry(key.clone()).or_default();
        if rule == GeneralRule::PerRow {
            rules.remove(&direction);
        } else {
            rules.insert(direction, rule);
        }
        if rules.is_empty() {
            self.general.remove(&key);
        }
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
                    !addresses.is_empty() && addresses.iter().all(|ip| self.alias_of(ip).is_some())
                };
                return covered(a) && covered(b);
            }
        }
        let includable = |peer: Peer, is_server: bool| match peer {
            Peer::Entity(_) => true,
            Peer::ApiServer => !dataset.api_server.is_empty(),
            Peer::Address(id) => {
                self.alias_of(&dataset.addresses[id].ip).is_some()
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
                    && self.alias_of(&dataset.addresses[id].ip).is_none() =>
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

    /// How many decisions differ from the defaults (entries that name nothing included).
    pub fn count(&self) -> usize {
        fn rules<K>(general: &BTreeMap<K, BTreeMap<Direction, GeneralRule>>) -> usize {
            general.values().map(BTreeMap::len).sum()
        }
        self.excluded.len()
            + self.unreadable.excluded.len()
            + rules(&self.general)
            + rules(&self.unreadable.general)
            + self.aliases.len()
            + self.cluster_ranges.len()
            + usize::from(self.allow_dns)
            + self.allowed_names.len()
    }

    /// Reads exported decisions.
    pub fn from_json(text: &str) -> Result<Decisions, String> {
        serde_json::from_str(text).map_err(|e| format!("decisions: {e}"))
    }

    /// Writes decisions for export, pretty and in a stable order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_names_are_kept_in_one_spelling() {
        assert_eq!(
            parse_allowed_name(" API.Stripe.com. ").unwrap(),
            "api.stripe.com"
        );
        assert_eq!(parse_allowed_name("*.stripe.com").unwrap(), "*.stripe.com");
        for bad in [
            "",
            "a b",
            "a..b",
            "<script>",
            ".",
            "**.example.com",
            "x".repeat(254).as_str(),
        ] {
            assert!(parse_allowed_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_patterns_match_as_cilium_reads_them() {
        assert!(name_matches("api.stripe.com", "API.Stripe.com."));
        assert!(!name_matches("api.stripe.com", "stripe.com"));
        assert!(name_matches("*.stripe.com", "api.stripe.com"));
        assert!(
            !name_matches("*.stripe.com", "a.b.stripe.com"),
            "* stays in one label"
        );
        assert!(!name_matches("*.stripe.com", "stripe.com"));
        assert!(name_matches(
            "s3.*.amazonaws.com",
            "s3.eu-west-1.amazonaws.com"
        ));
        assert!(name_matches("*", "anything.example"));
        assert!(name_matches("api-*.example.com", "api-v2.example.com"));
        assert!(name_matches("a*b*c", "aXXbYYc") && !name_matches("a*b*c", "aXXbYY"));
        // Many stars stay fast.
        let label = "a".repeat(63);
        assert!(!name_matches(&format!("{}b", "*a".repeat(30)), &label));
    }
    use crate::engine::dataset::{Address, Entity, SelectorSource};
    use crate::engine::model::labels::Labels;
    use crate::engine::model::observed::ObservedCommunication;
    use crate::engine::model::{AddressClass, AddressId, EntityId, EntityKind, Owner};

    fn entity_peer(index: usize) -> Peer {
        Peer::Entity(EntityId::new(index))
    }

    /// `web` (shop) calls `api` (shop) on 80, `db` (data) on 5432 and 203.0.113.7 on 443;
    /// kube-system's `coredns` answers on UDP 53.
    fn dataset() -> Dataset {
        let entity = |namespace: &str, name: &str, extra: &[(&str, &str)]| {
            let mut labels = Labels::from([("app".to_string(), name.to_string())]);
            for (k, v) in extra {
                labels.insert(k.to_string(), v.to_string());
            }
            Entity {
                owner: Owner {
                    kind: EntityKind::Deployment,
                    namespace: namespace.into(),
                    name: name.into(),
                },
                cluster: None,
                selector: labels.clone(),
                selector_source: SelectorSource::Workload,
                pods: Default::default(),
                addresses: Default::default(),
                label_sets: vec![labels.clone()],
                service_accounts: BTreeSet::new(),
                labels,
                ports: Vec::new(),
                kind_inferred: false,
            }
        };
        let communication = |client, server, protocol, port| Communication {
            client,
            server,
            protocol,
            port,
            observed: ObservedCommunication::default(),
        };
        Dataset {
            entities: vec![
                entity("shop", "web", &[]),
                entity("shop", "api", &[]),
                entity("data", "db", &[]),
                entity("kube-system", "coredns", &[("k8s-app", "kube-dns")]),
            ],
            addresses: vec![Address {
                ip: "203.0.113.7".into(),
                class: AddressClass::External,
                node: None,
                names: Default::default(),
                reserved: Vec::new(),
            }],
            communications: vec![
                communication(entity_peer(0), entity_peer(1), Protocol::Tcp, 80),
                communication(entity_peer(0), entity_peer(2), Protocol::Tcp, 5432),
                communication(
                    entity_peer(0),
                    Peer::Address(AddressId::new(0)),
                    Protocol::Tcp,
                    443,
                ),
                communication(entity_peer(0), entity_peer(3), Protocol::Udp, 53),
            ],
            ..Dataset::default()
        }
    }

    #[test]
    fn an_alias_form_suggests_and_warns() {
        let ip = vec!["203.0.113.10".to_string()];
        assert_eq!(cidr_warning("203.0.113.0/24", &ip), None);
        assert_eq!(
            cidr_warning("198.51.100.0/24", &ip).as_deref(),
            Some(
                "198.51.100.0/24 does not contain 203.0.113.10: this alias would not apply to it."
            )
        );
        assert_eq!(cidr_warning("not a cidr", &ip), None);
        assert_eq!(host_cidr("2001:db8::1"), "2001:db8::1/128");
        assert_eq!(host_cidr("203.0.113.10"), "203.0.113.10/32");
        assert_eq!(
            alias_name_from(&["api.stripe.com.".into()]),
            "api.stripe.com"
        );
        assert_eq!(alias_name_from(&[]), "");
    }

    #[test]
    fn a_row_says_what_decides_it_when_its_own_decision_does_not() {
        let data = dataset();
        let row = |i: usize| &data.communications[i];
        let mut decisions = Decisions::default();
        let egress = Direction::Egress;
        assert_eq!(decisions.side_reason(&data, row(0), egress), None);
        assert_eq!(
            decisions.side_reason(&data, row(2), egress),
            Some(RowReason::NeedsAlias)
        );
        decisions.allow_dns = true;
        assert_eq!(
            decisions.side_reason(&data, row(3), egress),
            Some(RowReason::DnsOption)
        );
        assert_eq!(decisions.side_reason(&data, row(0), egress), None);
        let web = OwnerKey::of(&data.entities[EntityId::new(0)].owner);
        decisions.set_general_rule(&web, egress, GeneralRule::BlockAll);
        assert_eq!(
            decisions.side_reason(&data, row(0), egress),
            Some(RowReason::Rule(GeneralRule::BlockAll))
        );
        assert_eq!(
            RowReason::Rule(GeneralRule::BlockAll).text(false),
            "blocked by the general rule (block all)"
        );
        // An address has no side of its own: nothing decides there.
        assert_eq!(
            decisions.side_reason(&data, row(2), Direction::Ingress),
            None
        );
    }

    #[test]
    fn mapping_nodes_names_each_node_and_keeps_the_users_aliases() {
        let mut data = dataset();
        let node = |ip: &str, name: Option<&str>| Address {
            ip: ip.into(),
            class: AddressClass::Node,
            node: name.map(str::to_string),
            names: Default::default(),
            reserved: Vec::new(),
        };
        data.addresses.extend([
            node("172.20.0.11", Some("worker-1")),
            node("172.20.0.12", None),
            node("172.20.0.13", Some("worker-3")),
        ]);
        let mut decisions = Decisions::default();
        decisions.add_alias("bastion", "172.20.0.13/32").unwrap();
        assert_eq!(decisions.map_nodes(&data), 2);
        let names: Vec<(String, String)> = decisions
            .aliases
            .iter()
            .map(|a| (a.cidr.to_string(), a.name.clone()))
            .collect();
        assert_eq!(
            names,
            [
                ("172.20.0.11/32".to_string(), "worker-1".to_string()),
                ("172.20.0.12/32".to_string(), "nodes".to_string()),
                ("172.20.0.13/32".to_string(), "bastion".to_string()),
            ]
        );
        assert_eq!(decisions.map_nodes(&data), 0, "mapped already");
    }

    #[test]
    fn defaults_include_resolved_rows_and_exclude_addresses() {
        let data = dataset();
        let decisions = Decisions::default();
        let included: Vec<bool> = data
            .communications
            .iter()
            .map(|c| decisions.is_included(&data, c))
            .collect();
        assert_eq!(included, [true, true, false, true]);
        assert_eq!(
            data.row_key(&data.communications[2]).to_string(),
            "Deployment/shop/web -> 203.0.113.7 TCP/443"
        );
    }

    #[test]
    fn excluding_and_including_rows() {
        let data = dataset();
        let mut decisions = Decisions::default();
        assert!(decisions.set_included(&data, &data.communications[0], false));
        assert!(!decisions.is_included(&data, &data.communications[0]));
        assert_eq!(decisions.excluded.len(), 1);
        assert!(decisions.set_included(&data, &data.communications[0], true));
        assert_eq!(decisions, Decisions::default(), "back to the default");
        assert!(
            !decisions.set_included(&data, &data.communications[2], true),
            "an address without alias cannot be included"
        );
        decisions.set_all_included(&data, &data.communications, false);
        assert!(data
            .communications
            .iter()
            .all(|c| !decisions.is_included(&data, c)));
    }

    #[test]
    fn aliases_validate_cover_ranges_and_make_rows_includable() {
        let data = dataset();
        let mut decisions = Decisions::default();
        assert_eq!(
            decisions.add_alias(" ", "1.2.3.4"),
            Err(AliasError::EmptyName)
        );
        assert!(matches!(
            decisions.add_alias("x", "1.2.3.400/32"),
            Err(AliasError::BadCidr(_))
        ));
        decisions.add_alias("docs", "203.0.113.0/24").unwrap();
        decisions.add_alias("stripe", "203.0.113.7").unwrap();
        assert_eq!(decisions.alias_of("203.0.113.7").unwrap().name, "stripe");
        assert_eq!(decisions.alias_of("203.0.113.8").unwrap().name, "docs");
        assert!(decisions.alias_of("198.51.100.1").is_none());
        assert!(decisions.is_included(&data, &data.communications[2]));
        decisions.add_alias("renamed", "203.0.113.7/32").unwrap();
        assert_eq!(decisions.aliases.len(), 2, "same CIDR replaces");
        decisions.remove_alias(&parse_cidr("203.0.113.7").unwrap());
        assert_eq!(decisions.alias_of("203.0.113.7").unwrap().name, "docs");
        assert_eq!(
            parse_cidr("10.1.2.3/8").unwrap().to_string(),
            "10.0.0.0/8",
            "host bits cleared"
        );
        let list = parse_cidr_list("10.244.0.0/16,10.96.0.0/12\n fd00::/8 ").unwrap();
        assert_eq!(
            CidrList(&list).to_string(),
            "10.244.0.0/16, 10.96.0.0/12, fd00::/8"
        );
        assert!(parse_cidr_list("10.0.0.0/8, nonsense").is_err());
        assert_eq!(parse_cidr_list(" ").unwrap(), vec![]);
    }

    #[test]
    fn general_rules_decide_a_side() {
        let data = dataset();
        let web = OwnerKey::of(&data.entities[0].owner);
        let mut decisions = Decisions::default();
        let egress = |d: &Decisions, i: usize| {
            d.side_allows(&data, &data.communications[i], Direction::Egress)
        };
        decisions.set_general_rule(&web, Direction::Egress, GeneralRule::AllowNamespace);
        assert_eq!(
            [0, 1, 2].map(|i| egress(&decisions, i)),
            [true, false, false]
        );
        decisions.set_general_rule(&web, Direction::Egress, GeneralRule::AllowAll);
        assert_eq!([0, 1, 2].map(|i| egress(&decisions, i)), [true; 3]);
        decisions.set_general_rule(&web, Direction::Egress, GeneralRule::BlockAll);
        assert_eq!([0, 1, 2, 3].map(|i| egress(&decisions, i)), [false; 4]);
        assert!(
            decisions.side_allows(&data, &data.communications[0], Direction::Ingress),
            "the server's side is api's"
        );
        decisions.set_general_rule(&web, Direction::Egress, GeneralRule::PerRow);
        assert!(
            decisions.general.is_empty(),
            "per-row is the default, not stored"
        );
    }

    #[test]
    fn the_dns_option_allows_dns_even_when_excluded() {
        let data = dataset();
        let mut decisions = Decisions::default();
        decisions.set_included(&data, &data.communications[3], false);
        let dns = &data.communications[3];
        assert!(!decisions.side_allows(&data, dns, Direction::Egress));
        decisions.allow_dns = true;
        assert!(decisions.side_allows(&data, dns, Direction::Egress));
        decisions.set_general_rule(
            &OwnerKey::of(&data.entities[0].owner),
            Direction::Egress,
            GeneralRule::BlockAll,
        );
        assert!(
            !decisions.side_allows(&data, dns, Direction::Egress),
            "block all is all"
        );
    }

    #[test]
    fn exported_json_round_trips_and_rejects_typos() {
        let data = dataset();
        let mut decisions = Decisions::default();
        decisions.add_alias("stripe", "203.0.113.7").unwrap();
        decisions.set_included(&data, &data.communications[1], false);
        decisions.set_general_rule(
            &OwnerKey::of(&data.entities[1].owner),
            Direction::Ingress,
            GeneralRule::AllowAll,
        );
        decisions.allow_dns = true;
        decisions
            .cluster_ranges
            .push(parse_cidr("10.0.0.0/8").unwrap());
        assert_eq!(
            decisions.count(),
            5,
            "an alias, a row, a rule, a range, DNS"
        );
        let json = decisions.to_json();
        assert!(json.contains("\"allow-all\""), "{json}");
        assert_eq!(Decisions::from_json(&json).unwrap(), decisions);
        assert!(Decisions::from_json("{\"exclude\": []}").is_err());
    }

    #[test]
    fn keys_that_name_nothing_flowpol_writes_are_kept_and_decide_nothing() {
        let data = dataset();
        let text = r#"{
  "excluded": [
    "Deployment/shop/web -> Deployment/shop/api TCP/80",
    "deployment/shop/web -> Deployment/shop/api TCP/80"
  ],
  "general": {
    "Deployment/shop/web": {
      "Egress": "block-all"
    },
    "Rollout/shop/web": {
      "Ingress": "allow-all"
    }
  },
  "aliases": [],
  "cluster_ranges": [],
  "allow_dns": false
}"#;
        let decisions = Decisions::from_json(text).unwrap();
        assert_eq!(decisions.to_json(), text, "written back unchanged");
        assert_eq!(decisions.excluded.len(), 1);
        assert_eq!(decisions.unreadable.excluded.len(), 1);
        assert!(!decisions.is_included(&data, &data.communications[0]));
        assert_eq!(
            decisions.general_rule(&OwnerKey::of(&data.entities[0].owner), Direction::Ingress),
            GeneralRule::PerRow
        );
        assert_eq!(
            decisions.unreadable.general["Rollout/shop/web"][&Direction::Ingress],
            GeneralRule::AllowAll
        );
    }
}
