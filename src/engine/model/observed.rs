//! What was observed of one communication: connection starts per vantage point and minute,
//! the minutes in which packets of connections opened before the capture went by, first and
//! last seen, dropped starts, DNS names, Services and the L7 requests seen.
//!
//! **Connections, not events.** The same connection is seen at several vantage points (the
//! client's node and the server's node, each at several observation points). Each vantage
//! sees each connection start once, so a communication's connection count is the largest count
//! among its vantages, evaluated over any time span from per-minute counts.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::model::l7::ObservedRequests;

/// An index into the table of vantage points of a load.
pub type VantageId = u32;

/// The starts one vantage saw of one communication.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct VantageCounts {
    /// Connection starts per minute since the Unix epoch.
    pub per_minute: BTreeMap<i64, u32>,
}

impl VantageCounts {
    /// Counts `count` starts in `minute`.
    pub fn add(&mut self, minute: i64, count: u32) {
        let total = self.per_minute.entry(minute).or_insert(0);
        *total = total.saturating_add(count);
    }

    /// Starts within `[from, to]` minutes (inclusive).
    pub fn count_between(&self, from: i64, to: i64) -> u64 {
        if from > to {
            return 0;
        }
        self.per_minute
            .range(from..=to)
            .map(|(_, &n)| u64::from(n))
            .sum()
    }
}

/// What was observed of one communication.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ObservedCommunication {
    pub vantages: BTreeMap<VantageId, VantageCounts>,
    /// Minutes in which packets went the communication's way with no start of theirs in the
    /// capture: connections already open when it began (long-lived streams, pools).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub ongoing_minutes: BTreeSet<i64>,
    /// Nanoseconds since the Unix epoch; `None` when no event had a time.
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Start events Cilium dropped (a policy already denies them).
    pub dropped_starts: u64,
    /// DNS names of the server, from `destination_names`.
    pub server_names: BTreeSet<String>,
    /// `(namespace, name)` of the Services the connection was addressed through.
    pub services: BTreeSet<(String, String)>,
    /// The requests an L7 proxy saw on it (HTTP, DNS, Kafka).
    #[serde(default, skip_serializing_if = "ObservedRequests::is_empty")]
    pub l7: ObservedRequests,
}

impl ObservedCommunication {
    /// Counts `count` starts seen at `vantage` in `minute`.
    pub fn add_starts(&mut self, vantage: VantageId, minute: i64, count: u32) {
        self.vantages.entry(vantage).or_default().add(minute, count);
    }

    /// Moves one start seen at `vantage` from minute `from` to minute `to` (a retransmission
    /// read before the first attempt: the connection counts at its earliest time).
    pub fn move_start(&mut self, vantage: VantageId, from: i64, to: i64) {
        if from == to {
            return;
        }
        let counts = self.vantages.entry(vantage).or_default();
        if let Some(count) = counts.per_minute.get_mut(&from) {
            *count -= 1;
            if *count == 0 {
                counts.per_minute.remove(&from);
            }
            counts.add(to, 1);
        }
    }

    /// Takes back one start seen at `vantage` in `minute` (two connections found to be one).
    pub fn remove_start(&mut self, vantage: VantageId, minute: i64) {
        let counts = self.vantages.entry(vantage).or_default();
        if let Some(count) = counts.per_minute.get_mut(&minute) {
            *count -= 1;
            if *count == 0 {
                counts.per_minute.remove(&minute);
            }
        }
    }

    /// Notes a packet of the communication that starts nothing, at `time` (nanoseconds).
    pub fn note_ongoing(&mut self, time: Option<i64>) {
        self.ongoing_minutes
            .insert(time.map_or(0, crate::engine::model::time::minute_of));
        if let Some(time) = time {
            self.seen_at(time);
        }
    }

    /// Whether connections of this communication were open before the capture began and none
    /// started in it: its packets were seen, never a start.
    pub fn already_open(&self) -> bool {
        !self.ongoing_minutes.is_empty() && self.connections() == 0
    }

    /// Whether anything of the communication happened within `[from, to]` minutes: a
    /// connection started, or packets of an open one went by.
    pub fn active_between(&self, from: i64, to: i64) -> bool {
        from <= to
            && (self.connections_between(from, to) > 0
                || self.ongoing_minutes.range(from..=to).next().is_some())
    }

    /// Widens first and last seen to include `time`.
    pub fn seen_at(&mut self, time: i64) {
        self.first_seen = min_option(self.first_seen, Some(time));
        self.last_seen = max_option(self.last_seen, Some(time));
    }

    /// Connections within `[from, to]` minutes: the largest count among the vantages.
    pub fn connections_between(&self, from: i64, to: i64) -> u64 {
        self.vantages
            .values()
            .map(|v| v.count_between(from, to))
            .max()
            .unwrap_or(0)
    }

    /// The first and last minute within `[from, to]` with a connection start or a packet of an
    /// open connection, if any.
    pub fn minutes_between(&self, from: i64, to: i64) -> Option<(i64, i64)> {
        if from > to {
            return None;
        }
        let minutes = self
            .vantages
            .values()
            .flat_map(|v| v.per_minute.range(from..=to).map(|(minute, _)| *minute))
            .chain(self.ongoing_minutes.range(from..=to).copied());
        minutes.fold(None, |span, minute| match span {
            None => Some((minute, minute)),
            Some((first, last)) => Some((first.min(minute), last.max(minute))),
        })
    }

    /// Connections over the whole capture.
    pub fn connections(&self) -> u64 {
        self.connections_between(i64::MIN, i64::MAX)
    }

    /// Takes the names and Services of `other` (the same connections seen before DNAT),
    /// not its counts: the connections are already counted where they arrived.
    pub fn merge_names(&mut self, other: &ObservedCommunication) {
        self.server_names.extend(other.server_names.iter().cloned());
        self.services.extend(other.services.iter().cloned());
        self.l7.merge(&other.l7);
    }

    /// Folds `other` (the same communication seen under another key) into this one.
    pub fn merge(&mut self, other: &ObservedCommunication) {
        for (vantage, counts) in &other.vantages {
            let mine = self.vantages.entry(*vantage).or_default();
            for (minute, n) in &counts.per_minute {
                mine.add(*minute, *n);
            }
        }
        self.ongoing_minutes
            .extend(other.ongoing_minutes.iter().copied());
        self.first_seen = min_option(self.first_seen, other.first_seen);
        self.last_seen = max_option(self.last_seen, other.last_seen);
        self.dropped_starts += other.dropped_starts;
        self.merge_names(other);
    }
}

fn min_option(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_option(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_vantage_counts_and_merging_adds_per_vantage() {
        let mut a = ObservedCommunication::default();
        a.add_starts(0, 10, 2);
        a.add_starts(1, 10, 1);
        a.add_starts(0, 12, 1);
        a.seen_at(5);
        assert_eq!(a.connections(), 3);
        assert_eq!(a.connections_between(11, 12), 1);
        assert_eq!(a.minutes_between(0, 100), Some((10, 12)));
        assert_eq!(a.minutes_between(13, 12), None);
        let mut b = ObservedCommunication::default();
        b.add_starts(1, 11, 4);
        b.seen_at(9);
        b.server_names.insert("x".into());
        a.merge(&b);
        assert_eq!(a.connections(), 5, "vantage 1 now has 5");
        assert_eq!((a.first_seen, a.last_seen), (Some(5), Some(9)));
        assert!(a.server_names.contains("x"));
        a.move_start(1, 11, 9);
        assert_eq!(a.minutes_between(0, 100), Some((9, 12)));
        assert_eq!(a.connections(), 5);
    }

    #[test]
    fn a_connection_open_before_the_capture_is_seen_without_starts() {
        let mut open = ObservedCommunication::default();
        assert!(!open.already_open());
        open.note_ongoing(Some(3 * 60_000_000_000));
        open.note_ongoing(Some(5 * 60_000_000_000 + 1));
        assert!(open.already_open());
        assert_eq!(open.connections(), 0);
        assert!(open.active_between(4, 6) && !open.active_between(6, 9));
        assert_eq!(open.minutes_between(0, 10), Some((3, 5)));
        assert_eq!(open.first_seen, Some(3 * 60_000_000_000));
        open.add_starts(0, 7, 1);
        assert!(!open.already_open(), "a start in the capture");
    }
}
