//! The requests of one review row, as the review shows them: grouped by the patterns the L7
//! rules would be written with, each with its methods, count, first and last seen, a few
//! example requests, and whether the review includes it (a pattern is excluded by its key).

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::l7::{request_patterns, L7Options, RequestPattern};
use crate::engine::model::CommunicationId;

/// One pattern of a row's requests, and whether the review includes its requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternRow {
    pub pattern: RequestPattern,
    /// The pattern in one line: `GET, POST /products/{id}`.
    pub text: String,
    pub included: bool,
}

/// The patterns of the requests seen on `communication`, in order (none without L7
/// evidence).
pub fn pattern_rows(
    dataset: &Dataset,
    decisions: &Decisions,
    communication: CommunicationId,
    options: L7Options,
) -> Vec<PatternRow> {
    let Some(communication) = dataset.communications.get(communication.index()) else {
        return Vec::new();
    };
    if communication.observed.l7.requests.is_empty() {
        return Vec::new();
    }
    let excluded = decisions
        .excluded_requests
        .get(&dataset.row_key(communication));
    request_patterns(&communication.observed.l7, options)
        .into_iter()
        .map(|pattern| PatternRow {
            included: excluded.is_none_or(|keys| !keys.contains(&pattern.key)),
            text: pattern.describe(),
            pattern,
        })
        .collect()
}

/// A row's requests in one line, most frequent patterns first: `GET /products/{id} ×22,
/// GET /health ×6 (+1 more)`; `None` without L7 evidence.
pub fn requests_summary(
    dataset: &Dataset,
    communications: &[CommunicationId],
    shown: usize,
) -> Option<String> {
    let mut patterns: Vec<(u64, String)> = communications
        .iter()
        .filter_map(|&id| dataset.communications.get(id.index()))
        .flat_map(|c| request_patterns(&c.observed.l7, L7Options::default()))
        .map(|p| (p.count, p.describe()))
        .collect();
    if patterns.is_empty() {
        return None;
    }
    patterns.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut text = patterns
        .iter()
        .take(shown)
        .map(|(count, text)| format!("{text} ×{count}"))
        .collect::<Vec<_>>()
        .join(", ");
    if patterns.len() > shown {
        text.push_str(&format!(" (+{} more)", patterns.len() - shown));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::shipped_demo;

    #[test]
    fn the_demo_rows_show_their_patterns_and_exclusions() {
        let dataset = shipped_demo();
        let catalog = dataset
            .communications_with_ids()
            .find(|(_, c)| {
                dataset
                    .describe(c)
                    .starts_with("Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550")
            })
            .map(|(id, _)| id)
            .expect("frontend calls catalog");
        let mut decisions = Decisions::default();
        let rows = pattern_rows(&dataset, &decisions, catalog, L7Options::default());
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            ["GET /health", "GET /products", "GET /products/{id}"]
        );
        assert!(rows.iter().all(|r| r.included));
        let key = dataset.row_key(&dataset.communications[catalog]);
        decisions.set_request_included(&key, "/health", false);
        let rows = pattern_rows(&dataset, &decisions, catalog, L7Options::default());
        assert!(!rows[0].included && rows[1].included);
        let summary = requests_summary(&dataset, &[catalog], 2).unwrap();
        assert!(summary.starts_with("GET /products/{id} ×"), "{summary}");
        assert!(summary.ends_with("(+1 more)"), "{summary}");
    }
}
