//! What the user decided, as plain data with pure edits: rows excluded, general rules per
//! workload and direction, aliases, cluster ranges, the DNS option and names allowed by name;
//! carried over to newer data by the workloads' keys.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::engine::dataset::Dataset;
use crate::engine::model::{Direction, OwnerKey, PeerKey, RowKey};

use super::values::{parse_cidr, Alias, AliasError};

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

/// All decisions of a review.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// Request patterns the user excluded, by row (keys as `l7::RequestPattern::key`): the
    /// row's L7 rules leave out the requests they stand for.
    pub excluded_requests: BTreeMap<RowKey, BTreeSet<String>>,
    /// Entries of an imported file that name no row or workload flowpol writes (a typo, another
    /// tool's kind): they decide nothing, are warned about, and are written back unchanged.
    pub unreadable: UnreadableEntries,
}

/// Entries of a decisions file whose keys are not flowpol's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnreadableEntries {
    pub excluded: BTreeSet<String>,
    pub general: BTreeMap<String, BTreeMap<Direction, GeneralRule>>,
    pub excluded_requests: BTreeMap<String, BTreeSet<String>>,
}

impl Decisions {
    /// The alias covering `ip`, the most specific one when several do.
    pub fn alias_of(&self, ip: IpAddr) -> Option<&Alias> {
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
                || self.alias_of(address.ip).is_some()
            {
                continue;
            }
            let name = address.node.as_deref().unwrap_or("nodes");
            if self.add_alias(name, &address.ip.to_string()).is_ok() {
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
        let carry_row = |row: &RowKey| RowKey {
            client: carry_peer(&row.client),
            server: carry_peer(&row.server),
            ..row.clone()
        };
        Decisions {
            excluded: self.excluded.iter().map(carry_row).collect(),
            excluded_requests: self
                .excluded_requests
                .iter()
                .map(|(row, keys)| (carry_row(row), keys.clone()))
                .collect(),
            general: self
                .general
                .iter()
                .map(|(key, rules)| (carry(key), rules.clone()))
                .collect(),
            ..self.clone()
        }
    }

    /// Excludes (or includes again) the request pattern `key` of the row `row`.
    pub fn set_request_included(&mut self, row: &RowKey, key: &str, included: bool) {
        if included {
            if let Some(keys) = self.excluded_requests.get_mut(row) {
                keys.remove(key);
                if keys.is_empty() {
                    self.excluded_requests.remove(row);
                }
            }
        } else {
            self.excluded_requests
                .entry(row.clone())
                .or_default()
                .insert(key.to_string());
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
            + self
                .excluded_requests
                .values()
                .map(BTreeSet::len)
                .sum::<usize>()
            + self
                .unreadable
                .excluded_requests
                .values()
                .map(BTreeSet::len)
                .sum::<usize>()
    }
}
