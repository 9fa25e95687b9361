//! From a connection template to one sampled connection: which pods, which addresses, the
//! events Hubble prints for it, and the communication it is (the ground truth).

use super::cluster::Protocol;
use super::connection::Connection;
use super::context::Context;
use super::event::{Event, Side};
use super::hubble_wire::Endpoint;
use super::traffic::{http_request, Template};
use super::truth::{EmittedCommunication, EmittedPeer};
use crate::engine::model::AddressClass;

/// One sampled connection.
pub(super) struct Sample<'a> {
    /// Its events, in the order they are written.
    pub(super) events: Vec<Event<'a>>,
    /// The communication it is.
    pub(super) truth: EmittedCommunication,
    /// A connection opened before the capture: no line of it is its first.
    pub(super) already_open: bool,
}

/// Samples a connection of `template` from the client port `source_port`. A client known
/// only by an address made up here (an internet client, the kubelet's node address, a
/// vanished pod) has it written into `client_ip`, which the events point at.
pub(super) fn sample<'a>(
    context: &'a Context<'_>,
    rng: &mut fastrand::Rng,
    template: &'a Template,
    source_port: u16,
    client_ip: &'a mut String,
) -> Sample<'a> {
    let sampler = Sampler {
        context,
        source_port,
    };
    match template {
        &Template::Internal {
            client,
            server,
            port,
            protocol,
            via_cluster_ip,
        } => sampler.internal(rng, (client, server), (protocol, port), via_cluster_ip),
        &Template::Dns { client, protocol } => sampler.dns(rng, client, protocol),
        Template::External {
            client,
            fqdn,
            ips,
            port,
        } => sampler.external(rng, *client, std::slice::from_ref(fqdn), ips, *port),
        &Template::WorldIngress { server, port } => {
            let server_pod = context.random_pod(rng, server);
            *client_ip = format!(
                "{}.{}.{}.{}",
                [198, 203][rng.usize(..2)],
                [51, 0][rng.usize(..2)],
                rng.u8(..),
                rng.u8(1..255)
            );
            let client = address_side(&context.world, client_ip);
            sampler.client_at_address(rng, (client, AddressClass::External), server_pod, port)
        }
        &Template::Probe { server, port } => {
            let server_pod = context.random_pod(rng, server);
            let node = context.cluster.pods[server_pod].node;
            *client_ip = context.cluster.nodes[node].internal_ip.clone();
            let client = address_side(&context.host, client_ip);
            sampler.client_at_address(rng, (client, AddressClass::Node), server_pod, port)
        }
        &Template::VanishedPod { server, port } => {
            *client_ip = context.cluster.vanished_pod_ip();
            let server_pod = context.random_pod(rng, server);
            let client = address_side(&context.world, client_ip);
            sampler.client_at_address(rng, (client, AddressClass::Internal), server_pod, port)
        }
        &Template::ApiServer { client } => sampler.api_server(rng, client),
        &Template::AlreadyOpen {
            client,
            server,
            port,
        } => sampler.already_open(rng, (client, server), port),
        &Template::Dropped {
            client,
            server,
            port,
        } => sampler.dropped(rng, (client, server), port),
    }
}

/// What every sampled connection shares: the context, and the client port.
struct Sampler<'a, 'c> {
    context: &'a Context<'c>,
    source_port: u16,
}

/// An address outside the pods, seen on no node of the capture.
fn address_side<'a>(endpoint: &'a Endpoint, ip: &'a str) -> Side<'a> {
    Side {
        endpoint,
        ip,
        node: None,
    }
}

/// The communication between two workloads (by index).
fn between_workloads(
    workloads: (usize, usize),
    protocol: Protocol,
    port: u16,
) -> EmittedCommunication {
    EmittedCommunication {
        client: EmittedPeer::Workload(workloads.0),
        server: EmittedPeer::Workload(workloads.1),
        protocol,
        port,
    }
}

impl<'a> Sampler<'a, '_> {
    /// A new connection's events.
    fn new_connection(events: Vec<Event<'a>>, truth: EmittedCommunication) -> Sample<'a> {
        Sample {
            events,
            truth,
            already_open: false,
        }
    }

    /// A client pod calling a server pod, maybe addressed to its Service's ClusterIP; a
    /// workload calling itself is replication: the last replica streams from the first.
    fn internal(
        &self,
        rng: &mut fastrand::Rng,
        (client, server): (usize, usize),
        (protocol, port): (Protocol, u16),
        via_cluster_ip: Option<(&'static str, u16)>,
    ) -> Sample<'a> {
        let context = self.context;
        let (client_pod, server_pod) = if client == server {
            let replicas: Vec<usize> = context.pod_indices(server).collect();
            (replicas[replicas.len() - 1], replicas[0])
        } else {
            (
                context.random_pod(rng, client),
                context.random_pod(rng, server),
            )
        };
        let mut connection = Connection::between(
            context.pod_side(client_pod),
            context.pod_side(server_pod),
            protocol,
            self.source_port,
            port,
        );
        connection.pre_dnat = via_cluster_ip.map(|(ip, port)| (ip, port, &context.world));
        connection.service = context.service_ref(server);
        let names = (
            context.cluster.workloads[client].name,
            context.cluster.workloads[server].name,
        );
        connection.http = http_request(names, port, self.source_port);
        let truth = between_workloads((client, server), protocol, port);
        Self::new_connection(connection.events(rng), truth)
    }

    /// A pod asking CoreDNS, over UDP sometimes with the lookup's L7 events.
    fn dns(&self, rng: &mut fastrand::Rng, client: usize, protocol: Protocol) -> Sample<'a> {
        let context = self.context;
        let client_pod = context.random_pod(rng, client);
        let server = context.cluster.workload_index("coredns").unwrap_or(0);
        let server_pod = context.random_pod(rng, server);
        let mut connection = Connection::between(
            context.pod_side(client_pod),
            context.pod_side(server_pod),
            protocol,
            self.source_port,
            53,
        );
        connection.service = context.service_ref(server);
        let mut events = connection.events(rng);
        if protocol == Protocol::Udp && rng.f64() < 0.4 {
            let query = &context.dns_queries[client];
            events.extend(connection.dns_events(query, context.dns_answer(query)));
        }
        Self::new_connection(events, between_workloads((client, server), protocol, 53))
    }

    /// A pod calling an external address known by its DNS name (`names`).
    fn external(
        &self,
        rng: &mut fastrand::Rng,
        client: usize,
        names: &'a [&'a str],
        ips: &[&'a str],
        port: u16,
    ) -> Sample<'a> {
        let context = self.context;
        let client_pod = context.random_pod(rng, client);
        let ip = ips[rng.usize(..ips.len())];
        let server = address_side(&context.world, ip);
        let mut connection = Connection::between(
            context.pod_side(client_pod),
            server,
            Protocol::Tcp,
            self.source_port,
            port,
        );
        connection.destination_names = names;
        let truth = EmittedCommunication {
            client: EmittedPeer::Workload(client),
            server: EmittedPeer::Address(AddressClass::External, ip.to_string()),
            protocol: Protocol::Tcp,
            port,
        };
        Self::new_connection(connection.events(rng), truth)
    }

    /// A client known only by its address (of `class`) calling a server pod.
    fn client_at_address(
        &self,
        rng: &mut fastrand::Rng,
        (client, class): (Side<'a>, AddressClass),
        server_pod: usize,
        port: u16,
    ) -> Sample<'a> {
        let context = self.context;
        let connection = Connection::between(
            client,
            context.pod_side(server_pod),
            Protocol::Tcp,
            self.source_port,
            port,
        );
        let truth = EmittedCommunication {
            client: EmittedPeer::Address(class, client.ip.to_string()),
            server: EmittedPeer::Workload(context.cluster.pods[server_pod].workload),
            protocol: Protocol::Tcp,
            port,
        };
        Self::new_connection(connection.events(rng), truth)
    }

    /// A pod calling the Kubernetes API server.
    fn api_server(&self, rng: &mut fastrand::Rng, client: usize) -> Sample<'a> {
        let context = self.context;
        let client_pod = context.random_pod(rng, client);
        let server = address_side(&context.api_server, context.cluster.api_server_ip);
        let connection = Connection::between(
            context.pod_side(client_pod),
            server,
            Protocol::Tcp,
            self.source_port,
            6443,
        );
        let truth = EmittedCommunication {
            client: EmittedPeer::Workload(client),
            server: EmittedPeer::ApiServer,
            protocol: Protocol::Tcp,
            port: 6443,
        };
        Self::new_connection(connection.events(rng), truth)
    }

    /// Data packets of a pooled connection opened before the capture.
    fn already_open(
        &self,
        rng: &mut fastrand::Rng,
        workloads: (usize, usize),
        port: u16,
    ) -> Sample<'a> {
        let context = self.context;
        let client_pod = context.random_pod(rng, workloads.0);
        let server_pod = context.random_pod(rng, workloads.1);
        let mut connection = Connection::between(
            context.pod_side(client_pod),
            context.pod_side(server_pod),
            Protocol::Tcp,
            self.source_port,
            port,
        );
        connection.service = context.service_ref(workloads.1);
        Sample {
            events: connection.data_events(rng),
            truth: between_workloads(workloads, Protocol::Tcp, port),
            already_open: true,
        }
    }

    /// Three SYNs an existing policy drops at the client.
    fn dropped(&self, rng: &mut fastrand::Rng, workloads: (usize, usize), port: u16) -> Sample<'a> {
        let context = self.context;
        let client_pod = context.random_pod(rng, workloads.0);
        let server_pod = context.random_pod(rng, workloads.1);
        let (client, server) = (context.pod_side(client_pod), context.pod_side(server_pod));
        let node = context.cluster.pods[client_pod].node;
        let events = (0..3)
            .map(|_| {
                let mut e = Event::trace(
                    client,
                    server,
                    (Protocol::Tcp, self.source_port, port),
                    node,
                )
                .flags(true, false)
                .of_type(1, Some(133));
                e.verdict = "DROPPED";
                e.direction = Some("EGRESS");
                e
            })
            .collect();
        Self::new_connection(events, between_workloads(workloads, Protocol::Tcp, port))
    }
}
