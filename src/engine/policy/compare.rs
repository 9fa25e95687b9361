//! "Compare with the cluster", the Generated Policy tab's diff: what applying the generated
//! policies over the cluster's loaded ones (`kubectl apply`: the same kind, namespace and name
//! replaced, every other kept) would do to the observed communications. It is exactly
//! `flowpol diff --current CLUSTER --proposed CLUSTER --proposed GENERATED` (`verify::diff`).

use std::collections::BTreeMap;

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::model::{CommunicationId, TimeWindow};
use crate::engine::policy::cilium_documents;
use crate::engine::policy::kind::PolicyKind;
use crate::engine::policy::pipeline::{
    run, PolicyOptions, PolicyRequest, PolicyRun, PolicyTarget, Workloads,
};
use crate::engine::verify::diff::{diff, Change, CommunicationDiff, PolicyDiff};
use crate::engine::verify::evaluate::AnyPolicy;

/// One communication whose verdict the generated policies would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComparedCommunication {
    pub communication: CommunicationId,
    /// `client -> server TCP/port xN`, as `verify` names it.
    pub what: String,
    /// The policies responsible, per side.
    pub why: String,
}

/// The comparison the tab shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterComparison {
    /// Allowed by the cluster's policies today, denied once the generated ones are applied.
    pub breaks: Vec<ComparedCommunication>,
    /// Denied today, allowed once they are applied.
    pub opens: Vec<ComparedCommunication>,
    /// Generated policies the cluster does not have (`Kind/namespace/name`).
    pub added: Vec<String>,
    /// Generated policies that would replace a different one of the same name.
    pub changed: Vec<String>,
    /// Observed communications whose verdict stays.
    pub unchanged: usize,
}

impl ClusterComparison {
    /// "Applied over the cluster's 2 policies, the generated ones would break 3 observed
    /// communications and open 1 (68 unchanged); 5 policies added, 1 replaced."
    pub fn summary(&self, cluster_policies: usize) -> String {
        format!(
            "Applied over the cluster's {cluster_policies} loaded {}, the generated ones would \
             break {} observed {} and open {} ({} unchanged); {} added, {} replaced.",
            if cluster_policies == 1 {
                "policy"
            } else {
                "policies"
            },
            self.breaks.len(),
            if self.breaks.len() == 1 {
                "communication"
            } else {
                "communications"
            },
            self.opens.len(),
            self.unchanged,
            plural(self.added.len(), "policy", "policies"),
            self.changed.len()
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The comparison of `run`'s policies applied over `cluster` (read as `options` says).
pub fn cluster_comparison(
    dataset: &Dataset,
    cluster: &[AnyPolicy<'_>],
    run: &PolicyRun<'_>,
    options: PolicyOptions,
    window: TimeWindow,
) -> ClusterComparison {
    let documents = match run.kind {
        PolicyKind::Kubernetes => Vec::new(),
        PolicyKind::Cilium => cilium_documents(&run.generated),
    };
    let generated: Vec<AnyPolicy<'_>> = match run.kind {
        PolicyKind::Kubernetes => run
            .generated
            .iter()
            .filter_map(|g| g.policy.as_ref())
            .map(AnyPolicy::Kubernetes)
            .collect(),
        PolicyKind::Cilium => documents
            .iter()
            .map(|(_, p)| AnyPolicy::Cilium(p))
            .collect(),
    };
    let current: Vec<AnyPolicy<'_>> = cluster.iter().map(|&p| read(p, options)).collect();
    let proposed: Vec<AnyPolicy<'_>> = current
        .iter()
        .copied()
        .chain(generated.into_iter().map(|p| read(p, options)))
        .collect();
    compared(dataset, &diff(dataset, &current, &proposed, window))
}

/// The communications that would break once the policies of `target` are applied over
/// `cluster`, each with why (the topology's edges show them); none without cluster policies.
pub fn would_break(
    dataset: &Dataset,
    decisions: &Decisions,
    cluster: &[AnyPolicy<'_>],
    target: &PolicyTarget,
    window: TimeWindow,
    options: PolicyOptions,
) -> BTreeMap<CommunicationId, String> {
    if cluster.is_empty() {
        return BTreeMap::new();
    }
    let request = PolicyRequest {
        decisions,
        workloads: Workloads::Target(target.clone()),
        window,
        options,
        map_nodes: false,
    };
    let Ok(run) = run(dataset, &request) else {
        return BTreeMap::new();
    };
    cluster_comparison(dataset, cluster, &run, options, window)
        .breaks
        .into_iter()
        .map(|row| (row.communication, row.why))
        .collect()
}

/// `policy` with its ipBlocks read as `options` says.
fn read(policy: AnyPolicy<'_>, options: PolicyOptions) -> AnyPolicy<'_> {
    if options.ipblock_matches_pods {
        policy.with_pod_blocks()
    } else {
        policy
    }
}

fn compared(dataset: &Dataset, report: &PolicyDiff) -> ClusterComparison {
    let rows = |change: Change| -> Vec<ComparedCommunication> {
        report
            .with_change(change)
            .map(|row: &CommunicationDiff| ComparedCommunication {
                communication: row.communication,
                what: dataset.describe(&dataset.communications[row.communication]),
                why: row.by.clone(),
            })
            .collect()
    };
    let (breaks, opens) = (rows(Change::WouldBreak), rows(Change::WouldOpen));
    let [added, _, changed] = report.policies.names();
    ClusterComparison {
        unchanged: report.communications.len() - breaks.len() - opens.len(),
        breaks,
        opens,
        added,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::decisions::Decisions;
    use crate::engine::load::shipped_demo;
    use crate::engine::model::network_policy::NetworkPolicy;
    use crate::engine::yaml::from_yaml;

    const CLUSTER: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n\
        metadata: {name: default-deny, namespace: shop}\n\
        spec: {podSelector: {}, policyTypes: [Ingress]}\n";

    #[test]
    fn flowpols_policies_over_a_default_deny_open_what_the_review_includes_and_break_nothing() {
        let dataset = shipped_demo();
        let cluster: Vec<NetworkPolicy> = from_yaml(CLUSTER).unwrap();
        let decisions = Decisions::default();
        let request = PolicyRequest {
            decisions: &decisions,
            workloads: Workloads::Target(PolicyTarget::Namespace(Some("shop".into()))),
            window: TimeWindow::ALL,
            options: PolicyOptions::default(),
            map_nodes: false,
        };
        let run = run(&dataset, &request).unwrap();
        let cluster: Vec<AnyPolicy<'_>> = cluster.iter().map(AnyPolicy::Kubernetes).collect();
        let comparison = cluster_comparison(
            &dataset,
            &cluster,
            &run,
            PolicyOptions::default(),
            TimeWindow::ALL,
        );
        assert!(comparison.breaks.is_empty(), "{:?}", comparison.breaks);
        let opened: Vec<&str> = comparison.opens.iter().map(|c| c.what.as_str()).collect();
        assert!(
            opened
                .iter()
                .any(|w| w
                    .starts_with("Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550")),
            "{opened:?}"
        );
        for open in &comparison.opens {
            assert!(open.why.starts_with("ingress of the server: today, NetworkPolicy/shop/default-deny selects it and does not allow it; proposed, NetworkPolicy/shop/"), "{}", open.why);
        }
        assert_eq!(comparison.added.len(), 3, "the shop's three workloads");
        assert!(comparison.changed.is_empty());
        assert_eq!(
            comparison.summary(1),
            format!(
                "Applied over the cluster's 1 loaded policy, the generated ones would break 0 observed communications and open {} ({} unchanged); 3 policies added, 0 replaced.",
                comparison.opens.len(),
                comparison.unchanged
            )
        );
    }

    #[test]
    fn what_the_review_excludes_breaks_where_no_cluster_policy_selected_the_pods() {
        let dataset = shipped_demo();
        let allow_all: Vec<NetworkPolicy> = from_yaml(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n\
             metadata: {name: allow-all, namespace: shop}\n\
             spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{}], egress: [{}]}\n\
             ---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n\
             metadata: {name: default-deny, namespace: data}\n\
             spec: {podSelector: {}, policyTypes: [Ingress]}\n",
        )
        .unwrap();
        let cluster: Vec<AnyPolicy<'_>> = allow_all.iter().map(AnyPolicy::Kubernetes).collect();
        let decisions = Decisions::default();
        // Policies add up: over shop's allow-all, shop's generated policies break nothing;
        // payments' pods, which no cluster policy selects, lose what the review excludes.
        let target = PolicyTarget::Namespace(None);
        let breaking = would_break(
            &dataset,
            &decisions,
            &cluster,
            &target,
            TimeWindow::ALL,
            PolicyOptions::default(),
        );
        assert!(!breaking.is_empty());
        for (id, why) in &breaking {
            let communication = &dataset.communications[*id];
            let described = dataset.describe(communication);
            assert!(
                !decisions.is_included(&dataset, communication),
                "{described}"
            );
            assert!(why.contains("today, no policy selects it"), "{why}");
            // No shop policy selects a pod without allowing it: shop keeps its allow-all.
            assert!(!why.contains("NetworkPolicy/shop/"), "{described}: {why}");
        }
        assert!(would_break(
            &dataset,
            &decisions,
            &[],
            &target,
            TimeWindow::ALL,
            PolicyOptions::default()
        )
        .is_empty());
    }
}
