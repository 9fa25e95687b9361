//! Packets whose direction their event does not tell (tunnel observation points print no
//! `is_reply`; UDP has no handshake): kept by their path until every file is read, then
//! decided from the other packets of the same connection, by event time rather than reading
//! order, so that the result does not depend on the order of files or lines:
//!
//! 1. a path some packet went with a known direction (a start, a packet with `is_reply`
//!    false, or the way back of a packet Hubble marks as a reply) goes the connection's way:
//!    its packets count as they would have (a datagram's as starts, a later TCP packet's as
//!    evidence);
//! 2. the way back of such a path is a reply;
//! 3. of a datagram path and its way back, both undecided, the one seen first starts the
//!    connection and the other replies, when it comes within 120 s (seen at the same instant,
//!    the one from the higher port starts);
//! 4. a datagram path with no way back starts, unless it goes from a port below the ephemeral
//!    range to one in it: then it is the reply of a request not captured (guessing from ports
//!    only breaks this tie: a client whose ports are not in the usual range is still a client
//!    when its request is seen);
//! 5. anything else (later TCP packets of a connection no packet gave a direction to) is of
//!    unknown direction: left out, and counted in its file's report.
//!
//! A path is a datagram path when any of its packets is a datagram, whatever the order they
//! came in. Packets of one path whose events describe its endpoints differently are kept
//! apart, each with its own communication.
//!
//! Memory grows with connections, not lines, and is bounded: past a million undecided paths,
//! the packets of new ones are counted as of unknown direction, and past four million paths
//! with a known direction, new ones are not remembered. Below those sizes, which are far
//! beyond a capture's, the result does not depend on the order of lines; past them, it can.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::engine::ingest::flows::connection::{SkipReason, Undecided, EPHEMERAL_PORTS_START};
use crate::engine::ingest::flows::endpoints::CommunicationKey;
use crate::engine::ingest::flows::tally::Tally;
use crate::engine::ingest::formats::hubble::FlowEvent;

/// How long after a datagram the way back is its reply.
const REPLY_WINDOW_NANOS: i64 = 120 * 1_000_000_000;
/// How many paths with a known direction are remembered.
const KNOWN_PATHS: usize = 1 << 22;
/// How many undecided paths are kept.
const UNDECIDED_PATHS: usize = 1 << 20;

/// The hash of an event's path (addresses, ports and protocol), or of its way back.
pub fn path_hash(event: &FlowEvent<'_>, reversed: bool) -> Option<u64> {
    let (protocol, source_port, destination_port) = event.transport.ports()?;
    let mut from = (event.source_ip.as_ref(), source_port);
    let mut to = (event.destination_ip.as_ref(), destination_port);
    if reversed {
        std::mem::swap(&mut from, &mut to);
    }
    let mut hasher = rustc_hash::FxHasher::default();
    (from, to, protocol).hash(&mut hasher);
    Some(hasher.finish())
}

/// What a file's packets turned out to be, once decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Connection starts.
    Starts,
    /// Counted in the file report under this reason.
    Skipped(SkipReason),
}

/// The undecided packets of one path whose events describe its endpoints alike, recorded as
/// if they went the connection's way.
#[derive(Debug)]
struct UndecidedPath {
    path: u64,
    reverse: u64,
    key: CommunicationKey,
    source_port: u16,
    destination_port: u16,
    tally: Tally,
    /// Per file and kind of packet: how many packets.
    files: Vec<(u32, Undecided, u32)>,
}

/// A path decided to go the connection's way: what its packets add to the communication.
pub struct Forward {
    pub key: CommunicationKey,
    pub tally: Tally,
}

/// What all the undecided packets of one path (however their events describe the endpoints)
/// tell about it.
#[derive(Clone, Copy, Debug)]
struct PathSummary {
    datagram: bool,
    first_seen: Option<i64>,
    source_port: u16,
}

/// Undecided paths, and the paths whose direction is known.
#[derive(Debug, Default)]
pub struct UndecidedPackets {
    known: FxHashSet<u64>,
    /// By the hash of the path and of its endpoints' descriptions.
    paths: FxHashMap<u64, UndecidedPath>,
    /// Per file: packets left undecided because the table was full.
    overflow: Vec<(u32, u32)>,
}

/// The hash an undecided packet is kept under: its path, and its endpoints as its event
/// describes them.
pub fn entry_hash(path: u64, event: &FlowEvent<'_>) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    (path, event.source_raw, event.destination_raw).hash(&mut hasher);
    hasher.finish()
}

fn add_to(files: &mut Vec<(u32, u32)>, file: u32) {
    match files.iter_mut().find(|(f, _)| *f == file) {
        Some((_, count)) => *count += 1,
        None => files.push((file, 1)),
    }
}

fn add_kind_to(files: &mut Vec<(u32, Undecided, u32)>, file: u32, kind: Undecided) {
    match files.iter_mut().find(|(f, k, _)| *f == file && *k == kind) {
        Some((.., count)) => *count += 1,
        None => files.push((file, kind, 1)),
    }
}

/// The earlier of two times, a time being earlier than none.
fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl UndecidedPackets {
    /// Notes that `path` goes a connection's way (a start, evidence, or the way back of a
    /// reply).
    pub fn know_forward(&mut self, path: u64) {
        if self.known.len() < KNOWN_PATHS {
            self.known.insert(path);
        }
    }

    /// Whether `entry` (see [`entry_hash`]) has undecided packets already.
    pub fn has_entry(&self, entry: u64) -> bool {
        self.paths.contains_key(&entry)
    }

    /// The table entry `entry` of `path` (whose way back is `reverse`), made on first sight
    /// with `key` (which interns the endpoints, so it is asked for only then), with a packet
    /// of `kind` from `file` counted; `None` when the table is full.
    pub fn path<E>(
        &mut self,
        entry: u64,
        (path, reverse): (u64, u64),
        (source_port, destination_port): (u16, u16),
        kind: Undecided,
        file: u32,
        key: impl FnOnce() -> Result<CommunicationKey, E>,
    ) -> Result<Option<&mut Tally>, E> {
        if !self.paths.contains_key(&entry) {
            if self.paths.len() >= UNDECIDED_PATHS {
                add_to(&mut self.overflow, file);
                return Ok(None);
            }
            let undecided = UndecidedPath {
                path,
                reverse,
                key: key()?,
                source_port,
                destination_port,
                tally: Tally::default(),
                files: Vec::new(),
            };
            self.paths.insert(entry, undecided);
        }
        let Some(undecided) = self.paths.get_mut(&entry) else {
            return Ok(None);
        };
        add_kind_to(&mut undecided.files, file, kind);
        Ok(Some(&mut undecided.tally))
    }

    /// What the packets of each path tell, over all the descriptions of its endpoints.
    fn summaries(&self) -> FxHashMap<u64, PathSummary> {
        let mut summaries: FxHashMap<u64, PathSummary> = FxHashMap::default();
        for undecided in self.paths.values() {
            let datagram = undecided
                .files
                .iter()
                .any(|&(_, kind, _)| kind == Undecided::Datagram);
            let first_seen = undecided.tally.observed.first_seen;
            summaries
                .entry(undecided.path)
                .and_modify(|summary| {
                    summary.datagram |= datagram;
                    summary.first_seen = earliest(summary.first_seen, first_seen);
                })
                .or_insert(PathSummary {
                    datagram,
                    first_seen,
                    source_port: undecided.source_port,
                });
        }
        summaries
    }

    /// Whether the undecided packets of `undecided` go the connection's way (`None`: nothing
    /// tells).
    fn goes_forward(
        &self,
        undecided: &UndecidedPath,
        summaries: &FxHashMap<u64, PathSummary>,
    ) -> Option<bool> {
        if self.known.contains(&undecided.path) {
            return Some(true);
        }
        if self.known.contains(&undecided.reverse) {
            return Some(false);
        }
        let mine = summaries[&undecided.path];
        if !mine.datagram {
            return None;
        }
        Some(match summaries.get(&undecided.reverse) {
            Some(back) if back.datagram => !replies_to(
                mine.first_seen,
                mine.source_port,
                back.first_seen,
                back.source_port,
            ),
            _ => {
                !(undecided.source_port < EPHEMERAL_PORTS_START
                    && undecided.destination_port >= EPHEMERAL_PORTS_START)
            }
        })
    }

    /// Decides every path: the ones going the connection's way, and what each file's packets
    /// turned out to be.
    pub fn decide(self) -> (Vec<Forward>, Vec<(u32, Outcome, u32)>) {
        let mut outcomes: Vec<(u32, Outcome, u32)> = self
            .overflow
            .iter()
            .map(|&(file, count)| (file, Outcome::Skipped(SkipReason::UnknownDirection), count))
            .collect();
        let summaries = self.summaries();
        let verdicts: Vec<(u64, Option<bool>)> = self
            .paths
            .iter()
            .map(|(&entry, undecided)| (entry, self.goes_forward(undecided, &summaries)))
            .collect();
        let mut paths = self.paths;
        let mut forward = Vec::new();
        for (entry, verdict) in verdicts {
            let Some(undecided) = paths.remove(&entry) else {
                continue;
            };
            for &(file, kind, count) in &undecided.files {
                let outcome = match (verdict, kind) {
                    (None, _) => Outcome::Skipped(SkipReason::UnknownDirection),
                    (Some(true), Undecided::Datagram) => Outcome::Starts,
                    (Some(true), Undecided::Stream) => Outcome::Skipped(SkipReason::MidConnection),
                    (Some(false), _) => Outcome::Skipped(SkipReason::Reply),
                };
                outcomes.push((file, outcome, count));
            }
            if verdict == Some(true) {
                forward.push(Forward {
                    key: undecided.key,
                    tally: undecided.tally,
                });
            }
        }
        // The hash map's order is no order: sort, so that merging is deterministic.
        forward.sort_by_key(|f| f.key);
        outcomes.sort_by_key(|&(file, outcome, _)| (file, outcome == Outcome::Starts));
        (forward, outcomes)
    }
}

/// Whether a datagram path first seen at `mine` (from `my_port`) answers its way back, first
/// seen at `theirs` (from `their_port`): it came after, within the reply window; at the same
/// instant (or with no times), the path from the lower port answers.
fn replies_to(mine: Option<i64>, my_port: u16, theirs: Option<i64>, their_port: u16) -> bool {
    match (mine, theirs) {
        (Some(mine), Some(theirs)) if mine != theirs => {
            (1..=REPLY_WINDOW_NANOS).contains(&mine.saturating_sub(theirs))
        }
        _ => my_port < their_port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_within_the_window_replies() {
        let s = 1_000_000_000;
        assert!(replies_to(Some(5 * s), 53, Some(4 * s), 40000));
        assert!(!replies_to(Some(4 * s), 40000, Some(5 * s), 53));
        assert!(
            !replies_to(Some(500 * s), 53, Some(4 * s), 40000),
            "long after: its own start"
        );
        assert!(
            replies_to(Some(4 * s), 53, Some(4 * s), 40000),
            "the lower port"
        );
        assert!(
            !replies_to(None, 5353, None, 5353),
            "equal ports: both start"
        );
    }
}
