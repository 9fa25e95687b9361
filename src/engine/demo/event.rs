//! One Hubble event of a demo connection before it is written as a line: who sends to whom,
//! on which ports, observed where, with which verdict. `connection` makes them, `line`
//! writes them.

use super::cluster::Protocol;
use super::hubble_wire::{Endpoint, EventType, ServiceRef, TcpFlags, L7};

/// Observation points (`TO_ENDPOINT`, ...), with the trace sub-type Cilium gives them.
#[derive(Clone, Copy)]
pub(super) enum Point {
    Endpoint,
    Stack,
    Overlay,
}

impl Point {
    pub(super) fn name(self) -> &'static str {
        match self {
            Point::Endpoint => "TO_ENDPOINT",
            Point::Stack => "TO_STACK",
            Point::Overlay => "TO_OVERLAY",
        }
    }

    fn sub_type(self) -> u32 {
        match self {
            Point::Endpoint => 0,
            Point::Stack => 3,
            Point::Overlay => 4,
        }
    }
}

/// One side of a connection: who, at which address, observed on which node (if any).
#[derive(Clone, Copy)]
pub(super) struct Side<'a> {
    pub(super) endpoint: &'a Endpoint,
    pub(super) ip: &'a str,
    pub(super) node: Option<usize>,
}

/// The fields that vary between the events of one connection.
pub(super) struct Event<'a> {
    pub(super) from: Side<'a>,
    pub(super) to: Side<'a>,
    pub(super) protocol: Protocol,
    pub(super) source_port: u16,
    pub(super) destination_port: u16,
    pub(super) flags: TcpFlags,
    pub(super) node: usize,
    pub(super) verdict: &'static str,
    pub(super) event_type: EventType,
    pub(super) direction: Option<&'static str>,
    pub(super) point: Option<Point>,
    pub(super) is_reply: Option<bool>,
    pub(super) service: Option<ServiceRef<'a>>,
    pub(super) source_names: &'a [&'a str],
    pub(super) destination_names: &'a [&'a str],
    pub(super) l7: Option<L7<'a>>,
    pub(super) summary: Option<String>,
}

impl<'a> Event<'a> {
    /// A forwarded trace event from `from` to `to` on `(protocol, source port, destination
    /// port)`, observed on `node`.
    pub(super) fn trace(
        from: Side<'a>,
        to: Side<'a>,
        ports: (Protocol, u16, u16),
        node: usize,
    ) -> Self {
        Event {
            from,
            to,
            protocol: ports.0,
            source_port: ports.1,
            destination_port: ports.2,
            flags: TcpFlags::default(),
            node,
            verdict: "FORWARDED",
            event_type: EventType {
                kind: 4,
                sub_type: None,
            },
            direction: None,
            point: None,
            is_reply: None,
            service: None,
            source_names: &[],
            destination_names: &[],
            l7: None,
            summary: None,
        }
    }

    /// The event observed at `point`, going `direction`, a reply or not.
    pub(super) fn at(mut self, point: Point, direction: &'static str, is_reply: bool) -> Self {
        self.point = Some(point);
        self.event_type.sub_type = Some(point.sub_type());
        self.direction = Some(direction);
        self.is_reply = Some(is_reply);
        self
    }

    /// The event as the tunnel sees it: `TO_OVERLAY`, with neither direction nor `is_reply`.
    pub(super) fn in_tunnel(mut self) -> Self {
        self.event_type.sub_type = Some(Point::Overlay.sub_type());
        self.point = Some(Point::Overlay);
        self
    }

    /// TCP flags: a SYN (with ACK for a reply), else a data packet (PSH).
    pub(super) fn flags(mut self, syn: bool, ack: bool) -> Self {
        self.flags = TcpFlags {
            syn,
            ack,
            psh: !syn,
        };
        self
    }

    /// The event of another kind than a trace (a policy verdict, a drop, an L7 record).
    pub(super) fn of_type(mut self, kind: u32, sub_type: Option<u32>) -> Self {
        self.event_type = EventType { kind, sub_type };
        self
    }
}
