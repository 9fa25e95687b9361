//! What a selector reaches beyond its workload. A policy selects a workload's pods, and a
//! rule names a peer's, by labels; when no labels pick exactly one workload (its pods share
//! none, or another workload's pods carry them too), availability comes first: the narrowest
//! selector that covers every observed pod (the labels they all share; none: every pod of the
//! namespace) is written, and the other workloads it also picks are listed, here, so that the
//! YAML, the review and `inspect` say the same.

use std::collections::HashMap;
use std::sync::Arc;

use crate::engine::dataset::Dataset;
use crate::engine::model::labels::{labels_text, LabelSelector, Labels};
use crate::engine::model::{EntityId, EntityKind};

/// How many other workloads a message names before it counts the rest.
const NAMED: usize = 5;

/// A selector in its namespace and cluster (and, when the entity it is for is not among the
/// pods it picks by labels, that entity): what picks a set of pods.
pub type SelectorKey = (Option<String>, String, Labels, Option<EntityId>);

/// Which entities each selector picks, worked out once per distinct selector: many workloads
/// share one (50,000 bare pods labelled `app=web`), and each scan reads every entity of the
/// namespace.
#[derive(Default)]
pub struct Reach {
    picked: HashMap<SelectorKey, Arc<[EntityId]>>,
}

impl Reach {
    /// The entities of `entity`'s namespace (and cluster) whose pods `selector` picks, in id
    /// order, `entity` itself among them: an empty selector picks every pod of the
    /// namespace; otherwise an entity is picked when one of its pods' label sets matches (an
    /// entity whose labels no record showed cannot be told either way, and is not listed).
    /// Workloads in their node's network are never picked: no policy applies to their pods.
    pub fn picked(
        &mut self,
        dataset: &Dataset,
        entity: EntityId,
        selector: &Labels,
    ) -> Arc<[EntityId]> {
        self.class(dataset, entity, selector).1
    }

    /// [`Reach::picked`] with the key it is kept under: entities with the same key are picked
    /// by the same selector, as one class.
    pub fn class(
        &mut self,
        dataset: &Dataset,
        entity: EntityId,
        selector: &Labels,
    ) -> (SelectorKey, Arc<[EntityId]>) {
        let own = &dataset.entities[entity];
        let cluster = own.cluster.clone().filter(|_| dataset.spans_clusters());
        let key = (cluster, own.owner.namespace.clone(), selector.clone(), None);
        let picked = self
            .picked
            .entry(key.clone())
            .or_insert_with(|| {
                let matcher = LabelSelector::of_labels(selector);
                dataset
                    .entity_ids()
                    .filter(|&id| {
                        let other = &dataset.entities[id];
                        // Policies never apply to host-network pods, and no selector picks
                        // their traffic (it is their node's).
                        !other.host_network
                            && !dataset.across_clusters(id, entity)
                            && other.owner.namespace == own.owner.namespace
                            && (selector.is_empty()
                                || other.label_sets.iter().any(|pod| matcher.matches(pod)))
                    })
                    .collect()
            })
            .clone();
        if picked.binary_search(&entity).is_ok() {
            return (key, picked);
        }
        // Its own pods, whatever their labels showed.
        let (cluster, namespace, selector, _) = key;
        let key = (cluster, namespace, selector, Some(entity));
        let with_own = self
            .picked
            .entry(key.clone())
            .or_insert_with(|| {
                let mut with_own: Vec<EntityId> = picked.iter().copied().chain([entity]).collect();
                with_own.sort();
                with_own.into()
            })
            .clone();
        (key, with_own)
    }

    /// Why `selector` is wider than `entity`, or `None` when it picks exactly its pods: "its
    /// pods share no label, so it is selected as every pod of namespace shop, which also
    /// admits Deployment/shop/a" or "its selector app=x also picks the pods of
    /// Deployment/shop/b" (five named at most, the rest counted).
    pub fn overreach(
        &mut self,
        dataset: &Dataset,
        entity: EntityId,
        selector: &Labels,
    ) -> Option<String> {
        let picked = self.picked(dataset, entity, selector);
        let others = picked.len() - 1;
        let listed = || {
            let mut names: Vec<String> = picked
                .iter()
                .filter(|&&id| id != entity)
                .take(NAMED)
                .map(|&id| dataset.owner_key(id).to_string())
                .collect();
            if others > NAMED {
                names.push(format!("and {} more", others - NAMED));
            }
            names.join(", ")
        };
        let namespace = &dataset.entities[entity].owner.namespace;
        if selector.is_empty() {
            return Some(if others == 0 {
                format!(
                    "its pods share no label, so it is selected as every pod of namespace \
                     {namespace} (no other workload was seen there)"
                )
            } else {
                format!(
                    "its pods share no label, so it is selected as every pod of namespace \
                     {namespace}, which also admits {}",
                    listed()
                )
            });
        }
        (others > 0).then(|| {
            format!(
                "its selector {} also picks the pods of {}",
                labels_text(selector),
                listed()
            )
        })
    }
}

/// Why a host-network workload gets no policy of `kind` ("NetworkPolicy",
/// "CiliumNetworkPolicy"): "Deployment/x/y runs with hostNetwork: true: no NetworkPolicy
/// applies to its pods, so none is written for it; their traffic is their node's, written as
/// the node's address (172.18.0.3)" (five addresses named at most, the rest counted).
pub fn host_network_note(dataset: &Dataset, entity: EntityId, kind: &str) -> String {
    let own = &dataset.entities[entity];
    let count = own.addresses.len();
    let mut named: Vec<String> = own
        .addresses
        .iter()
        .take(NAMED)
        .map(ToString::to_string)
        .collect();
    if count > NAMED {
        named.push(format!("and {} more", count - NAMED));
    }
    let addresses = match count {
        0 => "their node's address".to_string(),
        1 => format!("the node's address ({})", named.join(", ")),
        _ => format!("their nodes' addresses ({})", named.join(", ")),
    };
    format!(
        "{} runs with hostNetwork: true: no {kind} applies to its pods, so none is written for \
         it; their traffic is their node's, written as {addresses}",
        dataset.owner_key(entity),
    )
}

/// [`Reach::overreach`], for one question.
pub fn overreach(dataset: &Dataset, entity: EntityId, selector: &Labels) -> Option<String> {
    Reach::default().overreach(dataset, entity, selector)
}

/// What the review says about how `entity` is selected, when flows alone describe it: that its
/// kind was inferred, and what its selector admits beyond its pods.
pub fn selection_notes(dataset: &Dataset, entity: EntityId) -> Vec<String> {
    let own = &dataset.entities[entity];
    let mut notes = Vec::new();
    if own.host_network {
        notes.push(host_network_note(
            dataset,
            entity,
            "NetworkPolicy or CiliumNetworkPolicy",
        ));
        return notes;
    }
    if own.kind_inferred {
        let pods = own.pods.len();
        let why = match own.owner.kind {
            EntityKind::DaemonSet => {
                format!("its {pods} pods share a generated name, their labels, and one node each")
            }
            EntityKind::StatefulSet => {
                format!("its {pods} pods share an ordinal name and their labels")
            }
            EntityKind::Deployment => "its pods' names carry a ReplicaSet's hash".to_string(),
            EntityKind::Rollout => {
                "its pods carry Argo Rollouts' rollouts-pod-template-hash label, their names \
                 their ReplicaSet's hash"
                    .to_string()
            }
            EntityKind::CronJob => "its pods' names carry a CronJob run's time".to_string(),
            _ => "its pods' names and labels say so".to_string(),
        };
        notes.push(format!(
            "{} is a {} by inference ({why}): no inventory or Hubble workloads[] names its kind.",
            own.owner.name, own.owner.kind,
        ));
    }
    if let Some(overreach) = overreach(dataset, entity, &own.selector) {
        notes.push(format!(
            "No labels pick exactly its pods: {overreach}. Its policy and the rules naming it \
             allow that wider set (never less than its pods); give its pods a label of their own \
             for an exact one."
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dataset::Entity;
    use crate::engine::model::labels::labels_of;
    use crate::engine::model::Owner;

    /// The other entities `selector` picks besides `entity`.
    fn also_admits(dataset: &Dataset, entity: EntityId, selector: &Labels) -> Vec<EntityId> {
        Reach::default()
            .picked(dataset, entity, selector)
            .iter()
            .copied()
            .filter(|&id| id != entity)
            .collect()
    }

    fn entity(namespace: &str, name: &str, pods: &[&[(&str, &str)]]) -> Entity {
        Entity {
            owner: Owner {
                kind: EntityKind::Deployment,
                namespace: namespace.into(),
                name: name.into(),
            },
            cluster: None,
            selector: Labels::new(),
            selector_source: crate::engine::dataset::SelectorSource::ObservedPods,
            pods: Default::default(),
            addresses: Default::default(),
            labels: Labels::new(),
            label_sets: pods.iter().map(|p| labels_of(p)).collect(),
            ports: Vec::new(),
            service_accounts: Default::default(),
            kind_inferred: false,
            host_network: false,
        }
    }

    #[test]
    fn shared_labels_and_empty_selectors_admit_others() {
        let dataset = Dataset {
            entities: vec![
                entity(
                    "shop",
                    "stable",
                    &[&[("app", "checkout"), ("track", "stable")]],
                ),
                entity("shop", "canary", &[&[("app", "checkout")]]),
                entity("shop", "unlabelled", &[]),
                entity("other", "checkout", &[&[("app", "checkout")]]),
            ],
            ..Dataset::default()
        };
        let (stable, canary, unlabelled) = (EntityId::new(0), EntityId::new(1), EntityId::new(2));
        let app = labels_of(&[("app", "checkout")]);
        assert_eq!(also_admits(&dataset, canary, &app), [stable]);
        assert_eq!(
            also_admits(&dataset, stable, &labels_of(&[("track", "stable")])),
            []
        );
        assert_eq!(
            also_admits(&dataset, unlabelled, &Labels::new()),
            [stable, canary]
        );
        assert!(overreach(&dataset, stable, &labels_of(&[("track", "stable")])).is_none());
        assert_eq!(
            overreach(&dataset, canary, &app).unwrap(),
            "its selector app=checkout also picks the pods of Deployment/shop/stable"
        );
        assert!(overreach(&dataset, unlabelled, &Labels::new())
            .unwrap()
            .contains("every pod of namespace shop, which also admits Deployment/shop/stable"));
        let mut inferred = dataset.clone();
        inferred.entities[0].selector = labels_of(&[("track", "stable")]);
        inferred.entities[1].selector = app.clone();
        assert!(selection_notes(&inferred, stable).is_empty());
        inferred.entities[1].kind_inferred = true;
        inferred.entities[1].owner.kind = EntityKind::DaemonSet;
        let notes = selection_notes(&inferred, canary);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].starts_with("canary is a DaemonSet by inference"),
            "{notes:?}"
        );
        assert!(
            notes[1].contains("also picks the pods of Deployment/shop/stable"),
            "{notes:?}"
        );
    }

    #[test]
    fn no_selector_picks_a_host_network_workload() {
        let mut dataset = Dataset {
            entities: vec![
                entity("ingress", "controller", &[&[("app", "nginx")]]),
                entity("ingress", "unlabelled", &[]),
                entity("ingress", "web", &[&[("app", "nginx")]]),
            ],
            ..Dataset::default()
        };
        let (controller, unlabelled, web) = (EntityId::new(0), EntityId::new(1), EntityId::new(2));
        dataset.entities[0].host_network = true;
        dataset.entities[0].addresses = ["172.18.0.3".parse().unwrap()].into();
        assert_eq!(also_admits(&dataset, unlabelled, &Labels::new()), [web]);
        assert!(overreach(&dataset, web, &labels_of(&[("app", "nginx")])).is_none());
        assert_eq!(
            selection_notes(&dataset, controller),
            [
                "Deployment/ingress/controller runs with hostNetwork: true: no NetworkPolicy or \
              CiliumNetworkPolicy applies to its pods, so none is written for it; their traffic \
              is their node's, written as the node's address (172.18.0.3)"
            ]
        );
    }
}
