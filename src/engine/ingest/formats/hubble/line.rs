//! One Hubble line (an envelope or a bare flow) read into a [`FlowEvent`]: the members found
//! with the scanner, the small values read plainly or with serde, borrowed from the input.

use std::borrow::Cow;

use serde::Deserialize;

use crate::engine::ingest::scan::json_scan::{finish, scan_object, skip_value, skip_whitespace};
use crate::engine::model::Protocol;

use super::event::{parse_value, EventKind, FlowError, FlowEvent, TcpFlags, Transport, Verdict};
use crate::engine::model::l7::L7Request;

use super::wire::{Plain, WireEventType, WireIp, WireL4, WireL7, WirePorts, WireService};

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
    let (l7_type, dns, l7_request) = match l7 {
        Some(l7) => {
            let request = if let Some(http) = &l7.http {
                Some(L7Request::http(&http.method, &http.url))
            } else if let Some(kafka) = &l7.kafka {
                Some(L7Request::kafka(&kafka.api_key, &kafka.topic))
            } else {
                l7.dns.as_ref().map(|dns| L7Request::dns(&dns.query))
            };
            (
                l7.kind,
                l7.dns
                    .filter(|dns| !dns.query.is_empty())
                    .map(|dns| (dns.query, dns.ips)),
                request,
            )
        }
        None => (None, None, None),
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
        l7_request,
    })
}
