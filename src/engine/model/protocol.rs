//! The transport protocols a NetworkPolicy can name.

use std::fmt;

/// A transport protocol a NetworkPolicy can name.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// The spelling Kubernetes uses (`TCP`, `UDP`, `SCTP`).
    pub fn as_k8s(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses the Kubernetes spelling, ignoring case.
    pub fn from_k8s(text: &str) -> Option<Protocol> {
        match text.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_k8s())
    }
}

#[cfg(test)]
mod tests {
    use super::Protocol;

    #[test]
    fn kubernetes_spelling_round_trips() {
        for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
            assert_eq!(Protocol::from_k8s(protocol.as_k8s()), Some(protocol));
        }
        assert_eq!(Protocol::from_k8s("tcp"), Some(Protocol::Tcp));
        assert_eq!(Protocol::from_k8s("ICMP"), None);
    }
}
