//! [`PolicyRules`] written as a NetworkPolicy (`networking.k8s.io/v1`): pods by `podSelector`
//! (another namespace's as ONE peer with both selectors), everything else by `ipBlock`; peers
//! with identical port sets share a rule, never more.

use std::collections::BTreeSet;

use crate::engine::model::labels::{LabelSelector, Labels, NAMESPACE_NAME_LABEL};
use crate::engine::model::network_policy::{
    EgressRule, IngressRule, NetworkPolicy, PolicyPeer, PolicyPort, PortValue,
};
use crate::engine::model::Direction;
use crate::engine::policy::names::MANAGED_BY;
use crate::engine::policy::rules::{
    by_port_set, written_as, DirectionRules, PolicyRules, PortKey, RulePeer,
};

/// A rule's peers and ports (`None`: any).
type Rule = (Option<Vec<PolicyPeer>>, Option<Vec<PolicyPort>>);

/// The NetworkPolicy of `rules`: both policy types, a direction with no rule denies all.
pub fn network_policy(rules: &PolicyRules) -> NetworkPolicy {
    let mut policy = NetworkPolicy::new(&rules.namespace, &rules.name);
    policy
        .metadata
        .labels
        .insert(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string());
    policy.spec.pod_selector = LabelSelector::of_labels(&rules.selector);
    policy.spec.policy_types = Direction::BOTH
        .iter()
        .map(|d| d.as_str().to_string())
        .collect();
    let ingress = direction(&rules.namespace, &rules.ingress);
    let egress = direction(&rules.namespace, &rules.egress);
    policy.spec.ingress = (!ingress.is_empty()).then(|| {
        ingress
            .into_iter()
            .map(|(from, ports)| IngressRule { from, ports })
            .collect()
    });
    policy.spec.egress = (!egress.is_empty()).then(|| {
        egress
            .into_iter()
            .map(|(to, ports)| EgressRule { to, ports })
            .collect()
    });
    policy
}

/// The rules of one direction: `- {}` for everything; else the peers as NetworkPolicy names
/// them (two review peers written alike share their ports), grouped by port set.
fn direction(namespace: &str, rules: &DirectionRules) -> Vec<Rule> {
    let Some(peers) = rules.peers() else {
        return vec![(None, None)];
    };
    by_port_set(written_as(peers, |peer| policy_peers(namespace, peer)))
        .into_iter()
        .map(|(ports, peers)| (Some(peers), ports.map(policy_ports)))
        .collect()
}

/// How NetworkPolicy names `peer`, seen from a policy in `namespace`.
fn policy_peers(namespace: &str, peer: &RulePeer) -> Vec<PolicyPeer> {
    let block = |block: &crate::engine::model::network_policy::IpBlock| PolicyPeer {
        ip_block: Some(block.clone()),
        ..PolicyPeer::default()
    };
    match peer {
        RulePeer::Pods {
            namespace: peer_namespace,
            selector,
        } => vec![pod_peer(namespace, peer_namespace, selector)],
        RulePeer::OwnNamespace => vec![PolicyPeer {
            pod_selector: Some(LabelSelector::default()),
            ..PolicyPeer::default()
        }],
        RulePeer::RemotePods { blocks, .. } => blocks.iter().map(block).collect(),
        // NetworkPolicy has no service accounts: the covering selector, which the generator
        // said picks more.
        RulePeer::ServiceAccount {
            namespace: peer_namespace,
            covering,
            ..
        } => vec![pod_peer(namespace, peer_namespace, covering)],
        // NetworkPolicy has no DNS names: the generator warned.
        RulePeer::Fqdn(_) => Vec::new(),
        RulePeer::Block(ip_block)
        | RulePeer::World(ip_block)
        | RulePeer::Nodes(ip_block)
        | RulePeer::ApiServer(ip_block) => vec![block(ip_block)],
    }
}

/// Pods selected by `selector` in `peer_namespace`, seen from a policy in `policy_namespace`:
/// a `podSelector` alone in the same namespace, else ONE peer with both selectors (AND).
fn pod_peer(policy_namespace: &str, peer_namespace: &str, selector: &Labels) -> PolicyPeer {
    let namespace_selector = (policy_namespace != peer_namespace).then(|| {
        LabelSelector::of_labels(&Labels::from([(
            NAMESPACE_NAME_LABEL.to_string(),
            peer_namespace.to_string(),
        )]))
    });
    PolicyPeer {
        namespace_selector,
        pod_selector: Some(LabelSelector::of_labels(selector)),
        ip_block: None,
    }
}

fn policy_ports(ports: BTreeSet<PortKey>) -> Vec<PolicyPort> {
    ports
        .into_iter()
        .map(|(protocol, port)| PolicyPort {
            protocol: Some(protocol.as_k8s().to_string()),
            port: Some(PortValue::Number(i64::from(port))),
            end_port: None,
        })
        .collect()
}
