//! The names that identify workloads and rows across loads: decisions are kept under them
//! (so a review survives a reload of the same or a newer capture, and travels as a file), and
//! the review's hooks show them (`data-peer`).
//!
//! - a workload: `Kind/namespace/name`, with the cluster in front (`cluster/Kind/namespace/name`)
//!   when the data spans several clusters;
//! - a row: `client -> server PROTOCOL/port`, each peer a workload or an IP address.
//!
//! Parsing is exact: a text parses only when writing the key back gives the same text, so a
//! decisions file round-trips byte for byte.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use super::address::parse_ip;
use super::protocol::Protocol;
use super::workload::{EntityKind, Owner};

/// A workload, as decisions name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OwnerKey {
    /// Set only when the data spans several clusters.
    pub cluster: Option<String>,
    pub owner: Owner,
}

impl OwnerKey {
    /// The key of `owner` in data of one cluster.
    pub fn of(owner: &Owner) -> OwnerKey {
        OwnerKey {
            cluster: None,
            owner: owner.clone(),
        }
    }
}

impl From<Owner> for OwnerKey {
    fn from(owner: Owner) -> OwnerKey {
        OwnerKey {
            cluster: None,
            owner,
        }
    }
}

impl fmt::Display for OwnerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cluster {
            Some(cluster) => write!(f, "{cluster}/{}", self.owner),
            None => write!(f, "{}", self.owner),
        }
    }
}

/// Why a text is not a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps a parsed key only when it writes back as the text it came from.
fn exactly<K: fmt::Display>(text: &str, key: K, what: &str) -> Result<K, KeyError> {
    if key.to_string() == text {
        Ok(key)
    } else {
        Err(KeyError(format!("`{text}` is not {what}")))
    }
}

impl FromStr for OwnerKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<OwnerKey, KeyError> {
        const WHAT: &str = "Kind/namespace/name (e.g. Deployment/shop/web)";
        let parts: Vec<&str> = text.split('/').collect();
        let (cluster, kind, namespace, name) = match parts[..] {
            [kind, namespace, name] => (None, kind, namespace, name),
            [cluster, kind, namespace, name] => (Some(cluster.to_string()), kind, namespace, name),
            _ => return Err(KeyError(format!("`{text}` is not {WHAT}"))),
        };
        let kind = EntityKind::parse_exact(kind)
            .ok_or_else(|| KeyError(format!("`{text}`: `{kind}` is not a workload kind")))?;
        let key = OwnerKey {
            cluster,
            owner: Owner::new(kind, namespace, name),
        };
        exactly(text, key, WHAT)
    }
}

/// One end of a row: a workload, the API server, or an address no pod explains.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerKey {
    Workload(OwnerKey),
    /// An IP address (written as Rust and Go print it: `10.0.0.1`, `2001:db8::1`).
    Address(IpAddr),
    /// The Kubernetes API server, whichever of its addresses: `kube-apiserver`.
    ApiServer,
}

/// How rows and hooks name the API server.
pub const API_SERVER: &str = "kube-apiserver";

impl fmt::Display for PeerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerKey::Workload(key) => key.fmt(f),
            PeerKey::Address(ip) => ip.fmt(f),
            PeerKey::ApiServer => f.write_str(API_SERVER),
        }
    }
}

impl FromStr for PeerKey {
    type Err = KeyError;

    /// A workload key when the text has a `/` (addresses never do), else an address.
    fn from_str(text: &str) -> Result<PeerKey, KeyError> {
        if text == API_SERVER {
            Ok(PeerKey::ApiServer)
        } else if text.contains('/') {
            text.parse().map(PeerKey::Workload)
        } else {
            parse_ip(text)
                .filter(|ip| ip.to_string() == text)
                .map(PeerKey::Address)
                .ok_or_else(|| KeyError(format!("`{text}` is not an address")))
        }
    }
}

/// A communication, as decisions name it: client, server, protocol and the server's port.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    pub client: PeerKey,
    pub server: PeerKey,
    pub protocol: Protocol,
    pub port: u16,
}

/// `client -> server PROTOCOL/port`.
impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {} {}/{}",
            self.client, self.server, self.protocol, self.port
        )
    }
}

impl FromStr for RowKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<RowKey, KeyError> {
        const WHAT: &str = "`client -> server PROTOCOL/port`";
        let not_a_row = || KeyError(format!("`{text}` is not {WHAT}"));
        let (client, rest) = text.split_once(" -> ").ok_or_else(not_a_row)?;
        let (server, port) = rest.rsplit_once(' ').ok_or_else(not_a_row)?;
        let (protocol, port) = port.split_once('/').ok_or_else(not_a_row)?;
        let protocol = match protocol {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            _ => return Err(not_a_row()),
        };
        let key = RowKey {
            client: client.parse()?,
            server: server.parse()?,
            protocol,
            port: port.parse().map_err(|_| not_a_row())?,
        };
        exactly(text, key, WHAT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_their_text() {
        for text in [
            "Deployment/shop/web -> 203.0.113.7 TCP/443",
            "CronJob/data/db-backup -> Deployment/data/redis UDP/6379",
            "10.0.0.1 -> StatefulSet/data/orders-db SCTP/5432",
            "east/Deployment/shop/web -> west/Deployment/shop/cart TCP/80",
            "2001:db8::1 -> Pod/default/debug-shell TCP/22",
            "Deployment/monitoring/prometheus -> kube-apiserver TCP/6443",
        ] {
            let key: RowKey = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
        }
        let owner: OwnerKey = "Pod/default/debug-shell".parse().unwrap();
        assert_eq!(owner.owner.kind, EntityKind::Pod);
        assert_eq!(owner.cluster, None);
        let owner: OwnerKey = "east/Job/a/b".parse().unwrap();
        assert_eq!(owner.cluster.as_deref(), Some("east"));
    }

    #[test]
    fn texts_that_write_back_differently_are_not_keys() {
        for text in [
            "deployment/a/app -> 10.0.0.1 TCP/80",
            "Deployment/a/app -> 10.0.0.1 tcp/80",
            "Deployment/a/app -> 10.0.0.1 TCP/080",
            "Deployment/a/app -> 10.0.0.1 TCP/70000",
            "Deployment/a/app 10.0.0.1 TCP/80",
            "ReplicaSet/a/app -> 10.0.0.1 TCP/80",
            "Deployment/a/app ->  TCP/80",
        ] {
            assert!(text.parse::<RowKey>().is_err(), "{text}");
        }
        assert!("deployment/a/app".parse::<OwnerKey>().is_err());
        assert!("a/b".parse::<OwnerKey>().is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        #[test]
        fn any_text_that_parses_writes_back_the_same(text in "[A-Za-z0-9./:> -]{0,60}") {
            if let Ok(key) = text.parse::<RowKey>() {
                proptest::prop_assert_eq!(key.to_string(), text.clone());
            }
            if let Ok(key) = text.parse::<OwnerKey>() {
                proptest::prop_assert_eq!(key.to_string(), text);
            }
        }
    }
}
