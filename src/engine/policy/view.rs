//! What the Generated Policy tab shows, computed in one call: the YAML of the entity in
//! scope (or of every entity of a namespace, the bundle), its warnings, the verification
//! summary, and the file name a download gets.

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::model::{EntityId, ServiceId, TimeWindow};
use crate::engine::policy::names::{bundle_file_name, dns1123_subdomain, policy_file_name};
use crate::engine::policy::{
    cilium_documents, generate_policies, placed, placed_cilium, policies_yaml_as, sort_by_owner,
    PolicyKind,
};
use crate::engine::scope::{Scope, Subject};
use crate::engine::units::thousands;
use crate::engine::verify::evaluate::AnyPolicy;
use crate::engine::verify::replay::{verify_existing_any, verify_placed};

/// Which policies to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyTarget {
    Entity(EntityId),
    /// The entities behind a Service.
    Service(ServiceId),
    /// Every entity of the namespace (of every namespace when `None`).
    Namespace(Option<String>),
}

impl PolicyTarget {
    /// What the tab shows for `scope`: the subject's policies, else the namespace's bundle.
    pub fn of_scope(scope: &Scope) -> PolicyTarget {
        match scope.subject {
            Some(Subject::Entity(entity)) => PolicyTarget::Entity(entity),
            Some(Subject::Service(service)) => PolicyTarget::Service(service),
            None => PolicyTarget::Namespace(scope.namespace.clone()),
        }
    }

    /// The namespace bundle that holds this target: its own namespace's (the first entity's).
    pub fn bundle(&self, dataset: &Dataset) -> PolicyTarget {
        match self {
            PolicyTarget::Namespace(namespace) => PolicyTarget::Namespace(namespace.clone()),
            subject => PolicyTarget::Namespace(
                target_entities(dataset, subject)
                    .first()
                    .map(|&id| dataset.entities[id].owner.namespace.clone()),
            ),
        }
    }

    /// The tab's heading: the file of one entity's policy, or how many policies a bundle holds.
    pub fn heading(&self, output: &PolicyOutput) -> String {
        match self {
            PolicyTarget::Entity(_) | PolicyTarget::Service(_) => output.file_name.clone(),
            PolicyTarget::Namespace(Some(namespace)) => {
                format!("{} policies of namespace {namespace}", output.policy_count)
            }
            PolicyTarget::Namespace(None) => {
                format!("{} policies of every namespace", output.policy_count)
            }
        }
    }

    /// The bundle's download button: `Download namespace shop (3 workloads)`.
    pub fn download_label(&self, dataset: &Dataset) -> String {
        let size = target_entities(dataset, self).len();
        match self {
            PolicyTarget::Namespace(Some(namespace)) => {
                format!("Download namespace {namespace} ({size} workloads)")
            }
            _ => format!("Download all ({size} workloads)"),
        }
    }
}

/// How the tab writes and checks policies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PolicyOptions {
    pub kind: PolicyKind,
    /// Read NetworkPolicies as Calico does: an `ipBlock` also matches pods' own addresses.
    pub ipblock_matches_pods: bool,
}

/// The sentence that says how `ipBlock`s were read, for NetworkPolicies.
pub fn ipblock_reading(ipblock_matches_pods: bool) -> &'static str {
    if ipblock_matches_pods {
        "ipBlock read as Calico enforces it: it also matches pods whose own addresses it holds"
    } else {
        "ipBlock read as Cilium enforces it: it never matches a pod's own address (Calico's \
         reading is a switch away)"
    }
}

/// The tab's content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyOutput {
    pub yaml: String,
    pub file_name: String,
    pub policy_count: usize,
    pub warnings: Vec<String>,
    /// "all 42 included communications allowed, all 3 excluded denied".
    pub verification: String,
    pub verified: bool,
    /// How NetworkPolicies' `ipBlock`s were read, when NetworkPolicies were checked.
    pub reading: Option<String>,
    /// What the cluster's own policies (loaded with the flows) make of the same
    /// communications, when any were loaded.
    pub existing: Option<ExistingVerdict>,
}

/// The replay of observed communications through the cluster's existing policies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExistingVerdict {
    pub policies: usize,
    /// What they are: "NetworkPolicies", "CiliumNetworkPolicies", or both.
    pub kinds: String,
    /// "they allow all 42 observed communications in scope", or how many they would deny.
    pub summary: String,
    /// Each observed communication they would deny, described.
    pub denied: Vec<String>,
}

/// The entities `target` names, in namespace, kind and name order.
pub fn target_entities(dataset: &Dataset, target: &PolicyTarget) -> Vec<EntityId> {
    let mut entities: Vec<EntityId> = match target {
        PolicyTarget::Entity(id) => vec![*id],
        PolicyTarget::Service(id) => Subject::Service(*id).entities(dataset),
        PolicyTarget::Namespace(namespace) => dataset
            .entity_ids()
            .filter(|&id| {
                namespace
                    .as_ref()
                    .is_none_or(|n| &dataset.entities[id].owner.namespace == n)
            })
            .collect(),
    };
    entities.retain(|&id| id.index() < dataset.entities.len());
    sort_by_owner(dataset, &mut entities);
    entities
}

/// Generates, writes and verifies the policies of `target`.
pub fn policy_output(
    dataset: &Dataset,
    decisions: &Decisions,
    existing: &[AnyPolicy<'_>],
    target: &PolicyTarget,
    window: TimeWindow,
    options: PolicyOptions,
) -> PolicyOutput {
    let kind = options.kind;
    let entities = target_entities(dataset, target);
    let generated = generate_policies(dataset, decisions, &entities, window);
    // Rendered only for the Cilium kind: a decision redraws this view.
    let documents = match kind {
        PolicyKind::Kubernetes => Vec::new(),
        PolicyKind::Cilium => cilium_documents(&generated),
    };
    let mut policies = match kind {
        PolicyKind::Kubernetes => placed(dataset, &generated),
        PolicyKind::Cilium => placed_cilium(dataset, &documents),
    };
    let existing: Vec<AnyPolicy<'_>> = if options.ipblock_matches_pods {
        for (_, policy) in &mut policies {
            *policy = policy.with_pod_blocks();
        }
        existing.iter().map(|p| p.with_pod_blocks()).collect()
    } else {
        existing.to_vec()
    };
    let reads_network_policies = kind == PolicyKind::Kubernetes
        || existing.iter().any(|p| !matches!(p, AnyPolicy::Cilium(_)));
    let report = verify_placed(dataset, decisions, &policies, &entities, window);
    let (yaml, mut warnings) = match policies_yaml_as(&generated, kind) {
        Ok(yaml) => (yaml, Vec::new()),
        Err(error) => (
            String::new(),
            vec![format!("The YAML could not be written: {error}")],
        ),
    };
    warnings.extend(
        generated
            .iter()
            .flat_map(|g| g.warnings_of(kind).iter().cloned()),
    );
    let plural = kind.file_words().1;
    let file_name = match target {
        PolicyTarget::Entity(id) if id.index() < dataset.entities.len() => {
            policy_file_name(&dataset.entities[*id].owner, kind)
        }
        PolicyTarget::Service(id) => dataset.services.get(id.index()).map_or_else(
            || format!("{plural}.yaml"),
            |s| {
                format!(
                    "{}-service-{plural}.yaml",
                    dns1123_subdomain(&s.name, "service")
                )
            },
        ),
        PolicyTarget::Namespace(Some(namespace)) => bundle_file_name(namespace, kind),
        _ => format!("{plural}.yaml"),
    };
    PolicyOutput {
        yaml,
        file_name,
        policy_count: policies.len(),
        warnings,
        verification: report.summary(),
        verified: report.all_agree(),
        reading: reads_network_policies
            .then(|| ipblock_reading(options.ipblock_matches_pods).to_string()),
        existing: (!existing.is_empty())
            .then(|| existing_verdict(dataset, &existing, &entities, window)),
    }
}

fn existing_verdict(
    dataset: &Dataset,
    existing: &[AnyPolicy<'_>],
    entities: &[EntityId],
    window: TimeWindow,
) -> ExistingVerdict {
    let report = verify_existing_any(dataset, existing, Some(entities), window);
    let denied: Vec<String> = report
        .included_denied()
        .map(|row| dataset.describe(&dataset.communications[row.communication]))
        .collect();
    let summary = if denied.is_empty() {
        format!(
            "they allow all {} observed communications in scope",
            thousands(report.rows.len() as u64)
        )
    } else {
        format!(
            "{} of {} observed communications in scope would be DENIED",
            thousands(denied.len() as u64),
            thousands(report.rows.len() as u64)
        )
    };
    let cilium = existing
        .iter()
        .filter(|p| matches!(p, AnyPolicy::Cilium(_)))
        .count();
    let kinds = match (existing.len() - cilium, cilium) {
        (_, 0) => "NetworkPolicies",
        (0, _) => "CiliumNetworkPolicies",
        _ => "NetworkPolicies and CiliumNetworkPolicies",
    };
    ExistingVerdict {
        policies: existing.len(),
        kinds: kinds.to_string(),
        summary,
        denied,
    }
}
