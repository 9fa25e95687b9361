//! Counting the connection starts of one communication while reading: each vantage point
//! counts each connection once, a retransmitted SYN (the same client address and port within
//! 130 s at the same vantage) included, and at its earliest time whatever order the lines come
//! in. The last 256 connections per vantage are remembered.

use crate::engine::model::observed::{ObservedCommunication, VantageId};
use crate::engine::model::time::minute_of;

/// How many recent connection keys a vantage remembers to drop repeats: the list grows only
/// for busy communications, up to this many.
const RECENT_STARTS: usize = 256;
/// How long a client address and port stay the same connection: Linux retransmits an
/// unanswered SYN for up to about 127 s.
const RETRANSMISSION_NANOS: i64 = 130 * 1_000_000_000;

/// The connections one vantage saw start recently (hash of the client address and port), and
/// when each was counted (apart, so that looking for a connection is a tight scan over the
/// hashes).
#[derive(Debug, Default)]
struct RecentStarts {
    hashes: Vec<u64>,
    times: Vec<Option<i64>>,
    next: usize,
}

impl RecentStarts {
    /// The remembered start `connection` is a repeat of (within the retransmission window of
    /// `time`), if any.
    fn find(&self, time: Option<i64>, connection: u64) -> Option<usize> {
        if !self.hashes.contains(&connection) {
            return None;
        }
        self.hashes
            .iter()
            .zip(&self.times)
            .position(|(&seen, &at)| {
                seen == connection
                    && match (at, time) {
                        (Some(at), Some(time)) => {
                            time.abs_diff(at) <= RETRANSMISSION_NANOS.unsigned_abs()
                        }
                        _ => true,
                    }
            })
    }

    /// Remembers `connection`, forgetting the oldest when full.
    fn remember(&mut self, time: Option<i64>, connection: u64) {
        if self.hashes.len() < RECENT_STARTS {
            self.hashes.push(connection);
            self.times.push(time);
        } else {
            self.hashes[self.next] = connection;
            self.times[self.next] = time;
            self.next = (self.next + 1) % RECENT_STARTS;
        }
    }
}

/// A communication being counted: what was observed, and each vantage's recent starts.
#[derive(Debug, Default)]
pub struct Tally {
    pub observed: ObservedCommunication,
    recent: Vec<(VantageId, RecentStarts)>,
}

impl Tally {
    /// Counts a start seen at `vantage` at `time` (nanoseconds) unless the same client address
    /// and port (`connection`) started one there within the retransmission window; a repeat
    /// earlier than the start counted moves the count to its time.
    pub fn record(&mut self, vantage: VantageId, time: Option<i64>, connection: u64) {
        let index = match self.recent.iter().position(|(v, _)| *v == vantage) {
            Some(index) => index,
            None => {
                self.recent.push((vantage, RecentStarts::default()));
                self.recent.len() - 1
            }
        };
        let recent = &mut self.recent[index].1;
        if let Some(found) = recent.find(time, connection) {
            if let (Some(counted), Some(earlier)) = (recent.times[found], time) {
                if earlier < counted {
                    recent.times[found] = Some(earlier);
                    self.observed
                        .move_start(vantage, minute_of(counted), minute_of(earlier));
                }
            }
            return;
        }
        recent.remember(time, connection);
        self.observed
            .add_starts(vantage, time.map_or(0, minute_of), 1);
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
}
