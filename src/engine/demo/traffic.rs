//! Who talks to whom in the demo cluster, and how often: the connection templates the flow
//! generator samples from.

use super::cluster::{DemoCluster, Protocol};

/// One kind of connection the demo produces.
#[derive(Clone, Debug, PartialEq)]
pub enum Template {
    /// Pod to pod inside the cluster; `via_cluster_ip` when the client's first packet is seen
    /// addressed to the Service's ClusterIP and Service port (before DNAT).
    Internal {
        client: usize,
        server: usize,
        port: u16,
        protocol: Protocol,
        via_cluster_ip: Option<(&'static str, u16)>,
    },
    /// A pod resolving a name through kube-dns.
    Dns { client: usize, protocol: Protocol },
    /// A pod calling an address outside the cluster known by its DNS name.
    External {
        client: usize,
        fqdn: &'static str,
        ips: &'static [&'static str],
        port: u16,
    },
    /// An internet client reaching a pod.
    WorldIngress { server: usize, port: u16 },
    /// The kubelet probing a pod from its node.
    Probe { server: usize, port: u16 },
    /// A pod calling the Kubernetes API server.
    ApiServer { client: usize },
    /// A pod that had vanished before the inventory snapshot calling a server.
    VanishedPod { server: usize, port: u16 },
    /// A connection attempt an existing policy drops (retried SYNs).
    Dropped {
        client: usize,
        server: usize,
        port: u16,
    },
    /// A long-lived connection opened before the capture (a connection pool): only its data
    /// packets and their acknowledgements are seen, never a SYN.
    AlreadyOpen {
        client: usize,
        server: usize,
        port: u16,
    },
}

/// A template with its relative frequency.
#[derive(Clone, Debug)]
pub struct Weighted {
    pub template: Template,
    pub weight: f64,
}

/// Internal edges: client, server, container port, weight.
const INTERNAL_EDGES: &[(&str, &str, u16, f64)] = &[
    ("frontend", "cart", 7070, 30.0),
    ("frontend", "catalog", 3550, 30.0),
    ("frontend", "checkout", 5050, 10.0),
    ("checkout", "cart", 7070, 6.0),
    ("checkout", "payment-gateway", 8443, 6.0),
    ("checkout", "orders-db", 5432, 5.0),
    ("cart", "redis", 6379, 20.0),
    ("catalog", "orders-db", 5432, 8.0),
    ("db-backup", "orders-db", 5432, 1.0),
    ("schema-migrate", "orders-db", 5432, 0.5),
    ("orders-db", "orders-db", 5432, 2.0),
    ("prometheus", "node-exporter", 9100, 3.0),
    ("prometheus", "frontend", 9090, 0.6),
    ("prometheus", "cart", 9090, 0.6),
    ("prometheus", "checkout", 9090, 0.6),
    ("prometheus", "orders-db", 9187, 0.6),
    ("prometheus", "coredns", 9153, 0.6),
    ("debug-shell", "cart", 7070, 0.5),
];

/// The HTTP request a connection from `client` to `server` on `port` carries, picked from
/// its client port (no random draw, so the rest of the demo stays as it is): the catalog's
/// products by id, carts by UUID, checkouts, metrics scrapes, and a debug shell's odd call.
pub fn http_request(
    (client, server): (&str, &str),
    port: u16,
    source_port: u16,
) -> Option<(&'static str, String)> {
    let id = u32::from(source_port);
    let cart = format!(
        "{:08x}-7c1e-4b3a-9d2f-{:012x}",
        id.wrapping_mul(2_654_435_761),
        id
    );
    Some(match (client, server, port) {
        ("frontend", "catalog", 3550) => match id % 10 {
            0 => ("GET", "/products".to_string()),
            1 => ("GET", "/health".to_string()),
            _ => ("GET", format!("/products/{}", id % 400)),
        },
        ("frontend" | "checkout", "cart", 7070) => match id % 3 {
            0 => ("POST", format!("/cart/{cart}/items")),
            _ => ("GET", format!("/cart/{cart}")),
        },
        ("debug-shell", "cart", 7070) => ("DELETE", format!("/cart/{cart}")),
        ("frontend", "checkout", 5050) => ("POST", "/checkout".to_string()),
        ("prometheus", _, 9090) => ("GET", "/metrics".to_string()),
        _ => return None,
    })
}

/// Egress to the internet: client, DNS name, addresses it resolves to, port, weight.
pub const EXTERNAL_EDGES: &[(&str, &str, &[&str], u16, f64)] = &[
    (
        "payment-gateway",
        "api.stripe.com",
        &["203.0.113.10", "203.0.113.11"],
        443,
        5.0,
    ),
    (
        "db-backup",
        "backups.s3.eu-central-1.amazonaws.com",
        &["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"],
        443,
        1.0,
    ),
    ("checkout", "smtp.mailgun.org", &["198.51.100.25"], 587, 1.0),
];

/// Kubelet probes: server, port.
const PROBES: &[(&str, u16)] = &[
    ("frontend", 8080),
    ("cart", 7070),
    ("catalog", 3550),
    ("checkout", 5050),
    ("payment-gateway", 8443),
    ("orders-db", 5432),
    ("redis", 6379),
    ("coredns", 8080),
];

/// Every connection template of the demo, each with its weight.
pub fn templates(cluster: &DemoCluster) -> Vec<Weighted> {
    let mut all = Vec::new();
    internal_templates(cluster, &mut all);
    for &(client, fqdn, ips, port, weight) in EXTERNAL_EDGES {
        if let Some(client) = cluster.workload_index(client) {
            all.push(Weighted {
                template: Template::External {
                    client,
                    fqdn,
                    ips,
                    port,
                },
                weight,
            });
        }
    }
    dns_templates(cluster, &mut all);
    edge_case_templates(cluster, &mut all);
    all
}

/// Pod to pod: the internal edges, and frontend's calls to catalog seen before DNAT.
fn internal_templates(cluster: &DemoCluster, all: &mut Vec<Weighted>) {
    let index = |name: &str| cluster.workload_index(name);
    let mut push = |template: Template, weight: f64| all.push(Weighted { template, weight });
    for &(client, server, port, weight) in INTERNAL_EDGES {
        let (Some(client), Some(server)) = (index(client), index(server)) else {
            continue;
        };
        push(
            Template::Internal {
                client,
                server,
                port,
                protocol: Protocol::Tcp,
                via_cluster_ip: None,
            },
            weight,
        );
    }
    // Half of frontend's calls to catalog are seen at the client before DNAT.
    if let (Some(client), Some(server)) = (index("frontend"), index("catalog")) {
        let service = cluster.service_of(server);
        if let Some(ip) = service.and_then(|s| s.cluster_ip) {
            push(
                Template::Internal {
                    client,
                    server,
                    port: 3550,
                    protocol: Protocol::Tcp,
                    via_cluster_ip: Some((ip, 80)),
                },
                30.0,
            );
        }
    }
}

/// Every workload but the DNS servers and the node exporter looks names up, mostly over
/// UDP.
fn dns_templates(cluster: &DemoCluster, all: &mut Vec<Weighted>) {
    let dns_clients: Vec<usize> = (0..cluster.workloads.len())
        .filter(|&i| !matches!(cluster.workloads[i].name, "coredns" | "node-exporter"))
        .collect();
    let share = 25.0 / dns_clients.len() as f64;
    for &client in &dns_clients {
        for (protocol, part) in [(Protocol::Udp, 0.95), (Protocol::Tcp, 0.05)] {
            all.push(Weighted {
                template: Template::Dns { client, protocol },
                weight: share * part,
            });
        }
    }
}

/// The cases a review must handle: internet clients, kubelet probes, the API server, a
/// vanished pod, dropped attempts, a connection pool opened before the capture.
fn edge_case_templates(cluster: &DemoCluster, all: &mut Vec<Weighted>) {
    let index = |name: &str| cluster.workload_index(name);
    let mut push = |template: Template, weight: f64| all.push(Weighted { template, weight });
    if let Some(server) = index("frontend") {
        push(Template::WorldIngress { server, port: 8080 }, 8.0);
    }
    for &(server, port) in PROBES {
        if let Some(server) = index(server) {
            push(Template::Probe { server, port }, 6.0 / PROBES.len() as f64);
        }
    }
    if let Some(client) = index("prometheus") {
        push(Template::ApiServer { client }, 1.0);
    }
    if let Some(server) = index("cart") {
        push(Template::VanishedPod { server, port: 7070 }, 0.5);
    }
    if let (Some(client), Some(server)) = (index("debug-shell"), index("orders-db")) {
        push(
            Template::Dropped {
                client,
                server,
                port: 5432,
            },
            0.3,
        );
    }
    // checkout keeps a pool of connections to redis, opened long before any capture.
    if let (Some(client), Some(server)) = (index("checkout"), index("redis")) {
        push(
            Template::AlreadyOpen {
                client,
                server,
                port: 6379,
            },
            1.0,
        );
    }
}

/// The DNS name a client most plausibly looks up: a Service it calls, or an external name.
pub fn dns_query_for(cluster: &DemoCluster, templates: &[Weighted], client: usize) -> String {
    for weighted in templates {
        match weighted.template {
            Template::External {
                client: c, fqdn, ..
            } if c == client => return format!("{fqdn}."),
            Template::Internal {
                client: c, server, ..
            } if c == client => {
                if let Some(service) = cluster.service_of(server) {
                    return format!("{}.{}.svc.cluster.local.", service.name, service.namespace);
                }
            }
            _ => {}
        }
    }
    "kubernetes.default.svc.cluster.local.".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_workload_exists() {
        let cluster = DemoCluster::new(1);
        let expected = INTERNAL_EDGES.len() + 1 + EXTERNAL_EDGES.len() + PROBES.len() + 5;
        let dns = templates(&cluster)
            .iter()
            .filter(|w| matches!(w.template, Template::Dns { .. }))
            .count();
        assert_eq!(templates(&cluster).len() - dns, expected);
    }

    #[test]
    fn dns_queries_name_a_called_service() {
        let cluster = DemoCluster::new(1);
        let all = templates(&cluster);
        let cart = cluster.workload_index("cart").unwrap();
        assert_eq!(
            dns_query_for(&cluster, &all, cart),
            "redis.data.svc.cluster.local."
        );
        let gateway = cluster.workload_index("payment-gateway").unwrap();
        assert_eq!(dns_query_for(&cluster, &all, gateway), "api.stripe.com.");
    }
}
