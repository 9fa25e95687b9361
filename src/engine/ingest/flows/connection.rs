//! What one flow event means for a communication. Only connection starts count as
//! connections; packets going the connection's way are evidence that it happens (a capture is a
//! window: long-lived connections opened before it show no start); replies are neither, since
//! counting them would produce rules for ephemeral ports, a classic bug of flow-based policy
//! tools.
//!
//! The rules, in order:
//! 1. An L7 request names its client, server and port: evidence. A request is a record with
//!    `is_reply` false that is not a response, or, when `is_reply` is absent (some Hubble
//!    versions and exporters leave it out), one whose `l7.type` is `REQUEST`. Every other L7
//!    record (a response, a reply, a record saying neither) is skipped.
//! 2. ICMP and unknown protocols are not connections NetworkPolicies can name.
//! 3. A policy-verdict event is emitted once, when a new connection is decided: a start.
//! 4. TCP with flags: SYN without ACK starts, SYN+ACK replies. A later packet (ACK, PSH, FIN)
//!    is evidence when `is_reply` is false, a reply when it is true, and undecided when it is
//!    absent (tunnel observation points).
//! 5. Otherwise (UDP, SCTP, TCP without flags) `is_reply`, or the older `reply`, decides when
//!    present: false starts, true replies; anything else is undecided (a packet from a
//!    well-known port to an ephemeral one is a reply only when nothing else tells).
//!
//! Undecided packets are kept by their path (addresses, ports, protocol) until every file is
//! read, then decided from the other packets of the same connection, by event time rather
//! than reading order (see `aggregate`): the result does not depend on the order of files or
//! lines.

use crate::engine::ingest::formats::hubble::{EventKind, FlowEvent, Transport};

/// What one event means for connection counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The first packet of a connection, from client to server: a connection.
    Start,
    /// A packet going the connection's way (client to server) that starts nothing: evidence
    /// that the communication happens, which matters when its start came before the capture.
    Ongoing,
    /// A packet from server to client.
    Reply,
    /// A packet whose direction the event does not tell; decided once all files are read.
    Undecided(Undecided),
    /// Not part of any connection NetworkPolicies can name; the reason is counted and reported.
    Skipped(SkipReason),
}

/// The two kinds of undecided packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// A later TCP packet: evidence when its connection's direction is known elsewhere.
    Stream,
    /// A UDP or SCTP packet (or TCP without flags): a start when it goes first.
    Datagram,
}

/// What became of the records of a file that started no connection.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum SkipReason {
    /// A reply (server to client).
    Reply,
    /// A later packet of a connection (ACK, PSH, FIN without SYN), going its way.
    MidConnection,
    /// An L7 request or response record.
    L7,
    /// ICMP.
    Icmp,
    /// No transport layer, or one NetworkPolicies cannot name.
    OtherProtocol,
    /// A packet whose direction nothing tells (no `is_reply`, and no other packet of its
    /// connection with one).
    UnknownDirection,
}

impl SkipReason {
    /// How the load report names the reason.
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::Reply => "replies",
            SkipReason::MidConnection => "later packets of a connection",
            SkipReason::L7 => "L7 records",
            SkipReason::Icmp => "ICMP",
            SkipReason::OtherProtocol => "other protocols",
            SkipReason::UnknownDirection => "packets of unknown direction",
        }
    }
}

/// The lowest port of the Linux ephemeral range (`ip_local_port_range`).
pub const EPHEMERAL_PORTS_START: u16 = 32768;

/// Whether an L7 record is a request: `is_reply` false and not a response, or, without
/// `is_reply`, `l7.type` `REQUEST` (the type tells the direction by itself). A response, a
/// reply, or a record that says nothing of its direction names no client.
fn is_request(event: &FlowEvent<'_>) -> bool {
    let l7_type = event.l7_type.as_deref();
    match event.is_reply {
        Some(false) => l7_type != Some("RESPONSE"),
        Some(true) => false,
        None => l7_type == Some("REQUEST"),
    }
}

/// What `event` means, from the event alone.
pub fn role(event: &FlowEvent<'_>) -> Role {
    let is_l7 = event.is_l7 || event.kind == EventKind::L7;
    let flags = match event.transport {
        Transport::Ports { flags, .. } => flags,
        _ if is_l7 => return Role::Skipped(SkipReason::L7),
        Transport::Icmp => return Role::Skipped(SkipReason::Icmp),
        Transport::Other => return Role::Skipped(SkipReason::OtherProtocol),
    };
    if is_l7 {
        return if is_request(event) {
            Role::Ongoing
        } else {
            Role::Skipped(SkipReason::L7)
        };
    }
    if event.kind == EventKind::PolicyVerdict {
        return Role::Start;
    }
    if let Some(flags) = flags {
        return match (flags.syn, flags.ack, event.is_reply) {
            (true, false, _) => Role::Start,
            (true, true, _) => Role::Reply,
            (false, _, Some(false)) => Role::Ongoing,
            (false, _, Some(true)) => Role::Reply,
            (false, _, None) => Role::Undecided(Undecided::Stream),
        };
    }
    match event.is_reply {
        Some(true) => Role::Reply,
        Some(false) => Role::Start,
        // Decided from the connection's other packets; the ports only break a tie.
        None => Role::Undecided(Undecided::Datagram),
    }
}

/// How the file report counts an event that starts nothing.
pub fn reported_as(event: &FlowEvent<'_>, role: Role) -> Option<SkipReason> {
    match role {
        Role::Start | Role::Undecided(_) => None,
        Role::Ongoing if event.is_l7 || event.kind == EventKind::L7 => Some(SkipReason::L7),
        Role::Ongoing => Some(SkipReason::MidConnection),
        Role::Reply => Some(SkipReason::Reply),
        Role::Skipped(reason) => Some(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::formats::hubble::parse_flow;

    fn role_of(line: &str) -> Role {
        role(&parse_flow(line.as_bytes()).unwrap())
    }

    fn tcp(ports: (u16, u16), flags: &str, extra: &str) -> String {
        format!(
            r#"{{"IP":{{"source":"a","destination":"b"}},"l4":{{"TCP":{{"source_port":{},"destination_port":{}{flags}}}}},"event_type":{{"type":4}}{extra}}}"#,
            ports.0, ports.1
        )
    }

    #[test]
    fn syn_starts_and_syn_ack_replies_whatever_is_reply_says() {
        assert_eq!(
            role_of(&tcp((40000, 80), r#","flags":{"SYN":true}"#, "")),
            Role::Start
        );
        assert_eq!(
            role_of(&tcp(
                (80, 40000),
                r#","flags":{"SYN":true,"ACK":true}"#,
                r#","is_reply":false"#
            )),
            Role::Reply
        );
    }

    #[test]
    fn later_tcp_packets_are_evidence_going_the_connections_way_only() {
        let data = r#","flags":{"ACK":true,"PSH":true}"#;
        assert_eq!(
            role_of(&tcp((40000, 80), data, r#","is_reply":false"#)),
            Role::Ongoing
        );
        assert_eq!(
            role_of(&tcp((80, 40000), data, r#","is_reply":true"#)),
            Role::Reply
        );
        assert_eq!(
            role_of(&tcp((40000, 80), data, "")),
            Role::Undecided(Undecided::Stream),
            "a tunnel point does not say"
        );
    }

    #[test]
    fn is_reply_and_the_older_reply_decide_without_flags() {
        assert_eq!(
            role_of(&tcp((40000, 80), "", r#","is_reply":false"#)),
            Role::Start
        );
        assert_eq!(
            role_of(&tcp((80, 40000), "", r#","is_reply":true"#)),
            Role::Reply
        );
        assert_eq!(
            role_of(&tcp((80, 40000), "", r#","reply":true"#)),
            Role::Reply
        );
    }

    #[test]
    fn policy_verdicts_start() {
        let line =
            tcp((40000, 80), r#","flags":{"ACK":true}"#, "").replace(r#""type":4"#, r#""type":5"#);
        assert_eq!(role_of(&line), Role::Start);
    }

    #[test]
    fn ports_alone_decide_nothing_here() {
        let udp = |s: u16, d: u16| {
            format!(
                r#"{{"IP":{{"source":"a","destination":"b"}},"l4":{{"UDP":{{"source_port":{s},"destination_port":{d}}}}}}}"#
            )
        };
        assert_eq!(
            role_of(&udp(45000, 53)),
            Role::Undecided(Undecided::Datagram)
        );
        assert_eq!(
            role_of(&udp(53, 45000)),
            Role::Undecided(Undecided::Datagram),
            "decided with the connection's other packets (see undecided)"
        );
        assert_eq!(
            role_of(&udp(5353, 5353)),
            Role::Undecided(Undecided::Datagram)
        );
    }

    #[test]
    fn l7_requests_are_evidence_and_responses_are_not() {
        let l7 = |extra: &str| {
            format!(
                r#"{{"IP":{{"source":"a","destination":"b"}},"Type":"L7","event_type":{{"type":129}},"l4":{{"UDP":{{"source_port":40000,"destination_port":53}}}}{extra}}}"#
            )
        };
        assert_eq!(
            role_of(&l7(r#","is_reply":false,"l7":{"type":"REQUEST"}"#)),
            Role::Ongoing
        );
        assert_eq!(
            role_of(&l7(r#","is_reply":true,"l7":{"type":"RESPONSE"}"#)),
            Role::Skipped(SkipReason::L7)
        );
        assert_eq!(
            role_of(r#"{"IP":{"source":"a","destination":"b"},"Type":"L7"}"#),
            Role::Skipped(SkipReason::L7)
        );
    }

    /// Some Hubble versions and exporters leave `is_reply` out: `l7.type` then says the
    /// direction by itself. A request is evidence, a response never, and a record that says
    /// neither names no client.
    #[test]
    fn without_is_reply_the_l7_type_tells_a_request_from_a_response() {
        let l7 = |extra: &str| {
            format!(
                r#"{{"IP":{{"source":"a","destination":"b"}},"Type":"L7","event_type":{{"type":129}},"l4":{{"TCP":{{"source_port":40000,"destination_port":9080}}}}{extra}}}"#
            )
        };
        assert_eq!(
            role_of(&l7(r#","l7":{"type":"REQUEST","http":{"method":"GET"}}"#)),
            Role::Ongoing,
            "a request says its direction without is_reply"
        );
        assert_eq!(
            role_of(&l7(r#","l7":{"type":"RESPONSE","http":{"code":200}}"#)),
            Role::Skipped(SkipReason::L7)
        );
        assert_eq!(
            role_of(&l7(r#","l7":{"http":{"method":"GET"}}"#)),
            Role::Skipped(SkipReason::L7),
            "neither is_reply nor a type: no client"
        );
        assert_eq!(
            role_of(&l7(r#","l7":{"type":"SAMPLE"}"#)),
            Role::Skipped(SkipReason::L7)
        );
        assert_eq!(
            role_of(&l7(r#","is_reply":true,"l7":{"type":"REQUEST"}"#)),
            Role::Skipped(SkipReason::L7),
            "is_reply, when present, still decides"
        );
        assert_eq!(
            role_of(&l7(r#","reply":false,"l7":{"type":"RESPONSE"}"#)),
            Role::Skipped(SkipReason::L7)
        );
    }

    #[test]
    fn an_l7_request_is_reported_as_l7_however_hubble_marks_it() {
        // Marked by its `Type` only, by its event type only, or by both: an L7 record in the
        // file report, never a later packet of a connection.
        for (marks, expected) in [
            (
                r#""Type":"L7","event_type":{"type":4}"#,
                Some(SkipReason::L7),
            ),
            (r#""event_type":{"type":129}"#, Some(SkipReason::L7)),
            (
                r#""Type":"L7","event_type":{"type":129}"#,
                Some(SkipReason::L7),
            ),
            (
                r#""event_type":{"type":4}"#,
                Some(SkipReason::MidConnection),
            ),
        ] {
            let line = format!(
                r#"{{"IP":{{"source":"a","destination":"b"}},{marks},"l4":{{"TCP":{{"source_port":40000,"destination_port":80,"flags":{{"ACK":true}}}}}},"is_reply":false,"l7":{{"type":"REQUEST"}}}}"#
            );
            let line = if marks.contains("129") || marks.contains("L7") {
                line
            } else {
                line.replace(r#","l7":{"type":"REQUEST"}"#, "")
            };
            let event = parse_flow(line.as_bytes()).unwrap();
            assert_eq!(reported_as(&event, role(&event)), expected, "{marks}");
        }
        assert_eq!(SkipReason::L7.label(), "L7 records");
        assert_eq!(
            SkipReason::MidConnection.label(),
            "later packets of a connection"
        );
    }

    #[test]
    fn icmp_and_unknown_protocols_are_skipped() {
        assert_eq!(
            role_of(r#"{"IP":{"source":"a","destination":"b"},"l4":{"ICMPv6":{}}}"#),
            Role::Skipped(SkipReason::Icmp)
        );
        assert_eq!(
            role_of(r#"{"IP":{"source":"a","destination":"b"}}"#),
            Role::Skipped(SkipReason::OtherProtocol)
        );
    }
}
