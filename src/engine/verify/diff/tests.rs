//! The diff on the demo data: flowpol's own policies against nothing, against themselves, and
//! against a hand edit.

use std::collections::BTreeSet;

use super::*;
use crate::engine::decisions::Decisions;
use crate::engine::load::shipped_demo;
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::policy::pipeline::{run, PolicyOptions, PolicyRequest, PolicyTarget, Workloads};

fn demo() -> Dataset {
    shipped_demo()
}

/// flowpol's NetworkPolicies for every workload of the demo, with the default decisions, and
/// the communications those decisions exclude.
fn generated(dataset: &Dataset) -> (Vec<NetworkPolicy>, BTreeSet<CommunicationId>) {
    let decisions = Decisions::default();
    let request = PolicyRequest {
        decisions: &decisions,
        workloads: Workloads::Target(PolicyTarget::Namespace(None)),
        window: TimeWindow::ALL,
        options: PolicyOptions::default(),
        map_nodes: false,
    };
    let run = run(dataset, &request).unwrap();
    assert!(
        run.denied.is_empty(),
        "the demo's policies deny no inclusion"
    );
    let excluded = run
        .report
        .rows
        .iter()
        .filter(|row| !row.expected)
        .map(|row| row.communication)
        .collect();
    let policies = run.generated.into_iter().filter_map(|g| g.policy).collect();
    (policies, excluded)
}

fn any(policies: &[NetworkPolicy]) -> Vec<AnyPolicy<'_>> {
    policies.iter().map(AnyPolicy::Kubernetes).collect()
}

#[test]
fn from_nothing_to_flowpols_policies_breaks_exactly_what_the_review_excludes() {
    let dataset = demo();
    let (policies, excluded) = generated(&dataset);
    assert!(
        !excluded.is_empty(),
        "the demo excludes some communications"
    );
    let diff = diff(&dataset, &[], &any(&policies), TimeWindow::ALL);
    let breaks: BTreeSet<CommunicationId> = diff
        .with_change(Change::WouldBreak)
        .map(|c| c.communication)
        .collect();
    assert_eq!(breaks, excluded);
    assert_eq!(diff.counts(), (excluded.len(), 0));
    assert_eq!(
        diff.communications.len(),
        dataset.communications.len(),
        "every communication is listed, the unchanged ones too"
    );
    assert_eq!(diff.policies.added.len(), policies.len());
    assert!(diff.policies.removed.is_empty() && diff.policies.changed.is_empty());
    for row in diff.with_change(Change::WouldBreak) {
        assert!(
            row.by.contains("selects it and does not allow it")
                && row.by.contains("today, no policy selects it"),
            "{}",
            row.by
        );
    }
}

#[test]
fn the_same_policies_change_nothing_and_back_to_nothing_opens_what_they_block() {
    let dataset = demo();
    let (policies, excluded) = generated(&dataset);
    let same = diff(&dataset, &any(&policies), &any(&policies), TimeWindow::ALL);
    assert_eq!(same.counts(), (0, 0));
    assert_eq!(same.policies, PolicyChanges::default());
    assert!(same.communications.iter().all(|c| c.by.is_empty()));
    let removed = diff(&dataset, &any(&policies), &[], TimeWindow::ALL);
    assert_eq!(removed.counts(), (0, excluded.len()));
    assert_eq!(removed.policies.removed.len(), policies.len());
}

#[test]
fn a_policy_narrowed_by_hand_breaks_its_communications_and_says_which_policy() {
    let dataset = demo();
    let (policies, _) = generated(&dataset);
    // The first policy with an ingress rule that names ports: its ports moved off by one.
    let mut edited = policies.clone();
    let target = edited
        .iter_mut()
        .find(|p| {
            p.spec
                .ingress
                .iter()
                .flatten()
                .any(|rule| rule.ports.as_ref().is_some_and(|ports| !ports.is_empty()))
        })
        .expect("a policy with ingress ports");
    let name = format!(
        "NetworkPolicy/{}/{}",
        target.metadata.namespace, target.metadata.name
    );
    let rule = target
        .spec
        .ingress
        .iter_mut()
        .flatten()
        .find(|rule| rule.ports.as_ref().is_some_and(|ports| !ports.is_empty()))
        .unwrap();
    rule.ports = Some(vec![serde_json::from_value(
        serde_json::json!({"protocol": "TCP", "port": 1}),
    )
    .unwrap()]);
    let diff = diff(&dataset, &any(&policies), &any(&edited), TimeWindow::ALL);
    let (breaks, opens) = diff.counts();
    assert!(breaks > 0, "narrowing ports breaks what used them");
    assert_eq!(opens, 0);
    for row in diff.with_change(Change::WouldBreak) {
        assert!(row.by.starts_with("ingress of the server: "), "{}", row.by);
        assert_eq!(
            row.by,
            format!(
                "ingress of the server: proposed, {name} selects it and does not allow it; \
                 today, {name} allows it"
            )
        );
    }
    assert_eq!(diff.policies.changed.len(), 1);
    let changed = &diff.policies.changed[0];
    let unified = changed.unified_diff();
    assert_eq!(changed.name.to_string(), name);
    assert!(unified.contains("--- current "), "{}", unified);
    assert!(
        unified.contains("\n+    - port: 1\n") || unified.contains("\n+      port: 1\n"),
        "{}",
        unified
    );
    assert!(diff.policies.added.is_empty() && diff.policies.removed.is_empty());
}

#[test]
fn policy_names_carry_their_kind_and_a_clusterwide_one_no_namespace() {
    let name = PolicyName {
        kind: "CiliumClusterwideNetworkPolicy".into(),
        namespace: String::new(),
        name: "dns".into(),
    };
    assert_eq!(name.to_string(), "CiliumClusterwideNetworkPolicy/dns");
    let name = PolicyName {
        kind: "NetworkPolicy".into(),
        namespace: "shop".into(),
        name: "db".into(),
    };
    assert_eq!(name.to_string(), "NetworkPolicy/shop/db");
}

#[test]
fn a_later_document_of_the_same_name_replaces_the_earlier_as_kubectl_apply_does() {
    let dataset = demo();
    let (policies, _) = generated(&dataset);
    // Applied over themselves with one edited: only the edit differs from today.
    let mut edited = policies[0].clone();
    edited.spec.ingress = Some(Vec::new());
    edited.spec.policy_types = vec!["Ingress".to_string()];
    let mut over = any(&policies);
    over.push(AnyPolicy::Kubernetes(&edited));
    assert_eq!(as_applied(&over).len(), policies.len());
    assert!(matches!(as_applied(&over)[0], AnyPolicy::Kubernetes(p) if std::ptr::eq(p, &edited)));
    let report = diff(&dataset, &any(&policies), &over, TimeWindow::ALL);
    assert_eq!(report.policies.changed.len(), 1);
    assert!(report.policies.added.is_empty() && report.policies.removed.is_empty());
    let name = PolicyName::of(AnyPolicy::Kubernetes(&edited)).to_string();
    assert_eq!(report.policies.changed[0].name.to_string(), name);
}
