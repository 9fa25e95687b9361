//! Whether the capture is long enough: a policy is only as good as the capture, and a weekly
//! CronJob or a failover path never seen in two hours of flows will be denied. From the
//! dataset alone:
//!
//! - the discovery curve: how many communications were first seen in each tenth of the
//!   capture (a capture still finding new ones at its end has not seen everything);
//! - an estimate of the communications still unseen: Chao1, bias-corrected (Chao 1987, 2005),
//!   over how many connections each communication had. Communications seen once (`f1`) and
//!   twice (`f2`) tell how many were missed: many seen once and few twice means many not
//!   seen at all. Its bias-corrected form `(n-1)/n · f1(f1-1) / (2(f2+1))` stays finite when no
//!   communication was seen twice (common in short captures) and is a lower bound, so the
//!   warning never overstates;
//! - workloads with no traffic: pods the inventory knows that sent and received nothing in the
//!   capture, whose policies (deny everything) are written without evidence, and controllers
//!   the inventory holds with no pod at all (a CronJob that did not fire, replicas at zero).

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::model::{EntityId, Owner};
use crate::engine::units::{thousands, utc_time};

/// The parts the capture's time is cut into.
pub const PARTS: usize = 10;

/// Communications first seen in each tenth of the capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveryCurve {
    /// The capture's first and last event (nanoseconds since the Unix epoch).
    pub start: i64,
    pub end: i64,
    /// New communications per tenth, in time order ([`PARTS`] of them).
    pub new: Vec<usize>,
}

impl DiscoveryCurve {
    /// The curve of `dataset`'s communications with a time (none when none has one).
    pub fn of(dataset: &Dataset) -> Option<DiscoveryCurve> {
        let times = || {
            dataset
                .communications
                .iter()
                .filter_map(|c| c.observed.first_seen.zip(c.observed.last_seen))
        };
        let start = times().map(|(first, _)| first).min()?;
        let end = times().map(|(_, last)| last).max()?;
        let mut new = vec![0; PARTS];
        for (first, _) in times() {
            new[part_of(first, start, end)] += 1;
        }
        Some(DiscoveryCurve { start, end, new })
    }

    /// Communications first seen in the last tenth.
    pub fn last(&self) -> usize {
        self.new.last().copied().unwrap_or(0)
    }

    /// `12 5 3 1 0 0 0 0 0 0`: the curve as numbers.
    pub fn numbers(&self) -> String {
        let words: Vec<String> = self.new.iter().map(ToString::to_string).collect();
        words.join(" ")
    }

    /// The length of a tenth, in nanoseconds (at least 1).
    pub fn part_length(&self) -> i64 {
        ((self.end - self.start) / PARTS as i64).max(1)
    }
}

/// The tenth of `[start, end]` that `time` falls in (the end belongs to the last).
fn part_of(time: i64, start: i64, end: i64) -> usize {
    let span = (end - start).max(1) as i128;
    let offset = (time - start).clamp(0, end - start) as i128;
    ((offset * PARTS as i128 / span) as usize).min(PARTS - 1)
}

/// Chao1's estimate of the communications there are, seen and unseen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Richness {
    /// Communications seen.
    pub observed: usize,
    /// Those seen in exactly one connection, and in exactly two.
    pub once: u64,
    pub twice: u64,
    /// Connections counted (the sample's size).
    pub connections: u64,
    /// Communications not seen, as Chao1 estimates them (at least 0).
    pub unseen: f64,
}

impl Richness {
    /// The estimate over `dataset`'s communications whose connections were counted (those
    /// already open when the capture began count as seen, not as samples).
    pub fn of(dataset: &Dataset) -> Richness {
        let counts: Vec<u64> = dataset
            .communications
            .iter()
            .map(|c| c.observed.connections())
            .collect();
        let once = counts.iter().filter(|&&n| n == 1).count() as u64;
        let twice = counts.iter().filter(|&&n| n == 2).count() as u64;
        let connections: u64 = counts.iter().sum();
        Richness {
            observed: counts.len(),
            once,
            twice,
            connections,
            unseen: chao1_unseen(once, twice, connections),
        }
    }
}

/// Chao1's bias-corrected unseen term: `(n-1)/n · f1(f1-1) / (2(f2+1))`.
pub fn chao1_unseen(once: u64, twice: u64, connections: u64) -> f64 {
    if connections == 0 || once < 2 {
        return 0.0;
    }
    let n = connections as f64;
    let f1 = once as f64;
    let f2 = twice as f64;
    (n - 1.0) / n * f1 * (f1 - 1.0) / (2.0 * (f2 + 1.0))
}

/// What flowpol can say about the capture's length.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    pub curve: Option<DiscoveryCurve>,
    pub richness: Richness,
    /// Workloads with pods (from the inventory) that sent and received nothing.
    pub silent: Vec<EntityId>,
    /// Controllers the inventory holds with no pod.
    pub podless: Vec<Owner>,
}

impl Coverage {
    pub fn of(dataset: &Dataset) -> Coverage {
        Coverage {
            curve: DiscoveryCurve::of(dataset),
            richness: Richness::of(dataset),
            silent: silent_entities(dataset),
            podless: dataset.podless.clone(),
        }
    }

    /// Whether the capture should go on: its last tenth still found new communications and
    /// Chao1 estimates at least one unseen.
    pub fn still_rising(&self) -> bool {
        self.curve.as_ref().is_some_and(|c| c.last() > 0) && self.richness.unseen >= 1.0
    }

    /// The "keep capturing" warning, when the capture should go on.
    pub fn keep_capturing(&self) -> Option<String> {
        let curve = self.curve.as_ref().filter(|_| self.still_rising())?;
        let r = &self.richness;
        Some(format!(
            "Keep capturing: the last tenth of the capture ({} to {}) still found {} new {}, \
             and about {} more are likely unseen (Chao1 from {} communications seen in one \
             connection and {} in two). Anything not seen will be denied.",
            utc_time(curve.end - curve.part_length()),
            utc_time(curve.end),
            thousands(curve.last() as u64),
            plural(curve.last(), "communication", "communications"),
            thousands(r.unseen.round() as u64),
            thousands(r.once),
            thousands(r.twice),
        ))
    }

    /// Every warning: keep capturing, workloads with no traffic, controllers with no pod.
    pub fn warnings(&self, dataset: &Dataset) -> Vec<String> {
        let mut warnings: Vec<String> = self.keep_capturing().into_iter().collect();
        if !self.silent.is_empty() {
            let names: Vec<String> = self
                .silent
                .iter()
                .map(|&id| dataset.owner_key(id).to_string())
                .collect();
            warnings.push(format!(
                "{} {} no traffic in the capture, so {} everything, written without \
                 evidence: {}",
                thousands(names.len() as u64),
                plural(names.len(), "workload had", "workloads had"),
                plural(names.len(), "its policy denies", "their policies deny"),
                names.join(", ")
            ));
        }
        warnings.extend(self.podless_warning());
        warnings
    }

    /// The controllers with no pod, as one warning (none when there are none).
    pub fn podless_warning(&self) -> Option<String> {
        if self.podless.is_empty() {
            return None;
        }
        let names: Vec<String> = self.podless.iter().map(ToString::to_string).collect();
        Some(format!(
            "{} {} in the inventory with no pod (a CronJob that did not fire, replicas at \
             zero), so nothing of {} is in the capture and no policy is written: {}",
            thousands(names.len() as u64),
            plural(names.len(), "controller is", "controllers are"),
            plural(names.len(), "its traffic", "their traffic"),
            names.join(", ")
        ))
    }

    /// The estimate in a line: `31 communications seen, 4 in one connection and 2 in two;
    /// Chao1: about 3 unseen`.
    pub fn estimate_line(&self) -> String {
        let r = &self.richness;
        format!(
            "{} {} seen, {} in one connection and {} in two; Chao1: about {} unseen",
            thousands(r.observed as u64),
            plural(r.observed, "communication", "communications"),
            thousands(r.once),
            thousands(r.twice),
            thousands(r.unseen.round() as u64)
        )
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 {
        one
    } else {
        many
    }
}

/// Entities with pods that are no side of any communication (but those in their node's
/// network, whose traffic is their node's).
pub fn silent_entities(dataset: &Dataset) -> Vec<EntityId> {
    let mut talking = vec![false; dataset.entities.len()];
    for communication in &dataset.communications {
        for peer in [communication.client, communication.server] {
            if let Peer::Entity(id) = peer {
                talking[id.index()] = true;
            }
        }
    }
    dataset
        .entity_ids()
        .filter(|&id| {
            let entity = &dataset.entities[id];
            !talking[id.index()] && !entity.pods.is_empty() && !entity.host_network
        })
        .collect()
}

#[cfg(test)]
mod tests;
