//! CiliumNetworkPolicy semantics, as Cilium's documentation gives them
//! (docs.cilium.io, "Layer 3", "Layer 4", "Kubernetes", "Policy enforcement"):
//! - a policy selects the pods of its namespace its `endpointSelector` matches; it enforces a
//!   direction when that direction's list holds a rule (`[{}]` too: default deny, nothing
//!   allowed); an absent or empty list leaves the direction alone;
//! - a rule allows a peer that ANY of its peer lists names (an explicitly empty list names
//!   nothing; a rule with ports and no peer list names every peer), on ANY of its ports
//!   (none: every port); policies selecting a pod are a union, and are one with NetworkPolicies
//!   (see `evaluate`);
//! - endpoint selectors read pod labels with or without the `k8s:` source prefix, the pod's
//!   namespace as `io.kubernetes.pod.namespace`, its cluster as `io.cilium.k8s.policy.cluster`
//!   and its namespace's labels as `io.cilium.k8s.namespace.labels.<key>`; a selector that
//!   does not name a namespace picks pods of the policy's own namespace only; one that does
//!   not name a cluster picks pods of every cluster (Cluster Mesh without
//!   `policy-default-local-cluster`);
//! - entities: `all` is everything, `world` every address outside the cluster, `cluster` every
//!   pod, node and the API server, `host` and `remote-node` the nodes (which node a pod runs
//!   on is not in the data, so either names every node), `kube-apiserver` the API server;
//! - CIDR sets match addresses outside the cluster only: never pods (of any cluster), nodes
//!   or the API server, as with Cilium's default `policy-cidr-match-mode`;
//! - ports: `ANY` (or no protocol) matches every protocol; a port `0` or none every port; a
//!   named port the server's container port of that name.
//!
//! - `toFQDNs` match an address by the DNS names it was seen with (`destination_names`, DNS
//!   answers): a name, or a pattern whose `*` stays within one label.
//!
//! - L7 rules (`toPorts[].rules`) decide requests, when a request is asked about: a port
//!   entry with rules admits only the requests one of them admits (HTTP method and path
//!   regexes matched against the whole method and path, DNS names as `toFQDNs` reads them,
//!   Kafka API keys, roles and topics); an entry without rules admits every request. A
//!   connection (no request) is admitted on the port either way, as the proxy admits it.
//!   Rules naming hosts or headers, and L7 kinds flowpol does not see, admit no request.
//!
//! Not read: `toServices`, `toGroups`, `icmps`, node selectors; a policy using them is read
//! for the rest.

use crate::engine::l7::matching::{full_match, name_matches, sent_path};
use crate::engine::model::cilium_policy::{
    CidrRule, CiliumNetworkPolicy, CiliumRule, FqdnSelector, L7Rules, PortRule,
    CILIUM_SERVICE_ACCOUNT_LABEL,
};
use crate::engine::model::l7::L7Request;
use crate::engine::model::labels::{LabelSelector, Labels, SelectorRequirement};
use crate::engine::model::{Direction, Protocol};
use crate::engine::verify::endpoint::{contains, Endpoint};

const NAMESPACE_KEY: &str = "io.kubernetes.pod.namespace";
const CLUSTER_KEY: &str = "io.cilium.k8s.policy.cluster";
const NAMESPACE_LABELS_PREFIX: &str = "io.cilium.k8s.namespace.labels.";

/// Whether `policy` selects `pod` and enforces `direction` for it.
pub fn isolates(policy: &CiliumNetworkPolicy, pod: &Endpoint<'_>, direction: Direction) -> bool {
    let Endpoint::Pod {
        namespace,
        remote: false,
        ..
    } = pod
    else {
        return false;
    };
    let spec = &policy.spec;
    let (rules, deny, default_deny) = match direction {
        Direction::Ingress => (
            &spec.ingress,
            &spec.ingress_deny,
            spec.enable_default_deny.as_ref().and_then(|d| d.ingress),
        ),
        Direction::Egress => (
            &spec.egress,
            &spec.egress_deny,
            spec.enable_default_deny.as_ref().and_then(|d| d.egress),
        ),
    };
    let listed = |rules: &Option<Vec<CiliumRule>>| rules.as_ref().is_some_and(|r| !r.is_empty());
    policy.metadata.namespace == *namespace
        && (listed(rules) || listed(deny))
        && default_deny != Some(false)
        && selects(policy, pod)
}

/// Whether the policy's endpoint selector picks `pod` (in the policy's namespace, whatever the
/// selector says of one).
fn selects(policy: &CiliumNetworkPolicy, pod: &Endpoint<'_>) -> bool {
    matches!(pod, Endpoint::Pod { namespace, remote: false, .. }
        if *namespace == policy.metadata.namespace)
        && selector_matches(
            &policy.spec.endpoint_selector,
            &policy.metadata.namespace,
            pod,
        )
}

/// Whether a deny rule of `policy` in `direction` names the connection: denied whatever else
/// allows it.
pub fn denies(
    policy: &CiliumNetworkPolicy,
    direction: Direction,
    (client, server): (&Endpoint<'_>, &Endpoint<'_>),
    protocol: Protocol,
    port: u16,
) -> bool {
    let (rules, own, peer) = match direction {
        Direction::Ingress => (&policy.spec.ingress_deny, server, client),
        Direction::Egress => (&policy.spec.egress_deny, client, server),
    };
    selects(policy, own)
        && any_rule_names(
            policy,
            rules,
            direction,
            (peer, server),
            (protocol, port),
            None,
        )
}

/// Whether one of `rules` (of `policy`, in `direction`) names `peer` on the server's
/// `protocol`/`port`.
fn any_rule_names(
    policy: &CiliumNetworkPolicy,
    rules: &Option<Vec<CiliumRule>>,
    direction: Direction,
    (peer, server): (&Endpoint<'_>, &Endpoint<'_>),
    (protocol, port): (Protocol, u16),
    request: Option<&L7Request>,
) -> bool {
    rules.iter().flatten().any(|rule| {
        rule_names_peer(rule, direction, &policy.metadata.namespace, peer)
            && ports_match(rule.to_ports.as_deref(), server, protocol, port, request)
    })
}

/// Whether a rule of `policy` in `direction` lets `client` reach `server` (and make
/// `request` there, when one is given).
pub fn allows(
    policy: &CiliumNetworkPolicy,
    direction: Direction,
    (client, server): (&Endpoint<'_>, &Endpoint<'_>),
    (protocol, port): (Protocol, u16),
    request: Option<&L7Request>,
) -> bool {
    let (rules, peer) = match direction {
        Direction::Ingress => (&policy.spec.ingress, client),
        Direction::Egress => (&policy.spec.egress, server),
    };
    any_rule_names(
        policy,
        rules,
        direction,
        (peer, server),
        (protocol, port),
        request,
    )
}

/// Whether the rule's peer lists name `peer`.
fn rule_names_peer(
    rule: &CiliumRule,
    direction: Direction,
    policy_namespace: &str,
    peer: &Endpoint<'_>,
) -> bool {
    if !rule.unread.is_empty() {
        // Peers the evaluator cannot tell: taken to name nothing (never to name everyone).
        return false;
    }
    let (endpoints, entities, cidrs, plain_cidrs, names) = match direction {
        Direction::Ingress => (
            &rule.from_endpoints,
            &rule.from_entities,
            &rule.from_cidr_set,
            &rule.from_cidr,
            &None,
        ),
        Direction::Egress => (
            &rule.to_endpoints,
            &rule.to_entities,
            &rule.to_cidr_set,
            &rule.to_cidr,
            &rule.to_fqdns,
        ),
    };
    if endpoints.is_none()
        && entities.is_none()
        && cidrs.is_none()
        && plain_cidrs.is_none()
        && names.is_none()
    {
        // Ports without a peer: every peer on those ports; `{}`: nothing.
        return rule
            .to_ports
            .as_ref()
            .is_some_and(|ports| !ports.is_empty());
    }
    endpoints.iter().flatten().any(|selector| {
        matches!(peer, Endpoint::Pod { .. }) && selector_matches(selector, policy_namespace, peer)
    }) || entities
        .iter()
        .flatten()
        .any(|entity| entity_matches(entity, peer))
        || cidrs.iter().flatten().any(|cidr| cidr_matches(cidr, peer))
        || plain_cidrs.iter().flatten().any(|cidr| {
            let rule = CidrRule {
                cidr: cidr.clone(),
                except: Vec::new(),
            };
            cidr_matches(&rule, peer)
        })
        || names.iter().flatten().any(|name| fqdn_matches(name, peer))
}

/// Whether an address seen with DNS names is one `selector` names (`matchName` or
/// `matchPattern`); an address seen with no name matches none.
fn fqdn_matches(selector: &FqdnSelector, peer: &Endpoint<'_>) -> bool {
    let Endpoint::Named(_, names) = peer else {
        return false;
    };
    let allowed = selector
        .match_name
        .as_deref()
        .or(selector.match_pattern.as_deref());
    allowed.is_some_and(|allowed| names.iter().any(|name| name_matches(allowed, name)))
}

/// A pod's labels as Cilium's selectors read them, without source prefixes.
fn identity(pod: &Endpoint<'_>) -> Option<Labels> {
    let Endpoint::Pod {
        namespace,
        labels,
        namespace_labels,
        cluster,
        service_account,
        ..
    } = pod
    else {
        return None;
    };
    let mut identity = (*labels).clone();
    identity.insert(NAMESPACE_KEY.to_string(), namespace.to_string());
    if let Some(cluster) = cluster {
        identity.insert(CLUSTER_KEY.to_string(), cluster.to_string());
    }
    if let Some(account) = service_account {
        identity.insert(
            CILIUM_SERVICE_ACCOUNT_LABEL.to_string(),
            account.to_string(),
        );
    }
    for (key, value) in namespace_labels.iter() {
        identity.insert(format!("{NAMESPACE_LABELS_PREFIX}{key}"), value.clone());
    }
    Some(identity)
}

/// A selector key without its source prefix (`k8s:`, `any:`), or `None` for a source pods do
/// not have (`reserved:`, `cidr:`, ...).
fn plain_key(key: &str) -> Option<&str> {
    match key.split_once(':') {
        None => Some(key),
        Some(("k8s" | "any", rest)) => Some(rest),
        Some(_) => None,
    }
}

/// Whether `selector`, in a policy of `policy_namespace`, picks the pod `pod`.
fn selector_matches(selector: &LabelSelector, policy_namespace: &str, pod: &Endpoint<'_>) -> bool {
    let Some(identity) = identity(pod) else {
        return false;
    };
    let mut plain = LabelSelector::default();
    for (key, value) in &selector.match_labels {
        let Some(key) = plain_key(key) else {
            return false;
        };
        plain.match_labels.insert(key.to_string(), value.clone());
    }
    for requirement in &selector.match_expressions {
        let Some(key) = plain_key(&requirement.key) else {
            return false;
        };
        plain.match_expressions.push(SelectorRequirement {
            key: key.to_string(),
            ..requirement.clone()
        });
    }
    let names_namespace = plain.match_labels.contains_key(NAMESPACE_KEY)
        || plain
            .match_expressions
            .iter()
            .any(|r| r.key == NAMESPACE_KEY || r.key.starts_with(NAMESPACE_LABELS_PREFIX))
        || plain
            .match_labels
            .keys()
            .any(|k| k.starts_with(NAMESPACE_LABELS_PREFIX));
    if !names_namespace {
        plain
            .match_labels
            .insert(NAMESPACE_KEY.to_string(), policy_namespace.to_string());
    }
    plain.matches(&identity)
}

fn entity_matches(entity: &str, peer: &Endpoint<'_>) -> bool {
    let family = |v4: bool| matches!(peer, Endpoint::Address(ip) | Endpoint::Named(ip, _) if ip.is_ipv4() == v4);
    match entity {
        "world-ipv4" => return family(true),
        "world-ipv6" => return family(false),
        _ => {}
    }
    matches!(
        (entity, peer),
        ("all", _)
            | ("world", Endpoint::Address(_) | Endpoint::Named(..))
            | (
                "cluster",
                Endpoint::Pod { remote: false, .. } | Endpoint::Node(_) | Endpoint::ApiServer(_)
            )
            | ("host" | "remote-node", Endpoint::Node(_))
            | ("kube-apiserver", Endpoint::ApiServer(_))
    )
}

fn cidr_matches(rule: &CidrRule, peer: &Endpoint<'_>) -> bool {
    let (Endpoint::Address(ip) | Endpoint::Named(ip, _)) = peer else {
        return false;
    };
    contains(&rule.cidr, ip) && !rule.except.iter().any(|e| contains(e, ip))
}

/// Whether any of `rules`' ports (all when absent or empty) matches, and its L7 rules admit
/// `request` when one is given.
fn ports_match(
    rules: Option<&[PortRule]>,
    server: &Endpoint<'_>,
    protocol: Protocol,
    port: u16,
    request: Option<&L7Request>,
) -> bool {
    let Some(rules) = rules.filter(|r| !r.is_empty()) else {
        return true;
    };
    rules.iter().any(|rule| {
        let port_ok = rule.ports.is_empty()
            || rule.ports.iter().any(|p| {
                let protocol_ok = p.protocol.is_empty()
                    || p.protocol.eq_ignore_ascii_case("ANY")
                    || Protocol::from_k8s(&p.protocol) == Some(protocol);
                protocol_ok && port_matches(&p.port, p.end_port, server, protocol, port)
            });
        let request_ok = match (request, &rule.rules) {
            (Some(request), Some(l7)) if !l7.is_empty() => l7_admits(l7, request),
            _ => true,
        };
        port_ok && request_ok
    })
}

/// The Kafka API keys a role stands for (Cilium's `role: produce` and `role: consume`).
fn role_api_keys(role: &str) -> &'static [&'static str] {
    match role.to_ascii_lowercase().as_str() {
        "produce" => &["produce", "metadata", "apiversions"],
        "consume" => &[
            "fetch",
            "offsets",
            "metadata",
            "offsetcommit",
            "offsetfetch",
            "findcoordinator",
            "joingroup",
            "heartbeat",
            "leavegroup",
            "syncgroup",
            "apiversions",
        ],
        _ => &[],
    }
}

/// Whether one of a port entry's L7 rules admits `request`.
fn l7_admits(rules: &L7Rules, request: &L7Request) -> bool {
    if !rules.unread.is_empty() {
        return false;
    }
    match request {
        L7Request::Http(http) => rules.http.iter().any(|rule| {
            rule.host.is_none()
                && rule.headers.is_none()
                && rule.header_matches.is_none()
                && rule
                    .method
                    .as_deref()
                    .is_none_or(|m| m.is_empty() || full_match(m, &http.method))
                && rule
                    .path
                    .as_deref()
                    .is_none_or(|p| p.is_empty() || full_match(p, &sent_path(http)))
        }),
        L7Request::Dns(name) => rules.dns.iter().any(|selector| {
            selector
                .match_name
                .as_deref()
                .or(selector.match_pattern.as_deref())
                .is_some_and(|allowed| name_matches(allowed, name))
        }),
        L7Request::Kafka(kafka) => rules.kafka.iter().any(|rule| {
            let key_ok = match (&rule.api_key, &rule.role) {
                (Some(key), _) => key.eq_ignore_ascii_case(&kafka.api_key),
                (None, Some(role)) => role_api_keys(role).contains(&kafka.api_key.as_str()),
                (None, None) => true,
            };
            key_ok
                && rule.client_id.is_none()
                && rule
                    .topic
                    .as_deref()
                    .is_none_or(|t| t.is_empty() || *t == kafka.topic)
        }),
    }
}

fn port_matches(
    text: &str,
    end_port: Option<u16>,
    server: &Endpoint<'_>,
    protocol: Protocol,
    port: u16,
) -> bool {
    match text.parse::<u16>() {
        Ok(0) => true,
        Ok(first) => (first..=end_port.unwrap_or(first).max(first)).contains(&port),
        Err(_) if text.is_empty() => true,
        Err(_) => match server {
            Endpoint::Pod {
                ports,
                remote: false,
                ..
            } => ports.iter().any(|p| {
                p.name.as_deref() == Some(text) && p.protocol == protocol && p.port == port
            }),
            _ => false,
        },
    }
}
