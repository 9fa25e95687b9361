//! L7 least privilege: the requests seen on a communication grouped into the patterns an L7
//! rule allows ([`request_patterns`]), and what the rules of one communication allow once the
//! review's exclusions are taken out ([`allowance`]).
//!
//! - [`http`]: paths to patterns (`/details/{id}` → `^/details/[^/]+$`), methods per pattern.
//! - [`names`]: DNS names to `matchName`s, or `*.parent` past the threshold.
//! - [`pattern`]: the options, a pattern's rule, a pattern as the review shows it.
//! - [`matching`]: whether a written rule admits a request (Cilium's anchoring, regexes kept
//!   compiled), for the verifier.
//!
//! A pattern is named by its key (`/details/{id}`, `*.svc.cluster.local`, `produce orders`):
//! the review excludes patterns by key, and a request is excluded when an excluded pattern of
//! its communication, as written in either mode, admits it.

pub mod http;
pub mod matching;
pub mod names;
pub mod pattern;

pub use pattern::{L7Options, PatternRule, RequestPattern, DEFAULT_THRESHOLD};

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::model::l7::{L7Request, ObservedRequests, RequestSeen};

/// The patterns of a communication's requests, in order.
pub fn request_patterns(requests: &ObservedRequests, options: L7Options) -> Vec<RequestPattern> {
    let mut http = Vec::new();
    let mut dns = Vec::new();
    let mut kafka: BTreeMap<(String, String), Vec<&RequestSeen>> = BTreeMap::new();
    for (request, seen) in &requests.requests {
        match request {
            L7Request::Http(request) => http.push((request, seen)),
            L7Request::Dns(name) => dns.push((name.as_str(), seen)),
            L7Request::Kafka(request) => kafka
                .entry((request.api_key.clone(), request.topic.clone()))
                .or_default()
                .push(seen),
        }
    }
    let mut out = Vec::new();
    for pattern in http::path_patterns(http.into_iter(), options.threshold()) {
        out.push(RequestPattern {
            key: pattern.shape(),
            rule: PatternRule::Http {
                methods: pattern.methods.clone(),
                path: pattern.regex(),
            },
            count: pattern.count,
            first_seen: pattern.first_seen,
            last_seen: pattern.last_seen,
            examples: pattern.examples.clone(),
            requests: pattern.paths,
        });
    }
    out.extend(names::name_patterns(&dns, options.threshold()));
    for ((api_key, topic), seen) in kafka {
        let key = if topic.is_empty() {
            api_key.clone()
        } else {
            format!("{api_key} {topic}")
        };
        out.push(RequestPattern {
            examples: vec![key.clone()],
            key,
            rule: PatternRule::Kafka { api_key, topic },
            count: seen.iter().map(|s| s.count()).sum(),
            first_seen: seen.iter().filter_map(|s| s.first_seen).min(),
            last_seen: seen.iter().filter_map(|s| s.last_seen).max(),
            requests: 1,
        });
    }
    out
}

/// What the rules of one communication allow of its requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowance {
    /// No L7 evidence: the port rule, every request.
    NoEvidence,
    /// L7 evidence that rules cannot hold whole (requests past the limit, unreadable records,
    /// kinds mixed on one port): the port rule, every request, and why.
    PortRule(String),
    /// Only the requests these rules admit.
    Rules(BTreeSet<PatternRule>),
    /// Every pattern is excluded: nothing.
    Nothing,
}

/// What a communication's rules allow: its patterns, without those the review excluded
/// (`excluded` holds pattern keys).
pub fn allowance(
    requests: &ObservedRequests,
    excluded: Option<&BTreeSet<String>>,
    options: L7Options,
) -> Allowance {
    if requests.is_empty() {
        return Allowance::NoEvidence;
    }
    if requests.overflow > 0 {
        return Allowance::PortRule(format!(
            "more than {} distinct requests were seen",
            crate::engine::model::l7::MAX_REQUESTS
        ));
    }
    if requests.unreadable > 0 {
        return Allowance::PortRule(format!(
            "{} L7 records had a request flowpol cannot read (no path, or a method that is no token)",
            requests.unreadable
        ));
    }
    let kinds = requests.kinds();
    if kinds.len() > 1 {
        return Allowance::PortRule(format!(
            "requests of several kinds ({}) were seen on one port",
            kinds.join(", ")
        ));
    }
    if kinds == ["Kafka"] && !options.kafka {
        return Allowance::PortRule(
            "Cilium 1.20 removed Kafka-aware policies (rules.kafka); --l7-kafka writes them for \
             Cilium 1.19 and earlier"
                .to_string(),
        );
    }
    let excluded_rules =
        excluded.map_or_else(Vec::new, |keys| excluded_rules(requests, keys, options));
    if excluded_rules.is_empty() {
        return Allowance::Rules(
            request_patterns(requests, options)
                .into_iter()
                .map(|p| p.rule)
                .collect(),
        );
    }
    // The requests left, generalised again: an excluded request never comes back through
    // a wider pattern.
    let kept = ObservedRequests {
        requests: requests
            .requests
            .iter()
            .filter(|(request, _)| {
                !excluded_rules
                    .iter()
                    .any(|rule| matching::rule_admits(rule, request))
            })
            .map(|(r, s)| (r.clone(), s.clone()))
            .collect(),
        ..ObservedRequests::default()
    };
    if kept.requests.is_empty() {
        return Allowance::Nothing;
    }
    let rules: BTreeSet<PatternRule> = request_patterns(&kept, options)
        .into_iter()
        .map(|p| p.rule)
        .collect();
    // A pattern of what is kept may still admit an excluded request: then exactly.
    let leaks = requests.requests.keys().any(|request| {
        !kept.requests.contains_key(request)
            && rules
                .iter()
                .any(|rule| matching::rule_admits(rule, request))
    });
    if leaks {
        let exact = L7Options {
            exact: true,
            ..options
        };
        return Allowance::Rules(
            request_patterns(&kept, exact)
                .into_iter()
                .map(|p| p.rule)
                .collect(),
        );
    }
    Allowance::Rules(rules)
}

/// The rules of a communication's patterns whose keys `keys` holds (the review's exclusions),
/// as written in either mode: a key names the same requests whatever the mode was when it was
/// excluded. A request one of them admits is excluded.
pub fn excluded_rules(
    requests: &ObservedRequests,
    keys: &BTreeSet<String>,
    options: L7Options,
) -> Vec<PatternRule> {
    if keys.is_empty() {
        return Vec::new();
    }
    [false, true]
        .into_iter()
        .flat_map(|exact| request_patterns(requests, L7Options { exact, ..options }))
        .filter(|p| keys.contains(&p.key))
        .map(|p| p.rule)
        .collect()
}

#[cfg(test)]
mod tests;
