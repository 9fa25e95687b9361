//! The CiliumNetworkPolicy document (`cilium.io/v2`), the part flowpol writes: an endpoint
//! selector, and per direction rules of ONE peer kind each (endpoints, entities, CIDR sets or
//! DNS names) with the ports they may use. Field names and order follow Cilium's CRD
//! (`tools/cilium/ciliumnetworkpolicies.yaml`, which the tests validate every document
//! against). Cilium reads a selector's plain label keys (`app`) as any source's label and
//! names a pod's namespace `k8s:io.kubernetes.pod.namespace`; a selector without it picks
//! pods of the policy's own namespace only.

use serde::{Deserialize, Serialize};

use super::labels::{LabelSelector, Labels};

/// The label that names a pod's namespace in a Cilium endpoint selector.
pub const CILIUM_NAMESPACE_LABEL: &str = "k8s:io.kubernetes.pod.namespace";
/// The label that names a pod's cluster (Cluster Mesh) in a Cilium endpoint selector.
pub const CILIUM_CLUSTER_LABEL: &str = "io.cilium.k8s.policy.cluster";
/// The label that names a pod's service account in a Cilium endpoint selector (Hubble prints
/// it with the `k8s:` source).
pub const CILIUM_SERVICE_ACCOUNT_LABEL: &str = "io.cilium.k8s.policy.serviceaccount";

/// A CiliumNetworkPolicy document.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CiliumNetworkPolicy {
    pub api_version: String,
    pub kind: String,
    pub metadata: super::network_policy::ObjectMeta,
    pub spec: CiliumPolicySpec,
}

/// `spec`: which endpoints, and what each direction allows. A direction whose list holds a
/// rule is default-deny for the selected endpoints; `[{}]` allows nothing more.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct CiliumPolicySpec {
    pub endpoint_selector: LabelSelector,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Vec<CiliumRule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress: Option<Vec<CiliumRule>>,
    /// Deny rules (read from the cluster's policies; flowpol writes none): they override
    /// every allow, and put the endpoints in default deny too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_deny: Option<Vec<CiliumRule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egress_deny: Option<Vec<CiliumRule>>,
    /// `false` for a direction: the policy's rules add to what is allowed without putting the
    /// endpoints in default deny.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_default_deny: Option<DefaultDeny>,
}

/// `enableDefaultDeny`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct DefaultDeny {
    pub ingress: Option<bool>,
    pub egress: Option<bool>,
}

/// One rule of either direction: its peers (one kind per rule) and ports. Ingress rules use
/// the `from*` fields, egress rules the `to*` fields; an empty rule (`{}`) allows nothing.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct CiliumRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_endpoints: Option<Vec<LabelSelector>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_entities: Option<Vec<String>>,
    #[serde(rename = "fromCIDRSet", skip_serializing_if = "Option::is_none")]
    pub from_cidr_set: Option<Vec<CidrRule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_endpoints: Option<Vec<LabelSelector>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_entities: Option<Vec<String>>,
    #[serde(rename = "toCIDRSet", skip_serializing_if = "Option::is_none")]
    pub to_cidr_set: Option<Vec<CidrRule>>,
    #[serde(rename = "toFQDNs", skip_serializing_if = "Option::is_none")]
    pub to_fqdns: Option<Vec<FqdnSelector>>,
    /// Plain CIDRs (read from the cluster's policies; flowpol writes CIDR sets).
    #[serde(rename = "fromCIDR", skip_serializing_if = "Option::is_none")]
    pub from_cidr: Option<Vec<String>>,
    #[serde(rename = "toCIDR", skip_serializing_if = "Option::is_none")]
    pub to_cidr: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_ports: Option<Vec<PortRule>>,
    /// Fields of a rule read from the cluster that the evaluator does not read (services,
    /// groups, node selectors, ICMP, ...): such a rule is taken to allow nothing.
    #[serde(flatten, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub unread: std::collections::BTreeMap<String, serde_json::Value>,
}

/// `toCIDRSet` / `fromCIDRSet` entry: a CIDR minus exceptions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default)]
pub struct CidrRule {
    pub cidr: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// A DNS name (`matchName`) or pattern (`matchPattern`, `*` within one label).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default, rename_all = "camelCase")]
pub struct FqdnSelector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_pattern: Option<String>,
}

/// `toPorts` entry: ports, and optionally the L7 rules Cilium's proxy applies on them.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct PortRule {
    pub ports: Vec<CiliumPort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<L7Rules>,
}

/// A port as Cilium writes it: the number as a string, the protocol in capitals.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default, rename_all = "camelCase")]
pub struct CiliumPort {
    pub port: String,
    /// The last port of a range starting at `port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_port: Option<u16>,
    pub protocol: String,
}

/// `rules`: the requests Cilium's proxy lets through on the entry's ports, of one kind. Empty
/// lists restrict nothing.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct L7Rules {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpRule>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kafka: Vec<KafkaRule>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<FqdnSelector>,
    /// Rule kinds the evaluator does not read (`l7proto`, `l7`): such rules admit nothing.
    #[serde(flatten, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub unread: std::collections::BTreeMap<String, serde_json::Value>,
}

impl L7Rules {
    /// Whether the rules restrict nothing (no list holds a rule).
    pub fn is_empty(&self) -> bool {
        self.http.is_empty()
            && self.kafka.is_empty()
            && self.dns.is_empty()
            && self.unread.is_empty()
    }
}

/// An HTTP rule: a method and a path, each an extended POSIX regex matched against all of the
/// request's (absent: any).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct HttpRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Host and headers (read from the cluster's policies; flowpol writes none): a rule with
    /// them is taken to admit nothing, as flowpol does not see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<String>>,
    #[serde(rename = "headerMatches", skip_serializing_if = "Option::is_none")]
    pub header_matches: Option<serde_json::Value>,
}

/// A Kafka rule: an API key (or a role) and a topic (absent: any).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[serde(default, rename_all = "camelCase")]
pub struct KafkaRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(rename = "clientID", skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

impl CiliumNetworkPolicy {
    /// An empty policy named `name` in `namespace`, selecting pods by `selector`.
    pub fn new(namespace: &str, name: &str, labels: Labels, selector: LabelSelector) -> Self {
        CiliumNetworkPolicy {
            api_version: "cilium.io/v2".to_string(),
            kind: "CiliumNetworkPolicy".to_string(),
            metadata: super::network_policy::ObjectMeta {
                name: name.to_string(),
                namespace: namespace.to_string(),
                labels,
            },
            spec: CiliumPolicySpec {
                endpoint_selector: selector,
                ..CiliumPolicySpec::default()
            },
        }
    }
}
