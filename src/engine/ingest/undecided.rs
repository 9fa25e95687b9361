//! Packets whose direction their event does not tell (tunnel observation points print no
//! `is_reply`; UDP has no handshake): kept by their path until every file is read, then
//! decided from the other packets of the same connection, by event time rather than reading
//! order, so that the result does not depend on the order of files or lines:
//!
//! 1. a path some packet went with a known direction (a start, a packet with `is_reply`
//!    false, or the way back of a reply) goes the connection's way: its packets count as they
//!    would have (a datagram's as starts, a later TCP packet's as evidence);
//! 2. the way back of such a path is a reply;
//! 3. of a datagram path and its way back, both undecided, the one seen first starts the
//!    connection and the other replies, when it comes within 120 s (seen at the same instant,
//!    the one from the higher port starts); a datagram path with no way back starts;
//! 4. anything else (a later TCP packet of a connection no packet gave a direction to) is of
//!    unknown direction: left out, and counted in its file's report.
//!
//! Memory grows with connections, not lines, and is bounded: past a million undecided paths,
//! the packets of new ones are counted as of unknown direction.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet};

use super::aggregate::CommunicationKey;
use super::connection::{SkipReason, Undecided};
use super::hubble::FlowEvent;
use super::tally::Tally;

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

/// The undecided packets of one path, recorded as if they went the connection's way.
#[derive(Debug)]
struct UndecidedPath {
    key: CommunicationKey,
    reverse: u64,
    source_port: u16,
    kind: Undecided,
    tally: Tally,
    /// Per file: how many packets.
    files: Vec<(u32, u32)>,
}

/// A path decided to go the connection's way: what its packets add to the communication.
pub struct Forward {
    pub key: CommunicationKey,
    pub tally: Tally,
}

/// Undecided paths, and the paths whose direction is known.
#[derive(Debug, Default)]
pub struct UndecidedPackets {
    known: FxHashSet<u64>,
    paths: FxHashMap<u64, UndecidedPath>,
    /// Per file: packets left undecided because the table was full.
    overflow: Vec<(u32, u32)>,
}

fn add_to(files: &mut Vec<(u32, u32)>, file: u32) {
    match files.iter_mut().find(|(f, _)| *f == file) {
        Some((_, count)) => *count += 1,
        None => files.push((file, 1)),
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

    /// Whether `path` has undecided packets already.
    pub fn has_path(&self, path: u64) -> bool {
        self.paths.contains_key(&path)
    }

    /// The table entry of `path`, made on first sight with `key` (which interns the
    /// endpoints, so it is asked for only then); `None` when the table is full.
    pub fn path<E>(
        &mut self,
        path: u64,
        reverse: u64,
        source_port: u16,
        kind: Undecided,
        file: u32,
        key: impl FnOnce() -> Result<CommunicationKey, E>,
    ) -> Result<Option<&mut Tally>, E> {
        if !self.paths.contains_key(&path) {
            if self.paths.len() >= UNDECIDED_PATHS {
                add_to(&mut self.overflow, file);
                return Ok(None);
            }
            let entry = UndecidedPath {
                key: key()?,
                reverse,
                source_port,
                kind,
                tally: Tally::default(),
                files: Vec::new(),
            };
            self.paths.insert(path, entry);
        }
        let Some(entry) = self.paths.get_mut(&path) else {
            return Ok(None);
        };
        add_to(&mut entry.files, file);
        Ok(Some(&mut entry.tally))
    }

    /// Decides every path: the ones going the connection's way, and what each file's packets
    /// turned out to be.
    pub fn decide(self) -> (Vec<Forward>, Vec<(u32, Outcome, u32)>) {
        let mut outcomes: Vec<(u32, Outcome, u32)> = self
            .overflow
            .iter()
            .map(|&(file, count)| (file, Outcome::Skipped(SkipReason::UnknownDirection), count))
            .collect();
        let first_seen = |path: &UndecidedPath| path.tally.observed.first_seen;
        let mut verdicts: Vec<(u64, Outcome)> = Vec::with_capacity(self.paths.len());
        for (&hash, path) in &self.paths {
            let forward = if self.known.contains(&hash) {
                true
            } else if self.known.contains(&path.reverse) {
                false
            } else if path.kind == Undecided::Stream {
                verdicts.push((hash, Outcome::Skipped(SkipReason::UnknownDirection)));
                continue;
            } else {
                match self.paths.get(&path.reverse) {
                    Some(back) if back.kind == Undecided::Datagram => !replies_to(
                        first_seen(path),
                        path.source_port,
                        first_seen(back),
                        back.source_port,
                    ),
                    _ => true,
                }
            };
            let outcome = match (forward, path.kind) {
                (true, Undecided::Datagram) => Outcome::Starts,
                (true, Undecided::Stream) => Outcome::Skipped(SkipReason::MidConnection),
                (false, _) => Outcome::Skipped(SkipReason::Reply),
            };
            verdicts.push((hash, outcome));
        }
        let mut paths = self.paths;
        let mut forward = Vec::new();
        for (hash, outcome) in verdicts {
            let Some(path) = paths.remove(&hash) else {
                continue;
            };
            for &(file, count) in &path.files {
                outcomes.push((file, outcome, count));
            }
            if matches!(
                outcome,
                Outcome::Starts | Outcome::Skipped(SkipReason::MidConnection)
            ) {
                forward.push(Forward {
                    key: path.key,
                    tally: path.tally,
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
