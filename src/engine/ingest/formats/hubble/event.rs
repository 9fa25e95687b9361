//! A Hubble flow as flowpol reads it: the event ([`FlowEvent`]), its endpoints (parsed
//! lazily, from the raw member, when asked for), its verdict, kind and transport, and why a
//! line is not a flow ([`FlowError`]).

use std::borrow::Cow;

use serde::Deserialize;

use crate::engine::ingest::scan::json_scan::ScanError;
use crate::engine::model::l7::L7Request;
use crate::engine::model::time::parse_time;
use crate::engine::model::Protocol;

use super::wire::WireEndpoint;

/// What Cilium did with the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Forwarded,
    Dropped,
    Audit,
    Redirected,
    Error,
    Other,
}

impl Verdict {
    pub(super) fn parse(text: Option<&str>) -> Verdict {
        match text {
            Some("FORWARDED") => Verdict::Forwarded,
            Some("DROPPED") => Verdict::Dropped,
            Some("AUDIT") => Verdict::Audit,
            Some("REDIRECTED") => Verdict::Redirected,
            Some("ERROR") => Verdict::Error,
            // protojson may also print enums as numbers; the absent value is VERDICT_UNKNOWN.
            _ => Verdict::Other,
        }
    }
}

/// The kind of monitor event a flow came from (`event_type.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// 1: a drop notification.
    Drop,
    /// 4: a trace at an observation point.
    Trace,
    /// 5: a policy-verdict notification, sent when a connection is first decided.
    PolicyVerdict,
    /// 129: an L7 (proxy) record.
    L7,
    /// Anything else (debug, capture, ...).
    Other(i32),
}

impl EventKind {
    pub(super) fn from_code(code: i32) -> EventKind {
        match code {
            1 => EventKind::Drop,
            4 => EventKind::Trace,
            5 => EventKind::PolicyVerdict,
            129 => EventKind::L7,
            other => EventKind::Other(other),
        }
    }
}

/// The transport layer of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// TCP, UDP or SCTP with ports; `syn`/`ack` only for TCP with flags present.
    Ports {
        protocol: Protocol,
        source_port: u16,
        destination_port: u16,
        flags: Option<TcpFlags>,
    },
    Icmp,
    /// No `l4`, or a protocol flowpol does not know.
    Other,
}

impl Transport {
    /// Protocol, source port and destination port, for TCP, UDP and SCTP.
    pub fn ports(&self) -> Option<(Protocol, u16, u16)> {
        match *self {
            Transport::Ports {
                protocol,
                source_port,
                destination_port,
                ..
            } => Some((protocol, source_port, destination_port)),
            Transport::Icmp | Transport::Other => None,
        }
    }
}

/// The TCP flags flowpol reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
}

/// One side of a flow as Hubble describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointInfo<'a> {
    pub ip: Cow<'a, str>,
    pub identity: u32,
    pub cluster: Option<Cow<'a, str>>,
    pub namespace: Option<Cow<'a, str>>,
    pub pod_name: Option<Cow<'a, str>>,
    /// `k8s:key=value` and `reserved:...` labels, as printed.
    pub labels: Vec<Cow<'a, str>>,
    /// `(kind, name)` of the owning workload, when Hubble knows it.
    pub workload: Option<(Cow<'a, str>, Cow<'a, str>)>,
}

/// One Hubble flow, reduced to what flowpol uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowEvent<'a> {
    /// The raw RFC 3339 time (parsed only when needed, by [`FlowEvent::nanos`]).
    pub time: Option<Cow<'a, str>>,
    /// The time in nanoseconds since the Unix epoch, once parsed.
    pub(super) nanos: std::cell::OnceCell<Option<i64>>,
    pub verdict: Verdict,
    pub kind: EventKind,
    pub is_l7: bool,
    /// `l7.type`: REQUEST, RESPONSE, SAMPLE.
    pub l7_type: Option<Cow<'a, str>>,
    /// Addresses from `IP`.
    pub source_ip: Cow<'a, str>,
    pub destination_ip: Cow<'a, str>,
    /// The unparsed `source` and `destination` endpoint objects.
    pub source_raw: Option<&'a [u8]>,
    pub destination_raw: Option<&'a [u8]>,
    pub transport: Transport,
    /// `is_reply`, else the older `reply`; `None` when neither is present.
    pub is_reply: Option<bool>,
    pub node: Option<Cow<'a, str>>,
    pub observation_point: Option<Cow<'a, str>>,
    pub direction: Option<Cow<'a, str>>,
    pub destination_names: Vec<Cow<'a, str>>,
    pub source_names: Vec<Cow<'a, str>>,
    pub destination_service: Option<(Cow<'a, str>, Cow<'a, str>)>,
    /// A DNS answer: the query and the addresses it resolved to.
    pub dns: Option<(Cow<'a, str>, Vec<Cow<'a, str>>)>,
    /// The request of an L7 record (HTTP, DNS query, Kafka): `Some(None)` when the record
    /// holds one that cannot be read (an HTTP record without a path).
    pub l7_request: Option<Option<L7Request>>,
}

/// Why a line is not a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowError {
    /// Not valid JSON.
    Json(String),
    /// A field of the wrong type; serde's message says what was expected.
    Field(&'static str, String),
    /// Valid JSON without the fields of a flow.
    MissingField(&'static str),
    /// An endpoint beyond the most this ingest reads (the browser's limit).
    TooManyEndpoints(usize),
}

impl std::fmt::Display for FlowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlowError::Json(message) => write!(f, "invalid JSON: {message}"),
            FlowError::Field(field, message) => write!(f, "field `{field}`: {message}"),
            FlowError::MissingField(field) => write!(f, "missing field `{field}`"),
            FlowError::TooManyEndpoints(limit) => write!(
                f,
                "more than {limit} distinct pods and addresses, the most the browser reads: \
                 skipped (narrow the capture, or use flowpol on the command line)"
            ),
        }
    }
}

impl From<ScanError> for FlowError {
    fn from(error: ScanError) -> Self {
        FlowError::Json(format!(
            "expected {} at byte {}",
            error.expected,
            error.offset + 1
        ))
    }
}

impl<'a> FlowEvent<'a> {
    /// The event's time in nanoseconds since the Unix epoch, when it has a valid one (parsed
    /// on first use).
    pub fn nanos(&self) -> Option<i64> {
        *self
            .nanos
            .get_or_init(|| self.time.as_deref().and_then(parse_time))
    }

    /// The source endpoint (parsed now).
    pub fn source(&self) -> Result<EndpointInfo<'a>, FlowError> {
        endpoint(
            ("source", "IP.source"),
            self.source_raw,
            self.source_ip.clone(),
        )
    }

    /// The destination endpoint (parsed now).
    pub fn destination(&self) -> Result<EndpointInfo<'a>, FlowError> {
        endpoint(
            ("destination", "IP.destination"),
            self.destination_raw,
            self.destination_ip.clone(),
        )
    }
}

/// The endpoint described by `raw` (the `source` or `destination` object) at address `ip`;
/// `fields` names both in errors.
fn endpoint<'a>(
    (field, ip_field): (&'static str, &'static str),
    raw: Option<&'a [u8]>,
    ip: Cow<'a, str>,
) -> Result<EndpointInfo<'a>, FlowError> {
    if ip.parse::<std::net::IpAddr>().is_err() {
        return Err(FlowError::Field(
            ip_field,
            format!("{ip:?} is not an IP address"),
        ));
    }
    let wire: WireEndpoint<'a> = match raw {
        Some(bytes) => parse_value(field, bytes)?,
        None => WireEndpoint::default(),
    };
    let workload = wire
        .workloads
        .into_iter()
        .next()
        .filter(|w| !w.name.is_empty())
        .map(|w| (w.kind, w.name));
    let non_empty = |value: Option<Cow<'a, str>>| value.filter(|v| !v.is_empty());
    let mut labels = wire.labels;
    if labels.is_empty() {
        // Exported without its labels (a field mask such as Cilium's "all information except
        // pod labels" keeps `identity` only): a reserved identity still says what it is.
        labels.extend(reserved_label(wire.identity).map(Cow::Borrowed));
    }
    Ok(EndpointInfo {
        ip,
        identity: wire.identity,
        cluster: non_empty(wire.cluster_name),
        namespace: non_empty(wire.namespace),
        pod_name: non_empty(wire.pod_name),
        labels,
        workload,
    })
}

/// The label Hubble prints with Cilium's reserved identity `identity` (numbers 1 to 10, fixed
/// in Cilium's `identity` package); `None` for any other identity.
pub fn reserved_label(identity: u32) -> Option<&'static str> {
    Some(match identity {
        1 => "reserved:host",
        2 => "reserved:world",
        3 => "reserved:unmanaged",
        4 => "reserved:health",
        5 => "reserved:init",
        6 => "reserved:remote-node",
        7 => "reserved:kube-apiserver",
        8 => "reserved:ingress",
        9 => "reserved:world-ipv4",
        10 => "reserved:world-ipv6",
        _ => return None,
    })
}

/// Parses one value, naming the field when it has the wrong type.
pub(super) fn parse_value<'a, T: Deserialize<'a>>(
    field: &'static str,
    bytes: &'a [u8],
) -> Result<T, FlowError> {
    serde_json::from_slice(bytes).map_err(|e| FlowError::Field(field, e.to_string()))
}
