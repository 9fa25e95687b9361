//! The vocabulary of L7 patterns: how requests are generalised ([`L7Options`]), what one
//! pattern's rule allows ([`PatternRule`]), and a pattern as the review shows it
//! ([`RequestPattern`]).

use std::collections::BTreeSet;

/// How requests are generalised into rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L7Options {
    /// Every path and name exactly as seen, one rule each.
    pub exact: bool,
    /// Under one prefix (or one parent domain), more than this many distinct values become
    /// one wildcard.
    pub threshold: usize,
    /// Write Kafka rules (`rules.kafka`), which Cilium 1.20 removed (deprecated since 1.18):
    /// for clusters on Cilium 1.19 or earlier. Without it, Kafka evidence keeps its port rule.
    pub kafka: bool,
}

/// The default threshold: more than 20 distinct segments under one prefix are ids.
pub const DEFAULT_THRESHOLD: usize = 20;

impl Default for L7Options {
    fn default() -> Self {
        L7Options {
            exact: false,
            threshold: DEFAULT_THRESHOLD,
            kafka: false,
        }
    }
}

impl L7Options {
    /// The threshold, `None` in exact mode.
    pub fn threshold(self) -> Option<usize> {
        (!self.exact).then_some(self.threshold)
    }
}

/// What one pattern's rule allows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PatternRule {
    /// These methods on paths the anchored regex matches.
    Http {
        methods: BTreeSet<String>,
        path: String,
    },
    /// A DNS name (`matchName`) or pattern (`matchPattern`, `*` within one label).
    Dns { name: String, wildcard: bool },
    /// A Kafka API key on a topic (none for requests without one).
    Kafka { api_key: String, topic: String },
}

/// A group of requests one rule allows, as the review shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPattern {
    /// What the review names it by.
    pub key: String,
    pub rule: PatternRule,
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// A few of the requests it stands for.
    pub examples: Vec<String>,
    /// How many distinct requests it stands for.
    pub requests: usize,
}

impl RequestPattern {
    /// The pattern in one line: `GET, POST /details/{id}`, `DNS *.svc.cluster.local`.
    pub fn describe(&self) -> String {
        match &self.rule {
            PatternRule::Http { methods, .. } => {
                format!(
                    "{} {}",
                    methods.iter().cloned().collect::<Vec<_>>().join(", "),
                    self.key
                )
            }
            PatternRule::Dns { .. } => format!("DNS {}", self.key),
            PatternRule::Kafka { .. } => format!("Kafka {}", self.key),
        }
    }
}
