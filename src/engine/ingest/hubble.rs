//! Reading one Hubble flow: `hubble observe -o json|jsonpb` lines (an envelope
//! `{"flow": {...}, "node_name", "time"}` or a bare flow object) into a [`FlowEvent`].
//! The members are found with [`json_scan`](super::json_scan); the small values flowpol
//! reads are parsed (validated) with serde_json, borrowed from the input; the endpoints, most
//! of a line's bytes, are parsed only when asked for (for connection starts).
//!
//! Field names are protojson's, snake_case (`is_reply`) or lowerCamelCase (`isReply`); false and
//! zero values may be absent, so a missing `is_reply` is "unknown", never "false".

use std::borrow::Cow;

use serde::Deserialize;

use crate::engine::model::time::parse_time;
use crate::engine::model::Protocol;

use super::hubble_wire::{
    Plain, WireEndpoint, WireEventType, WireIp, WireL4, WireL7, WirePorts, WireService,
};
use super::json_scan::{finish, scan_object, skip_value, skip_whitespace, ScanError};

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
    fn parse(text: Option<&str>) -> Verdict {
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
    fn from_code(code: i32) -> EventKind {
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
    nanos: std::cell::OnceCell<Option<i64>>,
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
fn parse_value<'a, T: Deserialize<'a>>(
    field: &'static str,
    bytes: &'a [u8],
) -> Result<T, FlowError> {
    serde_json::from_slice(bytes).map_err(|e| FlowError::Field(field, e.to_string()))
}

fn transport(l4: Option<WireL4>) -> Transport {
    let Some(l4) = l4 else {
        return Transport::Other;
    };
    let ports = |protocol, ports: WirePorts| Transport::Ports {
        protocol,
        source_port: ports.source_port,
        destination_port: ports.destination_port,
        flags: ports.flags.map(|f| TcpFlags {
            syn: f.syn,
            ack: f.ack,
        }),
    };
    if let Some(tcp) = l4.tcp {
        // protojson omits an all-false flags object: TCP without flags has unknown flags.
        ports(Protocol::Tcp, tcp)
    } else if let Some(udp) = l4.udp {
        ports(Protocol::Udp, udp)
    } else if let Some(sctp) = l4.sctp {
        ports(Protocol::Sctp, sctp)
    } else if l4.icmpv4.is_some() || l4.icmpv6.is_some() {
        Transport::Icmp
    } else {
        Transport::Other
    }
}

/// The members of a flow object flowpol reads, still unparsed.
#[derive(Default)]
struct FlowMembers<'a> {
    flow: Option<&'a [u8]>,
    time: Option<&'a [u8]>,
    verdict: Option<&'a [u8]>,
    ip: Option<&'a [u8]>,
    l4: Option<&'a [u8]>,
    source: Option<&'a [u8]>,
    destination: Option<&'a [u8]>,
    flow_type: Option<&'a [u8]>,
    node_name: Option<&'a [u8]>,
    destination_names: Option<&'a [u8]>,
    source_names: Option<&'a [u8]>,
    l7: Option<&'a [u8]>,
    is_reply: Option<&'a [u8]>,
    reply: Option<&'a [u8]>,
    event_type: Option<&'a [u8]>,
    traffic_direction: Option<&'a [u8]>,
    trace_observation_point: Option<&'a [u8]>,
    destination_service: Option<&'a [u8]>,
}

impl<'a> FlowMembers<'a> {
    /// The slot of a member flowpol reads, `None` for the others.
    fn slot(&mut self, key: &[u8]) -> Option<&mut Option<&'a [u8]>> {
        Some(match key {
            b"time" => &mut self.time,
            b"verdict" => &mut self.verdict,
            b"IP" | b"ip" => &mut self.ip,
            b"l4" => &mut self.l4,
            b"source" => &mut self.source,
            b"destination" => &mut self.destination,
            b"Type" | b"type" => &mut self.flow_type,
            b"node_name" | b"nodeName" => &mut self.node_name,
            b"destination_names" | b"destinationNames" => &mut self.destination_names,
            b"source_names" | b"sourceNames" => &mut self.source_names,
            b"l7" => &mut self.l7,
            b"is_reply" | b"isReply" => &mut self.is_reply,
            b"reply" => &mut self.reply,
            b"event_type" | b"eventType" => &mut self.event_type,
            b"traffic_direction" | b"trafficDirection" => &mut self.traffic_direction,
            b"trace_observation_point" | b"traceObservationPoint" => {
                &mut self.trace_observation_point
            }
            b"destination_service" | b"destinationService" => &mut self.destination_service,
            _ => return None,
        })
    }

    /// Keeps `value` as the member named `key` (as written in the line), when flowpol reads
    /// that member. A name no member has is read as JSON when it has an escape (`"is\u005freply"`
    /// is `is_reply`) or a byte beyond ASCII, and refused when it holds a control character
    /// or is not UTF-8, as JSON refuses it.
    fn keep(&mut self, key: &[u8], value: &'a [u8]) -> Result<(), FlowError> {
        if let Some(slot) = self.slot(key) {
            *slot = Some(value);
        } else if key.iter().any(|&b| b < 0x20 || b == b'\\' || b >= 0x80) {
            let name: String = serde_json::from_slice(&[b"\"", key, b"\""].concat())
                .map_err(|e| FlowError::Json(format!("a member's name: {e}")))?;
            if let Some(slot) = self.slot(name.as_bytes()) {
                *slot = Some(value);
            }
        }
        Ok(())
    }
}

/// The members of the flow object at `at`, and the offset just after it.
fn flow_members(bytes: &[u8], at: usize) -> Result<(FlowMembers<'_>, usize), FlowError> {
    let mut found = FlowMembers::default();
    let end = scan_object::<FlowError>(bytes, at, |key, value_start| {
        let value_end = skip_value(bytes, value_start)?;
        found.keep(key, &bytes[value_start..value_end])?;
        Ok(value_end)
    })?;
    Ok((found, end))
}

/// The members of a line: an envelope's flow (walked once, in place) and its own members,
/// or a bare flow's members.
fn members(line: &[u8]) -> Result<(FlowMembers<'_>, Option<FlowMembers<'_>>), FlowError> {
    let start = skip_whitespace(line, 0);
    let mut outer = FlowMembers::default();
    let mut inner: Option<FlowMembers<'_>> = None;
    let end = scan_object::<FlowError>(line, start, |key, value_start| {
        if key == b"flow" && line.get(value_start) == Some(&b'{') {
            let (flow, value_end) = flow_members(line, value_start)?;
            inner = Some(flow);
            outer.flow = Some(&line[value_start..value_end]);
            return Ok(value_end);
        }
        let value_end = skip_value(line, value_start)?;
        outer.keep(key, &line[value_start..value_end])?;
        Ok(value_end)
    })?;
    finish(line, end)?;
    Ok(match inner {
        Some(flow) => (flow, Some(outer)),
        None => (outer, None),
    })
}

/// Reads an optional member, plainly when it can ([`Plain`]), else with serde; JSON `null`
/// counts as absent.
fn optional<'a, T: Deserialize<'a> + Plain<'a>>(
    field: &'static str,
    bytes: Option<&'a [u8]>,
) -> Result<Option<T>, FlowError> {
    match bytes {
        None | Some(b"null") => Ok(None),
        Some(bytes) => match T::read_plain(bytes) {
            Some(value) => Ok(Some(value)),
            None => parse_value(field, bytes).map(Some),
        },
    }
}

/// Parses one Hubble line (envelope or bare flow).
pub fn parse_flow(line: &[u8]) -> Result<FlowEvent<'_>, FlowError> {
    let (flow, envelope) = members(line)?;
    let Some(ip) = optional::<WireIp<'_>>("IP", flow.ip)? else {
        // Flows without addresses (e.g. agent events) are not connections.
        return Err(FlowError::MissingField("IP"));
    };
    let l7: Option<WireL7<'_>> = optional("l7", flow.l7)?;
    let flow_type: Option<Cow<'_, str>> = optional("Type", flow.flow_type)?;
    let is_l7 = flow_type.as_deref() == Some("L7") || l7.is_some();
    let (l7_type, dns) = match l7 {
        Some(l7) => (
            l7.kind,
            l7.dns
                .filter(|dns| !dns.query.is_empty())
                .map(|dns| (dns.query, dns.ips)),
        ),
        None => (None, None),
    };
    let envelope_node = envelope.as_ref().and_then(|e| e.node_name);
    let envelope_time = envelope.as_ref().and_then(|e| e.time);
    let verdict: Option<Cow<'_, str>> = optional("verdict", flow.verdict)?;
    let event_type: Option<WireEventType> = optional("event_type", flow.event_type)?;
    let is_reply: Option<bool> = optional("is_reply", flow.is_reply)?;
    let reply: Option<bool> = optional("reply", flow.reply)?;
    let service: Option<WireService<'_>> =
        optional("destination_service", flow.destination_service)?;
    Ok(FlowEvent {
        time: match optional("time", flow.time)? {
            Some(time) => Some(time),
            None => optional("time", envelope_time)?,
        },
        nanos: std::cell::OnceCell::new(),
        verdict: Verdict::parse(verdict.as_deref()),
        kind: EventKind::from_code(event_type.map_or(0, |e| e.kind)),
        is_l7,
        l7_type,
        source_ip: ip.source,
        destination_ip: ip.destination,
        source_raw: flow.source.filter(|s| *s != b"null"),
        destination_raw: flow.destination.filter(|d| *d != b"null"),
        transport: transport(optional("l4", flow.l4)?),
        is_reply: is_reply.or(reply),
        node: match optional("node_name", flow.node_name)? {
            Some(node) => Some(node),
            None => optional("node_name", envelope_node)?,
        },
        observation_point: optional("trace_observation_point", flow.trace_observation_point)?,
        direction: optional("traffic_direction", flow.traffic_direction)?,
        destination_names: optional("destination_names", flow.destination_names)?
            .unwrap_or_default(),
        source_names: optional("source_names", flow.source_names)?.unwrap_or_default(),
        destination_service: service
            .filter(|s| !s.name.is_empty())
            .map(|s| (s.namespace, s.name)),
        dns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"flow":{"time":"2021-11-10T10:40:56.465597700Z","verdict":"FORWARDED","IP":{"source":"10.244.0.177","destination":"10.244.0.110","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":35128,"destination_port":9080,"flags":{"SYN":true}}},"source":{"ID":881,"identity":3418,"namespace":"bookinfo","labels":["k8s:app=productpage"],"pod_name":"productpage-v1-6b746f74dc-9rcxx"},"destination":{"identity":11615,"namespace":"bookinfo","labels":["k8s:app=reviews"],"pod_name":"reviews-v2-7bf8c9648f-r7bs2","workloads":[{"name":"reviews-v2","kind":"Deployment"}]},"Type":"L3_L4","node_name":"kind-control-plane","event_type":{"type":4,"sub_type":1},"traffic_direction":"EGRESS","trace_observation_point":"TO_PROXY","is_reply":false,"Summary":"TCP Flags: SYN"},"node_name":"kind-control-plane","time":"2021-11-10T10:40:56.465597700Z"}"#;

    #[test]
    fn reads_an_envelope() {
        let flow = parse_flow(ENVELOPE.as_bytes()).unwrap();
        assert_eq!(flow.verdict, Verdict::Forwarded);
        assert_eq!(flow.kind, EventKind::Trace);
        let source = flow.source().unwrap();
        assert_eq!(source.ip, "10.244.0.177");
        assert_eq!(
            source.pod_name.as_deref(),
            Some("productpage-v1-6b746f74dc-9rcxx")
        );
        assert_eq!(source.workload, None);
        assert_eq!(
            flow.destination().unwrap().workload,
            Some(("Deployment".into(), "reviews-v2".into()))
        );
        assert_eq!(
            flow.transport,
            Transport::Ports {
                protocol: Protocol::Tcp,
                source_port: 35128,
                destination_port: 9080,
                flags: Some(TcpFlags {
                    syn: true,
                    ack: false
                }),
            }
        );
        assert_eq!(flow.is_reply, Some(false));
        assert_eq!(flow.node.as_deref(), Some("kind-control-plane"));
        assert_eq!(flow.observation_point.as_deref(), Some("TO_PROXY"));
    }

    #[test]
    fn reads_a_bare_flow_like_its_envelope() {
        let bare = &ENVELOPE[8..ENVELOPE
            .find(r#","node_name":"kind-control-plane","time""#)
            .unwrap()
            - 1];
        let bare = format!("{bare}}}");
        assert_eq!(
            parse_flow(bare.as_bytes()).unwrap(),
            parse_flow(ENVELOPE.as_bytes()).unwrap()
        );
    }

    #[test]
    fn camel_case_names_and_the_older_reply_field() {
        let line = r#"{"IP":{"source":"a","destination":"b"},"l4":{"UDP":{"sourcePort":53,"destinationPort":40000}},"reply":true,"eventType":{"type":4},"nodeName":"n1","trafficDirection":"INGRESS"}"#;
        let flow = parse_flow(line.as_bytes()).unwrap();
        assert_eq!(flow.is_reply, Some(true));
        assert_eq!(flow.node.as_deref(), Some("n1"));
        assert_eq!(flow.direction.as_deref(), Some("INGRESS"));
        assert!(matches!(
            flow.transport,
            Transport::Ports {
                protocol: Protocol::Udp,
                source_port: 53,
                destination_port: 40000,
                flags: None
            }
        ));
    }

    /// An export whose field mask keeps `identity` but not `labels` (Cilium's documented "all
    /// information except pod labels"): a reserved identity is read as its label, any other
    /// identity gets none, and printed labels are kept as they are.
    #[test]
    fn a_reserved_identity_without_labels_is_its_label() {
        let labels = |source: &str| {
            let line = format!(
                r#"{{"IP":{{"source":"10.244.0.148","destination":"10.244.1.80"}},"source":{source}}}"#
            );
            let flow = parse_flow(line.as_bytes()).unwrap();
            let info = flow.source().unwrap();
            info.labels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(r#"{"identity":1}"#), ["reserved:host"]);
        assert_eq!(labels(r#"{"identity":6}"#), ["reserved:remote-node"]);
        assert_eq!(labels(r#"{"identity":4,"labels":[]}"#), ["reserved:health"]);
        assert_eq!(labels(r#"{"identity":7}"#), ["reserved:kube-apiserver"]);
        assert!(labels(r#"{"identity":3418}"#).is_empty());
        assert!(labels(r#"{"identity":0}"#).is_empty());
        assert!(labels("{}").is_empty());
        assert_eq!(
            labels(r#"{"identity":6,"labels":["k8s:foo=bar","reserved:remote-node"]}"#),
            ["k8s:foo=bar", "reserved:remote-node"]
        );
        assert_eq!(
            labels(r#"{"identity":2,"labels":["k8s:app=productpage"]}"#),
            ["k8s:app=productpage"],
            "printed labels are never added to"
        );
    }

    #[test]
    fn missing_is_reply_stays_unknown() {
        let line = r#"{"IP":{"source":"a","destination":"b"},"l4":{"TCP":{"source_port":1,"destination_port":2}}}"#;
        let flow = parse_flow(line.as_bytes()).unwrap();
        assert_eq!(flow.is_reply, None);
        assert!(matches!(
            flow.transport,
            Transport::Ports { flags: None, .. }
        ));
    }

    #[test]
    fn icmp_and_l7_dns() {
        let icmp = r#"{"IP":{"source":"a","destination":"b"},"l4":{"ICMPv4":{"type":8}}}"#;
        assert_eq!(
            parse_flow(icmp.as_bytes()).unwrap().transport,
            Transport::Icmp
        );
        let dns = r#"{"flow":{"IP":{"source":"a","destination":"b"},"Type":"L7","l7":{"type":"RESPONSE","dns":{"query":"api.stripe.com.","ips":["203.0.113.10"]}},"event_type":{"type":129}}}"#;
        let flow = parse_flow(dns.as_bytes()).unwrap();
        assert!(flow.is_l7);
        assert_eq!(flow.kind, EventKind::L7);
        assert_eq!(flow.l7_type.as_deref(), Some("RESPONSE"));
        assert_eq!(
            flow.dns,
            Some(("api.stripe.com.".into(), vec!["203.0.113.10".into()]))
        );
    }

    #[test]
    fn bad_lines_say_why() {
        assert!(matches!(parse_flow(b"{not json"), Err(FlowError::Json(_))));
        assert_eq!(
            parse_flow(br#"{"flow":{"verdict":"FORWARDED"}}"#),
            Err(FlowError::MissingField("IP"))
        );
        let wrong_type = parse_flow(
            br#"{"IP":{"source":"a","destination":"b"},"l4":{"TCP":{"source_port":"x"}}}"#,
        );
        let Err(FlowError::Field("l4", message)) = wrong_type else {
            panic!("expected an error naming the field, got {wrong_type:?}");
        };
        assert!(message.contains("invalid type"), "{message}");
        // Endpoints are read lazily: a broken one is an error when it is asked for.
        let broken = parse_flow(
            br#"{"IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"source":{"labels":"x"}}"#,
        )
        .unwrap();
        assert!(matches!(
            broken.source(),
            Err(FlowError::Field("source", _))
        ));
        assert!(broken.destination().is_ok());
        // So are addresses: an empty or malformed one names its field.
        let no_source = parse_flow(br#"{"IP":{"destination":"10.0.0.2"}}"#).unwrap();
        assert_eq!(
            no_source.source().err().map(|e| e.to_string()),
            Some("field `IP.source`: \"\" is not an IP address".to_string())
        );
        // A member's name is JSON: escapes are read, raw control characters refused.
        let escaped =
            parse_flow(br#"{"IP":{"source":"::1","destination":"::2"},"is\u005freply":true}"#);
        assert_eq!(escaped.map(|flow| flow.is_reply), Ok(Some(true)));
        let raw_control = parse_flow(
            b"{\"IP\":{\"source\":\"::1\",\"destination\":\"::2\"},\"\x00s_reply\":true}",
        );
        assert!(
            matches!(raw_control, Err(FlowError::Json(_))),
            "{raw_control:?}"
        );
        let not_utf8 = parse_flow(
            b"{\"IP\":{\"source\":\"::1\",\"destination\":\"::2\"},\"\xffs_reply\":true}",
        );
        assert!(matches!(not_utf8, Err(FlowError::Json(_))), "{not_utf8:?}");
        let malformed =
            parse_flow(br#"{"IP":{"source":"::1","destination":"10.0.0.256"}}"#).unwrap();
        assert!(malformed.source().is_ok());
        assert!(matches!(
            malformed.destination(),
            Err(FlowError::Field("IP.destination", _))
        ));
    }

    #[test]
    fn every_real_capture_line_parses() {
        let capture = include_str!(
            "../../../tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl"
        );
        for (number, line) in capture.lines().enumerate() {
            assert!(parse_flow(line.as_bytes()).is_ok(), "line {}", number + 1);
        }
    }

    /// Addresses, reply flag, ports, source pod, destination labels and event type.
    type Fields = (
        String,
        String,
        Option<bool>,
        String,
        Option<String>,
        Vec<String>,
        i64,
    );

    /// The fields a reference reading with `serde_json::Value` finds.
    fn reference(line: &str) -> Fields {
        try_reference(line.as_bytes()).unwrap()
    }

    /// A port as protojson writes it: a number, or nothing for 0.
    fn port(value: &serde_json::Value) -> Option<u64> {
        match value {
            serde_json::Value::Null => Some(0),
            value => value.as_u64().filter(|&port| port <= 65535),
        }
    }

    /// [`reference`], `None` where the line is not JSON or lacks a field.
    fn try_reference(line: &[u8]) -> Option<Fields> {
        let value: serde_json::Value = serde_json::from_slice(line).ok()?;
        let flow = &value["flow"];
        let l4 = flow["l4"].as_object()?;
        let ports = ["TCP", "tcp", "UDP", "udp", "SCTP", "sctp"]
            .iter()
            .find_map(|protocol| l4.get(*protocol).filter(|ports| !ports.is_null()))?;
        let labels = match &flow["destination"]["labels"] {
            serde_json::Value::Null => [].iter(),
            labels => labels.as_array()?.iter(),
        };
        Some((
            flow["IP"]["source"].as_str()?.to_string(),
            flow["IP"]["destination"].as_str()?.to_string(),
            flow["is_reply"].as_bool(),
            // protojson leaves a zero port out.
            format!(
                "{}>{}",
                port(&ports["source_port"])?,
                port(&ports["destination_port"])?
            ),
            flow["source"]["pod_name"].as_str().map(str::to_string),
            labels
                .map(|l| l.as_str().map(str::to_string))
                .collect::<Option<_>>()?,
            match &flow["event_type"]["type"] {
                serde_json::Value::Null => 0,
                kind => kind.as_i64()?,
            },
        ))
    }

    #[test]
    fn agrees_with_a_reference_reading_on_generated_flows() {
        let cluster = crate::engine::demo::DemoCluster::new(5);
        let options = crate::engine::demo::FlowOptions {
            lines: 3000,
            seed: 5,
            ..Default::default()
        };
        for line in crate::engine::demo::FlowLines::new(&cluster, options) {
            let flow = parse_flow(line.as_bytes()).unwrap();
            assert_eq!(fields(&flow), Some(reference(&line)), "{line}");
        }
    }

    /// The fields [`reference`] reads, as `parse_flow` read them (`None` without ports).
    fn fields(flow: &FlowEvent<'_>) -> Option<Fields> {
        let Transport::Ports {
            source_port,
            destination_port,
            ..
        } = flow.transport
        else {
            return None;
        };
        let kind = match flow.kind {
            EventKind::Drop => 1,
            EventKind::Trace => 4,
            EventKind::PolicyVerdict => 5,
            EventKind::L7 => 129,
            EventKind::Other(code) => i64::from(code),
        };
        Some((
            flow.source_ip.to_string(),
            flow.destination_ip.to_string(),
            flow.is_reply,
            format!("{source_port}>{destination_port}"),
            flow.source().unwrap().pod_name.map(|p| p.to_string()),
            flow.destination()
                .unwrap()
                .labels
                .iter()
                .map(|l| l.to_string())
                .collect(),
            kind,
        ))
    }

    /// When `line` is read as a flow with both endpoints, its fields are what serde reads
    /// or, where serde rejects the line, `undamaged` (members flowpol does not read are
    /// skipped, not checked).
    #[cfg(not(target_arch = "wasm32"))]
    fn assert_read_as_serde_reads(
        line: &[u8],
        undamaged: Option<Fields>,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let read = parse_flow(line).and_then(|flow| {
            flow.source()?;
            flow.destination()?;
            Ok(flow)
        });
        if let Ok(flow) = read {
            let text = String::from_utf8_lossy(line);
            match serde_json::from_slice::<serde_json::Value>(line) {
                Ok(_) => proptest::prop_assert_eq!(fields(&flow), try_reference(line), "{}", text),
                Err(_) => proptest::prop_assert_eq!(fields(&flow), undamaged, "{}", text),
            }
        }
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// Any bytes: no panic, and a flow read from JSON is what serde reads.
        #[test]
        fn any_bytes_read_as_a_flow_are_what_serde_reads(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            assert_read_as_serde_reads(&bytes, None)?;
        }

        /// A flow with one byte replaced by a byte that matters to JSON: when it is still read
        /// as a flow, the flow is what serde reads in it; where serde rejects the line (the
        /// damage is in a member flowpol skips without reading), the undamaged flow.
        #[test]
        fn a_damaged_flow_read_is_what_serde_reads(
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::sample::select(b"{}[]\":,\\ 0123456789.-+eEtrufalsnxIP\x00\x1f\xff".to_vec()),
        ) {
            let mut line = ENVELOPE.as_bytes().to_vec();
            let at = at.index(line.len());
            line[at] = byte;
            assert_read_as_serde_reads(&line, Some(reference(ENVELOPE)))?;
        }

        #[test]
        fn any_truncation_of_a_flow_is_an_error_not_a_panic(cut in 0usize..700) {
            let cut = cut.min(ENVELOPE.len() - 1);
            proptest::prop_assert!(parse_flow(&ENVELOPE.as_bytes()[..cut]).is_err());
        }
    }
}
