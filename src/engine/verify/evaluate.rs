//! NetworkPolicy semantics, as the Kubernetes API documents them. A pod is isolated in a
//! direction when any policy of its namespace selects it and lists that direction in
//! `policyTypes` (absent: Ingress always, Egress when `egress` is present); an isolated pod
//! accepts a connection when ANY selecting policy has a rule whose peers (ANY of them) AND
//! ports (ANY of them) match. A peer with both `namespaceSelector` and `podSelector` needs
//! both; an empty selector matches everything; an absent list (`from`, `to`, `ports`)
//! matches everything. A connection needs egress allowed at the client AND ingress at the
//! server. Pods are matched by labels only: `ipBlock` matches addresses outside the pod
//! network, as Cilium treats it (Calico also matches pod addresses; see docs/policies.md).
//!
//! The same evaluation takes CiliumNetworkPolicies (`verify::cilium`), alone or mixed with
//! NetworkPolicies, as Cilium enforces both: an endpoint is isolated in a direction when any
//! policy of either kind selects it for that direction, and then needs a rule of either kind.

use std::borrow::Borrow;
use std::net::IpAddr;

use crate::engine::model::cilium_policy::CiliumNetworkPolicy;
use crate::engine::model::l7::L7Request;
use crate::engine::model::network_policy::{NetworkPolicy, PolicyPeer, PolicyPort, PortValue};
use crate::engine::model::{Direction, Protocol};
use crate::engine::verify::cilium;
use crate::engine::verify::endpoint::contains;
pub use crate::engine::verify::endpoint::Endpoint;

/// A policy of either kind.
#[derive(Clone, Copy, Debug)]
pub enum AnyPolicy<'a> {
    Kubernetes(&'a NetworkPolicy),
    /// A NetworkPolicy read as Calico enforces it: an `ipBlock` also matches the pods whose
    /// own addresses it holds (Cilium's reading, the default, never does).
    KubernetesPodBlocks(&'a NetworkPolicy),
    Cilium(&'a CiliumNetworkPolicy),
}

impl<'a> AnyPolicy<'a> {
    /// Policies of both kinds, NetworkPolicies first.
    pub fn both(
        policies: &'a [NetworkPolicy],
        cilium: &'a [CiliumNetworkPolicy],
    ) -> Vec<AnyPolicy<'a>> {
        policies
            .iter()
            .map(AnyPolicy::Kubernetes)
            .chain(cilium.iter().map(AnyPolicy::Cilium))
            .collect()
    }

    /// The same policy, a NetworkPolicy read with its `ipBlock`s matching pods' own addresses.
    pub fn with_pod_blocks(self) -> AnyPolicy<'a> {
        match self {
            AnyPolicy::Kubernetes(policy) => AnyPolicy::KubernetesPodBlocks(policy),
            other => other,
        }
    }

    /// Whether the policy selects `pod` and restricts `direction` for it.
    pub(crate) fn isolates(self, pod: &Endpoint<'_>, direction: Direction) -> bool {
        match self {
            AnyPolicy::Kubernetes(policy) | AnyPolicy::KubernetesPodBlocks(policy) => {
                let Endpoint::Pod {
                    namespace,
                    labels,
                    remote: false,
                    ..
                } = pod
                else {
                    return false;
                };
                policy.metadata.namespace == *namespace
                    && policy.restricts(direction)
                    && policy.spec.pod_selector.matches(labels)
            }
            AnyPolicy::Cilium(policy) => cilium::isolates(policy, pod, direction),
        }
    }

    /// Whether a rule of the policy lets `client` reach `server` on `protocol`/`port`, in
    /// `direction` (egress: the client's side; ingress: the server's).
    fn allows(
        self,
        direction: Direction,
        (client, server): (&Endpoint<'_>, &Endpoint<'_>),
        (protocol, port): (Protocol, u16),
        request: Option<&L7Request>,
    ) -> bool {
        let (policy, pod_blocks) = match self {
            AnyPolicy::Kubernetes(policy) => (policy, false),
            AnyPolicy::KubernetesPodBlocks(policy) => (policy, true),
            AnyPolicy::Cilium(policy) => {
                return cilium::allows(
                    policy,
                    direction,
                    (client, server),
                    (protocol, port),
                    request,
                )
            }
        };
        let namespace = &policy.metadata.namespace;
        match direction {
            Direction::Egress => policy.spec.egress.iter().flatten().any(|rule| {
                peers_match(rule.to.as_deref(), namespace, server, pod_blocks)
                    && ports_match(rule.ports.as_deref(), server, protocol, port)
            }),
            Direction::Ingress => policy.spec.ingress.iter().flatten().any(|rule| {
                peers_match(rule.from.as_deref(), namespace, client, pod_blocks)
                    && ports_match(rule.ports.as_deref(), server, protocol, port)
            }),
        }
    }
}

/// What one side (egress at the client or ingress at the server) makes of a connection.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SideVerdict {
    /// No policy selects the pod in this direction (or the end is not a pod).
    NotIsolated,
    /// Allowed by the policy at this index.
    AllowedBy(usize),
    /// Policies select the pod and none allows the connection.
    Denied,
}

impl SideVerdict {
    pub fn allows(self) -> bool {
        !matches!(self, SideVerdict::Denied)
    }
}

/// Both sides of a connection.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub egress: SideVerdict,
    pub ingress: SideVerdict,
}

impl Verdict {
    pub fn allowed(self) -> bool {
        self.egress.allows() && self.ingress.allows()
    }
}

/// Whether `policies` let `client` connect to `server` on `protocol`/`port`.
pub fn evaluate<P: Borrow<NetworkPolicy>>(
    policies: &[P],
    client: &Endpoint<'_>,
    server: &Endpoint<'_>,
    protocol: Protocol,
    port: u16,
) -> Verdict {
    let policies: Vec<AnyPolicy<'_>> = policies
        .iter()
        .map(|p| AnyPolicy::Kubernetes(p.borrow()))
        .collect();
    evaluate_any(&policies, client, server, protocol, port)
}

/// [`evaluate`] over policies of either kind.
pub fn evaluate_any(
    policies: &[AnyPolicy<'_>],
    client: &Endpoint<'_>,
    server: &Endpoint<'_>,
    protocol: Protocol,
    port: u16,
) -> Verdict {
    evaluate_request(policies, client, server, (protocol, port), None)
}

/// [`evaluate_any`] for one request made on the connection (`None`: the connection itself):
/// a NetworkPolicy admits every request on a port it allows, a CiliumNetworkPolicy's L7 rules
/// only those they name.
pub fn evaluate_request(
    policies: &[AnyPolicy<'_>],
    client: &Endpoint<'_>,
    server: &Endpoint<'_>,
    (protocol, port): (Protocol, u16),
    request: Option<&L7Request>,
) -> Verdict {
    let ends = (client, server);
    let verdict = |direction: Direction, own: &Endpoint<'_>| {
        // A Cilium deny rule overrides every allow.
        let denied = policies.iter().any(|policy| match policy {
            AnyPolicy::Cilium(policy) => cilium::denies(policy, direction, ends, protocol, port),
            _ => false,
        });
        if denied {
            return SideVerdict::Denied;
        }
        side(policies, own, direction, |policy| {
            policy.allows(direction, ends, (protocol, port), request)
        })
    };
    Verdict {
        egress: verdict(Direction::Egress, client),
        ingress: verdict(Direction::Ingress, server),
    }
}

/// The verdict of the policies selecting `pod` in `direction`.
fn side(
    policies: &[AnyPolicy<'_>],
    pod: &Endpoint<'_>,
    direction: Direction,
    allows: impl Fn(AnyPolicy<'_>) -> bool,
) -> SideVerdict {
    let mut isolated = false;
    for (index, &policy) in policies.iter().enumerate() {
        if !policy.isolates(pod, direction) {
            continue;
        }
        isolated = true;
        if allows(policy) {
            return SideVerdict::AllowedBy(index);
        }
    }
    if isolated {
        SideVerdict::Denied
    } else {
        SideVerdict::NotIsolated
    }
}

/// Whether any of `peers` (all when absent or empty) matches `target`; with `pod_blocks`, an
/// `ipBlock` matches a pod one of whose addresses it holds.
fn peers_match(
    peers: Option<&[PolicyPeer]>,
    policy_namespace: &str,
    target: &Endpoint<'_>,
    pod_blocks: bool,
) -> bool {
    match (peers, target) {
        (None | Some([]), _) => true,
        // Another cluster's pod: each of its addresses by some peer.
        (
            Some(peers),
            Endpoint::Pod {
                addresses,
                remote: true,
                ..
            },
        ) => {
            !addresses.is_empty()
                && addresses.iter().all(|&ip| {
                    peers.iter().any(|peer| {
                        peer_matches(peer, policy_namespace, &Endpoint::Address(ip), false)
                    })
                })
        }
        (Some(peers), _) => peers
            .iter()
            .any(|peer| peer_matches(peer, policy_namespace, target, pod_blocks)),
    }
}

fn peer_matches(
    peer: &PolicyPeer,
    policy_namespace: &str,
    target: &Endpoint<'_>,
    pod_blocks: bool,
) -> bool {
    if let Some(block) = &peer.ip_block {
        let in_block = |ip: &IpAddr| {
            contains(&block.cidr, ip) && !block.except.iter().any(|e| contains(e, ip))
        };
        return match target {
            Endpoint::Pod {
                addresses,
                remote: false,
                ..
            } => pod_blocks && addresses.iter().any(in_block),
            other => other.address().is_some_and(|ip| in_block(&ip)),
        };
    }
    let Endpoint::Pod {
        namespace,
        labels,
        namespace_labels,
        remote: false,
        ..
    } = target
    else {
        return false;
    };
    match (&peer.namespace_selector, &peer.pod_selector) {
        (None, None) => false,
        (namespace_selector, pod_selector) => {
            let namespace_ok = match namespace_selector {
                Some(selector) => selector.matches(namespace_labels),
                None => *namespace == policy_namespace,
            };
            namespace_ok && pod_selector.as_ref().is_none_or(|s| s.matches(labels))
        }
    }
}

/// Whether any of `ports` (all when absent or empty) matches; named ports are looked up in
/// the server's container ports.
fn ports_match(
    ports: Option<&[PolicyPort]>,
    server: &Endpoint<'_>,
    protocol: Protocol,
    port: u16,
) -> bool {
    match ports {
        None | Some([]) => true,
        Some(ports) => ports
            .iter()
            .any(|p| port_matches(p, server, protocol, port)),
    }
}

fn port_matches(rule: &PolicyPort, server: &Endpoint<'_>, protocol: Protocol, port: u16) -> bool {
    let rule_protocol = match &rule.protocol {
        Some(text) => Protocol::from_k8s(text),
        None => Some(Protocol::Tcp),
    };
    if rule_protocol != Some(protocol) {
        return false;
    }
    match &rule.port {
        None => true,
        Some(PortValue::Number(first)) => {
            let last = rule.end_port.unwrap_or(*first);
            (*first..=last).contains(&i64::from(port))
        }
        Some(PortValue::Name(name)) => match server {
            Endpoint::Pod {
                ports,
                remote: false,
                ..
            } => ports.iter().any(|p| {
                p.name.as_deref() == Some(name.as_str()) && p.protocol == protocol && p.port == port
            }),
            _ => false,
        },
    }
}
