//! The NetworkPolicy document (`networking.k8s.io/v1`): written by the generator in a
//! readable field order with empty parts left out, and read from policies the user already
//! has. Unknown fields (status, annotations, ...) are ignored when reading. A small
//! hand-written model instead of k8s-openapi's (see STYLE.md: field order, wasm size); the
//! tests round-trip it through k8s-openapi.

use serde::{Deserialize, Serialize};

use super::direction::Direction;
use super::labels::{LabelSelector, Labels};

/// A NetworkPolicy document.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicy {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NetworkPolicySpec,
}

/// The part of `metadata` a NetworkPolicy needs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
}

/// `spec`: which pods, which directions, and what each direction allows.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    pub pod_selector: LabelSelector,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Vec<IngressRule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress: Option<Vec<EgressRule>>,
}

/// One ingress rule: any of `from` AND any of `ports` (an absent list allows everything).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct IngressRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Vec<PolicyPeer>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<PolicyPort>>,
}

/// One egress rule: any of `to` AND any of `ports`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct EgressRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<PolicyPeer>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<PolicyPort>>,
}

/// A peer: pods (by namespace AND pod selector) or an IP block.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicyPeer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
}

/// `ipBlock`: a CIDR minus exceptions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default)]
pub struct IpBlock {
    pub cidr: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// A port (or range, with `endPort`) and protocol; an absent protocol means TCP, an absent
/// port every port.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicyPort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_port: Option<i64>,
}

/// A port number or a container port's name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(untagged)]
pub enum PortValue {
    Number(i64),
    Name(String),
}

impl NetworkPolicy {
    /// An empty policy named `name` in `namespace`.
    pub fn new(namespace: &str, name: &str) -> NetworkPolicy {
        NetworkPolicy {
            api_version: "networking.k8s.io/v1".to_string(),
            kind: "NetworkPolicy".to_string(),
            metadata: ObjectMeta {
                name: name.to_string(),
                namespace: namespace.to_string(),
                labels: Labels::new(),
            },
            spec: NetworkPolicySpec::default(),
        }
    }

    /// Whether the policy restricts `direction`, with Kubernetes' defaults when
    /// `policyTypes` is absent: Ingress always, Egress when egress rules exist.
    pub fn restricts(&self, direction: Direction) -> bool {
        if self.spec.policy_types.is_empty() {
            match direction {
                Direction::Ingress => true,
                // Kubernetes defaults Egress in only when egress rules exist (an empty list
                // does not count).
                Direction::Egress => self.spec.egress.as_ref().is_some_and(|e| !e.is_empty()),
            }
        } else {
            self.spec
                .policy_types
                .iter()
                .any(|t| t == direction.as_str())
        }
    }
}
