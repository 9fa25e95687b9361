//! Which flow events start a connection. Only starts become communications: counting replies
//! would produce rules for ephemeral ports, a classic bug of flow-based policy tools.
//!
//! The rules, in order:
//! 1. L7 records are proxy observations of a connection already seen at L3/L4: never a start.
//! 2. ICMP and unknown protocols are not connections NetworkPolicies can name.
//! 3. A policy-verdict event is emitted once, when a new connection is decided: a start.
//! 4. TCP with flags: SYN without ACK starts, SYN+ACK replies, anything else is mid-connection.
//! 5. Otherwise `is_reply` (or the older `reply`) decides when present.
//! 6. Otherwise (tunnel observation points, drops, UDP without connection tracking): a packet
//!    going back along a recent start's path (addresses and ports swapped) is a reply; a
//!    packet from a well-known port to an ephemeral one is a reply; anything else a start.
//!    Rule 6 needs memory of recent starts: [`Classifier`] keeps a bounded amount of it.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use super::hubble::{EventKind, FlowEvent, Transport};

/// What one event means for connection counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The first packet of a connection, from client to server.
    Start,
    /// A packet from server to client.
    Reply,
    /// Not a connection start; the reason is counted and reported.
    Skipped(SkipReason),
}

/// Why an event is not a connection start.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum SkipReason {
    /// A reply (server to client).
    Reply,
    /// A later packet of a connection (ACK, PSH, FIN without SYN).
    MidConnection,
    /// An L7 request or response record.
    L7,
    /// ICMP.
    Icmp,
    /// No transport layer, or one NetworkPolicies cannot name.
    OtherProtocol,
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
        }
    }
}

/// The lowest port of the Linux ephemeral range (`ip_local_port_range`).
const EPHEMERAL_PORTS_START: u16 = 32768;

/// Classifies one event.
pub fn role(event: &FlowEvent<'_>) -> Role {
    if event.is_l7 || event.kind == EventKind::L7 {
        return Role::Skipped(SkipReason::L7);
    }
    let (source_port, destination_port, flags) = match event.transport {
        Transport::Ports {
            source_port,
            destination_port,
            flags,
            ..
        } => (source_port, destination_port, flags),
        Transport::Icmp => return Role::Skipped(SkipReason::Icmp),
        Transport::Other => return Role::Skipped(SkipReason::OtherProtocol),
    };
    if event.kind == EventKind::PolicyVerdict {
        return Role::Start;
    }
    if let Some(flags) = flags {
        return match (flags.syn, flags.ack) {
            (true, false) => Role::Start,
            (true, true) => Role::Reply,
            _ => Role::Skipped(SkipReason::MidConnection),
        };
    }
    match event.is_reply {
        Some(true) => Role::Reply,
        Some(false) => Role::Start,
        // From a server port to an ephemeral one: a reply; anything else counts as a start.
        None if source_port < EPHEMERAL_PORTS_START
            && destination_port >= EPHEMERAL_PORTS_START =>
        {
            Role::Reply
        }
        None => Role::Start,
    }
}

/// How many recent starts the classifier remembers (a few MB at most, whatever the input).
const REMEMBERED_STARTS: usize = 1 << 16;

/// How long after a start a packet on its way back is taken for its reply.
const REPLY_WINDOW_NANOS: i64 = 120 * 1_000_000_000;

/// Classifies events with memory of recent starts, for rule 6.
#[derive(Debug, Default)]
pub struct Classifier {
    /// Path hash → when the start was seen (event time, when known).
    starts: HashMap<u64, Option<i64>, rustc_hash::FxBuildHasher>,
    order: VecDeque<u64>,
}

fn path_hash(event: &FlowEvent<'_>, reversed: bool) -> Option<u64> {
    let (protocol, source_port, destination_port) = event.transport.ports()?;
    let mut from = (event.source_ip.as_ref(), source_port);
    let mut to = (event.destination_ip.as_ref(), destination_port);
    if reversed {
        std::mem::swap(&mut from, &mut to);
    }
    let mut hasher = rustc_hash::FxHasher::default();
    (from, to, protocol).hash(&mut hasher);
    Some(hasher.finish())
}

impl Classifier {
    /// Classifies one event, remembering starts.
    pub fn classify(&mut self, event: &FlowEvent<'_>) -> Role {
        let role = role(event);
        if role != Role::Start {
            return role;
        }
        let decided_by_ports = event.kind != EventKind::PolicyVerdict
            && event.is_reply.is_none()
            && matches!(event.transport, Transport::Ports { flags: None, .. });
        let time = event.nanos();
        // The way back of a start seen shortly before (in event time) is its reply; a start
        // long ago, or later in time (files read out of order), is not evidence.
        let answers_a_start = |started: &Option<i64>| match (*started, time) {
            (Some(started), Some(now)) => {
                (0..=REPLY_WINDOW_NANOS).contains(&(now.saturating_sub(started)))
            }
            _ => true,
        };
        if decided_by_ports
            && path_hash(event, true)
                .and_then(|back| self.starts.get(&back))
                .is_some_and(answers_a_start)
        {
            return Role::Reply;
        }
        if let Some(path) = path_hash(event, false) {
            if self.starts.insert(path, time).is_none() {
                self.order.push_back(path);
                if self.order.len() > REMEMBERED_STARTS {
                    if let Some(oldest) = self.order.pop_front() {
                        self.starts.remove(&oldest);
                    }
                }
            }
        }
        Role::Start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::hubble::parse_flow;

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
            role_of(&tcp((80, 40000), r#","flags":{"SYN":true,"ACK":true}"#, "")),
            Role::Reply
        );
        assert_eq!(
            role_of(&tcp(
                (40000, 80),
                r#","flags":{"ACK":true,"PSH":true}"#,
                r#","is_reply":false"#
            )),
            Role::Skipped(SkipReason::MidConnection)
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
    fn ports_decide_when_nothing_else_does() {
        let udp = |s: u16, d: u16| {
            format!(
                r#"{{"IP":{{"source":"a","destination":"b"}},"l4":{{"UDP":{{"source_port":{s},"destination_port":{d}}}}}}}"#
            )
        };
        assert_eq!(role_of(&udp(45000, 53)), Role::Start);
        assert_eq!(role_of(&udp(53, 45000)), Role::Reply);
        assert_eq!(role_of(&udp(5353, 5353)), Role::Start);
    }

    #[test]
    fn the_way_back_of_a_recent_start_is_a_reply() {
        let udp = |from: (&str, u16), to: (&str, u16), extra: &str| {
            format!(
                r#"{{"IP":{{"source":"{}","destination":"{}"}},"l4":{{"UDP":{{"source_port":{},"destination_port":{}}}}}{extra}}}"#,
                from.0, to.0, from.1, to.1
            )
        };
        let mut classifier = Classifier::default();
        let mut classify =
            |line: String| classifier.classify(&parse_flow(line.as_bytes()).unwrap());
        let (web, relay) = (("10.0.0.1", 45000), ("10.0.0.2", 51820));
        assert_eq!(
            classify(udp(web, relay, r#","is_reply":false"#)),
            Role::Start
        );
        assert_eq!(classify(udp(relay, web, "")), Role::Reply, "the way back");
        assert_eq!(
            classify(udp(web, relay, "")),
            Role::Start,
            "the same way again"
        );
        assert_eq!(
            classify(udp(("10.0.0.3", 45000), relay, "")),
            Role::Start,
            "another client"
        );
        assert_eq!(
            classify(udp(relay, web, r#","is_reply":false"#)),
            Role::Start,
            "Cilium's own word wins"
        );
    }

    #[test]
    fn only_a_recent_earlier_start_makes_a_reply() {
        let udp = |from: (&str, u16), to: (&str, u16), time: &str| {
            format!(
                r#"{{"time":"{time}","IP":{{"source":"{}","destination":"{}"}},"l4":{{"UDP":{{"source_port":{},"destination_port":{}}}}}}}"#,
                from.0, to.0, from.1, to.1
            )
        };
        let mut classifier = Classifier::default();
        let mut classify =
            |line: String| classifier.classify(&parse_flow(line.as_bytes()).unwrap());
        let (a, b) = (("10.0.0.1", 7946), ("10.0.0.2", 7946));
        assert_eq!(classify(udp(a, b, "2026-11-20T09:00:00Z")), Role::Start);
        assert_eq!(classify(udp(b, a, "2026-11-20T09:00:01Z")), Role::Reply);
        assert_eq!(
            classify(udp(b, a, "2026-11-20T10:30:00Z")),
            Role::Start,
            "90 minutes later: b starts its own"
        );
        assert_eq!(
            classify(udp(a, b, "2026-11-20T10:29:59Z")),
            Role::Start,
            "a start earlier in time than the remembered one is not its reply"
        );
    }

    #[test]
    fn l7_icmp_and_unknown_protocols_are_skipped() {
        assert_eq!(
            role_of(
                r#"{"IP":{"source":"a","destination":"b"},"Type":"L7","l4":{"TCP":{"source_port":1,"destination_port":2}}}"#
            ),
            Role::Skipped(SkipReason::L7)
        );
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
