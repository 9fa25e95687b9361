//! Step 4: NetworkPolicies from the dataset and the review's decisions. `build` is the
//! generator, `names` the DNS-1123 names, `highlight` the YAML's colours, `view` what the
//! Generated Policy tab shows; this module picks the entities a command or a view asks for.
//! The document type is `model::network_policy`, and YAML is written by `engine::yaml`.

pub mod build;
pub mod highlight;
pub mod names;
pub mod view;

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::model::{EntityId, TimeWindow};
use crate::engine::policy::build::{GeneratedPolicy, PolicyGenerator};
use crate::engine::scope::SubjectKind;
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
    let mut generator = PolicyGenerator::new(dataset, decisions, window);
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
            Some((dataset.entities[g.entity].cluster.as_deref(), policy))
        })
        .collect()
}

/// The YAML of the policies that exist, as one multi-document text.
///
/// When the data spans several clusters, each document says which cluster it is for in a
/// comment (`# cluster: east`): a NetworkPolicy names no cluster, and is applied to one.
pub fn policies_yaml(generated: &[GeneratedPolicy]) -> Result<String, String> {
    if generated.iter().all(|g| g.cluster.is_none()) {
        let policies: Vec<_> = generated.iter().filter_map(|g| g.policy.as_ref()).collect();
        return yaml::to_yaml(&policies);
    }
    let mut out = String::new();
    for g in generated {
        let Some(policy) = &g.policy else {
            continue;
        };
        if !out.is_empty() {
            out.push_str("---\n");
        }
        if let Some(cluster) = &g.cluster {
            out.push_str(&format!(
                "# cluster: {}\n",
                cluster.replace(['\n', '\r'], " ")
            ));
        }
        out.push_str(&yaml::to_yaml(std::slice::from_ref(policy))?);
    }
    Ok(out)
}
