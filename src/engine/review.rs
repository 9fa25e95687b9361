//! Step 2 as data: the rows of the Ingress and Egress tabs of what the scope names, under the
//! review's decisions and time span; the unresolved addresses among them with their classes;
//! text filtering and sorting; and a fingerprint of the loaded data to keep decisions under.
//! What the page says and decides around them: [`wording`], [`unresolved_list`], the alias
//! dialog's [`map_request`], and what a new load does to the decisions ([`restore`]).

pub mod map_request;
pub mod requests;
pub mod restore;
pub mod unresolved_list;
pub mod wording;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::engine::dataset::{Communication, Dataset, Peer};
use crate::engine::decisions::{Decisions, GeneralRule, RowReason};
use crate::engine::model::time::start_of_minute;
use crate::engine::model::{
    AddressClass, AddressId, ClusterRanges, CommunicationId, Direction, EntityId, Protocol,
    TimeWindow,
};
use crate::engine::scope::Subject;

/// How the review classes an address no Kubernetes object explains.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum ReviewClass {
    /// A node of the cluster.
    Node,
    Internal,
    External,
    /// The user named it (or its range).
    Aliased,
    Unknown,
}

impl ReviewClass {
    pub const ALL: [ReviewClass; 5] = [
        ReviewClass::Node,
        ReviewClass::Internal,
        ReviewClass::External,
        ReviewClass::Aliased,
        ReviewClass::Unknown,
    ];

    /// The name the review shows.
    pub fn label(self) -> &'static str {
        match self {
            ReviewClass::Node => "Node",
            ReviewClass::Internal => "Internal",
            ReviewClass::External => "External",
            ReviewClass::Aliased => "Aliased",
            ReviewClass::Unknown => "Unknown",
        }
    }

    /// The lower-case name used in `data-class` and the filters' hooks.
    pub fn key(self) -> &'static str {
        match self {
            ReviewClass::Node => "node",
            ReviewClass::Internal => "internal",
            ReviewClass::External => "external",
            ReviewClass::Aliased => "aliased",
            ReviewClass::Unknown => "unknown",
        }
    }

    fn of(class: AddressClass) -> ReviewClass {
        match class {
            AddressClass::Node => ReviewClass::Node,
            AddressClass::Internal => ReviewClass::Internal,
            AddressClass::External => ReviewClass::External,
            AddressClass::Unknown => ReviewClass::Unknown,
        }
    }
}

/// Classifies an address with the inventory's ranges plus those the user entered; an alias
/// wins over any class.
pub struct AddressClassifier<'a> {
    dataset: &'a Dataset,
    decisions: &'a Decisions,
    ranges: ClusterRanges,
}

impl<'a> AddressClassifier<'a> {
    pub fn new(dataset: &'a Dataset, decisions: &'a Decisions) -> Self {
        let mut ranges = dataset.ranges.clone();
        ranges
            .ranges
            .extend(decisions.cluster_ranges.iter().copied());
        AddressClassifier {
            dataset,
            decisions,
            ranges,
        }
    }

    pub fn class(&self, address: AddressId) -> ReviewClass {
        let address = &self.dataset.addresses[address];
        if self.decisions.alias_of(address.ip).is_some() {
            return ReviewClass::Aliased;
        }
        ReviewClass::of(
            self.ranges
                .classify(address.ip, address.reserved.iter().map(String::as_str)),
        )
    }
}

/// One row of the Ingress or Egress tab.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRow {
    pub communication: CommunicationId,
    pub direction: Direction,
    pub peer: Peer,
    /// `Kind/namespace/name`, the alias's name, or the IP (the `data-peer` hook).
    pub peer_label: String,
    /// For an address: its IP and class.
    pub address: Option<(IpAddr, ReviewClass)>,
    /// For a node's address: the node's name, when known.
    pub node: Option<String>,
    /// Whether its connections were all open before the capture began (no start seen).
    pub already_open: bool,
    pub port: u16,
    pub protocol: Protocol,
    /// Connections in the time span.
    pub connections: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub names: Vec<String>,
    /// The row's own decision (its toggle).
    pub row_included: bool,
    /// Whether the row can be included at all (an address needs an alias).
    pub includable: bool,
    /// Whether the policy lets it through, general rule and DNS option included.
    pub allowed: bool,
    /// The general rule of the row's own entity in this direction (a Service's backends may
    /// differ).
    pub rule: GeneralRule,
    /// What decides the row instead of its own decision (the DNS option, the general rule, a
    /// missing alias), if anything.
    pub reason: Option<RowReason>,
}

/// The rows of `subject` in `direction` within `window`, in peer, port, protocol order.
pub fn review_rows(
    dataset: &Dataset,
    decisions: &Decisions,
    subject: Subject,
    direction: Direction,
    window: TimeWindow,
) -> Vec<ReviewRow> {
    let own: BTreeSet<EntityId> = subject.entities(dataset).into_iter().collect();
    let classifier = AddressClassifier::new(dataset, decisions);
    let mut rows: Vec<ReviewRow> = dataset
        .communications_with_ids()
        .filter_map(|(index, c)| {
            let this = own_side(c, &own, direction, window)?;
            let other = c.sides(direction).1;
            let connections = c.connections_in(window);
            let (peer_label, address, mut names) = match other {
                Peer::Entity(_) | Peer::ApiServer => (dataset.peer_label(other), None, Vec::new()),
                Peer::Address(id) => {
                    let ip = dataset.addresses[id].ip;
                    let label = decisions
                        .alias_of(ip)
                        .map_or_else(|| ip.to_string(), |alias| alias.name.clone());
                    let names = dataset.addresses[id].names.iter().cloned().collect();
                    (label, Some((ip, classifier.class(id))), names)
                }
            };
            if direction == Direction::Egress {
                names.extend(c.observed.server_names.iter().cloned());
            }
            names.sort();
            names.dedup();
            let (first_seen, last_seen) = seen_within(c, window);
            let node = match other {
                Peer::Address(id) => dataset.addresses[id].node.clone(),
                _ => None,
            };
            Some(ReviewRow {
                communication: index,
                node,
                already_open: c.observed.already_open(),
                direction,
                peer: other,
                peer_label,
                address,
                port: c.port,
                protocol: c.protocol,
                connections,
                first_seen,
                last_seen,
                names,
                row_included: decisions.is_included(dataset, c),
                includable: decisions.can_include(dataset, c),
                allowed: decisions.side_allows(dataset, c, direction),
                reason: decisions.side_reason(dataset, c, direction),
                rule: decisions.entity_rule(dataset, this, direction),
            })
        })
        .collect();
    rows.sort_by(|a, b| compare(a, b, SortKey::Peer));
    rows
}

/// The entity of `own` that is `direction`'s own side of `c` (the server for ingress, the
/// client for egress), when `c` is a row of that direction within `window`.
fn own_side(
    c: &Communication,
    own: &BTreeSet<EntityId>,
    direction: Direction,
    window: TimeWindow,
) -> Option<EntityId> {
    match c.sides(direction).0 {
        Peer::Entity(this) if own.contains(&this) && c.seen_in(window) => Some(this),
        _ => None,
    }
}

/// The tab a review opens on for `subject` within `window`: Ingress when it has rows there,
/// Egress when only that direction has rows (a workload that only calls others: a scraper, a
/// batch job), Ingress again when neither has any. Decisions change no row's presence, so
/// they play no part.
pub fn landing_direction(dataset: &Dataset, subject: Subject, window: TimeWindow) -> Direction {
    let own: BTreeSet<EntityId> = subject.entities(dataset).into_iter().collect();
    let has_rows = |direction| {
        dataset
            .communications
            .iter()
            .any(|c| own_side(c, &own, direction, window).is_some())
    };
    if !has_rows(Direction::Ingress) && has_rows(Direction::Egress) {
        Direction::Egress
    } else {
        Direction::Ingress
    }
}

/// First and last seen within `window`: the exact times when they fall inside it, else the
/// first and last minute inside it with a connection.
fn seen_within(c: &Communication, window: TimeWindow) -> (Option<i64>, Option<i64>) {
    let (first, last) = (c.observed.first_seen, c.observed.last_seen);
    if window == TimeWindow::ALL {
        return (first, last);
    }
    let minutes = c
        .observed
        .minutes_between(window.from_minute, window.to_minute);
    let first = first
        .filter(|&t| window.contains(t))
        .or_else(|| minutes.map(|(m, _)| start_of_minute(m)));
    let last = last
        .filter(|&t| window.contains(t))
        .or_else(|| minutes.map(|(_, m)| start_of_minute(m)));
    (first, last)
}

/// An unresolved address among a direction's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct UnresolvedAddress {
    pub ip: IpAddr,
    pub class: ReviewClass,
    /// A node's name, when the address is a node's and its name is known.
    pub node: Option<String>,
    pub alias: Option<String>,
    pub names: Vec<String>,
    /// `TCP/443`, ...
    pub ports: Vec<String>,
    pub connections: u64,
    /// How many of its rows are included.
    pub included: usize,
    pub rows: usize,
}

/// The unresolved addresses of `rows`, by IP.
pub fn unresolved_addresses(rows: &[ReviewRow], decisions: &Decisions) -> Vec<UnresolvedAddress> {
    let mut by_ip: BTreeMap<IpAddr, UnresolvedAddress> = BTreeMap::new();
    for row in rows {
        let Some((ip, class)) = &row.address else {
            continue;
        };
        let entry = by_ip.entry(*ip).or_insert_with(|| UnresolvedAddress {
            ip: *ip,
            class: *class,
            node: row.node.clone(),
            alias: decisions.alias_of(*ip).map(|a| a.name.clone()),
            names: Vec::new(),
            ports: Vec::new(),
            connections: 0,
            included: 0,
            rows: 0,
        });
        entry.names.extend(row.names.iter().cloned());
        entry.ports.push(format!("{}/{}", row.protocol, row.port));
        entry.connections += row.connections;
        entry.rows += 1;
        entry.included += usize::from(row.allowed);
    }
    by_ip
        .into_values()
        .map(|mut address| {
            address.names.sort();
            address.names.dedup();
            address.ports.sort();
            address.ports.dedup();
            address
        })
        .collect()
}

/// The labels of `entity`'s selector that look changeable: a version, a hash, a revision, a
/// service mesh's injected labels. Without an inventory, a selector is what the flows showed,
/// and such a label can break it at the next rollout.
pub fn changeable_labels(dataset: &Dataset, entity: EntityId) -> Vec<String> {
    dataset.entities[entity]
        .selector
        .keys()
        .filter(|key| {
            let key = key.to_ascii_lowercase();
            key == "version"
                || key.ends_with("/version")
                || key.contains("hash")
                || key.contains("revision")
                || key.contains("istio.io")
                || key.contains("linkerd.io")
                || key.contains("sidecar")
        })
        .cloned()
        .collect()
}

/// How the unresolved addresses are listed: one by one, or in groups that can be read and
/// mapped at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressGrouping {
    /// Each address.
    Each,
    /// By class (External, Node, ...).
    Class,
    /// By /24 (IPv4) or /64 (IPv6).
    Narrow,
    /// By /16 (IPv4) or /48 (IPv6).
    Wide,
    /// By the first DNS name seen for it.
    DnsName,
}

impl AddressGrouping {
    pub const ALL: [AddressGrouping; 5] = [
        AddressGrouping::Each,
        AddressGrouping::Class,
        AddressGrouping::Narrow,
        AddressGrouping::Wide,
        AddressGrouping::DnsName,
    ];

    /// The choice's name and its `value`.
    pub fn label(self) -> &'static str {
        match self {
            AddressGrouping::Each => "each address",
            AddressGrouping::Class => "class",
            AddressGrouping::Narrow => "/24 (IPv6 /64)",
            AddressGrouping::Wide => "/16 (IPv6 /48)",
            AddressGrouping::DnsName => "DNS name",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            AddressGrouping::Each => "each",
            AddressGrouping::Class => "class",
            AddressGrouping::Narrow => "narrow",
            AddressGrouping::Wide => "wide",
            AddressGrouping::DnsName => "dns",
        }
    }

    pub fn from_key(key: &str) -> Option<AddressGrouping> {
        AddressGrouping::ALL.into_iter().find(|g| g.key() == key)
    }
}

/// A group of unresolved addresses.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressGroup {
    /// What the addresses share: a CIDR, a class, a DNS name.
    pub label: String,
    /// The CIDR that holds them all, when the group is a prefix (one alias can map it).
    pub cidr: Option<IpNet>,
    pub addresses: Vec<IpAddr>,
    /// Their DNS names, to suggest an alias name.
    pub names: Vec<String>,
    /// Every port any of them used (`TCP/443`, ...).
    pub ports: Vec<String>,
    pub connections: u64,
    /// How many of their rows are included, of how many.
    pub included: usize,
    pub rows: usize,
    /// How many of them have an alias already.
    pub aliased: usize,
}

/// The prefix of `ip` of `v4` bits (IPv4) or `v6` bits (IPv6), as a CIDR.
fn prefix_of(ip: IpAddr, v4: u8, v6: u8) -> IpNet {
    let length = if ip.is_ipv4() { v4 } else { v6 };
    IpNet::new(ip, length).map_or(IpNet::from(ip), |net| net.trunc())
}

/// The unresolved `addresses` in groups by `grouping`, largest first (by connections, then
/// label); with [`AddressGrouping::Each`], one group per address.
pub fn group_addresses(
    addresses: &[UnresolvedAddress],
    grouping: AddressGrouping,
) -> Vec<AddressGroup> {
    let mut groups: BTreeMap<String, AddressGroup> = BTreeMap::new();
    for address in addresses {
        let (label, cidr) = match grouping {
            AddressGrouping::Each => (address.ip.to_string(), None),
            AddressGrouping::Class => (address.class.label().to_string(), None),
            AddressGrouping::Narrow | AddressGrouping::Wide => {
                let (v4, v6) = if grouping == AddressGrouping::Narrow {
                    (24, 64)
                } else {
                    (16, 48)
                };
                let cidr = prefix_of(address.ip, v4, v6);
                (cidr.to_string(), Some(cidr))
            }
            AddressGrouping::DnsName => (
                address
                    .names
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "(no DNS name)".to_string()),
                None,
            ),
        };
        let group = groups.entry(label.clone()).or_insert_with(|| AddressGroup {
            label,
            cidr,
            addresses: Vec::new(),
            names: Vec::new(),
            ports: Vec::new(),
            connections: 0,
            included: 0,
            rows: 0,
            aliased: 0,
        });
        group.addresses.push(address.ip);
        group.names.extend(address.names.iter().cloned());
        group.ports.extend(address.ports.iter().cloned());
        group.connections += address.connections;
        group.included += address.included;
        group.rows += address.rows;
        group.aliased += usize::from(address.alias.is_some());
    }
    let mut groups: Vec<AddressGroup> = groups
        .into_values()
        .map(|mut group| {
            group.names.sort();
            group.names.dedup();
            // `TCP/443` before `TCP/8080`: by protocol, then port number.
            group.ports.sort_by_key(|port| {
                let (protocol, number) = port.split_once('/').unwrap_or((port, ""));
                (
                    protocol.to_string(),
                    number.parse::<u32>().unwrap_or(u32::MAX),
                )
            });
            group.ports.dedup();
            group
        })
        .collect();
    if grouping != AddressGrouping::Each {
        groups.sort_by(|a, b| {
            b.connections
                .cmp(&a.connections)
                .then_with(|| by_name(&a.label, &b.label))
        });
    }
    groups
}

/// The columns rows can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Peer,
    Port,
    Protocol,
    Connections,
    FirstSeen,
    LastSeen,
}

/// Names in alphabetical order whatever their case (`Frontend` beside `frontend`), then by
/// exact text.
fn by_name(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        .then_with(|| a.cmp(b))
}

fn compare(a: &ReviewRow, b: &ReviewRow, key: SortKey) -> Ordering {
    let primary = match key {
        SortKey::Peer => by_name(&a.peer_label, &b.peer_label),
        SortKey::Port => a.port.cmp(&b.port),
        SortKey::Protocol => a.protocol.cmp(&b.protocol),
        SortKey::Connections => a.connections.cmp(&b.connections),
        SortKey::FirstSeen => a.first_seen.cmp(&b.first_seen),
        SortKey::LastSeen => a.last_seen.cmp(&b.last_seen),
    };
    primary
        .then_with(|| by_name(&a.peer_label, &b.peer_label))
        .then_with(|| (a.port, a.protocol).cmp(&(b.port, b.protocol)))
}

/// The positions in `rows` of those matching the filter `text`, sorted by `key`, ascending or
/// descending (ties in peer, port, protocol order): the rows a table shows, without copying
/// them.
pub fn shown_order(rows: &[ReviewRow], text: &str, key: SortKey, descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| matches_filter(&rows[i], text))
        .collect();
    order.sort_by(|&a, &b| {
        let order = compare(&rows[a], &rows[b], key);
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    order
}

/// Whether a row matches a free-text filter (every word, ignoring case, in its peer, port,
/// protocol, IP, class or DNS names).
pub fn matches_filter(row: &ReviewRow, filter: &str) -> bool {
    if filter.trim().is_empty() {
        return true;
    }
    let haystack = format!(
        "{} {} {} {} {}",
        row.peer_label,
        row.port,
        row.protocol,
        row.address
            .as_ref()
            .map(|(ip, class)| format!("{ip} {}", class.label()))
            .unwrap_or_default(),
        row.names.join(" ")
    )
    .to_lowercase();
    filter
        .split_whitespace()
        .all(|word| haystack.contains(&word.to_lowercase()))
}

/// A short, stable fingerprint of the loaded data (its entities and communications), to keep
/// a review's decisions under: the same capture loaded again finds them.
pub fn fingerprint(dataset: &Dataset) -> String {
    let mut keys: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| dataset.row_key(c).to_string())
        .collect();
    keys.sort();
    // FNV-1a, 64 bits: the same on every platform (wasm32 included) and in every version,
    // so stored decisions stay found.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in keys.join("\n").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;
    use crate::engine::scope::{busiest_entity, Scope};

    fn entity(dataset: &Dataset, label: &str) -> EntityId {
        dataset
            .entity_ids()
            .find(|&id| dataset.peer_label(Peer::Entity(id)) == label)
            .unwrap_or_else(|| panic!("no {label}"))
    }

    fn rows(dataset: &Dataset, subject: Subject, direction: Direction) -> usize {
        let decisions = Decisions::default();
        review_rows(dataset, &decisions, subject, direction, TimeWindow::ALL).len()
    }

    /// The GKE HTTP capture (hubble-otel, Apache-2.0): the busiest workload, prometheus, only
    /// scrapes others (all its communications are egress), so the review opens on Egress.
    #[test]
    fn a_workload_that_only_calls_others_opens_on_egress() {
        let capture = include_bytes!(
            "../../tests/fixtures/real/hubble-otel_basic-sample-348-http-flows.jsonl"
        );
        let dataset = load_files(&[("http.jsonl", capture)], &[]).dataset;
        let busiest = busiest_entity(&dataset).unwrap();
        assert_eq!(
            dataset.peer_label(Peer::Entity(busiest)),
            "Deployment/istio-system/prometheus"
        );
        let subject = Subject::Entity(busiest);
        let calls = dataset
            .communications
            .iter()
            .filter(|c| c.client == Peer::Entity(busiest))
            .count();
        assert!(calls >= 10, "{calls}");
        assert_eq!(rows(&dataset, subject, Direction::Ingress), 0);
        assert_eq!(rows(&dataset, subject, Direction::Egress), calls);
        let window = Scope::default().focused_on(&dataset, busiest).window();
        assert_eq!(
            landing_direction(&dataset, subject, window),
            Direction::Egress
        );
        // productpage both serves (ratings-v1 calls it) and calls (reviews-v1): Ingress.
        let productpage = Subject::Entity(entity(&dataset, "Deployment/bookinfo/productpage-v1"));
        assert!(rows(&dataset, productpage, Direction::Ingress) > 0);
        assert!(rows(&dataset, productpage, Direction::Egress) > 0);
        assert_eq!(
            landing_direction(&dataset, productpage, TimeWindow::ALL),
            Direction::Ingress
        );
        // jaeger only serves: Ingress.
        let jaeger = Subject::Entity(entity(&dataset, "Deployment/istio-system/jaeger"));
        assert_eq!(rows(&dataset, jaeger, Direction::Egress), 0);
        assert_eq!(
            landing_direction(&dataset, jaeger, TimeWindow::ALL),
            Direction::Ingress
        );
    }

    /// Rows in neither direction (nothing in the time span, or a subject with no
    /// communication): Ingress, as before any data.
    #[test]
    fn a_subject_without_rows_opens_on_ingress() {
        let capture = include_bytes!(
            "../../tests/fixtures/real/hubble-otel_basic-sample-348-http-flows.jsonl"
        );
        let dataset = load_files(&[("http.jsonl", capture)], &[]).dataset;
        let prometheus = Subject::Entity(entity(&dataset, "Deployment/istio-system/prometheus"));
        let before = TimeWindow::between(Some(0), Some(60_000_000_000));
        assert!(rows(&dataset, prometheus, Direction::Egress) > 0);
        assert_eq!(
            landing_direction(&dataset, prometheus, before),
            Direction::Ingress,
            "a span before the capture holds no row"
        );
        let empty = Dataset::default();
        assert_eq!(
            landing_direction(&empty, Subject::Entity(EntityId::new(0)), TimeWindow::ALL),
            Direction::Ingress
        );
    }
}
