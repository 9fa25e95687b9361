//! The review written as CiliumNetworkPolicies, one mapping per test on the demo data: pods of
//! another namespace by `k8s:io.kubernetes.pod.namespace`; the API server as the
//! `kube-apiserver` entity; nodes as `host` and `remote-node`; an alias of everything outside
//! the cluster as `world`, other aliases as CIDR sets with their exceptions; the general rules
//! (block all: `[{}]`, Cilium's default deny; allow all: the `all` entity; allow the
//! namespace: `{}`); one kind of peer per rule; another cluster's workload by its cluster.

use flowpol::engine::dataset::Dataset;
use flowpol::engine::decisions::{Decisions, GeneralRule};
use flowpol::engine::model::cilium_policy::{CiliumNetworkPolicy, CiliumRule};
use flowpol::engine::model::{Direction, EntityKind, OwnerKey, TimeWindow};
use flowpol::engine::policy::{generate_policies, policies_yaml_as, PolicyKind};

use crate::support_demo::demo;

/// The CiliumNetworkPolicy of `kind/namespace/name`, and its warnings.
fn cilium_of(
    dataset: &Dataset,
    decisions: &Decisions,
    kind: EntityKind,
    namespace: &str,
    name: &str,
) -> (CiliumNetworkPolicy, Vec<String>) {
    let id = dataset.find_entity(kind, namespace, name).unwrap();
    let generated = generate_policies(dataset, decisions, &[id], TimeWindow::ALL);
    (
        generated[0].cilium().expect("a policy"),
        generated[0].cilium_warnings.clone(),
    )
}

fn rules(policy: &CiliumNetworkPolicy, direction: Direction) -> &[CiliumRule] {
    match direction {
        Direction::Ingress => policy.spec.ingress.as_deref().unwrap(),
        Direction::Egress => policy.spec.egress.as_deref().unwrap(),
    }
}

/// Every rule holds exactly one kind of peer, or none (`{}`).
fn one_kind_per_rule(policy: &CiliumNetworkPolicy) {
    for rule in rules(policy, Direction::Ingress)
        .iter()
        .chain(rules(policy, Direction::Egress))
    {
        let kinds = [
            rule.from_endpoints.is_some(),
            rule.from_entities.is_some(),
            rule.from_cidr_set.is_some(),
            rule.to_endpoints.is_some(),
            rule.to_entities.is_some(),
            rule.to_cidr_set.is_some(),
            rule.to_fqdns.is_some(),
        ];
        assert!(kinds.iter().filter(|&&k| k).count() <= 1, "{rule:?}");
    }
}

/// The entities the rules of `direction` name, with the ports of each rule.
fn entities(policy: &CiliumNetworkPolicy, direction: Direction) -> Vec<(String, Vec<String>)> {
    rules(policy, direction)
        .iter()
        .flat_map(|rule| {
            let ports: Vec<String> = rule
                .to_ports
                .iter()
                .flatten()
                .flat_map(|p| p.ports.iter().map(|p| format!("{}/{}", p.protocol, p.port)))
                .collect();
            rule.from_entities
                .iter()
                .chain(&rule.to_entities)
                .flatten()
                .map(move |entity| (entity.clone(), ports.clone()))
        })
        .collect()
}

#[test]
fn pods_of_another_namespace_carry_its_namespace_label() {
    let dataset = demo();
    let (policy, _) = cilium_of(
        &dataset,
        &Decisions::default(),
        EntityKind::Deployment,
        "shop",
        "cart",
    );
    one_kind_per_rule(&policy);
    assert_eq!(policy.spec.endpoint_selector.match_labels["app"], "cart");
    let peers: Vec<_> = rules(&policy, Direction::Ingress)
        .iter()
        .flat_map(|r| r.from_endpoints.iter().flatten())
        .map(|s| s.match_labels.clone())
        .collect();
    let checkout = peers
        .iter()
        .find(|labels| labels.get("app").map(String::as_str) == Some("checkout"))
        .expect("payments/checkout reaches the cart");
    assert_eq!(checkout["k8s:io.kubernetes.pod.namespace"], "payments");
    let frontend = peers
        .iter()
        .find(|labels| labels.get("app").map(String::as_str) == Some("frontend"))
        .unwrap();
    assert!(
        !frontend.contains_key("k8s:io.kubernetes.pod.namespace"),
        "the policy's own namespace is implied: {frontend:?}"
    );
}

#[test]
fn the_api_server_is_an_entity_and_nodes_are_host_and_remote_node() {
    let dataset = demo();
    let mut decisions = Decisions::default();
    decisions.map_nodes(&dataset);
    // Some demo workload talks to the API server, and kubelet probes reach others from the
    // nodes.
    let mut api = false;
    let mut nodes = false;
    for id in dataset.entity_ids() {
        let generated = generate_policies(&dataset, &decisions, &[id], TimeWindow::ALL);
        let Some(policy) = generated[0].cilium() else {
            continue;
        };
        one_kind_per_rule(&policy);
        let network = generated[0].policy.as_ref().unwrap();
        for direction in Direction::BOTH {
            let named = entities(&policy, direction);
            if named.iter().any(|(e, _)| e == "kube-apiserver") {
                api = true;
                assert!(
                    named
                        .iter()
                        .any(|(e, ports)| e == "kube-apiserver" && ports == &["TCP/6443"]),
                    "{named:?}"
                );
            }
            if named.iter().any(|(e, _)| e == "host") {
                nodes = true;
                assert!(named.iter().any(|(e, _)| e == "remote-node"), "{named:?}");
            }
        }
        // The NetworkPolicy of the same rules uses ipBlocks where Cilium uses entities.
        let yaml = serde_json::to_string(network).unwrap();
        assert!(!yaml.contains("kube-apiserver"), "{yaml}");
    }
    assert!(api, "some demo workload reaches the API server");
    assert!(nodes, "kubelet probes come from the nodes");
}

#[test]
fn an_alias_of_everything_outside_is_world_and_others_are_cidr_sets() {
    let dataset = demo();
    let mut decisions = Decisions::default();
    decisions.add_alias("internet", "0.0.0.0/0").unwrap();
    let (policy, _) = cilium_of(
        &dataset,
        &decisions,
        EntityKind::Deployment,
        "shop",
        "frontend",
    );
    one_kind_per_rule(&policy);
    assert!(
        entities(&policy, Direction::Ingress)
            .iter()
            .any(|(e, ports)| e == "world" && ports == &["TCP/8080"]),
        "{:?}",
        rules(&policy, Direction::Ingress)
    );
    // With a more specific alias inside it, the anywhere alias must except it: a CIDR set.
    decisions.add_alias("partners", "198.51.0.0/16").unwrap();
    let (policy, _) = cilium_of(
        &dataset,
        &decisions,
        EntityKind::Deployment,
        "shop",
        "frontend",
    );
    let sets: Vec<_> = rules(&policy, Direction::Ingress)
        .iter()
        .flat_map(|r| r.from_cidr_set.iter().flatten())
        .collect();
    let everything = sets
        .iter()
        .find(|set| set.cidr == "0.0.0.0/0")
        .expect("0.0.0.0/0 as a CIDR set");
    assert!(
        everything.except.contains(&"198.51.0.0/16".to_string()),
        "{everything:?}"
    );
    assert!(
        sets.iter().any(|set| set.cidr == "198.51.0.0/16"),
        "{sets:?}"
    );
    assert!(!entities(&policy, Direction::Ingress)
        .iter()
        .any(|(e, _)| e == "world"));
}

#[test]
fn general_rules_follow_ciliums_default_deny() {
    let dataset = demo();
    let frontend = OwnerKey::of(
        &dataset.entities[dataset
            .find_entity(EntityKind::Deployment, "shop", "frontend")
            .unwrap()]
        .owner,
    );
    let mut decisions = Decisions::default();
    decisions.set_general_rule(&frontend, Direction::Ingress, GeneralRule::BlockAll);
    decisions.set_general_rule(&frontend, Direction::Egress, GeneralRule::AllowAll);
    let (policy, _) = cilium_of(
        &dataset,
        &decisions,
        EntityKind::Deployment,
        "shop",
        "frontend",
    );
    assert_eq!(
        rules(&policy, Direction::Ingress),
        [CiliumRule::default()],
        "a listed direction with an empty rule: default deny, nothing allowed"
    );
    assert_eq!(
        entities(&policy, Direction::Egress),
        [("all".to_string(), vec![])]
    );
    decisions.set_general_rule(&frontend, Direction::Ingress, GeneralRule::AllowNamespace);
    let (policy, _) = cilium_of(
        &dataset,
        &decisions,
        EntityKind::Deployment,
        "shop",
        "frontend",
    );
    let ingress = rules(&policy, Direction::Ingress);
    assert_eq!(ingress.len(), 1, "{ingress:?}");
    assert_eq!(
        ingress[0].from_endpoints.as_deref().map(|s| s.len()),
        Some(1)
    );
    assert!(ingress[0].from_endpoints.as_ref().unwrap()[0]
        .match_labels
        .is_empty());
    assert!(ingress[0].to_ports.is_none(), "every port");
}

#[test]
fn the_kubernetes_kind_is_unchanged_and_the_yaml_names_the_kind() {
    let dataset = demo();
    let decisions = Decisions::default();
    let ids: Vec<_> = dataset.entity_ids().collect();
    let generated = generate_policies(&dataset, &decisions, &ids, TimeWindow::ALL);
    let kubernetes = policies_yaml_as(&generated, PolicyKind::Kubernetes).unwrap();
    assert_eq!(
        kubernetes,
        flowpol::engine::policy::policies_yaml(&generated).unwrap()
    );
    let cilium = policies_yaml_as(&generated, PolicyKind::Cilium).unwrap();
    assert_eq!(
        cilium.matches("kind: CiliumNetworkPolicy").count(),
        kubernetes.matches("kind: NetworkPolicy").count()
    );
    assert!(!cilium.contains("networking.k8s.io"));
}

/// "Allow by name": egress to every address seen with an allowed DNS name, on the ports used,
/// becomes `toFQDNs` with the DNS rule Cilium needs to learn the names' addresses; the
/// CiliumNetworkPolicies are verified exact; NetworkPolicy cannot say it and warns. The YAML
/// goes to `target/generated-cilium-policies/` for the CRD check of `tools/test.sh`.
#[test]
fn allowed_names_become_to_fqdns_with_the_dns_rule_they_need() {
    use flowpol::engine::policy::{cilium_documents, placed, placed_cilium};
    use flowpol::engine::verify::replay::verify_placed;
    let dataset = demo();
    let mut decisions = Decisions::default();
    decisions.allowed_names.insert("api.stripe.com".to_string());
    decisions.allowed_names.insert("*.mailgun.org".to_string());
    let (policy, warnings) = cilium_of(
        &dataset,
        &decisions,
        EntityKind::Deployment,
        "payments",
        "payment-gateway",
    );
    one_kind_per_rule(&policy);
    let egress = rules(&policy, Direction::Egress);
    let named: Vec<_> = egress
        .iter()
        .filter_map(|r| {
            r.to_fqdns
                .as_ref()
                .map(|names| (names.clone(), r.to_ports.clone()))
        })
        .collect();
    assert_eq!(named.len(), 1, "{egress:?}");
    assert_eq!(named[0].0[0].match_name.as_deref(), Some("api.stripe.com"));
    let ports = named[0].1.as_ref().unwrap();
    assert_eq!(ports[0].ports[0].port, "443");
    let dns = egress
        .iter()
        .find(|r| r.to_ports.iter().flatten().any(|p| p.rules.is_some()))
        .expect("a DNS rule through the proxy");
    let selector = &dns.to_endpoints.as_ref().unwrap()[0].match_labels;
    assert_eq!(selector["k8s:io.kubernetes.pod.namespace"], "kube-system");
    assert_eq!(selector["k8s-app"], "kube-dns");
    assert!(warnings.is_empty(), "{warnings:?}");

    let ids: Vec<_> = dataset.entity_ids().collect();
    let generated = generate_policies(&dataset, &decisions, &ids, TimeWindow::ALL);
    let documents = cilium_documents(&generated);
    let cilium = verify_placed(
        &dataset,
        &decisions,
        &placed_cilium(&dataset, &documents),
        &ids,
        TimeWindow::ALL,
    );
    assert!(cilium.all_agree(), "{}", cilium.summary());
    let network = verify_placed(
        &dataset,
        &decisions,
        &placed(&dataset, &generated),
        &ids,
        TimeWindow::ALL,
    );
    assert!(!network.all_agree(), "a NetworkPolicy cannot allow by name");
    assert!(generated
        .iter()
        .flat_map(|g| &g.warnings)
        .any(|w| w.contains("cannot name 203.0.113.10 by its DNS name api.stripe.com")));
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/generated-cilium-policies");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("demo-allowed-names.yaml"),
        policies_yaml_as(&generated, PolicyKind::Cilium).unwrap(),
    )
    .unwrap();
}

/// Four pods of namespace `data`: postgres-0 (labelled, account postgres), report (no label,
/// an account of its own, reporter), scratch-a and scratch-b (no label, both account default);
/// report and scratch-a connect to postgres-0.
fn pods_without_labels() -> Dataset {
    use flowpol::engine::load::load_files;
    let pod = |name: &str, ip: &str, account: &str, labels: &str| {
        format!(
            r#"{{"kind": "Pod", "apiVersion": "v1", "metadata": {{"name": "{name}", "namespace": "data", "labels": {labels}}}, "spec": {{"serviceAccountName": "{account}", "containers": [{{"ports": [{{"containerPort": 5432}}]}}]}}, "status": {{"podIP": "{ip}"}}}}"#
        )
    };
    let inventory = format!(
        r#"{{"kind": "List", "apiVersion": "v1", "items": [{}, {}, {}, {}]}}"#,
        pod(
            "postgres-0",
            "10.244.1.5",
            "postgres",
            r#"{"app": "postgres"}"#
        ),
        pod("report", "10.244.1.6", "reporter", "{}"),
        pod("scratch-a", "10.244.1.7", "default", "{}"),
        pod("scratch-b", "10.244.1.8", "default", "{}"),
    );
    let flow = |client: &str| {
        format!(
            r#"{{"src": {{"namespace": "data", "pod": "{client}"}}, "dst": {{"namespace": "data", "pod": "postgres-0"}}, "port": 5432, "protocol": "TCP", "count": 1, "time": "2026-11-20T09:00:00Z"}}"#
        )
    };
    let flows = [flow("report"), flow("scratch-a")].join("\n");
    let loaded = load_files(
        &[
            ("inventory.json", inventory.as_bytes()),
            ("flows.jsonl", flows.as_bytes()),
        ],
        &[],
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.dataset
}

/// A workload whose pods share no label (a bare pod, a CronJob whose job template has none):
/// availability first, a NetworkPolicy selects it as every pod of its namespace (and says
/// which other workloads that admits); a CiliumNetworkPolicy selects it exactly by its service
/// account when no other workload of the namespace runs as that account, and its peers name
/// it the same way. Both verified: every included communication allowed.
#[test]
fn pods_without_labels_are_selected_by_their_own_service_account() {
    use flowpol::engine::policy::{cilium_documents, placed_cilium};
    use flowpol::engine::verify::replay::verify_placed;
    let dataset = pods_without_labels();
    let decisions = Decisions::default();
    let ids: Vec<_> = dataset.entity_ids().collect();
    let generated = generate_policies(&dataset, &decisions, &ids, TimeWindow::ALL);
    let of = |name: &str| {
        generated
            .iter()
            .find(|g| dataset.entities[g.entity].owner.name == name)
            .unwrap()
    };
    let report = of("report");
    let network = report.policy.as_ref().expect("a NetworkPolicy, wider");
    assert!(network.spec.pod_selector.match_labels.is_empty());
    assert!(
        report.warnings[0].contains("every pod of namespace data, which also admits")
            && report.warnings[0]
                .contains("selects them exactly by their service account reporter"),
        "{:?}",
        report.warnings
    );
    let cilium = report.cilium().expect("a CiliumNetworkPolicy");
    assert_eq!(
        cilium.spec.endpoint_selector.match_labels["io.cilium.k8s.policy.serviceaccount"],
        "reporter"
    );
    // Its account is shared: selected as every pod of the namespace, in both kinds.
    let scratch = of("scratch-a").cilium().unwrap();
    assert!(scratch.spec.endpoint_selector.match_labels.is_empty());
    let postgres = of("postgres-0").cilium().unwrap();
    let from: Vec<_> = rules(&postgres, Direction::Ingress)
        .iter()
        .flat_map(|r| r.from_endpoints.iter().flatten())
        .map(|s| s.match_labels.clone())
        .collect();
    assert_eq!(from.len(), 2, "{from:?}");
    assert!(
        from.iter().any(|labels| labels.is_empty()),
        "scratch-a as every pod of the namespace: {from:?}"
    );
    assert!(
        from.iter().any(|labels| labels
            .get("io.cilium.k8s.policy.serviceaccount")
            .map(String::as_str)
            == Some("reporter")),
        "{from:?}"
    );
    let documents = cilium_documents(&generated);
    let report = verify_placed(
        &dataset,
        &decisions,
        &placed_cilium(&dataset, &documents),
        &ids,
        TimeWindow::ALL,
    );
    assert_eq!(report.included_denied().count(), 0, "{report:?}");
    let network = verify_placed(
        &dataset,
        &decisions,
        &flowpol::engine::policy::placed(&dataset, &generated),
        &ids,
        TimeWindow::ALL,
    );
    assert_eq!(network.included_denied().count(), 0, "{network:?}");
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/generated-cilium-policies");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("service-accounts.yaml"),
        policies_yaml_as(&generated, PolicyKind::Cilium).unwrap(),
    )
    .unwrap();
}
