//! Step 4: policies from the dataset and the review's decisions. `build` is the generator,
//! which works out each entity's kind-neutral `rules`; `network` writes them as a
//! NetworkPolicy and `cilium` as a CiliumNetworkPolicy (`kind` says which); `names` gives the
//! DNS-1123 names and the label flowpol marks its policies with, `highlight` the YAML's
//! colours, `pipeline` the one call from a request to verified policies that every shell
//! makes, `view` what the Generated Policy tab shows (`compare` its comparison with the
//! cluster's policies), `denied` the included communications
//! the policies would still deny, `tree` the files of a GitOps tree; this module picks the entities a command or a view asks for
//! and writes the YAML of either kind. The document types are `model::network_policy` and
//! `model::cilium_policy`; YAML is written by `engine::yaml`.

pub mod build;
pub mod cilium;
pub mod compare;
pub mod denied;
pub mod highlight;
pub mod kind;
pub mod l7_rules;
pub mod names;
pub mod network;
pub mod pipeline;
pub mod rules;
pub mod selection_notes;
pub mod tree;
pub mod view;

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::model::cilium_policy::CiliumNetworkPolicy;
use crate::engine::model::{EntityId, TimeWindow};
use crate::engine::policy::build::{GeneratedPolicy, PolicyGenerator};
pub use crate::engine::policy::kind::PolicyKind;
use crate::engine::scope::SubjectKind;
use crate::engine::verify::evaluate::AnyPolicy;
use crate::engine::yaml;

/// Which entities to write policies for.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only these namespaces (all when empty).
    pub namespaces: Vec<String>,
    /// Only this entity, by type and name (a Service: the pods behind it).
    pub entity: Option<(SubjectKind, String)>,
    /// Only entities of this cluster (when the data names clusters).
    pub cluster: Option<String>,
}

/// The entities `selection` names, sorted by namespace, kind and name.
pub fn select_entities(dataset: &Dataset, selection: &Selection) -> Result<Vec<EntityId>, String> {
    let in_namespace = |namespace: &str| {
        selection.namespaces.is_empty() || selection.namespaces.iter().any(|n| n == namespace)
    };
    let in_cluster = |cluster: &Option<String>| match (&selection.cluster, cluster) {
        (Some(wanted), Some(cluster)) => wanted == cluster,
        _ => true,
    };
    let mut chosen: Vec<EntityId> = match &selection.entity {
        None => dataset.entity_ids().collect(),
        Some((SubjectKind::Service, name)) => {
            let services: Vec<_> = dataset
                .services
                .iter()
                .filter(|s| &s.name == name && in_namespace(&s.namespace))
                .collect();
            if services.is_empty() {
                return Err(format!("no Service named {name} in the data"));
            }
            let backends: Vec<EntityId> = services
                .iter()
                .flat_map(|s| s.backends.iter().copied())
                .collect();
            if backends.is_empty() {
                return Err(format!("Service {name} selects no pod seen in the data"));
            }
            backends
        }
        Some((SubjectKind::Workload(kind), name)) => {
            let found: Vec<EntityId> = dataset
                .entity_ids()
                .filter(|&id| {
                    let owner = &dataset.entities[id].owner;
                    owner.kind == *kind && &owner.name == name
                })
                .collect();
            if found.is_empty() {
                return Err(format!("no {kind} named {name} in the data"));
            }
            found
        }
    };
    chosen.retain(|&id| {
        let entity = &dataset.entities[id];
        in_namespace(&entity.owner.namespace) && in_cluster(&entity.cluster)
    });
    sort_by_owner(dataset, &mut chosen);
    chosen.dedup();
    if chosen.is_empty() {
        return Err("no workload matches the namespaces and cluster asked for".to_string());
    }
    Ok(chosen)
}

/// Sorts entities by cluster, namespace, kind and name: the order policies are written in
/// (repeats end up side by side).
pub fn sort_by_owner(dataset: &Dataset, entities: &mut [EntityId]) {
    entities.sort_by_key(|&id| {
        let entity = &dataset.entities[id];
        let owner = &entity.owner;
        (
            &entity.cluster,
            &owner.namespace,
            owner.kind,
            &owner.name,
            id,
        )
    });
}

/// The policies of `entities`, in that order.
pub fn generate_policies(
    dataset: &Dataset,
    decisions: &Decisions,
    entities: &[EntityId],
    window: TimeWindow,
) -> Vec<GeneratedPolicy> {
    generate_policies_with(dataset, decisions, entities, window, None)
}

/// [`generate_policies`] with L7 rules for the requests seen, generalised as `l7` says.
pub fn generate_policies_with(
    dataset: &Dataset,
    decisions: &Decisions,
    entities: &[EntityId],
    window: TimeWindow,
    l7: Option<crate::engine::l7::L7Options>,
) -> Vec<GeneratedPolicy> {
    let mut generator = PolicyGenerator::new(dataset, decisions, window).with_l7(l7);
    entities
        .iter()
        .map(|&entity| generator.policy(entity))
        .collect()
}

/// The policies that exist, each with the cluster of its entity, for
/// [`verify_placed`](crate::engine::verify::replay::verify_placed).
pub fn placed<'a>(
    dataset: &'a Dataset,
    generated: &'a [GeneratedPolicy],
) -> Vec<crate::engine::verify::replay::Placed<'a>> {
    generated
        .iter()
        .filter_map(|g| {
            let policy = g.policy.as_ref()?;
            Some((
                dataset.entities[g.entity].cluster.as_deref(),
                AnyPolicy::Kubernetes(policy),
            ))
        })
        .collect()
}

/// The CiliumNetworkPolicies of `generated`, each with its entity.
pub fn cilium_documents(generated: &[GeneratedPolicy]) -> Vec<(EntityId, CiliumNetworkPolicy)> {
    generated
        .iter()
        .filter_map(|g| Some((g.entity, g.cilium()?)))
        .collect()
}

/// [`placed`] for CiliumNetworkPolicies.
pub fn placed_cilium<'a>(
    dataset: &'a Dataset,
    documents: &'a [(EntityId, CiliumNetworkPolicy)],
) -> Vec<crate::engine::verify::replay::Placed<'a>> {
    documents
        .iter()
        .map(|(entity, policy)| {
            (
                dataset.entities[*entity].cluster.as_deref(),
                AnyPolicy::Cilium(policy),
            )
        })
        .collect()
}

impl GeneratedPolicy {
    /// What the policy of `kind` cannot express.
    pub fn warnings_of(&self, kind: PolicyKind) -> &[String] {
        match kind {
            PolicyKind::Kubernetes => &self.warnings,
            PolicyKind::Cilium => &self.cilium_warnings,
        }
    }
}

/// The YAML of the policies that exist, written as `kind`.
pub fn policies_yaml_as(generated: &[GeneratedPolicy], kind: PolicyKind) -> Result<String, String> {
    match kind {
        PolicyKind::Kubernetes => policies_yaml(generated),
        PolicyKind::Cilium => {
            let documents: Vec<_> = generated
                .iter()
                .map(|g| (g.cluster.as_deref(), wider_comments(g, kind), g.cilium()))
                .collect();
            documents_yaml(&documents)
        }
    }
}

/// The YAML of the policies that exist, as one multi-document text.
///
/// When the data spans several clusters, each document says which cluster it is for in a
/// comment (`# cluster: east`): a NetworkPolicy names no cluster, and is applied to one. A
/// policy whose selectors pick more than its workload (or a peer) says what else, in
/// `# flowpol:` comments above it.
pub fn policies_yaml(generated: &[GeneratedPolicy]) -> Result<String, String> {
    let documents: Vec<_> = generated
        .iter()
        .map(|g| {
            let comments = wider_comments(g, PolicyKind::Kubernetes);
            (g.cluster.as_deref(), comments, g.policy.as_ref())
        })
        .collect();
    documents_yaml(&documents)
}

/// The warnings of `generated` that say a selector picks more than its workload's pods.
pub(crate) fn wider_comments(generated: &GeneratedPolicy, kind: PolicyKind) -> Vec<&str> {
    generated
        .warnings_of(kind)
        .iter()
        .filter(|w| w.contains(" more than its pods"))
        .map(String::as_str)
        .collect()
}

/// `text` on one comment line: every character a YAML 1.1 reader takes for a line break (or
/// that a terminal would act on) becomes a space.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Documents (with the cluster each is for and comments to put above it) as one
/// multi-document text; `None`s are skipped.
pub(crate) fn documents_yaml<T: serde::Serialize>(
    documents: &[(Option<&str>, Vec<&str>, Option<T>)],
) -> Result<String, String> {
    let plain = documents
        .iter()
        .all(|(cluster, comments, _)| cluster.is_none() && comments.is_empty());
    if plain {
        let policies: Vec<&T> = documents
            .iter()
            .filter_map(|(_, _, d)| d.as_ref())
            .collect();
        return yaml::to_yaml(&policies);
    }
    let mut out = String::new();
    for (cluster, comments, document) in documents {
        let Some(document) = document else {
            continue;
        };
        if !out.is_empty() {
            out.push_str("---\n");
        }
        if let Some(cluster) = cluster {
            out.push_str(&format!("# cluster: {}\n", comment_text(cluster)));
        }
        for comment in comments {
            out.push_str(&format!("# flowpol: {}\n", comment_text(comment)));
        }
        out.push_str(&yaml::to_yaml(std::slice::from_ref(document))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_stays_on_its_line_whatever_the_names_hold() {
        let hostile = "a\nkind: Secret\r\u{85}b\u{2028}c\u{2029}d\u{feff}e\u{1b}[31m";
        let text = comment_text(hostile);
        assert_eq!(text, "a kind: Secret  b c d e [31m");
        // What a YAML 1.1 reader takes for a line break is gone.
        assert!(!text.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']));
    }
}
