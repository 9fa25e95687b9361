//! Reading one Hubble flow: the wire shape of `hubble observe -o json|jsonpb` lines (an
//! envelope `{"flow": {...}, "node_name", "time"}` or a bare flow object), borrowed from the
//! input and skipping every field flowpol does not read, converted into a [`FlowEvent`].
//!
//! Field names are protojson's, snake_case (`is_reply`) or lowerCamelCase (`isReply`); false and
//! zero values may be absent, so a missing `is_reply` is "unknown", never "false".

use std::borrow::Cow;

use serde::Deserialize;

use crate::engine::model::Protocol;

/// A Hubble line, or the flow inside it: the same struct reads both, so that neither shape
/// needs buffering.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireFlow<'a> {
    #[serde(borrow)]
    flow: Option<Box<WireFlow<'a>>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    verdict: Option<Cow<'a, str>>,
    #[serde(rename = "IP", alias = "ip")]
    ip: Option<WireIp<'a>>,
    l4: Option<WireL4>,
    #[serde(borrow)]
    source: Option<WireEndpoint<'a>>,
    #[serde(borrow)]
    destination: Option<WireEndpoint<'a>>,
    #[serde(rename = "Type", alias = "type")]
    flow_type: Option<Cow<'a, str>>,
    #[serde(alias = "nodeName", borrow)]
    node_name: Option<Cow<'a, str>>,
    #[serde(alias = "destinationNames", borrow)]
    destination_names: Vec<Cow<'a, str>>,
    #[serde(alias = "sourceNames", borrow)]
    source_names: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    l7: Option<WireL7<'a>>,
    #[serde(alias = "isReply")]
    is_reply: Option<bool>,
    reply: Option<bool>,
    #[serde(alias = "eventType")]
    event_type: Option<WireEventType>,
    #[serde(alias = "trafficDirection", borrow)]
    traffic_direction: Option<Cow<'a, str>>,
    #[serde(alias = "traceObservationPoint", borrow)]
    trace_observation_point: Option<Cow<'a, str>>,
    #[serde(alias = "destinationService", borrow)]
    destination_service: Option<WireService<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireIp<'a> {
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    destination: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireL4 {
    #[serde(rename = "TCP", alias = "tcp")]
    tcp: Option<WirePorts>,
    #[serde(rename = "UDP", alias = "udp")]
    udp: Option<WirePorts>,
    #[serde(rename = "SCTP", alias = "sctp")]
    sctp: Option<WirePorts>,
    #[serde(rename = "ICMPv4", alias = "icmpv4")]
    icmpv4: Option<serde::de::IgnoredAny>,
    #[serde(rename = "ICMPv6", alias = "icmpv6")]
    icmpv6: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WirePorts {
    #[serde(alias = "sourcePort")]
    source_port: u16,
    #[serde(alias = "destinationPort")]
    destination_port: u16,
    flags: Option<WireTcpFlags>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireTcpFlags {
    #[serde(rename = "SYN")]
    syn: bool,
    #[serde(rename = "ACK")]
    ack: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEndpoint<'a> {
    identity: u32,
    #[serde(alias = "clusterName", borrow)]
    cluster_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    namespace: Option<Cow<'a, str>>,
    #[serde(borrow)]
    labels: Vec<Cow<'a, str>>,
    #[serde(alias = "podName", borrow)]
    pod_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    workloads: Vec<WireWorkload<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireWorkload<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEventType {
    #[serde(rename = "type")]
    kind: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireService<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    namespace: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireL7<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    dns: Option<WireDns<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireDns<'a> {
    #[serde(borrow)]
    query: Cow<'a, str>,
    #[serde(borrow)]
    ips: Vec<Cow<'a, str>>,
}

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
    /// The raw RFC 3339 time (parsed by the caller only when needed).
    pub time: Option<Cow<'a, str>>,
    pub verdict: Verdict,
    pub kind: EventKind,
    pub is_l7: bool,
    /// `l7.type`: REQUEST, RESPONSE, SAMPLE.
    pub l7_type: Option<Cow<'a, str>>,
    pub source: EndpointInfo<'a>,
    pub destination: EndpointInfo<'a>,
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
    /// Not valid JSON, or a field of the wrong type; serde's message names it.
    Json(String),
    /// Valid JSON without the fields of a flow.
    MissingField(&'static str),
}

impl std::fmt::Display for FlowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlowError::Json(message) => write!(f, "invalid JSON: {message}"),
            FlowError::MissingField(field) => write!(f, "missing field `{field}`"),
        }
    }
}

fn endpoint<'a>(wire: Option<WireEndpoint<'a>>, ip: Cow<'a, str>) -> EndpointInfo<'a> {
    let wire = wire.unwrap_or_default();
    let workload = wire
        .workloads
        .into_iter()
        .next()
        .filter(|w| !w.name.is_empty())
        .map(|w| (w.kind, w.name));
    let non_empty = |value: Option<Cow<'a, str>>| value.filter(|v| !v.is_empty());
    EndpointInfo {
        ip,
        identity: wire.identity,
        cluster: non_empty(wire.cluster_name),
        namespace: non_empty(wire.namespace),
        pod_name: non_empty(wire.pod_name),
        labels: wire.labels,
        workload,
    }
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

/// Parses one Hubble line (envelope or bare flow).
pub fn parse_flow(line: &[u8]) -> Result<FlowEvent<'_>, FlowError> {
    let outer: WireFlow<'_> =
        serde_json::from_slice(line).map_err(|e| FlowError::Json(e.to_string()))?;
    let envelope_node = outer.node_name.clone();
    let envelope_time = outer.time.clone();
    let flow = match outer.flow {
        Some(inner) => *inner,
        None => outer,
    };
    let Some(ip) = flow.ip else {
        // Flows without addresses (e.g. agent events) are not connections.
        return Err(FlowError::MissingField("IP"));
    };
    let is_l7 = flow.flow_type.as_deref() == Some("L7") || flow.l7.is_some();
    let (l7_type, dns) = match flow.l7 {
        Some(l7) => (
            l7.kind,
            l7.dns
                .filter(|dns| !dns.query.is_empty())
                .map(|dns| (dns.query, dns.ips)),
        ),
        None => (None, None),
    };
    Ok(FlowEvent {
        time: flow.time.or(envelope_time),
        verdict: Verdict::parse(flow.verdict.as_deref()),
        kind: EventKind::from_code(flow.event_type.map_or(0, |e| e.kind)),
        is_l7,
        l7_type,
        source: endpoint(flow.source, ip.source),
        destination: endpoint(flow.destination, ip.destination),
        transport: transport(flow.l4),
        is_reply: flow.is_reply.or(flow.reply),
        node: flow.node_name.or(envelope_node),
        observation_point: flow.trace_observation_point,
        direction: flow.traffic_direction,
        destination_names: flow.destination_names,
        source_names: flow.source_names,
        destination_service: flow
            .destination_service
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
        assert_eq!(flow.source.ip, "10.244.0.177");
        assert_eq!(
            flow.source.pod_name.as_deref(),
            Some("productpage-v1-6b746f74dc-9rcxx")
        );
        assert_eq!(flow.source.workload, None);
        assert_eq!(
            flow.destination.workload,
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
        let Err(FlowError::Json(message)) = wrong_type else {
            panic!("expected a JSON error");
        };
        assert!(message.contains("invalid type"), "{message}");
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

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_flow(&bytes);
        }

        #[test]
        fn any_truncation_of_a_flow_is_an_error_not_a_panic(cut in 0usize..700) {
            let cut = cut.min(ENVELOPE.len() - 1);
            proptest::prop_assert!(parse_flow(&ENVELOPE.as_bytes()[..cut]).is_err());
        }
    }
}
