//! DNS names queried grouped into the selectors a DNS rule names: each name exactly
//! (`matchName`), or, when more than `threshold` distinct names share a parent domain, that
//! parent's one-label wildcard (`matchPattern: "*.parent"`).

use std::collections::BTreeMap;

use crate::engine::l7::http::EXAMPLES;
use crate::engine::l7::pattern::{PatternRule, RequestPattern};
use crate::engine::model::l7::RequestSeen;

/// The selectors of `names` (each with how it was seen), in name order; `threshold` `None`:
/// every name exactly.
pub fn name_patterns(
    names: &[(&str, &RequestSeen)],
    threshold: Option<usize>,
) -> Vec<RequestPattern> {
    let mut by_parent: BTreeMap<&str, Vec<(&str, &RequestSeen)>> = BTreeMap::new();
    for &(name, seen) in names {
        let parent = name.split_once('.').map_or("", |(_, parent)| parent);
        by_parent.entry(parent).or_default().push((name, seen));
    }
    let mut out = Vec::new();
    for (parent, names) in by_parent {
        let wildcard = !parent.is_empty() && threshold.is_some_and(|t| names.len() > t);
        if wildcard {
            let key = format!("*.{parent}");
            out.push(pattern(key, true, &names));
        } else {
            out.extend(
                names
                    .iter()
                    .map(|&one| pattern(one.0.to_string(), false, &[one])),
            );
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn pattern(key: String, wildcard: bool, names: &[(&str, &RequestSeen)]) -> RequestPattern {
    RequestPattern {
        rule: PatternRule::Dns {
            name: key.clone(),
            wildcard,
        },
        key,
        count: names.iter().map(|(_, s)| s.count()).sum(),
        first_seen: names.iter().filter_map(|(_, s)| s.first_seen).min(),
        last_seen: names.iter().filter_map(|(_, s)| s.last_seen).max(),
        examples: names
            .iter()
            .take(EXAMPLES)
            .map(|(n, _)| n.to_string())
            .collect(),
        requests: names.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_exact_until_a_parent_has_too_many() {
        let seen = RequestSeen {
            egress: 1,
            ..RequestSeen::default()
        };
        let names: Vec<String> = (0..5).map(|n| format!("shard{n}.db.example.com")).collect();
        let mut listed: Vec<(&str, &RequestSeen)> =
            names.iter().map(|n| (n.as_str(), &seen)).collect();
        listed.push(("api.example.com", &seen));
        let keys = |threshold| {
            name_patterns(&listed, threshold)
                .into_iter()
                .map(|p| p.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(Some(3)), ["*.db.example.com", "api.example.com"]);
        assert_eq!(keys(Some(20)).len(), 6);
        assert_eq!(keys(None).len(), 6);
    }
}
