//! What the Generated Policy tab shows (`engine::policy::view`) on the demo data: which
//! entities a target names, the file a download gets, the heading and the download button,
//! what the cluster's existing policies make of the communications in scope, and the included
//! communications the generated policies deny, with why (the tab's banner, the rows' and
//! edges' marks).

use flowpol::engine::dataset::Dataset;
use flowpol::engine::decisions::Decisions;
use flowpol::engine::model::network_policy::NetworkPolicy;
use flowpol::engine::model::{EntityId, EntityKind, TimeWindow};
use flowpol::engine::policy::view::PolicyOptions;
use flowpol::engine::policy::view::{
    denied_communications, denied_in, policy_output, target_entities, DeniedJob, PolicyOutput,
    PolicyTarget,
};
use flowpol::engine::policy::PolicyKind;

fn kubernetes() -> PolicyOptions {
    PolicyOptions::default()
}

fn cilium_kind() -> PolicyOptions {
    PolicyOptions {
        kind: PolicyKind::Cilium,
        ..PolicyOptions::default()
    }
}
use flowpol::engine::verify::evaluate::AnyPolicy;
use flowpol::engine::verify::replay::verify_existing;
use flowpol::engine::yaml::from_yaml;

use crate::support_demo::demo;

fn names(dataset: &Dataset, entities: &[EntityId]) -> Vec<String> {
    entities
        .iter()
        .map(|&id| {
            let owner = &dataset.entities[id].owner;
            format!("{}/{}/{}", owner.namespace, owner.kind, owner.name)
        })
        .collect()
}

/// Every pod of `namespace` with `app: name` isolated in both directions.
fn isolating(namespace: &str, app: &str) -> Vec<NetworkPolicy> {
    from_yaml(&format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: closed\n  namespace: {namespace}\nspec:\n  podSelector:\n    matchLabels:\n      app: {app}\n  policyTypes:\n  - Ingress\n  - Egress\n"
    ))
    .unwrap()
}

fn allow_everything(namespace: &str) -> Vec<NetworkPolicy> {
    from_yaml(&format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: open\n  namespace: {namespace}\nspec:\n  podSelector: {{}}\n  ingress:\n  - {{}}\n  egress:\n  - {{}}\n"
    ))
    .unwrap()
}

#[test]
fn a_namespace_names_its_own_entities_in_owner_order() {
    let dataset = demo();
    let shop = target_entities(&dataset, &PolicyTarget::Namespace(Some("shop".into())));
    assert_eq!(
        names(&dataset, &shop),
        [
            "shop/Deployment/cart",
            "shop/Deployment/catalog",
            "shop/Deployment/frontend"
        ]
    );
    let every = target_entities(&dataset, &PolicyTarget::Namespace(None));
    // Namespace, then kind in `EntityKind`'s order (Deployment, StatefulSet, DaemonSet,
    // CronJob, Job, Pod), then name.
    assert_eq!(
        names(&dataset, &every),
        [
            "data/Deployment/redis",
            "data/StatefulSet/orders-db",
            "data/CronJob/db-backup",
            "data/Job/schema-migrate",
            "default/Pod/debug-shell",
            "kube-system/Deployment/coredns",
            "monitoring/Deployment/prometheus",
            "monitoring/DaemonSet/node-exporter",
            "payments/Deployment/checkout",
            "payments/Deployment/payment-gateway",
            "shop/Deployment/cart",
            "shop/Deployment/catalog",
            "shop/Deployment/frontend",
        ]
    );
    assert!(target_entities(&dataset, &PolicyTarget::Namespace(Some("nowhere".into()))).is_empty());
}

#[test]
fn an_entity_out_of_range_names_nothing_and_writes_no_file_of_its_own() {
    let dataset = demo();
    let beyond = PolicyTarget::Entity(EntityId::new(dataset.entities.len()));
    assert!(target_entities(&dataset, &beyond).is_empty());
    let output = policy_output(
        &dataset,
        &Decisions::default(),
        &[],
        &beyond,
        TimeWindow::ALL,
        kubernetes(),
    );
    assert_eq!(output.file_name, "networkpolicies.yaml");
    assert_eq!(output.policy_count, 0);
    let last = PolicyTarget::Entity(EntityId::new(dataset.entities.len() - 1));
    assert_eq!(target_entities(&dataset, &last).len(), 1);
}

#[test]
fn each_target_gets_its_file_heading_and_download_label() {
    let dataset = demo();
    let decisions = Decisions::default();
    let frontend = dataset
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap();
    let entity = PolicyTarget::Entity(frontend);
    let output = policy_output(
        &dataset,
        &decisions,
        &[],
        &entity,
        TimeWindow::ALL,
        kubernetes(),
    );
    assert_eq!(output.file_name, "frontend-networkpolicy.yaml");
    assert_eq!(entity.heading(&output), "frontend-networkpolicy.yaml");
    assert_eq!(output.policy_count, 1);
    // An entity no policy is written for (one in its node's network) names no file.
    let nothing = PolicyOutput {
        policy_count: 0,
        ..output.clone()
    };
    assert_eq!(entity.heading(&nothing), "No policy written");
    assert!(
        output.yaml.contains("name: frontend-deployment"),
        "{}",
        output.yaml
    );
    assert!(output.verified, "{}", output.verification);
    assert_eq!(output.existing, None, "no existing policy was loaded");
    assert_eq!(
        entity.bundle(&dataset),
        PolicyTarget::Namespace(Some("shop".into()))
    );

    let (service, _) = dataset
        .services_with_ids()
        .find(|(_, s)| s.name == "frontend" && s.namespace == "shop")
        .unwrap();
    let output = policy_output(
        &dataset,
        &decisions,
        &[],
        &PolicyTarget::Service(service),
        TimeWindow::ALL,
        kubernetes(),
    );
    assert_eq!(output.file_name, "frontend-service-networkpolicies.yaml");
    assert_eq!(output.policy_count, 1);

    let shop = PolicyTarget::Namespace(Some("shop".into()));
    let output = policy_output(
        &dataset,
        &decisions,
        &[],
        &shop,
        TimeWindow::ALL,
        kubernetes(),
    );
    assert_eq!(output.file_name, "shop-networkpolicies.yaml");
    assert_eq!(output.policy_count, 3);
    assert_eq!(shop.heading(&output), "3 policies of namespace shop");
    assert_eq!(
        shop.download_label(&dataset),
        "Download namespace shop (3 workloads)"
    );

    let every = PolicyTarget::Namespace(None);
    let output = policy_output(
        &dataset,
        &decisions,
        &[],
        &every,
        TimeWindow::ALL,
        kubernetes(),
    );
    assert_eq!(output.file_name, "networkpolicies.yaml");
    assert_eq!(
        every.heading(&output),
        format!("{} policies of every namespace", output.policy_count)
    );
    assert!(output.policy_count > 3);
    assert_eq!(
        every.download_label(&dataset),
        format!("Download all ({} workloads)", dataset.entities.len())
    );
}

#[test]
fn existing_policies_are_replayed_and_their_denials_listed() {
    let dataset = demo();
    let decisions = Decisions::default();
    let catalog = PolicyTarget::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "shop", "catalog")
            .unwrap(),
    );
    let closed = isolating("shop", "catalog");
    let existing: Vec<AnyPolicy<'_>> = closed.iter().map(AnyPolicy::Kubernetes).collect();
    let verdict = policy_output(
        &dataset,
        &decisions,
        &existing,
        &catalog,
        TimeWindow::ALL,
        kubernetes(),
    )
    .existing
    .expect("existing policies were loaded");
    assert_eq!(verdict.policies, 1);
    let entities = target_entities(&dataset, &catalog);
    let report = verify_existing(&dataset, &closed, Some(&entities), TimeWindow::ALL);
    assert!(!report.rows.is_empty());
    assert!(!report.all_agree(), "a closed workload denies what it did");
    assert_eq!(verdict.denied.len(), report.rows.len());
    assert!(verdict.denied.iter().all(|line| line.contains("catalog")));
    assert_eq!(
        verdict.summary,
        format!(
            "{0} of {0} observed communications in scope would be DENIED",
            report.rows.len()
        )
    );

    let open = allow_everything("shop");
    let existing: Vec<AnyPolicy<'_>> = open.iter().map(AnyPolicy::Kubernetes).collect();
    let verdict = policy_output(
        &dataset,
        &decisions,
        &existing,
        &catalog,
        TimeWindow::ALL,
        kubernetes(),
    )
    .existing
    .unwrap();
    assert!(verdict.denied.is_empty());
    assert_eq!(
        verdict.summary,
        format!(
            "they allow all {} observed communications in scope",
            report.rows.len()
        )
    );
    assert!(verify_existing(&dataset, &open, Some(&entities), TimeWindow::ALL).all_agree());
}

#[test]
fn the_cilium_kind_names_its_files_and_verifies_under_its_own_semantics() {
    let dataset = demo();
    let decisions = Decisions::default();
    let frontend = PolicyTarget::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "shop", "frontend")
            .unwrap(),
    );
    let cilium = policy_output(
        &dataset,
        &decisions,
        &[],
        &frontend,
        TimeWindow::ALL,
        cilium_kind(),
    );
    assert_eq!(cilium.file_name, "frontend-ciliumnetworkpolicy.yaml");
    assert!(
        cilium
            .yaml
            .starts_with("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"),
        "{}",
        cilium.yaml
    );
    assert!(cilium.verified, "{}", cilium.verification);
    let kubernetes = policy_output(
        &dataset,
        &decisions,
        &[],
        &frontend,
        TimeWindow::ALL,
        kubernetes(),
    );
    assert_eq!(
        cilium.verification, kubernetes.verification,
        "the same review, the same rows"
    );
    let shop = PolicyTarget::Namespace(Some("shop".into()));
    let bundle = policy_output(
        &dataset,
        &decisions,
        &[],
        &shop,
        TimeWindow::ALL,
        cilium_kind(),
    );
    assert_eq!(bundle.file_name, "shop-ciliumnetworkpolicies.yaml");
    assert_eq!(bundle.policy_count, 3);
}

/// Every target of the demo: each entity, each namespace, every namespace.
fn demo_targets(dataset: &Dataset) -> Vec<PolicyTarget> {
    let mut targets: Vec<PolicyTarget> = dataset.entity_ids().map(PolicyTarget::Entity).collect();
    let mut namespaces: Vec<String> = dataset
        .entities
        .iter()
        .map(|e| e.owner.namespace.clone())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    targets.extend(
        namespaces
            .into_iter()
            .map(|n| PolicyTarget::Namespace(Some(n))),
    );
    targets.push(PolicyTarget::Namespace(None));
    targets
}

#[test]
fn the_demo_review_is_never_denied_by_its_policies() {
    let dataset = demo();
    let decisions = Decisions::default();
    for target in demo_targets(&dataset) {
        for options in [kubernetes(), cilium_kind()] {
            let output =
                policy_output(&dataset, &decisions, &[], &target, TimeWindow::ALL, options);
            assert_eq!(output.denied, [], "{target:?} {options:?}");
            assert_eq!(output.denied_title(options.kind), None);
            assert_eq!(
                denied_communications(&dataset, &decisions, &target, TimeWindow::ALL, options),
                []
            );
            assert_eq!(
                DeniedJob::new(&dataset, &decisions, &target, TimeWindow::ALL, options).run(),
                []
            );
        }
    }
}

#[test]
fn an_address_allowed_by_name_is_denied_by_networkpolicies_and_said_why() {
    let dataset = demo();
    let mut decisions = Decisions::default();
    decisions.allowed_names.insert("api.stripe.com".into());
    let gateway = PolicyTarget::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "payments", "payment-gateway")
            .unwrap(),
    );
    let output = policy_output(
        &dataset,
        &decisions,
        &[],
        &gateway,
        TimeWindow::ALL,
        kubernetes(),
    );
    assert!(!output.verified);
    assert_eq!(
        output.denied_title(PolicyKind::Kubernetes).as_deref(),
        Some("The generated NetworkPolicies deny 2 communications the review includes")
    );
    let texts: Vec<String> = output.denied.iter().map(|d| d.text()).collect();
    let line = |ip: &str| {
        format!(
            "Deployment/payments/payment-gateway -> {ip} (api.stripe.com) TCP/443: egress at \
             the client: a NetworkPolicy cannot name {ip} by its DNS name \
             api.stripe.com; map the address to an alias, or write CiliumNetworkPolicies"
        )
    };
    assert_eq!(texts, [line("203.0.113.10"), line("203.0.113.11")]);
    let first = &output.denied[0];
    assert_eq!(first.source, "Deployment/payments/payment-gateway");
    assert_eq!(first.destination, "203.0.113.10 (api.stripe.com)");
    assert_eq!(first.port, "TCP/443");
    assert_eq!(
        first.heading(),
        "Deployment/payments/payment-gateway -> 203.0.113.10 (api.stripe.com) TCP/443"
    );
    // The communication named is the one the name allowed: the gateway's egress to the
    // address seen as api.stripe.com on 443.
    let communication = &dataset.communications[first.communication];
    assert_eq!(
        dataset.describe(communication),
        "Deployment/payments/payment-gateway -> 203.0.113.10 TCP/443 x".to_string()
            + &communication.observed.connections().to_string()
    );
    // What the rows and edges mark is the banner's list; the namespace's and every
    // namespace's bundle deny the same two.
    for target in [
        gateway.clone(),
        PolicyTarget::Namespace(Some("payments".into())),
        PolicyTarget::Namespace(None),
    ] {
        assert_eq!(
            denied_communications(&dataset, &decisions, &target, TimeWindow::ALL, kubernetes()),
            output.denied,
            "{target:?}"
        );
        // A step at a time, an entity a step: the same.
        let mut job = DeniedJob::new(&dataset, &decisions, &target, TimeWindow::ALL, kubernetes());
        let mut steps = 1;
        let found = loop {
            match job.step() {
                Some(found) => break found,
                None => steps += 1,
            }
        };
        assert_eq!(found, output.denied, "{target:?}");
        assert_eq!(steps, target_entities(&dataset, &target).len() + 1);
    }
    // A CiliumNetworkPolicy names it (toFQDNs): nothing denied.
    let cilium = policy_output(
        &dataset,
        &decisions,
        &[],
        &gateway,
        TimeWindow::ALL,
        cilium_kind(),
    );
    assert_eq!(cilium.denied, []);
    assert!(cilium.verified, "{}", cilium.verification);
    // A workload that does not reach it: nothing denied.
    let shop = PolicyTarget::Namespace(Some("shop".into()));
    assert_eq!(
        denied_communications(&dataset, &decisions, &shop, TimeWindow::ALL, kubernetes()),
        []
    );
}

#[test]
fn a_denial_no_warning_explains_names_the_policy_and_side_without_a_rule() {
    use flowpol::engine::policy::generate_policies;
    use flowpol::engine::verify::evaluate::{SideVerdict, Verdict};
    use flowpol::engine::verify::replay::{Report, RowVerdict};
    let dataset = demo();
    let decisions = Decisions::default();
    let catalog = dataset
        .find_entity(EntityKind::Deployment, "shop", "catalog")
        .unwrap();
    let frontend = dataset
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap();
    let (id, _) = dataset
        .communications_with_ids()
        .find(|(_, c)| {
            c.client == flowpol::engine::dataset::Peer::Entity(frontend)
                && c.server == flowpol::engine::dataset::Peer::Entity(catalog)
        })
        .unwrap();
    let generated = generate_policies(&dataset, &decisions, &[frontend, catalog], TimeWindow::ALL);
    let row = |egress, ingress, expected| RowVerdict {
        communication: id,
        verdict: Verdict { egress, ingress },
        expected,
    };
    let report = Report {
        rows: vec![
            row(SideVerdict::AllowedBy(0), SideVerdict::Denied, true),
            row(SideVerdict::Denied, SideVerdict::Denied, true),
            // Excluded and denied, or included and allowed: nothing to say.
            row(SideVerdict::Denied, SideVerdict::Denied, false),
            row(SideVerdict::NotIsolated, SideVerdict::AllowedBy(1), true),
        ],
    };
    let denied = denied_in(&dataset, &generated, &report, PolicyKind::Kubernetes);
    let reasons: Vec<&str> = denied.iter().map(|d| d.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "ingress at the server: the policy of Deployment/shop/catalog has no rule for it",
            "egress at the client and ingress at the server: the policy of \
             Deployment/shop/frontend has no rule for it; the policy of Deployment/shop/catalog \
             has no rule for it"
        ]
    );
    assert_eq!(denied[0].source, "Deployment/shop/frontend");
    assert_eq!(denied[0].destination, "Deployment/shop/catalog");
    assert_eq!(denied[0].port, "TCP/3550");
    // An end whose own policy was not generated.
    let none = denied_in(&dataset, &[], &report, PolicyKind::Kubernetes);
    assert!(
        none[0]
            .reason
            .starts_with("ingress at the server: Deployment/shop/catalog is selected by"),
        "{}",
        none[0].reason
    );
}
