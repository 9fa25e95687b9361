//! The line writer: one event of a demo connection as a `hubble observe -o json` line (the
//! wire shape is `hubble_wire`'s).

use time::macros::format_description;
use time::OffsetDateTime;

use super::cluster::Protocol;
use super::context::Context;
use super::event::{Event, Point};
use super::hubble_wire::{Envelope, Flow, IpPair, L4};

/// Unix nanoseconds as Hubble writes times: RFC 3339, UTC, nine digits of fraction.
fn format_time(nanos: i128) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The event's layer 4: its protocol and ports (and TCP flags).
fn l4(event: &Event<'_>) -> L4 {
    match event.protocol {
        Protocol::Tcp => L4::Tcp {
            source_port: event.source_port,
            destination_port: event.destination_port,
            flags: event.flags,
        },
        Protocol::Udp => L4::Udp {
            source_port: event.source_port,
            destination_port: event.destination_port,
        },
        Protocol::Sctp => L4::Sctp {
            source_port: event.source_port,
            destination_port: event.destination_port,
        },
    }
}

/// The line of `event`, observed at `nanos`, with the flow's `uuid` (no trailing newline).
pub(super) fn render(context: &Context<'_>, event: Event<'_>, nanos: i128, uuid: &str) -> String {
    let time = format_time(nanos);
    let node_name = &context.node_names[event.node];
    let l4 = l4(&event);
    let summary = event.summary.as_deref().unwrap_or(match event.protocol {
        Protocol::Tcp => event.flags.summary(),
        Protocol::Udp => "UDP",
        Protocol::Sctp => "SCTP",
    });
    let is_l7 = event.l7.is_some();
    let dropped = event.verdict == "DROPPED";
    let envelope = Envelope {
        flow: Flow {
            time: &time,
            uuid,
            verdict: event.verdict,
            drop_reason: dropped.then_some(133),
            ip: IpPair {
                source: event.from.ip,
                destination: event.to.ip,
                ip_version: "IPv4",
            },
            l4,
            source: event.from.endpoint,
            destination: event.to.endpoint,
            flow_type: if is_l7 { "L7" } else { "L3_L4" },
            node_name,
            source_names: event.source_names,
            destination_names: event.destination_names,
            l7: event.l7,
            event_type: event.event_type,
            traffic_direction: event.direction,
            trace_observation_point: event.point.map(Point::name),
            is_reply: event.is_reply,
            destination_service: event.service,
            drop_reason_desc: dropped.then_some("POLICY_DENIED"),
            summary,
        },
        node_name,
        time: &time,
    };
    serde_json::to_string(&envelope).unwrap_or_default()
}
