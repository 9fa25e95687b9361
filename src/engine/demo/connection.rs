//! One demo connection as Hubble observes it: the request at the client's node and again at
//! the server's node, sometimes a tunnel (`TO_OVERLAY`) event with neither `is_reply` nor
//! `traffic_direction`, sometimes a policy-verdict event, the SYN+ACK replies marked
//! `is_reply`, and data packets that are not new connections (an HTTP request's L7 record in
//! place of one, when the server speaks HTTP); a DNS lookup's L7 events; the
//! data packets of a connection opened before the capture.

use super::cluster::Protocol;
use super::event::{Event, Point, Side};
use super::hubble_wire::{Dns, Endpoint, Http, ServiceRef, TcpFlags, L7};

/// A data packet's flags (ACK, PSH).
const DATA: TcpFlags = TcpFlags {
    syn: false,
    ack: true,
    psh: true,
};

/// An acknowledgement's flags.
const ACK: TcpFlags = TcpFlags {
    syn: false,
    ack: true,
    psh: false,
};

/// A TCP or UDP connection between two sides, to be rendered as the events Hubble prints.
pub(super) struct Connection<'a> {
    pub(super) client: Side<'a>,
    pub(super) server: Side<'a>,
    pub(super) protocol: Protocol,
    pub(super) source_port: u16,
    pub(super) port: u16,
    /// Address, port and (unknown) identity the client's first packet is seen going to,
    /// before DNAT.
    pub(super) pre_dnat: Option<(&'a str, u16, &'a Endpoint)>,
    pub(super) service: Option<ServiceRef<'a>>,
    pub(super) destination_names: &'a [&'a str],
    /// The HTTP request (method and path) the client sends, when the server speaks HTTP:
    /// seen by Cilium's proxy as an L7 record in place of a data packet.
    pub(super) http: Option<(&'static str, String)>,
}

impl<'a> Connection<'a> {
    /// A connection from a side to another, on `port`, with nothing else known.
    pub(super) fn between(
        client: Side<'a>,
        server: Side<'a>,
        protocol: Protocol,
        source_port: u16,
        port: u16,
    ) -> Self {
        Connection {
            client,
            server,
            protocol,
            source_port,
            port,
            pre_dnat: None,
            service: None,
            destination_names: &[],
            http: None,
        }
    }

    fn forward(&self) -> (Protocol, u16, u16) {
        (self.protocol, self.source_port, self.port)
    }

    fn backward(&self) -> (Protocol, u16, u16) {
        (self.protocol, self.port, self.source_port)
    }

    fn crosses_nodes(&self) -> bool {
        matches!((self.client.node, self.server.node), (Some(a), Some(b)) if a != b)
    }

    /// A packet of the request, observed on `node` (a SYN for TCP).
    fn request(&self, node: usize) -> Event<'a> {
        let tcp = self.protocol == Protocol::Tcp;
        let mut e = Event::trace(self.client, self.server, self.forward(), node).flags(tcp, false);
        e.service = self.service;
        e.destination_names = self.destination_names;
        e
    }

    /// A packet of the reply, observed on `node` (a SYN+ACK for TCP).
    fn reply(&self, node: usize) -> Event<'a> {
        let tcp = self.protocol == Protocol::Tcp;
        let mut e = Event::trace(self.server, self.client, self.backward(), node).flags(tcp, tcp);
        e.source_names = self.destination_names;
        e
    }

    /// The events of a new connection: its request, most often its reply, sometimes a data
    /// packet after them.
    pub(super) fn events(&self, rng: &mut fastrand::Rng) -> Vec<Event<'a>> {
        let mut events = self.request_events(rng);
        if rng.f64() < 0.9 {
            events.extend(self.reply_events(rng));
        }
        if self.protocol == Protocol::Tcp && rng.f64() < 0.3 {
            if let Some(node) = self.client.node {
                let mut data = self.request(node).at(Point::Stack, "EGRESS", false);
                data.flags = DATA;
                events.push(match &self.http {
                    Some((method, path)) => self.http_request(node, method, path),
                    None => data,
                });
            }
        }
        events
    }

    /// The L7 record of an HTTP request on this connection, as the client's proxy prints it.
    fn http_request(&self, node: usize, method: &'static str, path: &str) -> Event<'a> {
        let mut request =
            Event::trace(self.client, self.server, self.forward(), node).of_type(129, None);
        request.direction = Some("EGRESS");
        request.is_reply = Some(false);
        request.service = self.service;
        let url = format!("http://{}:{}{path}", self.server.ip, self.port);
        request.summary = Some(format!("HTTP/1.1 {method} {url}"));
        request.l7 = Some(L7 {
            kind: "REQUEST",
            dns: None,
            http: Some(Http {
                method,
                url,
                protocol: "HTTP/1.1",
            }),
        });
        request
    }

    /// The request leaving the client (seen before DNAT when it went to a Service's
    /// address), maybe in the tunnel, maybe a policy verdict, and arriving at the server.
    fn request_events(&self, rng: &mut fastrand::Rng) -> Vec<Event<'a>> {
        let mut events = Vec::new();
        if let Some(node) = self.client.node {
            let mut e = self.request(node).at(Point::Stack, "EGRESS", false);
            if let Some((ip, port, endpoint)) = self.pre_dnat {
                e.to.ip = ip;
                e.to.endpoint = endpoint;
                e.destination_port = port;
            }
            events.push(e);
            if self.crosses_nodes() && rng.bool() {
                events.push(self.request(node).in_tunnel());
            }
        }
        if let Some(node) = self.server.node {
            if rng.f64() < 0.3 {
                let mut verdict = self.request(node).of_type(5, None);
                verdict.direction = Some("INGRESS");
                verdict.is_reply = Some(false);
                events.push(verdict);
            }
            events.push(self.request(node).at(Point::Endpoint, "INGRESS", false));
        }
        events
    }

    /// The reply leaving the server, maybe in the tunnel, and arriving at the client.
    fn reply_events(&self, rng: &mut fastrand::Rng) -> Vec<Event<'a>> {
        let mut events = Vec::new();
        if let Some(node) = self.server.node {
            events.push(self.reply(node).at(Point::Stack, "INGRESS", true));
            if self.crosses_nodes() && rng.bool() {
                events.push(self.reply(node).in_tunnel());
            }
        }
        if let Some(node) = self.client.node {
            events.push(self.reply(node).at(Point::Endpoint, "EGRESS", true));
        }
        events
    }

    /// The events of a few data packets of a connection opened before the capture: requests
    /// (ACK, PSH) going the connection's way at both ends, acknowledgements coming back, and,
    /// across nodes, the tunnel's view with no direction.
    pub(super) fn data_events(&self, rng: &mut fastrand::Rng) -> Vec<Event<'a>> {
        let (forward, backward) = (self.forward(), self.backward());
        let mut events = Vec::new();
        for _ in 0..rng.usize(1..=3) {
            if let Some(node) = self.client.node {
                let mut e = Event::trace(self.client, self.server, forward, node).at(
                    Point::Stack,
                    "EGRESS",
                    false,
                );
                e.flags = DATA;
                events.push(e);
                if self.server.node.is_some_and(|n| n != node) && rng.bool() {
                    let mut tunnel = Event::trace(self.client, self.server, forward, node);
                    tunnel.flags = DATA;
                    events.push(tunnel.in_tunnel());
                }
            }
            if let Some(node) = self.server.node {
                let mut e = Event::trace(self.client, self.server, forward, node).at(
                    Point::Endpoint,
                    "INGRESS",
                    false,
                );
                e.flags = DATA;
                events.push(e);
                let mut back = Event::trace(self.server, self.client, backward, node).at(
                    Point::Stack,
                    "INGRESS",
                    true,
                );
                back.flags = ACK;
                events.push(back);
            }
        }
        events
    }

    /// The L7 DNS request and response events of a lookup of `query` over this connection
    /// (UDP to port 53), answered with `answer`.
    pub(super) fn dns_events(&self, query: &'a str, answer: Vec<&'a str>) -> Vec<Event<'a>> {
        let Some(node) = self.client.node else {
            return Vec::new();
        };
        let forward = (Protocol::Udp, self.source_port, 53);
        let backward = (Protocol::Udp, 53, self.source_port);
        let mut request = Event::trace(self.client, self.server, forward, node).of_type(129, None);
        request.direction = Some("EGRESS");
        request.is_reply = Some(false);
        request.summary = Some(format!("DNS Query {query} A"));
        request.l7 = Some(L7 {
            kind: "REQUEST",
            dns: Some(Dns {
                query,
                ips: Vec::new(),
                ttl: None,
                observation_source: "proxy",
                qtypes: ["A"],
                rrtypes: &[],
            }),
            http: None,
        });
        let mut response =
            Event::trace(self.server, self.client, backward, node).of_type(129, None);
        response.direction = Some("EGRESS");
        response.is_reply = Some(true);
        response.summary = Some(format!("DNS Answer TTL: 30 (Proxy {query} A)"));
        response.l7 = Some(L7 {
            kind: "RESPONSE",
            dns: Some(Dns {
                query,
                rrtypes: if answer.is_empty() { &[] } else { &["A"] },
                ips: answer,
                ttl: Some(30),
                observation_source: "proxy",
                qtypes: ["A"],
            }),
            http: None,
        });
        vec![request, response]
    }
}
