//! The decisions file: what the page exports and `flowpol generate --decisions` reads, JSON
//! with keys as text in text order. Unknown fields are refused (a typo is an error); keys that
//! name no row or workload flowpol writes are kept apart and written back unchanged.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use crate::engine::model::{Direction, OwnerKey, RowKey};

use super::state::{Decisions, GeneralRule};
use super::values::{parse_allowed_name, Alias};

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
    /// Request patterns excluded, by row.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    excluded_requests: BTreeMap<String, BTreeSet<String>>,
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
        for (text, keys) in wire.excluded_requests {
            match text.parse::<RowKey>() {
                Ok(key) => {
                    decisions.excluded_requests.insert(key, keys);
                }
                Err(_) => {
                    decisions.unreadable.excluded_requests.insert(text, keys);
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
        let mut excluded_requests: BTreeMap<String, BTreeSet<String>> = decisions
            .excluded_requests
            .into_iter()
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(key, keys)| (key.to_string(), keys))
            .collect();
        excluded_requests.extend(decisions.unreadable.excluded_requests);
        WireDecisions {
            excluded_requests,
            excluded,
            general,
            aliases: decisions.aliases,
            cluster_ranges: decisions.cluster_ranges,
            allow_dns: decisions.allow_dns,
            allow_names: decisions.allowed_names,
        }
    }
}

impl serde::Serialize for Decisions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireDecisions::from(self.clone()).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Decisions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WireDecisions::deserialize(deserializer).map(Decisions::from)
    }
}

impl Decisions {
    /// Reads exported decisions.
    pub fn from_json(text: &str) -> Result<Decisions, String> {
        serde_json::from_str(text).map_err(|e| format!("decisions: {e}"))
    }

    /// Writes decisions for export, pretty and in a stable order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
