//! The requests seen on the communications in scope replayed through policies, one by one:
//! each allowed or denied (an L7 rule decides it), against what the review wants: every
//! request of an included communication allowed, but those of a pattern the review excluded.

use std::collections::BTreeSet;

use crate::engine::dataset::{Communication, Dataset};
use crate::engine::decisions::Decisions;
use crate::engine::l7::matching::rule_admits;
use crate::engine::l7::{excluded_rules, L7Options};
use crate::engine::model::l7::{L7Request, ObservedRequests};
use crate::engine::model::{CommunicationId, EntityId, TimeWindow};
use crate::engine::units::thousands;
use crate::engine::verify::evaluate::Verdict;
use crate::engine::verify::replay::{communications_in_scope, review_allows, Placed, PolicyView};

/// The outcome for one request.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RequestVerdict {
    pub communication: CommunicationId,
    pub request: L7Request,
    pub verdict: Verdict,
    /// Whether the review wants it allowed.
    pub expected: bool,
}

/// Every request replayed.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestReport {
    pub rows: Vec<RequestVerdict>,
}

impl RequestReport {
    /// Requests the review wants allowed that the policies deny.
    pub fn included_denied(&self) -> impl Iterator<Item = &RequestVerdict> {
        self.rows
            .iter()
            .filter(|r| r.expected && !r.verdict.allowed())
    }

    /// Requests of excluded patterns the policies still allow.
    pub fn excluded_allowed(&self) -> impl Iterator<Item = &RequestVerdict> {
        self.rows
            .iter()
            .filter(|r| !r.expected && r.verdict.allowed())
    }

    /// "L7: all 480 requests seen allowed, the 2 excluded denied", or the mismatches.
    pub fn summary(&self) -> String {
        let included = self.rows.iter().filter(|r| r.expected).count();
        let excluded = self.rows.len() - included;
        let denied = self.included_denied().count();
        let allowed = self.excluded_allowed().count();
        let count = |n: usize| thousands(n as u64);
        let included_part = match (included, denied) {
            (0, _) => "no request to allow".to_string(),
            (1, 0) => "the 1 request seen allowed".to_string(),
            (n, 0) => format!("all {} requests seen allowed", count(n)),
            (n, d) => format!("{} of {} requests seen DENIED", count(d), count(n)),
        };
        let excluded_part = match (excluded, allowed) {
            (0, _) => String::new(),
            (1, 0) => ", the 1 excluded denied".to_string(),
            (n, 0) => format!(", all {} excluded denied", count(n)),
            (n, a) => format!(", {} of {} excluded still ALLOWED", count(a), count(n)),
        };
        format!("L7: {included_part}{excluded_part}")
    }
}

/// Replays every distinct request seen on the communications of `scope` in `window` through
/// policies generated for `scope`, expecting what the review decided.
pub fn verify_requests(
    dataset: &Dataset,
    decisions: &Decisions,
    policies: &[Placed<'_>],
    scope: &[EntityId],
    window: TimeWindow,
    options: L7Options,
) -> RequestReport {
    let in_scope: BTreeSet<EntityId> = scope.iter().copied().collect();
    let rows = communications_in_scope(dataset, scope, window);
    replay_requests(dataset, policies, rows, |communication, requests| {
        let wanted = review_allows(dataset, decisions, &in_scope, communication);
        let excluded = decisions
            .excluded_requests
            .get(&dataset.row_key(communication));
        let excluded_rules =
            excluded.map_or_else(Vec::new, |keys| excluded_rules(requests, keys, options));
        requests
            .requests
            .keys()
            .map(|request| wanted && !excluded_rules.iter().any(|r| rule_admits(r, request)))
            .collect()
    })
}

/// Replays every distinct request seen in `window` through existing policies, expecting each
/// to be allowed (they were observed, so the cluster needs them).
pub fn verify_existing_requests(
    dataset: &Dataset,
    policies: &[Placed<'_>],
    window: TimeWindow,
) -> RequestReport {
    let rows = dataset
        .communications_with_ids()
        .filter(|(_, c)| c.seen_in(window))
        .map(|(id, _)| id)
        .collect();
    replay_requests(dataset, policies, rows, |_, requests| {
        vec![true; requests.requests.len()]
    })
}

/// Replays the requests of `rows`; `expected` says, per communication, whether each of its
/// requests (in order) should be allowed.
fn replay_requests(
    dataset: &Dataset,
    policies: &[Placed<'_>],
    rows: Vec<CommunicationId>,
    expected: impl Fn(&Communication, &ObservedRequests) -> Vec<bool>,
) -> RequestReport {
    let view = PolicyView::of(dataset, policies);
    let mut out = Vec::new();
    for index in rows {
        let communication = &dataset.communications[index];
        let requests = &communication.observed.l7;
        if requests.requests.is_empty() {
            continue;
        }
        let wanted = expected(communication, requests);
        for (request, expected) in requests.requests.keys().zip(wanted) {
            out.push(RequestVerdict {
                communication: index,
                request: request.clone(),
                verdict: view.evaluate_request(
                    dataset,
                    policies,
                    (communication.client, communication.server),
                    (communication.protocol, communication.port),
                    Some(request),
                ),
                expected,
            });
        }
    }
    RequestReport { rows: out }
}
