//! Counting the connection starts of one communication while reading: each vantage point
//! counts each connection once. Starts of the same client address and port at the same
//! vantage whose times are each within 130 s of another (a retransmitted SYN, a UDP stream
//! that keeps its ports) are one connection, counted at the earliest time: the count is the
//! same whatever order the lines come in. The last 256 connections per vantage are
//! remembered.

use crate::engine::model::observed::{ObservedCommunication, VantageId};
use crate::engine::model::time::minute_of;

/// How many recent connections a vantage remembers to join repeats: the list grows only for
/// busy communications, up to this many.
const RECENT_STARTS: usize = 256;
/// How far apart two starts of one client address and port can be and still be one
/// connection: Linux retransmits an unanswered SYN for up to about 127 s.
const RETRANSMISSION_NANOS: i64 = 130 * 1_000_000_000;

/// One connection being counted: the hash of its client address and port, and the span of
/// its start times (`None` for a start without a time, which joins any).
#[derive(Clone, Copy, Debug)]
struct Span {
    first: Option<i64>,
    last: Option<i64>,
}

impl Span {
    /// Whether a start at `time` belongs to this connection: within the window of its span.
    fn reaches(&self, time: Option<i64>) -> bool {
        match (self.first, self.last, time) {
            (Some(first), Some(last), Some(time)) => {
                time >= first.saturating_sub(RETRANSMISSION_NANOS)
                    && time <= last.saturating_add(RETRANSMISSION_NANOS)
            }
            _ => true,
        }
    }

    fn widen(&mut self, time: Option<i64>) {
        if let (Some(first), Some(time)) = (self.first, time) {
            self.first = Some(first.min(time));
        }
        if let (Some(last), Some(time)) = (self.last, time) {
            self.last = Some(last.max(time));
        }
    }
}

/// The connections one vantage saw start recently: their hashes apart, so that looking for a
/// connection is a tight scan.
#[derive(Debug, Default)]
struct RecentStarts {
    hashes: Vec<u64>,
    spans: Vec<Span>,
    next: usize,
}

impl RecentStarts {
    /// The remembered connections of `connection` a start at `time` belongs to.
    fn matching(&self, time: Option<i64>, connection: u64) -> Vec<usize> {
        if !self.hashes.contains(&connection) {
            return Vec::new();
        }
        (0..self.hashes.len())
            .filter(|&i| self.hashes[i] == connection && self.spans[i].reaches(time))
            .collect()
    }

    /// Remembers a new connection, forgetting the oldest when full.
    fn remember(&mut self, time: Option<i64>, connection: u64) {
        let span = Span {
            first: time,
            last: time,
        };
        if self.hashes.len() < RECENT_STARTS {
            self.hashes.push(connection);
            self.spans.push(span);
        } else {
            self.hashes[self.next] = connection;
            self.spans[self.next] = span;
            self.next = (self.next + 1) % RECENT_STARTS;
        }
    }

    /// Forgets connection `index` (joined into another).
    fn forget(&mut self, index: usize) {
        // A hash no client has: the slot is never matched again and is reused in turn.
        self.hashes[index] = u64::MAX;
        self.spans[index] = Span {
            first: None,
            last: None,
        };
    }
}

/// A communication being counted: what was observed, and each vantage's recent starts.
#[derive(Debug, Default)]
pub struct Tally {
    pub observed: ObservedCommunication,
    recent: Vec<(VantageId, RecentStarts)>,
}

impl Tally {
    /// Counts a start seen at `vantage` at `time` (nanoseconds) of the client address and port
    /// `connection`, unless it belongs to a connection already counted there; a start that
    /// joins two counted connections makes them one.
    pub fn record(&mut self, vantage: VantageId, time: Option<i64>, connection: u64) {
        let index = match self.recent.iter().position(|(v, _)| *v == vantage) {
            Some(index) => index,
            None => {
                self.recent.push((vantage, RecentStarts::default()));
                self.recent.len() - 1
            }
        };
        let recent = &mut self.recent[index].1;
        let matching = recent.matching(time, connection);
        let Some((&kept, joined)) = matching.split_first() else {
            recent.remember(time, connection);
            self.observed
                .add_starts(vantage, time.map_or(0, minute_of), 1);
            return;
        };
        let counted_at = |span: &Span| span.first.map_or(0, minute_of);
        let before = counted_at(&recent.spans[kept]);
        recent.spans[kept].widen(time);
        for &other in joined {
            let span = recent.spans[other];
            self.observed.remove_start(vantage, counted_at(&span));
            recent.spans[kept].widen(span.first);
            recent.spans[kept].widen(span.last);
            recent.forget(other);
        }
        self.observed
            .move_start(vantage, before, counted_at(&recent.spans[kept]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::time::NANOS_PER_MINUTE;

    #[test]
    fn a_retransmission_counts_once_at_the_earliest_time_in_any_order() {
        let at =
            |minute: i64, second: i64| Some(minute * NANOS_PER_MINUTE + second * 1_000_000_000);
        for order in [[at(10, 50), at(11, 20)], [at(11, 20), at(10, 50)]] {
            let mut tally = Tally::default();
            for time in order {
                tally.record(0, time, 7);
            }
            assert_eq!(tally.observed.connections(), 1);
            assert_eq!(tally.observed.minutes_between(0, 100), Some((10, 10)));
        }
        let mut tally = Tally::default();
        tally.record(0, at(10, 0), 7);
        tally.record(0, at(13, 0), 7);
        tally.record(1, at(10, 0), 7);
        tally.record(0, at(10, 1), 8);
        assert_eq!(
            tally.observed.connections(),
            3,
            "a new port, and the same port much later"
        );
    }

    #[test]
    fn a_stream_that_keeps_its_ports_is_one_connection_read_forwards_or_backwards() {
        let second = |s: i64| Some(s * 1_000_000_000);
        for order in [
            (0..600).collect::<Vec<i64>>(),
            (0..600).rev().collect(),
            (300..600).chain(0..300).collect(),
        ] {
            let mut tally = Tally::default();
            for s in order {
                tally.record(0, second(s), 9);
            }
            assert_eq!(tally.observed.connections(), 1);
            assert_eq!(tally.observed.minutes_between(0, 100), Some((0, 0)));
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// The reference: per client port, sorted start times, a new connection wherever the gap
    /// to the previous start exceeds the window; counted at its first start's minute.
    fn reference(starts: &[(u64, i64)]) -> std::collections::BTreeMap<i64, u64> {
        let mut by_port: std::collections::BTreeMap<u64, Vec<i64>> = Default::default();
        for &(port, time) in starts {
            by_port.entry(port).or_default().push(time);
        }
        let mut per_minute = std::collections::BTreeMap::new();
        for times in by_port.values_mut() {
            times.sort();
            let mut previous: Option<i64> = None;
            for &time in times.iter() {
                if previous.is_none_or(|p| time - p > RETRANSMISSION_NANOS) {
                    *per_minute.entry(minute_of(time)).or_insert(0) += 1;
                }
                previous = Some(time);
            }
        }
        per_minute
    }

    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::{Just, Strategy};

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// Starts of a few client ports over 20 minutes, in any order: the count per minute is
        /// the reference's.
        #[test]
        fn counts_are_the_references_in_any_order(
            (starts, shuffled) in proptest::collection::vec((0u64..4, 0i64..1200), 0..60)
                .prop_flat_map(|starts| (Just(starts.clone()), Just(starts).prop_shuffle())),
        ) {
            let seconds = |list: Vec<(u64, i64)>| -> Vec<(u64, i64)> {
                list.into_iter().map(|(p, s)| (p, s * 1_000_000_000)).collect()
            };
            let (starts, shuffled) = (seconds(starts), seconds(shuffled));
            for sequence in [&starts, &shuffled] {
                let mut tally = Tally::default();
                for &(port, time) in sequence.iter() {
                    tally.record(0, Some(time), port);
                }
                let counted: std::collections::BTreeMap<i64, u64> = (0..=20)
                    .map(|minute| (minute, tally.observed.connections_between(minute, minute)))
                    .filter(|&(_, count)| count > 0)
                    .collect();
                proptest::prop_assert_eq!(counted, reference(&starts));
            }
        }
    }
}
