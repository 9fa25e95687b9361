//! The NetworkPolicy evaluator against the semantics the Kubernetes documentation gives, one
//! rule per test, with policies written as YAML the way users write them.

use flowpol::engine::model::labels::Labels;
use flowpol::engine::model::network_policy::NetworkPolicy;
use flowpol::engine::model::ports::ContainerPort;
use flowpol::engine::model::Protocol;
use flowpol::engine::verify::evaluate::{evaluate, Endpoint, SideVerdict};
use flowpol::engine::yaml::from_yaml;

fn policies(yaml: &str) -> Vec<NetworkPolicy> {
    from_yaml(yaml).unwrap()
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A pod and its namespace's labels.
struct Pod {
    namespace: String,
    labels: Labels,
    namespace_labels: Labels,
    ports: Vec<ContainerPort>,
}

fn pod(namespace: &str, pod_labels: &[(&str, &str)]) -> Pod {
    Pod {
        namespace: namespace.to_string(),
        labels: labels(pod_labels),
        namespace_labels: labels(&[("kubernetes.io/metadata.name", namespace), ("team", "t")]),
        ports: vec![ContainerPort {
            name: Some("http".into()),
            port: 8080,
            protocol: Protocol::Tcp,
        }],
    }
}

impl Pod {
    fn endpoint(&self) -> Endpoint<'_> {
        Endpoint::Pod {
            namespace: &self.namespace,
            labels: &self.labels,
            namespace_labels: &self.namespace_labels,
            ports: &self.ports,
            cluster: None,
            service_account: None,
            addresses: &[],
            remote: false,
        }
    }
}

fn allowed(policies: &[NetworkPolicy], client: &Pod, server: &Pod, port: u16) -> bool {
    evaluate(
        policies,
        &client.endpoint(),
        &server.endpoint(),
        Protocol::Tcp,
        port,
    )
    .allowed()
}

const HEADER: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n";

#[test]
fn no_policy_allows_everything() {
    let (a, b) = (pod("x", &[("app", "a")]), pod("x", &[("app", "b")]));
    assert!(allowed(&[], &a, &b, 1));
}

#[test]
fn policy_types_default_to_ingress_plus_egress_when_egress_rules_exist() {
    let only_ingress = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress: []\n"
    ));
    let (a, b) = (pod("x", &[("app", "a")]), pod("x", &[("app", "b")]));
    let verdict = evaluate(
        &only_ingress,
        &a.endpoint(),
        &b.endpoint(),
        Protocol::Tcp,
        80,
    );
    assert_eq!(
        verdict.egress,
        SideVerdict::NotIsolated,
        "egress not restricted"
    );
    assert_eq!(
        verdict.ingress,
        SideVerdict::Denied,
        "ingress isolated, no rule"
    );
    let with_egress = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  egress:\n  - {{}}\n"
    ));
    assert!(
        with_egress[0].restricts(flowpol::engine::model::Direction::Egress)
            && with_egress[0].restricts(flowpol::engine::model::Direction::Ingress)
    );
    // An empty egress list is no egress rule: Kubernetes does not default Egress in.
    let empty_egress = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  egress: []\n"
    ));
    assert!(!empty_egress[0].restricts(flowpol::engine::model::Direction::Egress));
}

#[test]
fn empty_pod_selector_selects_the_whole_namespace_only() {
    let deny_all = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n"
    ));
    let client = pod("y", &[("app", "c")]);
    assert!(!allowed(
        &deny_all,
        &client,
        &pod("x", &[("app", "any")]),
        80
    ));
    assert!(allowed(
        &deny_all,
        &client,
        &pod("y", &[("app", "any")]),
        80
    ));
}

#[test]
fn one_peer_with_both_selectors_is_and_two_peers_are_or() {
    let and = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: srv}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: web}}}}\n      podSelector: {{matchLabels: {{app: a}}}}\n"
    ));
    let or = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: srv}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: web}}}}\n    - podSelector: {{matchLabels: {{app: a}}}}\n"
    ));
    let server = pod("srv", &[("app", "s")]);
    let a_in_web = pod("web", &[("app", "a")]);
    let b_in_web = pod("web", &[("app", "b")]);
    let a_in_srv = pod("srv", &[("app", "a")]);
    let a_elsewhere = pod("other", &[("app", "a")]);
    assert!(allowed(&and, &a_in_web, &server, 80));
    assert!(!allowed(&and, &b_in_web, &server, 80));
    assert!(!allowed(&and, &a_in_srv, &server, 80));
    assert!(allowed(&or, &b_in_web, &server, 80), "any pod of web");
    assert!(
        allowed(&or, &a_in_srv, &server, 80),
        "app=a of the policy's namespace"
    );
    assert!(
        !allowed(&or, &a_elsewhere, &server, 80),
        "podSelector alone is the policy's namespace"
    );
}

#[test]
fn match_expressions() {
    let policy = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector:\n    matchExpressions:\n    - {{key: tier, operator: In, values: [web, api]}}\n    - {{key: canary, operator: DoesNotExist}}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {{key: app, operator: NotIn, values: [bad]}}\n        - {{key: role, operator: Exists}}\n"
    ));
    let good = pod("x", &[("app", "ok"), ("role", "r")]);
    let bad = pod("x", &[("app", "bad"), ("role", "r")]);
    let no_role = pod("x", &[("app", "ok")]);
    let web = pod("x", &[("tier", "web")]);
    let canary = pod("x", &[("tier", "web"), ("canary", "1")]);
    let db = pod("x", &[("tier", "db")]);
    assert!(allowed(&policy, &good, &web, 80));
    assert!(!allowed(&policy, &bad, &web, 80));
    assert!(!allowed(&policy, &no_role, &web, 80));
    assert!(allowed(&policy, &bad, &canary, 80), "canary not selected");
    assert!(allowed(&policy, &bad, &db, 80), "db not selected");
}

#[test]
fn ip_block_with_except_matches_addresses_not_pods() {
    let policy = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}\n"
    ));
    let client = pod("x", &[("app", "a")]);
    let go = |ip: &str| {
        evaluate(
            &policy,
            &client.endpoint(),
            &Endpoint::Address(ip.parse().unwrap()),
            Protocol::Tcp,
            443,
        )
        .allowed()
    };
    assert!(go("10.2.3.4"));
    assert!(!go("10.1.3.4"));
    assert!(!go("192.0.2.1"));
    assert!(!allowed(&policy, &client, &pod("x", &[("app", "b")]), 443));
}

#[test]
fn ports_end_port_named_ports_and_default_protocol() {
    let policy = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: s}}}}\n  ingress:\n  - ports:\n    - {{port: 32000, endPort: 32010}}\n    - {{port: http}}\n    - {{protocol: UDP, port: 53}}\n"
    ));
    let (client, server) = (pod("x", &[("app", "c")]), pod("x", &[("app", "s")]));
    assert!(allowed(&policy, &client, &server, 32005));
    assert!(!allowed(&policy, &client, &server, 32011));
    assert!(
        allowed(&policy, &client, &server, 8080),
        "named port http = 8080"
    );
    assert!(!allowed(&policy, &client, &server, 53), "53 is UDP only");
    let udp = evaluate(
        &policy,
        &client.endpoint(),
        &server.endpoint(),
        Protocol::Udp,
        53,
    );
    assert!(udp.allowed());
    let udp_range = evaluate(
        &policy,
        &client.endpoint(),
        &server.endpoint(),
        Protocol::Udp,
        32005,
    );
    assert!(!udp_range.allowed(), "a port without protocol is TCP");
}

#[test]
fn policies_selecting_a_pod_are_a_union() {
    let two = policies(&format!(
        "{HEADER}metadata: {{name: a, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: s}}}}\n  ingress:\n  - ports: [{{port: 80}}]\n---\n{HEADER}metadata: {{name: b, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - ports: [{{port: 443}}]\n"
    ));
    let (client, server) = (pod("x", &[("app", "c")]), pod("x", &[("app", "s")]));
    assert!(allowed(&two, &client, &server, 80));
    assert!(allowed(&two, &client, &server, 443));
    assert!(!allowed(&two, &client, &server, 22));
}

#[test]
fn a_connection_needs_egress_at_the_client_and_ingress_at_the_server() {
    let policy = policies(&format!(
        "{HEADER}metadata: {{name: client, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: c}}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{podSelector: {{matchLabels: {{app: s}}}}}}]\n    ports: [{{port: 80}}]\n---\n{HEADER}metadata: {{name: server, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: s}}}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: c}}}}}}]\n    ports: [{{port: 443}}]\n"
    ));
    let (client, server) = (pod("x", &[("app", "c")]), pod("x", &[("app", "s")]));
    let at_80 = evaluate(
        &policy,
        &client.endpoint(),
        &server.endpoint(),
        Protocol::Tcp,
        80,
    );
    assert_eq!(at_80.egress, SideVerdict::AllowedBy(0));
    assert_eq!(at_80.ingress, SideVerdict::Denied);
    let at_443 = evaluate(
        &policy,
        &client.endpoint(),
        &server.endpoint(),
        Protocol::Tcp,
        443,
    );
    assert_eq!(at_443.egress, SideVerdict::Denied);
    assert_eq!(at_443.ingress, SideVerdict::AllowedBy(1));
    assert!(!at_80.allowed() && !at_443.allowed());
}

#[test]
fn an_empty_rule_allows_all_and_no_rule_allows_nothing() {
    let allow_all = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - {{}}\n"
    ));
    let other = pod("y", &[("app", "c")]);
    assert!(allowed(&allow_all, &other, &pod("x", &[]), 9));
    let empty_from = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: []\n    ports: [{{port: 9}}]\n"
    ));
    assert!(
        allowed(&empty_from, &other, &pod("x", &[]), 9),
        "from: [] is everyone"
    );
    assert!(!allowed(&empty_from, &other, &pod("x", &[]), 10));
}

/// A workload mid-rollout (the demo's frontend: two ReplicaSets, so two `pod-template-hash`
/// values) under an existing policy that isolates only the new ReplicaSet's pods: the replay
/// holds for every pod, so traffic to the frontend is denied (it reaches the isolated pods
/// too), while the same policy selecting a hash no pod has changes nothing.
#[test]
fn the_replay_holds_for_every_pod_of_a_workload_whose_pods_differ() {
    use flowpol::engine::dataset::Peer;
    use flowpol::engine::model::{EntityKind, TimeWindow};
    use flowpol::engine::verify::replay::{probe, verify_existing, ProbeEnd};

    let dataset = crate::support_demo::demo();
    let frontend = dataset
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap();
    let catalog = dataset
        .find_entity(EntityKind::Deployment, "shop", "catalog")
        .unwrap();
    assert!(
        dataset.entities[frontend].label_sets.len() >= 2,
        "mid-rollout"
    );
    let isolating = |hash: &str| {
        policies(&format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: new-pods-closed\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: frontend\n      pod-template-hash: {hash}\n  policyTypes:\n  - Ingress\n  - Egress\n"
        ))
    };
    let to_frontend = |policies: &[NetworkPolicy]| {
        probe(
            &dataset,
            policies,
            ProbeEnd::Ip("198.51.187.58".parse().unwrap()),
            ProbeEnd::Peer(Peer::Entity(frontend)),
            Protocol::Tcp,
            8080,
        )
    };
    let from_frontend = |policies: &[NetworkPolicy]| {
        probe(
            &dataset,
            policies,
            ProbeEnd::Peer(Peer::Entity(frontend)),
            ProbeEnd::Peer(Peer::Entity(catalog)),
            Protocol::Tcp,
            3550,
        )
    };
    let some_pods = isolating("ngm2ctvgkq");
    assert_eq!(to_frontend(&some_pods).ingress, SideVerdict::Denied);
    assert_eq!(from_frontend(&some_pods).egress, SideVerdict::Denied);
    let report = verify_existing(&dataset, &some_pods, Some(&[frontend]), TimeWindow::ALL);
    assert!(
        report.rows.iter().all(|row| !row.verdict.allowed()),
        "{}",
        report.summary()
    );

    let no_pod = isolating("0000000000");
    assert!(to_frontend(&no_pod).allowed());
    assert!(from_frontend(&no_pod).allowed());
    assert!(verify_existing(&dataset, &no_pod, Some(&[frontend]), TimeWindow::ALL).all_agree());
}

/// Whether an `ipBlock` matches a pod's own address is up to the CNI: never as Cilium reads it
/// (the default), yes as Calico does (`AnyPolicy::with_pod_blocks`).
#[test]
fn ip_blocks_match_pods_only_in_calicos_reading() {
    use flowpol::engine::verify::evaluate::{evaluate_any, AnyPolicy};
    let policy = policies(&format!(
        "{HEADER}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: b}}}}\n  ingress:\n  - from: [{{ipBlock: {{cidr: 10.244.0.0/16, except: [10.244.9.0/24]}}}}]\n"
    ));
    let (a, b) = (pod("x", &[("app", "a")]), pod("x", &[("app", "b")]));
    let inside = ["10.244.1.5".parse().unwrap()];
    let excepted = ["10.244.9.5".parse().unwrap()];
    let client = |addresses| Endpoint::Pod {
        namespace: &a.namespace,
        labels: &a.labels,
        namespace_labels: &a.namespace_labels,
        ports: &a.ports,
        cluster: None,
        service_account: None,
        addresses,
        remote: false,
    };
    let cilium: Vec<AnyPolicy<'_>> = policy.iter().map(AnyPolicy::Kubernetes).collect();
    let calico: Vec<AnyPolicy<'_>> = cilium.iter().map(|p| p.with_pod_blocks()).collect();
    let allowed = |set: &[AnyPolicy<'_>], addresses| {
        evaluate_any(set, &client(addresses), &b.endpoint(), Protocol::Tcp, 8080).allowed()
    };
    assert!(!allowed(&cilium, &inside));
    assert!(allowed(&calico, &inside));
    assert!(
        !allowed(&calico, &excepted),
        "except holds in both readings"
    );
    assert!(!allowed(&calico, &[]), "a pod of unknown address");
}
