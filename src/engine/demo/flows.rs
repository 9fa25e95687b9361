//! The demo's Hubble flow log: an iterator of `hubble observe -o json` lines.
//!
//! Each sampled connection is printed the way Hubble really prints it: the request at the
//! client's node and again at the server's node, sometimes a tunnel (`TO_OVERLAY`) event with
//! neither `is_reply` nor `traffic_direction`, sometimes a policy-verdict event, the SYN+ACK
//! replies marked `is_reply`, and data packets that are not new connections. DNS lookups come
//! with L7 DNS events; external peers carry `destination_names`; dropped attempts are retried.

use std::collections::VecDeque;

use time::macros::format_description;
use time::OffsetDateTime;

use super::cluster::{random_uuid, DemoCluster, Protocol, CLUSTER_NAME};
use super::hubble_wire::{
    Dns, Endpoint, Envelope, EventType, Flow, IpPair, ServiceRef, TcpFlags, WorkloadRef, L4, L7,
};
use super::traffic::{dns_query_for, templates, Template, Weighted};
use super::truth::{EmittedCommunication, EmittedPeer};
use crate::engine::model::AddressClass;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct FlowOptions {
    /// Number of lines to write.
    pub lines: usize,
    /// Seed of every random choice: the same options give byte-identical output.
    pub seed: u64,
    /// Unix time (seconds) of the first line.
    pub start_unix: i64,
    /// Seconds of traffic the lines span.
    pub duration_seconds: u64,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            lines: 2_000,
            seed: 1,
            // 2026-11-20T09:00:00Z
            start_unix: 1_795_165_200,
            duration_seconds: 3_600,
        }
    }
}

/// Observation points (`TO_ENDPOINT`, ...), with the trace sub-type Cilium gives them.
#[derive(Clone, Copy)]
enum Point {
    Endpoint,
    Stack,
    Overlay,
}

impl Point {
    fn name(self) -> &'static str {
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
struct Side<'a> {
    endpoint: &'a Endpoint,
    ip: &'a str,
    node: Option<usize>,
}

/// The fields that vary between the events of one connection.
struct Event<'a> {
    from: Side<'a>,
    to: Side<'a>,
    protocol: Protocol,
    source_port: u16,
    destination_port: u16,
    flags: TcpFlags,
    node: usize,
    verdict: &'static str,
    event_type: EventType,
    direction: Option<&'static str>,
    point: Option<Point>,
    is_reply: Option<bool>,
    service: Option<ServiceRef<'a>>,
    source_names: &'a [&'a str],
    destination_names: &'a [&'a str],
    l7: Option<L7<'a>>,
    summary: Option<String>,
}

impl<'a> Event<'a> {
    fn trace(from: Side<'a>, to: Side<'a>, ports: (Protocol, u16, u16), node: usize) -> Self {
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

    fn at(mut self, point: Point, direction: &'static str, is_reply: bool) -> Self {
        self.point = Some(point);
        self.event_type.sub_type = Some(point.sub_type());
        self.direction = Some(direction);
        self.is_reply = Some(is_reply);
        self
    }

    fn flags(mut self, syn: bool, ack: bool) -> Self {
        self.flags = TcpFlags {
            syn,
            ack,
            psh: !syn,
        };
        self
    }
}

/// The immutable context the events are drawn from.
struct Context<'c> {
    cluster: &'c DemoCluster,
    templates: Vec<Weighted>,
    total_weight: f64,
    pod_endpoints: Vec<Endpoint>,
    world: Endpoint,
    host: Endpoint,
    api_server: Endpoint,
    node_names: Vec<String>,
    dns_queries: Vec<String>,
}

/// An iterator over the lines of a demo Hubble log (without trailing newlines).
pub struct FlowLines<'c> {
    context: Context<'c>,
    rng: fastrand::Rng,
    options: FlowOptions,
    emitted: usize,
    templates_covered: usize,
    /// Queued lines, each marked when it is the first line of its connection, and with the
    /// communication on the first line the connection has.
    pending: VecDeque<(String, bool, Option<EmittedCommunication>)>,
    /// The next client port: allocated in sequence, as Linux does, so that a port is not
    /// reused while a connection with it may still be remembered.
    next_source_port: u16,
    /// Connections whose first line was emitted.
    connections: u64,
    /// Communications some line of which was emitted.
    emitted_communications: std::collections::BTreeSet<EmittedCommunication>,
}

fn pod_endpoint(cluster: &DemoCluster, pod_index: usize) -> Endpoint {
    let pod = &cluster.pods[pod_index];
    let spec = &cluster.workloads[pod.workload];
    // Cilium leaves the controllers' generated labels out of identities.
    let volatile = [
        "pod-template-hash",
        "controller-revision-hash",
        "pod-template-generation",
        "controller-uid",
        "job-name",
        "apps.kubernetes.io/pod-index",
        "statefulset.kubernetes.io/pod-name",
    ];
    let mut labels: Vec<String> = pod
        .labels
        .iter()
        .filter(|(k, _)| !volatile.contains(&k.as_str()) && !k.starts_with("batch.kubernetes.io/"))
        .map(|(k, v)| format!("k8s:{k}={v}"))
        .collect();
    labels.extend([
        format!(
            "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={}",
            spec.namespace
        ),
        format!("k8s:io.cilium.k8s.policy.cluster={CLUSTER_NAME}"),
        format!(
            "k8s:io.cilium.k8s.policy.serviceaccount={}",
            spec.service_account
        ),
        format!("k8s:io.kubernetes.pod.namespace={}", spec.namespace),
    ]);
    labels.sort();
    Endpoint {
        id: Some(100 + 37 * pod_index as u32),
        identity: 20_000 + 131 * pod.workload as u32,
        cluster_name: Some(CLUSTER_NAME.to_string()),
        namespace: Some(spec.namespace.to_string()),
        labels,
        pod_name: Some(pod.name.clone()),
        workloads: vec![WorkloadRef {
            name: spec.name.to_string(),
            kind: spec.kind.as_str().to_string(),
        }],
    }
}

impl<'c> Context<'c> {
    fn new(cluster: &'c DemoCluster) -> Self {
        let templates = templates(cluster);
        let total_weight = templates.iter().map(|w| w.weight).sum();
        let dns_queries = (0..cluster.workloads.len())
            .map(|i| dns_query_for(cluster, &templates, i))
            .collect();
        Context {
            cluster,
            total_weight,
            pod_endpoints: (0..cluster.pods.len())
                .map(|i| pod_endpoint(cluster, i))
                .collect(),
            world: Endpoint::reserved(2, "world"),
            host: Endpoint::reserved(1, "host"),
            api_server: Endpoint::reserved(7, "kube-apiserver"),
            node_names: cluster
                .nodes
                .iter()
                .map(|n| format!("{CLUSTER_NAME}/{}", n.name))
                .collect(),
            dns_queries,
            templates,
        }
    }

    fn pick_template(&self, rng: &mut fastrand::Rng) -> usize {
        let mut target = rng.f64() * self.total_weight;
        for (i, weighted) in self.templates.iter().enumerate() {
            target -= weighted.weight;
            if target <= 0.0 {
                return i;
            }
        }
        self.templates.len() - 1
    }

    fn pod_side(&self, pod_index: usize) -> Side<'_> {
        let pod = &self.cluster.pods[pod_index];
        Side {
            endpoint: &self.pod_endpoints[pod_index],
            ip: &pod.ip,
            node: Some(pod.node),
        }
    }

    /// The indices of the pods of a workload.
    fn pod_indices(&self, workload: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.cluster.pods.len()).filter(move |&i| self.cluster.pods[i].workload == workload)
    }

    /// A random pod of a workload.
    fn random_pod(&self, rng: &mut fastrand::Rng, workload: usize) -> usize {
        let candidates: Vec<usize> = self.pod_indices(workload).collect();
        candidates[rng.usize(..candidates.len())]
    }

    fn service_ref(&self, workload: usize) -> Option<ServiceRef<'c>> {
        self.cluster.service_of(workload).map(|s| ServiceRef {
            name: s.name,
            namespace: s.namespace,
        })
    }
}

/// A TCP or UDP connection observed as Hubble prints it; returns the rendered events.
struct Connection<'a> {
    client: Side<'a>,
    server: Side<'a>,
    protocol: Protocol,
    source_port: u16,
    port: u16,
    /// Address, port and (unknown) identity the client's first packet is seen going to,
    /// before DNAT.
    pre_dnat: Option<(&'a str, u16, &'a Endpoint)>,
    service: Option<ServiceRef<'a>>,
    destination_names: &'a [&'a str],
}

impl<'a> Connection<'a> {
    fn events(&self, rng: &mut fastrand::Rng) -> Vec<Event<'a>> {
        let tcp = self.protocol == Protocol::Tcp;
        let forward = (self.protocol, self.source_port, self.port);
        let backward = (self.protocol, self.port, self.source_port);
        let crosses_nodes =
            matches!((self.client.node, self.server.node), (Some(a), Some(b)) if a != b);
        let mut events = Vec::new();
        let request = |node: usize| {
            let mut e = Event::trace(self.client, self.server, forward, node).flags(tcp, false);
            e.service = self.service;
            e.destination_names = self.destination_names;
            e
        };
        if let Some(node) = self.client.node {
            let mut e = request(node).at(Point::Stack, "EGRESS", false);
            if let Some((ip, port, endpoint)) = self.pre_dnat {
                e.to.ip = ip;
                e.to.endpoint = endpoint;
                e.destination_port = port;
            }
            events.push(e);
            if crosses_nodes && rng.bool() {
                let mut tunnel = request(node);
                tunnel.event_type.sub_type = Some(Point::Overlay.sub_type());
                tunnel.point = Some(Point::Overlay);
                events.push(tunnel);
            }
        }
        if let Some(node) = self.server.node {
            if rng.f64() < 0.3 {
                let mut verdict = request(node);
                verdict.event_type = EventType {
                    kind: 5,
                    sub_type: None,
                };
                verdict.direction = Some("INGRESS");
                verdict.is_reply = Some(false);
                events.push(verdict);
            }
            events.push(request(node).at(Point::Endpoint, "INGRESS", false));
        }
        if rng.f64() < 0.9 {
            let reply = |node: usize| {
                let mut e = Event::trace(self.server, self.client, backward, node).flags(tcp, tcp);
                e.source_names = self.destination_names;
                e
            };
            if let Some(node) = self.server.node {
                events.push(reply(node).at(Point::Stack, "INGRESS", true));
                if crosses_nodes && rng.bool() {
                    let mut tunnel = reply(node);
                    tunnel.event_type.sub_type = Some(Point::Overlay.sub_type());
                    tunnel.point = Some(Point::Overlay);
                    events.push(tunnel);
                }
            }
            if let Some(node) = self.client.node {
                events.push(reply(node).at(Point::Endpoint, "EGRESS", true));
            }
        }
        if tcp && rng.f64() < 0.3 {
            if let Some(node) = self.client.node {
                let mut data = request(node).at(Point::Stack, "EGRESS", false);
                data.flags = TcpFlags {
                    syn: false,
                    ack: true,
                    psh: true,
                };
                events.push(data);
            }
        }
        events
    }
}

impl<'a> Connection<'a> {
    /// The events of a few data packets of a connection opened before the capture: requests
    /// (ACK, PSH) going the connection's way at both ends, acknowledgements coming back, and,
    /// across nodes, the tunnel's view with no direction.
    fn data_events(&self, rng: &mut fastrand::Rng) -> Vec<Event<'a>> {
        let forward = (self.protocol, self.source_port, self.port);
        let backward = (self.protocol, self.port, self.source_port);
        let data = TcpFlags {
            syn: false,
            ack: true,
            psh: true,
        };
        let ack = TcpFlags {
            syn: false,
            ack: true,
            psh: false,
        };
        let mut events = Vec::new();
        for _ in 0..rng.usize(1..=3) {
            if let Some(node) = self.client.node {
                let mut e = Event::trace(self.client, self.server, forward, node).at(
                    Point::Stack,
                    "EGRESS",
                    false,
                );
                e.flags = data;
                events.push(e);
                if self.server.node.is_some_and(|n| n != node) && rng.bool() {
                    let mut tunnel = Event::trace(self.client, self.server, forward, node);
                    tunnel.flags = data;
                    tunnel.event_type.sub_type = Some(Point::Overlay.sub_type());
                    tunnel.point = Some(Point::Overlay);
                    events.push(tunnel);
                }
            }
            if let Some(node) = self.server.node {
                let mut e = Event::trace(self.client, self.server, forward, node).at(
                    Point::Endpoint,
                    "INGRESS",
                    false,
                );
                e.flags = data;
                events.push(e);
                let mut back = Event::trace(self.server, self.client, backward, node).at(
                    Point::Stack,
                    "INGRESS",
                    true,
                );
                back.flags = ack;
                events.push(back);
            }
        }
        events
    }
}

impl<'c> FlowLines<'c> {
    /// Lines of a Hubble log for `cluster`.
    pub fn new(cluster: &'c DemoCluster, options: FlowOptions) -> Self {
        FlowLines {
            context: Context::new(cluster),
            rng: fastrand::Rng::with_seed(options.seed ^ 0x5eed_f10e),
            options,
            emitted: 0,
            templates_covered: 0,
            next_source_port: 32768 + (options.seed % 20_000) as u16,
            connections: 0,
            emitted_communications: Default::default(),
            pending: VecDeque::new(),
        }
    }

    /// The communications of the lines emitted so far: the ground truth of what an ingest of
    /// these lines must find.
    pub fn communications_emitted(&self) -> &std::collections::BTreeSet<EmittedCommunication> {
        &self.emitted_communications
    }

    /// Connections whose first line has been emitted so far: the ground truth an ingest of
    /// these lines must count.
    pub fn connections_emitted(&self) -> u64 {
        self.connections
    }

    /// Samples one connection and queues its lines.
    fn generate_connection(&mut self) {
        let context = &self.context;
        let rng = &mut self.rng;
        // Every template once first, so that even a small demo shows every case.
        let template_index = if self.templates_covered < context.templates.len() {
            self.templates_covered += 1;
            self.templates_covered - 1
        } else {
            context.pick_template(rng)
        };
        let source_port = self.next_source_port;
        self.next_source_port = match source_port + rng.u16(1..=7) {
            port if port > 60999 => 32768,
            port => port,
        };
        let node_of = |pod: usize| context.cluster.pods[pod].node;
        let mut owned_ip = String::new();
        let mut unknown_client: Option<(usize, u16, &Endpoint)> = None;
        // A connection opened before the capture: no line of it is its first.
        let mut already_open = false;
        let (mut events, extra): (Vec<Event<'_>>, Vec<Event<'_>>);
        let template = context.templates[template_index].template.clone();
        let workload = EmittedPeer::Workload;
        let truth: EmittedCommunication;
        match template {
            Template::Internal {
                client,
                server,
                port,
                protocol,
                via_cluster_ip,
            } => {
                let (client_pod, server_pod) = if client == server {
                    // Replication: the last replica streams from the first.
                    let replicas: Vec<usize> = context.pod_indices(server).collect();
                    (replicas[replicas.len() - 1], replicas[0])
                } else {
                    (
                        context.random_pod(rng, client),
                        context.random_pod(rng, server),
                    )
                };
                let connection = Connection {
                    client: context.pod_side(client_pod),
                    server: context.pod_side(server_pod),
                    protocol,
                    source_port,
                    port,
                    pre_dnat: via_cluster_ip.map(|(ip, port)| (ip, port, &context.world)),
                    service: context.service_ref(server),
                    destination_names: &[],
                };
                events = connection.events(rng);
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: workload(client),
                    server: workload(server),
                    protocol,
                    port,
                };
            }
            Template::Dns { client, protocol } => {
                let client_pod = context.random_pod(rng, client);
                let server_workload = context.cluster.workload_index("coredns").unwrap_or(0);
                let server_pod = context.random_pod(rng, server_workload);
                let connection = Connection {
                    client: context.pod_side(client_pod),
                    server: context.pod_side(server_pod),
                    protocol,
                    source_port,
                    port: 53,
                    pre_dnat: None,
                    service: context.service_ref(server_workload),
                    destination_names: &[],
                };
                events = connection.events(rng);
                extra = if protocol == Protocol::Udp && rng.f64() < 0.4 {
                    dns_events(context, &connection, &context.dns_queries[client])
                } else {
                    Vec::new()
                };
                truth = EmittedCommunication {
                    client: workload(client),
                    server: workload(server_workload),
                    protocol,
                    port: 53,
                };
            }
            Template::External {
                client, ips, port, ..
            } => {
                let client_pod = context.random_pod(rng, client);
                let ip = ips[rng.usize(..ips.len())];
                // The name, borrowed from the context so that the events can point at it.
                let names: &[&str] = match &context.templates[template_index].template {
                    Template::External { fqdn, .. } => std::slice::from_ref(fqdn),
                    _ => &[],
                };
                let connection = Connection {
                    client: context.pod_side(client_pod),
                    server: Side {
                        endpoint: &context.world,
                        ip,
                        node: None,
                    },
                    protocol: Protocol::Tcp,
                    source_port,
                    port,
                    pre_dnat: None,
                    service: None,
                    destination_names: names,
                };
                events = connection.events(rng);
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: workload(client),
                    server: EmittedPeer::Address(AddressClass::External, ip.to_string()),
                    protocol: Protocol::Tcp,
                    port,
                };
            }
            Template::WorldIngress { server, port } => {
                let server_pod = context.random_pod(rng, server);
                owned_ip = format!(
                    "{}.{}.{}.{}",
                    [198, 203][rng.usize(..2)],
                    [51, 0][rng.usize(..2)],
                    rng.u8(..),
                    rng.u8(1..255)
                );
                unknown_client = Some((server_pod, port, &context.world));
                events = Vec::new();
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: EmittedPeer::Address(AddressClass::External, owned_ip.clone()),
                    server: workload(server),
                    protocol: Protocol::Tcp,
                    port,
                };
            }
            Template::Probe { server, port } => {
                let server_pod = context.random_pod(rng, server);
                owned_ip = context.cluster.nodes[node_of(server_pod)]
                    .internal_ip
                    .clone();
                unknown_client = Some((server_pod, port, &context.host));
                events = Vec::new();
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: EmittedPeer::Address(AddressClass::Node, owned_ip.clone()),
                    server: workload(server),
                    protocol: Protocol::Tcp,
                    port,
                };
            }
            Template::ApiServer { client } => {
                let client_pod = context.random_pod(rng, client);
                let connection = Connection {
                    client: context.pod_side(client_pod),
                    server: Side {
                        endpoint: &context.api_server,
                        ip: context.cluster.api_server_ip,
                        node: None,
                    },
                    protocol: Protocol::Tcp,
                    source_port,
                    port: 6443,
                    pre_dnat: None,
                    service: None,
                    destination_names: &[],
                };
                events = connection.events(rng);
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: workload(client),
                    server: EmittedPeer::ApiServer,
                    protocol: Protocol::Tcp,
                    port: 6443,
                };
            }
            Template::VanishedPod { server, port } => {
                owned_ip = context.cluster.vanished_pod_ip();
                let server_pod = context.random_pod(rng, server);
                unknown_client = Some((server_pod, port, &context.world));
                events = Vec::new();
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: EmittedPeer::Address(AddressClass::Internal, owned_ip.clone()),
                    server: workload(server),
                    protocol: Protocol::Tcp,
                    port,
                };
            }
            Template::AlreadyOpen {
                client,
                server,
                port,
            } => {
                let client_pod = context.random_pod(rng, client);
                let server_pod = context.random_pod(rng, server);
                let connection = Connection {
                    client: context.pod_side(client_pod),
                    server: context.pod_side(server_pod),
                    protocol: Protocol::Tcp,
                    source_port,
                    port,
                    pre_dnat: None,
                    service: context.service_ref(server),
                    destination_names: &[],
                };
                events = connection.data_events(rng);
                extra = Vec::new();
                already_open = true;
                truth = EmittedCommunication {
                    client: workload(client),
                    server: workload(server),
                    protocol: Protocol::Tcp,
                    port,
                };
            }
            Template::Dropped {
                client,
                server,
                port,
            } => {
                let client_pod = context.random_pod(rng, client);
                let server_pod = context.random_pod(rng, server);
                let client_side = context.pod_side(client_pod);
                let node = node_of(client_pod);
                events = (0..3)
                    .map(|_| {
                        let mut e = Event::trace(
                            client_side,
                            context.pod_side(server_pod),
                            (Protocol::Tcp, source_port, port),
                            node,
                        )
                        .flags(true, false);
                        e.verdict = "DROPPED";
                        e.event_type = EventType {
                            kind: 1,
                            sub_type: Some(133),
                        };
                        e.direction = Some("EGRESS");
                        e
                    })
                    .collect();
                extra = Vec::new();
                truth = EmittedCommunication {
                    client: workload(client),
                    server: workload(server),
                    protocol: Protocol::Tcp,
                    port,
                };
            }
        }
        // Clients known only by an address made up above (an internet client, the kubelet's
        // node address, a vanished pod): rendered once that address is owned here.
        if let Some((server_pod, port, client_endpoint)) = unknown_client {
            let connection = Connection {
                client: Side {
                    endpoint: client_endpoint,
                    ip: &owned_ip,
                    node: None,
                },
                server: context.pod_side(server_pod),
                protocol: Protocol::Tcp,
                source_port,
                port,
                pre_dnat: None,
                service: None,
                destination_names: &[],
            };
            events = connection.events(rng);
        }
        events.extend(extra);
        let first = self.options.start_unix as i128 * 1_000_000_000
            + (self.emitted as i128 * self.options.duration_seconds as i128 * 1_000_000_000)
                / self.options.lines.max(1) as i128;
        let mut truth = Some(truth);
        for (i, event) in events.into_iter().enumerate() {
            let nanos = first + i as i128 * 41_337 + rng.u32(..1000) as i128;
            let uuid = random_uuid(rng);
            self.pending.push_back((
                render(&self.context, event, nanos, &uuid),
                i == 0 && !already_open,
                truth.take(),
            ));
        }
    }
}

/// The L7 DNS request and response events of a lookup over `connection`.
fn dns_events<'a>(
    context: &'a Context<'_>,
    connection: &Connection<'a>,
    query: &'a str,
) -> Vec<Event<'a>> {
    let Some(node) = connection.client.node else {
        return Vec::new();
    };
    let answer = dns_answer(context, query);
    let forward = (Protocol::Udp, connection.source_port, 53);
    let backward = (Protocol::Udp, 53, connection.source_port);
    let mut request = Event::trace(connection.client, connection.server, forward, node);
    request.event_type = EventType {
        kind: 129,
        sub_type: None,
    };
    request.direction = Some("EGRESS");
    request.is_reply = Some(false);
    request.summary = Some(format!("DNS Query {query} A"));
    request.l7 = Some(L7 {
        kind: "REQUEST",
        dns: Dns {
            query,
            ips: Vec::new(),
            ttl: None,
            observation_source: "proxy",
            qtypes: ["A"],
            rrtypes: &[],
        },
    });
    let mut response = Event::trace(connection.server, connection.client, backward, node);
    response.event_type = EventType {
        kind: 129,
        sub_type: None,
    };
    response.direction = Some("EGRESS");
    response.is_reply = Some(true);
    response.summary = Some(format!("DNS Answer TTL: 30 (Proxy {query} A)"));
    response.l7 = Some(L7 {
        kind: "RESPONSE",
        dns: Dns {
            query,
            rrtypes: if answer.is_empty() { &[] } else { &["A"] },
            ips: answer,
            ttl: Some(30),
            observation_source: "proxy",
            qtypes: ["A"],
        },
    });
    vec![request, response]
}

/// The addresses a DNS query is answered with: an external name's IPs, a Service's ClusterIP,
/// or a headless Service's pod IPs.
fn dns_answer<'a>(context: &'a Context<'_>, query: &str) -> Vec<&'a str> {
    let name = query.trim_end_matches('.');
    for weighted in &context.templates {
        if let Template::External { fqdn, ips, .. } = weighted.template {
            if fqdn == name {
                return ips.to_vec();
            }
        }
    }
    let cluster = context.cluster;
    for service in cluster.services {
        if format!("{}.{}.svc.cluster.local", service.name, service.namespace) != name {
            continue;
        }
        if let Some(ip) = service.cluster_ip {
            return vec![ip];
        }
        return cluster
            .pods
            .iter()
            .filter(|pod| {
                let labels = &pod.labels;
                service
                    .selector
                    .iter()
                    .all(|(k, v)| labels.iter().any(|(pk, pv)| pk == k && pv == v))
            })
            .map(|pod| pod.ip.as_str())
            .collect();
    }
    Vec::new()
}

fn format_time(nanos: i128) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

fn render(context: &Context<'_>, event: Event<'_>, nanos: i128, uuid: &str) -> String {
    let time = format_time(nanos);
    let node_name = &context.node_names[event.node];
    let l4 = match event.protocol {
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
    };
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

impl Iterator for FlowLines<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.emitted >= self.options.lines {
            return None;
        }
        while self.pending.is_empty() {
            self.generate_connection();
        }
        self.emitted += 1;
        let (line, first, truth) = self.pending.pop_front()?;
        if first {
            self.connections += 1;
        }
        if let Some(truth) = truth {
            self.emitted_communications.insert(truth);
        }
        Some(line)
    }
}
