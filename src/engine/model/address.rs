//! Addresses no pod explains and where they lie: a node (Cilium's `host` and `remote-node`
//! identities, the inventory's node addresses), inside the cluster (pod CIDRs, Service
//! ClusterIPs, Cilium's other reserved identities), outside it, or unknown (a private address
//! while the cluster's ranges are not known).

use std::net::IpAddr;

use ipnet::IpNet;

/// Where an unresolved address lies.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum AddressClass {
    /// A node of the cluster (kubelet probes and host-network pods come from there).
    Node,
    Internal,
    External,
    Unknown,
}

impl AddressClass {
    /// The name the review shows.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Node => "Node",
            AddressClass::Internal => "Internal",
            AddressClass::External => "External",
            AddressClass::Unknown => "Unknown",
        }
    }
}

/// What is known of the cluster's address ranges.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
pub struct ClusterRanges {
    /// Pod CIDRs (from nodes) and ranges the user entered.
    pub ranges: Vec<IpNet>,
    /// Node addresses and Service ClusterIPs.
    pub addresses: Vec<IpAddr>,
    /// Node addresses.
    #[serde(default)]
    pub nodes: Vec<IpAddr>,
}

impl ClusterRanges {
    /// Whether anything is known of the cluster's ranges.
    pub fn is_known(&self) -> bool {
        !self.ranges.is_empty()
    }

    /// Adds a CIDR (ignored when it does not parse).
    pub fn add_range(&mut self, cidr: &str) {
        if let Ok(net) = cidr.trim().parse::<IpNet>() {
            self.ranges.push(net);
        }
    }

    /// Adds a node's address.
    pub fn add_node(&mut self, ip: IpAddr) {
        self.nodes.push(ip);
        self.addresses.push(ip);
    }

    /// Adds a single address.
    pub fn add_address(&mut self, ip: IpAddr) {
        self.addresses.push(ip);
    }

    /// Classifies `address`, given the reserved identities Cilium gave it.
    pub fn classify<'a>(
        &self,
        ip: IpAddr,
        reserved: impl IntoIterator<Item = &'a str>,
    ) -> AddressClass {
        let reserved: Vec<&str> = reserved.into_iter().collect();
        if reserved
            .iter()
            .any(|r| matches!(*r, "host" | "remote-node"))
        {
            return AddressClass::Node;
        }
        if reserved
            .iter()
            .any(|r| matches!(*r, "kube-apiserver" | "health" | "ingress" | "init"))
        {
            return AddressClass::Internal;
        }
        if self.nodes.contains(&ip) {
            return AddressClass::Node;
        }
        if self.addresses.contains(&ip) || self.ranges.iter().any(|net| net.contains(&ip)) {
            return AddressClass::Internal;
        }
        if is_private(ip) {
            if self.is_known() {
                // The cluster's ranges are known and this private address is not in them.
                AddressClass::External
            } else {
                AddressClass::Unknown
            }
        } else {
            AddressClass::External
        }
    }
}

/// An address as text (`10.0.0.1`, `fd00::1`), parsed once where it enters flowpol: an
/// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address it maps, so one host has
/// one address whichever way a source printed it.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim()
        .parse::<IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical())
}

/// Addresses as a reader sees them: `10.0.0.1, 10.0.0.2`.
pub fn joined<'a>(ips: impl IntoIterator<Item = &'a IpAddr>) -> String {
    let texts: Vec<String> = ips.into_iter().map(IpAddr::to_string).collect();
    texts.join(", ")
}

/// Addresses that are not routed on the internet: RFC 1918, shared (CGNAT), link-local,
/// loopback, unique local (IPv6).
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        parse_ip(text).unwrap()
    }

    #[test]
    fn an_ipv4_mapped_address_is_the_ipv4_address() {
        assert_eq!(ip("::ffff:10.0.0.1"), ip("10.0.0.1"));
        assert_eq!(ip(" fd00::1 ").to_string(), "fd00::1");
        assert_eq!(parse_ip("not-an-ip"), None);
        assert!(
            ip("10.0.0.9") < ip("10.0.0.10"),
            "ordered as numbers, not as text"
        );
    }

    #[test]
    fn reserved_identities_of_the_cluster_are_internal() {
        let ranges = ClusterRanges::default();
        assert_eq!(
            ranges.classify(ip("172.19.0.3"), ["host"]),
            AddressClass::Node
        );
        assert_eq!(
            ranges.classify(ip("172.19.0.4"), ["remote-node"]),
            AddressClass::Node
        );
        assert_eq!(
            ranges.classify(ip("10.0.0.1"), ["kube-apiserver"]),
            AddressClass::Internal
        );
    }

    #[test]
    fn private_addresses_are_unknown_until_the_ranges_are_known() {
        let mut ranges = ClusterRanges::default();
        assert_eq!(
            ranges.classify(ip("10.244.2.250"), ["world"]),
            AddressClass::Unknown
        );
        assert_eq!(
            ranges.classify(ip("203.0.113.10"), ["world"]),
            AddressClass::External
        );
        ranges.add_range("10.244.0.0/16");
        assert_eq!(
            ranges.classify(ip("10.244.2.250"), ["world"]),
            AddressClass::Internal
        );
        assert_eq!(
            ranges.classify(ip("10.9.0.1"), ["world"]),
            AddressClass::External
        );
        ranges.add_address(ip("172.20.0.11"));
        assert_eq!(
            ranges.classify(ip("172.20.0.11"), []),
            AddressClass::Internal
        );
        ranges.add_node(ip("172.20.0.12"));
        assert_eq!(ranges.classify(ip("172.20.0.12"), []), AddressClass::Node);
    }

    #[test]
    fn ipv6_and_garbage() {
        let ranges = ClusterRanges::default();
        assert_eq!(ranges.classify(ip("fd00::1"), []), AddressClass::Unknown);
        assert_eq!(
            ranges.classify(ip("2001:db8::1"), []),
            AddressClass::External
        );
        assert_eq!(ranges.classify(ip("100.64.1.1"), []), AddressClass::Unknown);
    }
}
