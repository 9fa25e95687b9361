//! One end of a connection as policies of either kind see it (a pod with its labels,
//! namespace and ports, or an address of some class), and whether a CIDR holds an address:
//! what NetworkPolicy semantics (`evaluate`) and CiliumNetworkPolicy semantics (`cilium`)
//! both read.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::engine::model::labels::Labels;
use crate::engine::model::ports::ContainerPort;

/// One end of a connection, as policies see it.
#[derive(Clone, Copy, Debug)]
pub enum Endpoint<'a> {
    Pod {
        namespace: &'a str,
        labels: &'a Labels,
        /// The namespace's labels (with `kubernetes.io/metadata.name`).
        namespace_labels: &'a Labels,
        /// The container ports, for named ports.
        ports: &'a [ContainerPort],
        /// Its cluster, when the data names clusters.
        cluster: Option<&'a str>,
        /// The service account its pods run as, when it is one.
        service_account: Option<&'a str>,
        /// Its pods' addresses (for the reading in which an `ipBlock` matches them).
        addresses: &'a [IpAddr],
        /// Whether it is seen from another cluster's policies: a NetworkPolicy can then name
        /// it only by its addresses (Cilium's Cluster Mesh by its cluster label).
        remote: bool,
    },
    /// An address outside the pod network (or not known to be a pod).
    Address(IpAddr),
    /// Such an address, seen with DNS names (Cilium's `toFQDNs` match them).
    Named(IpAddr, &'a std::collections::BTreeSet<String>),
    /// A node's address (kubelet probes, host-network pods).
    Node(IpAddr),
    /// The API server, at one of its addresses (`None` when no address of it is known).
    ApiServer(Option<IpAddr>),
}

impl Endpoint<'_> {
    /// The address, for an end that is not a pod (and not the API server at no known
    /// address).
    pub fn address(&self) -> Option<IpAddr> {
        match self {
            Endpoint::Pod { .. } => None,
            Endpoint::Address(ip) | Endpoint::Named(ip, _) | Endpoint::Node(ip) => Some(*ip),
            Endpoint::ApiServer(ip) => *ip,
        }
    }
}

/// Whether the CIDR `cidr`, as a policy writes it, holds `ip` (not when it does not parse).
pub(crate) fn contains(cidr: &str, ip: &IpAddr) -> bool {
    cidr.trim()
        .parse::<IpNet>()
        .is_ok_and(|net| net.contains(ip))
}
