//! Aggregating flow events into observed communications between endpoints as the flows
//! describe them (before any resolution), keeping only aggregated state: memory grows with
//! distinct (client endpoint, server endpoint, protocol, port) tuples and connections, never
//! with lines.
//!
//! A start is counted per vantage point (`tally`; see [`ObservedCommunication`] for why the
//! largest vantage's count is the communication's). A packet going a connection's way without
//! starting it is evidence that the communication happens, its minute recorded (a capture
//! is a window: long-lived connections opened before it show no start). A packet whose
//! direction its event does not tell is kept until every file is read (`undecided`).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};

use crate::engine::model::l7::L7Request;
use crate::engine::model::observed::{ObservedCommunication, VantageId};
use crate::engine::model::parse_ip;
use crate::engine::model::time::minute_of;

use crate::engine::ingest::flows::connection::{Role, Undecided};
use crate::engine::ingest::flows::endpoints::{
    CommunicationKey, ObservedEndpoint, ObservedEndpoints,
};
use crate::engine::ingest::flows::tally::Tally;
use crate::engine::ingest::flows::undecided::{entry_hash, path_hash, Outcome, UndecidedPackets};
use crate::engine::ingest::formats::flowpol_json::AggregateRecord;
use crate::engine::ingest::formats::hubble::{EventKind, FlowError, FlowEvent, Verdict};

/// Where an event was observed: event kind or observation point, and direction. Not the
/// node: the pods of one workload run on several nodes, and every connection passes each
/// vantage once on whichever node its pod runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vantage {
    pub point: String,
}

/// What tells the vantage of a Hubble event apart.
#[derive(Debug)]
struct EventVantage {
    kind: EventKind,
    observation_point: Option<String>,
    direction: String,
}

/// How many recent evidence packets are remembered, to skip the interning of the next ones of
/// the same path in the same minute (a cache: forgetting costs time, never correctness).
const EVIDENCE_CACHE: usize = 1 << 16;

/// The evidence recorded lately for a path: its communication, the minute, and the earliest
/// and latest time recorded in it.
type RecordedEvidence = (CommunicationKey, Option<i64>, Option<i64>, Option<i64>);

/// Everything aggregated from the flows of all files.
#[derive(Debug, Default)]
pub struct FlowAggregate {
    pub endpoints: ObservedEndpoints,
    pub vantages: Vec<Vantage>,
    vantage_ids: FxHashMap<Vantage, VantageId>,
    /// The vantages of Hubble events by event kind, observation point and direction, looked
    /// up without building their names (there are a handful).
    event_vantages: Vec<(EventVantage, VantageId)>,
    communications: FxHashMap<CommunicationKey, Tally>,
    undecided: UndecidedPackets,
    evidence: FxHashMap<u64, RecordedEvidence>,
    /// DNS answers seen in L7 records: address → names.
    pub dns_names: BTreeMap<IpAddr, BTreeSet<String>>,
}

/// What the flows of all files hold once read: the endpoints as the flows described them, the
/// vantage points, and the communications observed between endpoints, in key order.
#[derive(Debug, Default)]
pub struct Flows {
    pub endpoints: Vec<ObservedEndpoint>,
    pub vantages: Vec<Vantage>,
    pub communications: Vec<(CommunicationKey, ObservedCommunication)>,
    /// DNS answers seen in L7 records: address → names.
    pub dns_names: BTreeMap<IpAddr, BTreeSet<String>>,
}

/// How many DNS names are kept per address.
const MAX_NAMES_PER_ADDRESS: usize = 16;

/// Adds the destination's DNS names and Service of `event` to `communication`.
fn note_names(communication: &mut ObservedCommunication, event: &FlowEvent<'_>) {
    for name in &event.destination_names {
        let name = name.trim_end_matches('.');
        if communication.server_names.len() < MAX_NAMES_PER_ADDRESS
            && !communication.server_names.contains(name)
        {
            communication.server_names.insert(name.to_string());
        }
    }
    if let Some((namespace, name)) = &event.destination_service {
        let known = communication
            .services
            .iter()
            .any(|(n, s)| n == namespace && s == name);
        if !known {
            communication
                .services
                .insert((namespace.to_string(), name.to_string()));
        }
    }
}

/// Whether `event` names its destination (DNS names, a Service).
fn names_something(event: &FlowEvent<'_>) -> bool {
    !event.destination_names.is_empty() || event.destination_service.is_some()
}

/// Counts `event` as a start at `vantage` in `tally`.
fn record_start(tally: &mut Tally, vantage: VantageId, event: &FlowEvent<'_>, source_port: u16) {
    let time = event.nanos();
    let mut connection = rustc_hash::FxHasher::default();
    (event.source_ip.as_ref(), source_port).hash(&mut connection);
    tally.record(vantage, time, connection.finish());
    let communication = &mut tally.observed;
    if let Some(time) = time {
        communication.seen_at(time);
    }
    if event.verdict == Verdict::Dropped {
        communication.dropped_starts += 1;
    }
    note_names(communication, event);
}

impl FlowAggregate {
    fn vantage(&mut self, event: &FlowEvent<'_>) -> VantageId {
        let observation_point = match event.kind {
            EventKind::Trace => event.observation_point.as_deref(),
            _ => None,
        };
        let direction = event.direction.as_deref().unwrap_or("");
        let known = self.event_vantages.iter().find(|(seen, _)| {
            seen.kind == event.kind
                && seen.observation_point.as_deref() == observation_point
                && seen.direction == direction
        });
        if let Some(&(_, id)) = known {
            return id;
        }
        let point = match event.kind {
            EventKind::Trace => observation_point.unwrap_or("TRACE").to_string(),
            kind => format!("{kind:?}"),
        };
        let id = self.named_vantage(&format!("{point}/{direction}"));
        self.event_vantages.push((
            EventVantage {
                kind: event.kind,
                observation_point: observation_point.map(str::to_string),
                direction: direction.to_string(),
            },
            id,
        ));
        id
    }

    /// The communication key of `event` (client: its source), its endpoints interned.
    fn key(&mut self, event: &FlowEvent<'_>) -> Result<CommunicationKey, FlowError> {
        let (protocol, _, destination_port) = event
            .transport
            .ports()
            .ok_or(FlowError::MissingField("l4"))?;
        let client = self
            .endpoints
            .intern_raw(&event.source_ip, event.source_raw, || event.source())?;
        let server =
            self.endpoints
                .intern_raw(&event.destination_ip, event.destination_raw, || {
                    event.destination()
                })?;
        if let Some(node) = event.node.as_deref() {
            self.endpoints.note_node(client, node);
            self.endpoints.note_node(server, node);
            // A packet going the connection's way (`is_reply` false, or an L7 request that
            // omits it) is seen on the node of its source (egress) or of its destination
            // (ingress): where that pod runs. Replies are left out (an L7 proxy prints a
            // response at the requester's node).
            let request_l7 =
                event.is_reply.is_none() && event.l7_type.as_deref() == Some("REQUEST");
            if event.is_reply == Some(false) || request_l7 {
                match event.direction.as_deref() {
                    Some("EGRESS") => self.endpoints.note_pod_node(client, node),
                    Some("INGRESS") => self.endpoints.note_pod_node(server, node),
                    _ => {}
                }
            }
        }
        Ok(CommunicationKey {
            client,
            server,
            protocol,
            port: destination_port,
        })
    }

    /// Records what `event` means for its communication (`role`), from file number `file`;
    /// fails when an endpoint of the event cannot be read.
    pub fn add(&mut self, event: &FlowEvent<'_>, role: Role, file: u32) -> Result<(), FlowError> {
        let Some((_, source_port, destination_port)) = event.transport.ports() else {
            return Ok(());
        };
        if let (Some(request), Role::Ongoing) = (&event.l7_request, role) {
            self.add_request(event, request.as_ref())?;
        }
        match role {
            Role::Start => {
                self.undecided
                    .know_forward(path_hash(event, false).unwrap_or_default());
                let key = self.key(event)?;
                let vantage = self.vantage(event);
                record_start(
                    self.communications.entry(key).or_default(),
                    vantage,
                    event,
                    source_port,
                );
            }
            Role::Ongoing => {
                let path = path_hash(event, false).unwrap_or_default();
                self.undecided.know_forward(path);
                self.add_evidence(path, event)?;
            }
            Role::Reply => self
                .undecided
                .know_forward(path_hash(event, true).unwrap_or_default()),
            Role::Undecided(kind) => {
                self.add_undecided(event, kind, (source_port, destination_port), file)?
            }
            Role::Skipped(_) => {}
        }
        Ok(())
    }

    /// Records the request of an L7 record (`None`: one that cannot be read) on its
    /// communication.
    fn add_request(
        &mut self,
        event: &FlowEvent<'_>,
        request: Option<&L7Request>,
    ) -> Result<(), FlowError> {
        let key = self.key(event)?;
        let requests = &mut self.communications.entry(key).or_default().observed.l7;
        match request {
            Some(request) => requests.record(
                request.clone(),
                event.direction.as_deref() != Some("INGRESS"),
                event.nanos(),
            ),
            None => requests.unreadable += 1,
        }
        Ok(())
    }

    /// Records a packet going its connection's way without starting it. The first one of a
    /// path (with its endpoints described alike) in a minute, or one earlier or later than
    /// those recorded, is recorded; the others add only the names they carry, and are
    /// skipped without interning their endpoints.
    fn add_evidence(&mut self, path: u64, event: &FlowEvent<'_>) -> Result<(), FlowError> {
        let time = event.nanos();
        let minute = time.map(minute_of);
        let entry = entry_hash(path, event);
        let key = match self.evidence.get(&entry) {
            Some(&(key, seen_minute, first, last)) if seen_minute == minute => {
                if time >= first && time <= last {
                    if names_something(event) {
                        let communication = &mut self.communications.entry(key).or_default();
                        note_names(&mut communication.observed, event);
                    }
                    return Ok(());
                }
                key
            }
            Some(&(key, ..)) => key,
            None => self.key(event)?,
        };
        if self.evidence.len() >= EVIDENCE_CACHE {
            self.evidence.clear();
        }
        let recorded = self
            .evidence
            .entry(entry)
            .or_insert((key, minute, time, time));
        if recorded.1 == minute {
            recorded.2 = recorded.2.min(time);
            recorded.3 = recorded.3.max(time);
        } else {
            *recorded = (key, minute, time, time);
        }
        let communication = &mut self.communications.entry(key).or_default().observed;
        communication.note_ongoing(time);
        note_names(communication, event);
        Ok(())
    }

    /// Keeps a packet whose direction is not known yet by its path.
    fn add_undecided(
        &mut self,
        event: &FlowEvent<'_>,
        kind: Undecided,
        (source_port, destination_port): (u16, u16),
        file: u32,
    ) -> Result<(), FlowError> {
        let path = path_hash(event, false).unwrap_or_default();
        let reverse = path_hash(event, true).unwrap_or_default();
        let entry = entry_hash(path, event);
        let vantage = self.vantage(event);
        // The endpoints are interned only on the entry's first sight.
        let mut key = None;
        if !self.undecided.has_entry(entry) {
            key = Some(self.key(event)?);
        }
        let tally = self.undecided.path(
            entry,
            (path, reverse),
            (source_port, destination_port),
            kind,
            file,
            || key.ok_or(FlowError::MissingField("source")),
        )?;
        let Some(tally) = tally else {
            return Ok(());
        };
        match kind {
            Undecided::Datagram => record_start(tally, vantage, event, source_port),
            Undecided::Stream => {
                tally.observed.note_ongoing(event.nanos());
                note_names(&mut tally.observed, event);
            }
        }
        Ok(())
    }

    /// Records `count` connections of an already aggregated record (flowpol's flow JSON):
    /// counted as given, in a vantage of their own, at `time` when known; a count of 0 is
    /// packets of connections already open at `time`. An error, and nothing recorded, when it
    /// names an endpoint past the endpoints' limit.
    pub fn add_aggregate(&mut self, record: &AggregateRecord<'_>) -> Result<(), FlowError> {
        let key = CommunicationKey {
            client: self.endpoints.intern_within_limit(&record.client)?,
            server: self.endpoints.intern_within_limit(&record.server)?,
            protocol: record.protocol,
            port: record.port,
        };
        let vantage = self.named_vantage("flowpol-json");
        let communication = &mut self.communications.entry(key).or_default().observed;
        if record.count == 0 {
            // Packets of connections already open, no start.
            communication.note_ongoing(record.time);
        } else {
            communication.add_starts(vantage, record.time.map_or(0, minute_of), record.count);
        }
        if let Some(time) = record.time {
            communication.seen_at(time);
        }
        if record.dropped {
            communication.dropped_starts += u64::from(record.count);
        }
        for name in &record.server_names {
            if communication.server_names.len() < MAX_NAMES_PER_ADDRESS {
                communication
                    .server_names
                    .insert(name.trim_end_matches('.').to_string());
            }
        }
        Ok(())
    }

    fn named_vantage(&mut self, point: &str) -> VantageId {
        let vantage = Vantage {
            point: point.to_string(),
        };
        if let Some(&id) = self.vantage_ids.get(&vantage) {
            return id;
        }
        let id = self.vantages.len() as VantageId;
        self.vantage_ids.insert(vantage.clone(), id);
        self.vantages.push(vantage);
        id
    }

    /// How many distinct communications (between endpoints as observed) were counted.
    pub fn communication_count(&self) -> usize {
        self.communications.len()
    }

    /// The observed communications, in no particular order.
    pub fn observed(&self) -> impl Iterator<Item = (&CommunicationKey, &ObservedCommunication)> {
        self.communications.iter().map(|(k, t)| (k, &t.observed))
    }

    /// Ends the reading: what the flows hold, without the memory only reading needs, and what
    /// the packets whose direction was decided last turned out to be, per file.
    pub fn finish(mut self) -> (Flows, Vec<(u32, Outcome, u32)>) {
        let (forward, outcomes) = std::mem::take(&mut self.undecided).decide();
        for decided in forward {
            let observed = &mut self.communications.entry(decided.key).or_default().observed;
            observed.merge(&decided.tally.observed);
        }
        // Vantages numbered in name order, not in the order they were first seen.
        let mut order: Vec<usize> = (0..self.vantages.len()).collect();
        order.sort_by(|&a, &b| self.vantages[a].cmp(&self.vantages[b]));
        let mut renumbered = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumbered[old] = new as VantageId;
        }
        let vantages: Vec<Vantage> = order
            .iter()
            .map(|&old| self.vantages[old].clone())
            .collect();
        let mut communications: Vec<(CommunicationKey, ObservedCommunication)> = self
            .communications
            .into_iter()
            .map(|(key, tally)| {
                let mut observed = tally.observed;
                observed.vantages = std::mem::take(&mut observed.vantages)
                    .into_iter()
                    .map(|(id, counts)| (renumbered[id as usize], counts))
                    .collect();
                (key, observed)
            })
            .collect();
        communications.sort_by_key(|(key, _)| *key);
        let flows = Flows {
            endpoints: self.endpoints.endpoints,
            vantages,
            communications,
            dns_names: self.dns_names,
        };
        (flows, outcomes)
    }

    /// Records the names a DNS answer gave to addresses.
    pub fn add_dns_answer(&mut self, query: &str, addresses: &[std::borrow::Cow<'_, str>]) {
        let name = query.trim_end_matches('.');
        for address in addresses.iter().filter_map(|text| parse_ip(text)) {
            let names = self.dns_names.entry(address).or_default();
            if names.len() < MAX_NAMES_PER_ADDRESS {
                names.insert(name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::formats::hubble::parse_flow;
    use crate::engine::model::time::parse_time;

    fn start(aggregate: &mut FlowAggregate, line: &str) {
        aggregate
            .add(&parse_flow(line.as_bytes()).unwrap(), Role::Start, 0)
            .unwrap();
    }

    fn syn(node: &str, point: &str, sport: u16, time: &str) -> String {
        format!(
            r#"{{"time":"{time}","IP":{{"source":"10.0.0.1","destination":"10.0.0.2"}},"l4":{{"TCP":{{"source_port":{sport},"destination_port":80,"flags":{{"SYN":true}}}}}},"source":{{"identity":5,"pod_name":"a"}},"destination":{{"identity":6,"pod_name":"b"}},"node_name":"{node}","event_type":{{"type":4}},"trace_observation_point":"{point}"}}"#
        )
    }

    #[test]
    fn one_connection_seen_at_two_nodes_counts_once() {
        let mut aggregate = FlowAggregate::default();
        start(
            &mut aggregate,
            &syn("n1", "TO_STACK", 40000, "2026-01-01T00:00:01Z"),
        );
        start(
            &mut aggregate,
            &syn("n2", "TO_ENDPOINT", 40000, "2026-01-01T00:00:01Z"),
        );
        start(
            &mut aggregate,
            &syn("n1", "TO_OVERLAY", 40000, "2026-01-01T00:00:01Z"),
        );
        assert_eq!(aggregate.communication_count(), 1);
        let communication = aggregate.observed().next().unwrap().1;
        assert_eq!(communication.connections(), 1);
        assert_eq!(aggregate.endpoints.endpoints.len(), 2);
    }

    #[test]
    fn retransmissions_count_once_and_new_ports_count_again() {
        let mut aggregate = FlowAggregate::default();
        for _ in 0..3 {
            start(
                &mut aggregate,
                &syn("n1", "TO_STACK", 40000, "2026-01-01T00:00:01Z"),
            );
        }
        start(
            &mut aggregate,
            &syn("n1", "TO_STACK", 40001, "2026-01-01T00:02:01Z"),
        );
        start(
            &mut aggregate,
            &syn("n2", "TO_ENDPOINT", 40001, "2026-01-01T00:02:01Z"),
        );
        let communication = aggregate.observed().next().unwrap().1;
        assert_eq!(communication.connections(), 2);
        let minute = minute_of(parse_time("2026-01-01T00:00:30Z").unwrap());
        assert_eq!(communication.connections_between(minute, minute), 1);
        assert_eq!(communication.connections_between(minute + 1, minute + 5), 1);
        assert_eq!(communication.first_seen, parse_time("2026-01-01T00:00:01Z"));
        assert_eq!(communication.last_seen, parse_time("2026-01-01T00:02:01Z"));
    }

    #[test]
    fn merging_keys_of_one_communication_keeps_the_largest_vantage() {
        let mut aggregate = FlowAggregate::default();
        // Seen at the client before DNAT (to a ClusterIP), and at the server after it.
        let pre_dnat = |sport| {
            syn("n1", "TO_STACK", sport, "2026-01-01T00:00:01Z").replace("10.0.0.2", "10.96.0.9")
        };
        start(&mut aggregate, &pre_dnat(40000));
        start(&mut aggregate, &pre_dnat(40002));
        start(
            &mut aggregate,
            &syn("n2", "TO_ENDPOINT", 40000, "2026-01-01T00:00:01Z"),
        );
        start(
            &mut aggregate,
            &syn("n2", "TO_ENDPOINT", 40002, "2026-01-01T00:00:01Z"),
        );
        assert_eq!(aggregate.communication_count(), 2);
        let mut values = aggregate.observed().map(|(_, observed)| observed);
        let mut merged = values.next().unwrap().clone();
        merged.merge(values.next().unwrap());
        assert_eq!(merged.connections(), 2);
    }

    /// A tunnel point's UDP packets say nothing of their direction, and both ports are high:
    /// the path seen first (in event time) starts, its way back within 120 s replies, in
    /// whichever order the lines are read.
    #[test]
    fn a_reply_read_before_its_start_does_not_start() {
        let udp = |from: (&str, u16), to: (&str, u16), time: &str| {
            format!(
                r#"{{"time":"{time}","IP":{{"source":"{}","destination":"{}"}},"l4":{{"UDP":{{"source_port":{},"destination_port":{}}}}},"source":{{"identity":5,"pod_name":"a"}},"destination":{{"identity":6,"pod_name":"b"}},"event_type":{{"type":4}},"trace_observation_point":"TO_OVERLAY"}}"#,
                from.0, to.0, from.1, to.1
            )
        };
        let (client, server) = (("10.0.0.1", 45000), ("10.0.0.2", 51820));
        let start = udp(client, server, "2026-11-20T09:00:00Z");
        let reply = udp(server, client, "2026-11-20T09:00:01Z");
        let much_later = udp(server, client, "2026-11-20T10:30:00Z");
        for lines in [[&start, &reply], [&reply, &start]] {
            let mut aggregate = FlowAggregate::default();
            for line in lines {
                let event = parse_flow(line.as_bytes()).unwrap();
                let role = crate::engine::ingest::flows::connection::role(&event);
                aggregate.add(&event, role, 0).unwrap();
            }
            let (flows, outcomes) = aggregate.finish();
            assert_eq!(flows.communications.len(), 1);
            let (key, observed) = &flows.communications[0];
            assert_eq!((key.port, observed.connections()), (51820, 1));
            assert!(outcomes.contains(&(
                0,
                Outcome::Skipped(crate::engine::ingest::flows::connection::SkipReason::Reply),
                1
            )));
        }
        let mut aggregate = FlowAggregate::default();
        for line in [&much_later, &start] {
            let event = parse_flow(line.as_bytes()).unwrap();
            let role = crate::engine::ingest::flows::connection::role(&event);
            aggregate.add(&event, role, 0).unwrap();
        }
        assert_eq!(
            aggregate.finish().0.communications.len(),
            2,
            "90 minutes later, the way back starts a connection of its own"
        );
    }
}
