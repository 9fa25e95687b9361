//! What L7 rules let through on each peer's port of a policy, when the policy writes them
//! (`generate --format cilium --l7`): the union of the patterns of the included
//! communications on that peer and port. A communication without L7 evidence, or with
//! evidence rules cannot hold whole, makes its port allow every request: L7 never takes away
//! an allow that was observed. Written as `toPorts[].rules` by `cilium`.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::l7::PatternRule;
use crate::engine::model::cilium_policy::{FqdnSelector, HttpRule, KafkaRule, L7Rules};

/// What one peer's port lets through.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum L7Allowed {
    /// Every request (no L7 rule).
    Any,
    /// The requests these rules admit (all of one kind).
    Only(BTreeSet<PatternRule>),
}

impl L7Allowed {
    /// Both: rules of one kind add up; anything else allows every request.
    pub fn union(self, other: L7Allowed) -> L7Allowed {
        match (self, other) {
            (L7Allowed::Only(mut a), L7Allowed::Only(b)) => {
                a.extend(b);
                if kinds(&a) > 1 {
                    L7Allowed::Any
                } else {
                    L7Allowed::Only(a)
                }
            }
            _ => L7Allowed::Any,
        }
    }
}

fn kinds(rules: &BTreeSet<PatternRule>) -> usize {
    let mut kinds: Vec<u8> = rules
        .iter()
        .map(|rule| match rule {
            PatternRule::Http { .. } => 0,
            PatternRule::Dns { .. } => 1,
            PatternRule::Kafka { .. } => 2,
        })
        .collect();
    kinds.dedup();
    kinds.len()
}

/// Per key (a peer and a port), what L7 rules let through; a peer's port not listed lets
/// every request through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L7Allowances<K>(pub BTreeMap<K, L7Allowed>);

impl<K> Default for L7Allowances<K> {
    fn default() -> Self {
        L7Allowances(BTreeMap::new())
    }
}

impl<K: Ord + Clone> L7Allowances<K> {
    /// Adds what one included communication on `key` (a peer's port) needs.
    pub fn note(&mut self, key: K, allowed: L7Allowed) {
        let entry = self.0.entry(key);
        match entry {
            std::collections::btree_map::Entry::Vacant(vacant) => {
                vacant.insert(allowed);
            }
            std::collections::btree_map::Entry::Occupied(mut occupied) => {
                let mine = std::mem::replace(occupied.get_mut(), L7Allowed::Any);
                *occupied.get_mut() = mine.union(allowed);
            }
        }
    }

    /// Adds `other`'s (the allowances of another direction absorbed into this one's): a key
    /// one side allows (`mine_allows`, `theirs_allow`) with no entry allows every request.
    pub fn absorb(
        &mut self,
        mine_allows: impl Fn(&K) -> bool,
        other: L7Allowances<K>,
        theirs_allow: impl Fn(&K) -> bool,
    ) {
        let mut keys: BTreeSet<K> = self.0.keys().cloned().collect();
        keys.extend(other.0.keys().cloned());
        let mut theirs_entries = other.0;
        for key in keys {
            let own = self.0.remove(&key);
            let their = theirs_entries.remove(&key);
            let own = own.or_else(|| mine_allows(&key).then_some(L7Allowed::Any));
            let their = their.or_else(|| theirs_allow(&key).then_some(L7Allowed::Any));
            let merged = match (own, their) {
                (Some(a), Some(b)) => a.union(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => continue,
            };
            self.0.insert(key, merged);
        }
    }
}

/// The `rules` of a port entry that admits what `rules` (all of one kind) admit.
pub fn l7_rules(rules: &BTreeSet<PatternRule>) -> L7Rules {
    let mut written = L7Rules::default();
    for rule in rules {
        match rule {
            PatternRule::Http { methods, path } => {
                for method in methods {
                    written.http.push(HttpRule {
                        method: Some(method.clone()),
                        path: Some(path.clone()),
                        ..HttpRule::default()
                    });
                }
            }
            PatternRule::Dns { name, wildcard } => written.dns.push(FqdnSelector {
                match_name: (!wildcard).then(|| name.clone()),
                match_pattern: wildcard.then(|| name.clone()),
            }),
            PatternRule::Kafka { api_key, topic } => written.kafka.push(KafkaRule {
                api_key: Some(api_key.clone()),
                topic: (!topic.is_empty()).then(|| topic.clone()),
                ..KafkaRule::default()
            }),
        }
    }
    written.dns.sort();
    written.dns.dedup();
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{Labels, Protocol};
    use crate::engine::policy::rules::{DirectionRules, RulePeer};

    fn http(path: &str) -> PatternRule {
        PatternRule::Http {
            methods: BTreeSet::from(["GET".to_string()]),
            path: path.into(),
        }
    }

    fn pods(name: &str) -> RulePeer {
        RulePeer::Pods {
            namespace: "shop".into(),
            selector: Labels::from([("app".to_string(), name.to_string())]),
        }
    }

    #[test]
    fn allowances_add_up_and_any_wins() {
        let port = (Protocol::Tcp, 80);
        let mut allowances = L7Allowances::default();
        allowances.note(
            (pods("a"), port),
            L7Allowed::Only(BTreeSet::from([http("^/a$")])),
        );
        allowances.note(
            (pods("a"), port),
            L7Allowed::Only(BTreeSet::from([http("^/b$")])),
        );
        assert_eq!(
            allowances.0[&(pods("a"), port)],
            L7Allowed::Only(BTreeSet::from([http("^/a$"), http("^/b$")]))
        );
        allowances.note(
            (pods("a"), port),
            L7Allowed::Only(BTreeSet::from([PatternRule::Dns {
                name: "x".into(),
                wildcard: false,
            }])),
        );
        assert_eq!(
            allowances.0[&(pods("a"), port)],
            L7Allowed::Any,
            "kinds mixed"
        );
        // Absorbing a direction that allows the port with no entry: every request.
        let mut mine = DirectionRules::none();
        mine.allow(pods("b"), Some(port));
        let mut own = L7Allowances::default();
        own.note(
            (pods("b"), port),
            L7Allowed::Only(BTreeSet::from([http("^/a$")])),
        );
        let mut theirs = DirectionRules::none();
        theirs.allow(pods("b"), Some(port));
        let allows = |rules: &DirectionRules| {
            let peers = rules.peers().unwrap().clone();
            move |(peer, port): &(RulePeer, _)| {
                peers
                    .get(peer)
                    .is_some_and(|p| p.as_ref().is_none_or(|p| p.contains(port)))
            }
        };
        own.absorb(allows(&mine), L7Allowances::default(), allows(&theirs));
        assert_eq!(own.0[&(pods("b"), port)], L7Allowed::Any);
        let written = l7_rules(&BTreeSet::from([PatternRule::Http {
            methods: BTreeSet::from(["GET".to_string(), "POST".to_string()]),
            path: "^/a$".into(),
        }]));
        assert_eq!(written.http.len(), 2);
    }
}
