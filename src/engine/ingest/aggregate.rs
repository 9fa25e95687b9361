//! Aggregating connection starts into observed communications between endpoints as the flows
//! describe them (before any resolution), keeping only aggregated state: memory grows with
//! distinct (client endpoint, server endpoint, protocol, port) tuples, never with lines.
//!
//! Each vantage point counts each connection start once (see [`ObservedCommunication`] for
//! why the largest vantage's count is the communication's). Within one vantage, a start from
//! a client address and port seen there within the last 130 s (a SYN retransmission) is
//! counted once; the last 256 connections per vantage are remembered while reading.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};

use crate::engine::model::observed::{ObservedCommunication, VantageId};
use crate::engine::model::time::minute_of;
use crate::engine::model::Protocol;

use super::flowpol_json::AggregateRecord;
use super::hubble::{EndpointInfo, EventKind, FlowError, FlowEvent, Verdict};

/// An index into [`ObservedEndpoints`].
pub type EndpointId = u32;

/// An endpoint as Hubble described it, before any resolution.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObservedEndpoint {
    pub ip: String,
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub pod_name: Option<String>,
    /// `(kind, name)` from Hubble's `workloads[]`.
    pub workload: Option<(String, String)>,
    /// Labels as printed (`k8s:app=x`, `reserved:world`), sorted.
    pub labels: Vec<String>,
    pub identity: u32,
}

impl ObservedEndpoint {
    fn from_info(info: &EndpointInfo<'_>) -> Self {
        let mut labels: Vec<String> = info.labels.iter().map(|l| l.to_string()).collect();
        labels.sort();
        ObservedEndpoint {
            ip: info.ip.to_string(),
            cluster: info.cluster.as_deref().map(str::to_string),
            namespace: info.namespace.as_deref().map(str::to_string),
            pod_name: info.pod_name.as_deref().map(str::to_string),
            workload: info
                .workload
                .as_ref()
                .map(|(kind, name)| (kind.to_string(), name.to_string())),
            labels,
            identity: info.identity,
        }
    }

    /// The reserved identities (`world`, `host`, ...) this endpoint carries.
    pub fn reserved(&self) -> impl Iterator<Item = &str> {
        self.labels
            .iter()
            .filter_map(|l| l.strip_prefix("reserved:"))
    }

    /// The Kubernetes labels (`k8s:key=value`) as key and value.
    pub fn k8s_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.labels
            .iter()
            .filter_map(|l| l.strip_prefix("k8s:").and_then(|kv| kv.split_once('=')))
    }
}

/// An interned endpoint with the exact JSON it was printed as.
type RawEndpoint = (EndpointId, Option<Vec<u8>>);

/// Interned endpoints: each distinct endpoint is stored once.
#[derive(Debug, Default)]
pub struct ObservedEndpoints {
    pub endpoints: Vec<ObservedEndpoint>,
    by_hash: FxHashMap<u64, Vec<EndpointId>>,
    /// Endpoints by the hash of their address and raw JSON, with that JSON.
    by_raw: FxHashMap<u64, Vec<RawEndpoint>>,
}

fn hash_info(info: &EndpointInfo<'_>) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    info.ip.hash(&mut hasher);
    info.pod_name.as_deref().hash(&mut hasher);
    info.namespace.as_deref().hash(&mut hasher);
    info.identity.hash(&mut hasher);
    info.labels.len().hash(&mut hasher);
    hasher.finish()
}

fn same(endpoint: &ObservedEndpoint, info: &EndpointInfo<'_>) -> bool {
    endpoint.ip == info.ip
        && endpoint.identity == info.identity
        && endpoint.pod_name.as_deref() == info.pod_name.as_deref()
        && endpoint.namespace.as_deref() == info.namespace.as_deref()
        && endpoint.cluster.as_deref() == info.cluster.as_deref()
        && endpoint
            .workload
            .as_ref()
            .map(|(k, n)| (k.as_str(), n.as_str()))
            == info
                .workload
                .as_ref()
                .map(|(k, n)| (k.as_ref(), n.as_ref()))
        && endpoint.labels.len() == info.labels.len()
        && info.labels.iter().all(|l| {
            endpoint
                .labels
                .binary_search_by(|e| e.as_str().cmp(l))
                .is_ok()
        })
}

impl ObservedEndpoints {
    /// The id of the endpoint with address `ip` whose JSON object is `raw`: the same pod is
    /// printed with the same bytes every time, so it is parsed only on first sight.
    pub fn intern_raw<'a>(
        &mut self,
        ip: &str,
        raw: Option<&[u8]>,
        parse: impl FnOnce() -> Result<EndpointInfo<'a>, FlowError>,
    ) -> Result<EndpointId, FlowError> {
        let mut hasher = rustc_hash::FxHasher::default();
        ip.hash(&mut hasher);
        raw.hash(&mut hasher);
        let hash = hasher.finish();
        if let Some(candidates) = self.by_raw.get(&hash) {
            for &(id, ref stored_raw) in candidates {
                if self.endpoints[id as usize].ip == ip && stored_raw.as_deref() == raw {
                    return Ok(id);
                }
            }
        }
        let id = self.intern(&parse()?);
        self.by_raw
            .entry(hash)
            .or_default()
            .push((id, raw.map(<[u8]>::to_vec)));
        Ok(id)
    }

    /// The id of `info`, stored on first sight.
    pub fn intern(&mut self, info: &EndpointInfo<'_>) -> EndpointId {
        let hash = hash_info(info);
        let bucket = self.by_hash.entry(hash).or_default();
        if let Some(&id) = bucket
            .iter()
            .find(|&&id| same(&self.endpoints[id as usize], info))
        {
            return id;
        }
        let id = self.endpoints.len() as EndpointId;
        self.endpoints.push(ObservedEndpoint::from_info(info));
        bucket.push(id);
        id
    }
}

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

/// A key of the communication table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommunicationKey {
    pub client: EndpointId,
    pub server: EndpointId,
    pub protocol: Protocol,
    pub port: u16,
}

/// How many recent connection keys a vantage remembers to drop repeats: the list grows only
/// for busy communications, up to this many.
const RECENT_STARTS: usize = 256;
/// How long a client address and port stay the same connection: Linux retransmits an
/// unanswered SYN for up to about 127 s.
const RETRANSMISSION_NANOS: i64 = 130 * 1_000_000_000;

/// The connections one vantage saw start recently (hash of the client address and port), and
/// when each started (apart, so that looking for a connection is a tight scan over the
/// hashes): needed only while reading, to count a retransmitted SYN once.
#[derive(Debug, Default)]
struct RecentStarts {
    hashes: Vec<u64>,
    times: Vec<Option<i64>>,
    next: usize,
}

impl RecentStarts {
    /// Whether `connection` started here within the retransmission window of `time`.
    fn repeats(&self, time: Option<i64>, connection: u64) -> bool {
        self.hashes.contains(&connection)
            && self.hashes.iter().zip(&self.times).any(|(&seen, &at)| {
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
struct Tally {
    observed: ObservedCommunication,
    recent: Vec<(VantageId, RecentStarts)>,
}

impl Tally {
    /// Counts a start seen at `vantage` at `time` (nanoseconds) unless the same client address
    /// and port started one there within the retransmission window.
    fn record(&mut self, vantage: VantageId, time: Option<i64>, connection: u64) {
        let index = match self.recent.iter().position(|(v, _)| *v == vantage) {
            Some(index) => index,
            None => {
                self.recent.push((vantage, RecentStarts::default()));
                self.recent.len() - 1
            }
        };
        let recent = &mut self.recent[index].1;
        if recent.repeats(time, connection) {
            return;
        }
        recent.remember(time, connection);
        self.observed
            .add_starts(vantage, time.map_or(0, minute_of), 1);
    }
}

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
    /// DNS answers seen in L7 records: address → names.
    pub dns_names: BTreeMap<String, BTreeSet<String>>,
}

/// What the flows of all files hold once read: the endpoints as the flows described them, the
/// vantage points, and the communications observed between endpoints, in key order.
#[derive(Debug, Default)]
pub struct Flows {
    pub endpoints: Vec<ObservedEndpoint>,
    pub vantages: Vec<Vantage>,
    pub communications: Vec<(CommunicationKey, ObservedCommunication)>,
    /// DNS answers seen in L7 records: address → names.
    pub dns_names: BTreeMap<String, BTreeSet<String>>,
}

/// How many DNS names are kept per address.
const MAX_NAMES_PER_ADDRESS: usize = 16;

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

    /// Records a connection start; fails when an endpoint of the event cannot be read.
    pub fn add_start(&mut self, event: &FlowEvent<'_>) -> Result<(), FlowError> {
        let Some((protocol, source_port, destination_port)) = event.transport.ports() else {
            return Ok(());
        };
        let client = self
            .endpoints
            .intern_raw(&event.source_ip, event.source_raw, || event.source())?;
        let server =
            self.endpoints
                .intern_raw(&event.destination_ip, event.destination_raw, || {
                    event.destination()
                })?;
        let key = CommunicationKey {
            client,
            server,
            protocol,
            port: destination_port,
        };
        let vantage = self.vantage(event);
        let time = event.nanos();
        let mut connection = rustc_hash::FxHasher::default();
        (event.source_ip.as_ref(), source_port).hash(&mut connection);
        let tally = self.communications.entry(key).or_default();
        tally.record(vantage, time, connection.finish());
        let communication = &mut tally.observed;
        if let Some(time) = time {
            communication.seen_at(time);
        }
        if event.verdict == Verdict::Dropped {
            communication.dropped_starts += 1;
        }
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
        Ok(())
    }

    /// Records `count` connections of an already aggregated record (flowpol's flow JSON):
    /// counted as given, in a vantage of their own, at `time` when known.
    pub fn add_aggregate(&mut self, record: &AggregateRecord<'_>) {
        let key = CommunicationKey {
            client: self.endpoints.intern(&record.client),
            server: self.endpoints.intern(&record.server),
            protocol: record.protocol,
            port: record.port,
        };
        let vantage = self.named_vantage("flowpol-json");
        let communication = &mut self.communications.entry(key).or_default().observed;
        communication.add_starts(vantage, record.time.map_or(0, minute_of), record.count);
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

    /// Ends the reading: what the flows hold, without the memory only reading needs.
    pub fn finish(self) -> Flows {
        let mut communications: Vec<(CommunicationKey, ObservedCommunication)> = self
            .communications
            .into_iter()
            .map(|(key, tally)| (key, tally.observed))
            .collect();
        communications.sort_by_key(|(key, _)| *key);
        Flows {
            endpoints: self.endpoints.endpoints,
            vantages: self.vantages,
            communications,
            dns_names: self.dns_names,
        }
    }

    /// Records the names a DNS answer gave to addresses.
    pub fn add_dns_answer(&mut self, query: &str, addresses: &[std::borrow::Cow<'_, str>]) {
        let name = query.trim_end_matches('.');
        for address in addresses {
            let names = self.dns_names.entry(address.to_string()).or_default();
            if names.len() < MAX_NAMES_PER_ADDRESS {
                names.insert(name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::hubble::parse_flow;
    use crate::engine::model::time::parse_time;

    fn start(aggregate: &mut FlowAggregate, line: &str) {
        aggregate
            .add_start(&parse_flow(line.as_bytes()).unwrap())
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
}
