//! Which workload a pod belongs to: Hubble's `workloads[]`; else the inventory's
//! `ownerReferences` (Pod → ReplicaSet → Deployment or Argo Rollouts' Rollout, Pod → Job →
//! CronJob); else Cilium's heuristics on names and labels (a ReplicaSet hash suffix means a
//! Deployment, or a Rollout when the pod carries `rollouts-pod-template-hash`; a Job named
//! `<name>-<8 to 10 digits>` belongs to CronJob `<name>`).

use crate::engine::ingest::formats::inventory::{Inventory, Metadata};
use crate::engine::model::labels::Labels;
use crate::engine::model::{ControllerKind, EntityKind, Owner};

/// The alphabet Kubernetes uses for generated suffixes and pod-template hashes.
const SAFE_ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";

/// Whether `text` is a generated suffix of one of `lengths`.
pub fn is_safe_suffix(text: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&text.len()) && text.chars().all(|c| SAFE_ALPHABET.contains(c))
}

/// `<cronjob>-<8..10 digits>` → `<cronjob>`: the Job name a CronJob gives its runs.
pub fn cronjob_of_job(job: &str) -> Option<&str> {
    let (base, stamp) = job.rsplit_once('-')?;
    let digits = (8..=10).contains(&stamp.len()) && stamp.chars().all(|c| c.is_ascii_digit());
    (digits && !base.is_empty()).then_some(base)
}

/// `<deployment>-<hash>` → `<deployment>`: the ReplicaSet name a Deployment gives.
pub fn deployment_of_replica_set(replica_set: &str) -> Option<&str> {
    let (base, hash) = replica_set.rsplit_once('-')?;
    (is_safe_suffix(hash, 6..=10) && !base.is_empty()).then_some(base)
}

/// The label Argo Rollouts puts on a Rollout's ReplicaSets and pods, as a Deployment's put
/// `pod-template-hash` (which a Rollout's never carry): the hash its ReplicaSet's name ends
/// with.
pub const ROLLOUT_HASH_LABEL: &str = "rollouts-pod-template-hash";

/// `<rollout>-<hash>` → `<rollout>`: the Rollout a ReplicaSet belongs to, when its pods'
/// `labels` carry [`ROLLOUT_HASH_LABEL`] (the name minus `-<that hash>`, else minus a hash
/// suffix as a Deployment's); `None` for the ReplicaSets of a Deployment.
pub fn rollout_of_replica_set<'a>(replica_set: &'a str, labels: &Labels) -> Option<&'a str> {
    let hash = labels.get(ROLLOUT_HASH_LABEL)?;
    replica_set
        .strip_suffix(hash.as_str())
        .and_then(|base| base.strip_suffix('-'))
        .filter(|base| !base.is_empty())
        .or_else(|| deployment_of_replica_set(replica_set))
}

/// The workload of a ReplicaSet named `replica_set` from its name and its pods' `labels`: a
/// Rollout when they carry Argo's hash label, else a Deployment when the name ends with a hash.
fn owner_of_replica_set<'a>(
    replica_set: &'a str,
    labels: &Labels,
) -> Option<(EntityKind, &'a str)> {
    match rollout_of_replica_set(replica_set, labels) {
        Some(rollout) => Some((EntityKind::Rollout, rollout)),
        None => deployment_of_replica_set(replica_set).map(|d| (EntityKind::Deployment, d)),
    }
}

/// Kubernetes labels Hubble prints as `k8s:key=value`, without Cilium's own.
pub fn pod_labels_from_hubble<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> Labels {
    labels
        .filter(|(k, _)| !k.starts_with("io.cilium.k8s.") && !k.starts_with("io.kubernetes.pod."))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The owner of a pod from its name and labels alone (no inventory, no `workloads[]`).
pub fn owner_from_name(namespace: &str, pod: &str, labels: &Labels) -> Owner {
    let owner = |kind, name: &str| Owner {
        kind,
        namespace: namespace.to_string(),
        name: name.to_string(),
    };
    let job = labels
        .get("batch.kubernetes.io/job-name")
        .or_else(|| labels.get("job-name"))
        .map(String::as_str)
        .or_else(|| {
            pod.rsplit_once('-')
                .map(|(job, _)| job)
                .filter(|job| cronjob_of_job(job).is_some())
        });
    if let Some(job) = job {
        return match cronjob_of_job(job) {
            Some(cronjob) => owner(EntityKind::CronJob, cronjob),
            None => owner(EntityKind::Job, job),
        };
    }
    if let Some(name) = labels.get("statefulset.kubernetes.io/pod-name") {
        if let Some((set, ordinal)) = name.rsplit_once('-') {
            if ordinal.chars().all(|c| c.is_ascii_digit()) {
                return owner(EntityKind::StatefulSet, set);
            }
        }
    }
    if let Some((replica_set, suffix)) = pod.rsplit_once('-') {
        if is_safe_suffix(suffix, 5..=5) {
            if labels.contains_key("pod-template-generation") {
                return owner(EntityKind::DaemonSet, replica_set);
            }
            if let Some((kind, name)) = owner_of_replica_set(replica_set, labels) {
                return owner(kind, name);
            }
        }
    }
    owner(EntityKind::Pod, pod)
}

/// The owner of a pod the inventory knows, following `ownerReferences`.
pub fn owner_from_inventory(inventory: &Inventory, pod: &Metadata) -> Owner {
    let namespace = pod.namespace.as_str();
    let owner = |kind, name: &str| Owner {
        kind,
        namespace: namespace.to_string(),
        name: name.to_string(),
    };
    let find = |kind: ControllerKind, name: &str| {
        inventory.controllers.iter().find(|c| {
            c.kind == kind && c.metadata.name == name && c.metadata.namespace == namespace
        })
    };
    let Some(reference) = pod.controller() else {
        return owner(EntityKind::Pod, &pod.name);
    };
    match ControllerKind::parse_with_api(&reference.kind, &reference.api_version) {
        Some(ControllerKind::ReplicaSet) => {
            let parent = find(ControllerKind::ReplicaSet, &reference.name)
                .and_then(|rs| rs.metadata.controller());
            let parent_kind =
                parent.and_then(|p| ControllerKind::parse_with_api(&p.kind, &p.api_version));
            match (parent, parent_kind) {
                (Some(parent), Some(ControllerKind::Deployment)) => {
                    owner(EntityKind::Deployment, &parent.name)
                }
                (Some(parent), Some(ControllerKind::Rollout)) => {
                    owner(EntityKind::Rollout, &parent.name)
                }
                (Some(_), _) => owner(EntityKind::Pod, &pod.name),
                // The ReplicaSet is not in the inventory: its name and the pod's labels.
                (None, _) => match owner_of_replica_set(&reference.name, &pod.labels) {
                    Some((kind, name)) => owner(kind, name),
                    None => owner(EntityKind::Pod, &pod.name),
                },
            }
        }
        Some(ControllerKind::Job) => match find(ControllerKind::Job, &reference.name) {
            Some(job) => match job.metadata.controller() {
                Some(parent) if parent.kind == ControllerKind::CronJob.as_str() => {
                    owner(EntityKind::CronJob, &parent.name)
                }
                _ => owner(EntityKind::Job, &reference.name),
            },
            None => match cronjob_of_job(&reference.name) {
                Some(cronjob) => owner(EntityKind::CronJob, cronjob),
                None => owner(EntityKind::Job, &reference.name),
            },
        },
        other => match other.and_then(ControllerKind::entity_kind) {
            Some(kind) => owner(kind, &reference.name),
            None => owner(EntityKind::Pod, &pod.name),
        },
    }
}

/// Maps a `workloads[]` kind from Hubble to an entity kind (a bare ReplicaSet or Job is
/// followed one step as the inventory would: a ReplicaSet whose pod's `labels` carry
/// `rollouts-pod-template-hash` is a Rollout's, which Cilium's heuristic names by the
/// ReplicaSet since the pod has no `pod-template-hash`).
pub fn owner_from_hubble(
    namespace: &str,
    kind: &str,
    name: &str,
    labels: &Labels,
) -> Option<Owner> {
    let owner = |kind, name: &str| Owner {
        kind,
        namespace: namespace.to_string(),
        name: name.to_string(),
    };
    match kind {
        // A ReplicaSet no Deployment or Rollout made: its pods have no workload flowpol
        // writes for and are told apart by their own names (`None` lets the caller use the
        // pod's name).
        "ReplicaSet" => owner_of_replica_set(name, labels).map(|(kind, name)| owner(kind, name)),
        "Job" => Some(match cronjob_of_job(name) {
            Some(cronjob) => owner(EntityKind::CronJob, cronjob),
            None => owner(EntityKind::Job, name),
        }),
        other => EntityKind::parse(other).map(|k| owner(k, name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::model::labels::labels_of as labels;

    #[test]
    fn deployment_pods_from_their_hash_suffix() {
        let owner = owner_from_name(
            "bookinfo",
            "productpage-v1-6b746f74dc-9rcxx",
            &Labels::new(),
        );
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::Deployment, "productpage-v1")
        );
        let owner = owner_from_name("bookinfo", "ratings-v1-b6994bb9-jgqxb", &Labels::new());
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::Deployment, "ratings-v1")
        );
        // A hash with letters outside the alphabet is not a hash.
        let owner = owner_from_name("x", "my-app-aeiou1-xxxxx", &Labels::new());
        assert_eq!(owner.kind, EntityKind::Pod);
    }

    #[test]
    fn cronjob_and_job_pods() {
        let owner = owner_from_name("data", "db-backup-29396160-rh8gb", &Labels::new());
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::CronJob, "db-backup")
        );
        let owner = owner_from_name("data", "migrate-x7x2q", &labels(&[("job-name", "migrate")]));
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::Job, "migrate")
        );
        assert_eq!(cronjob_of_job("report-1234567"), None);
        assert_eq!(cronjob_of_job("report-12345678"), Some("report"));
    }

    #[test]
    fn statefulset_daemonset_and_bare_pods() {
        let owner = owner_from_name(
            "data",
            "orders-db-1",
            &labels(&[("statefulset.kubernetes.io/pod-name", "orders-db-1")]),
        );
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::StatefulSet, "orders-db")
        );
        let owner = owner_from_name(
            "m",
            "node-exporter-x2b4z",
            &labels(&[("pod-template-generation", "1")]),
        );
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::DaemonSet, "node-exporter")
        );
        let owner = owner_from_name("default", "debug-shell", &Labels::new());
        assert_eq!(
            (owner.kind, owner.name.as_str()),
            (EntityKind::Pod, "debug-shell")
        );
    }

    #[test]
    fn hubble_kinds() {
        let none = Labels::new();
        assert_eq!(
            owner_from_hubble("a", "Deployment", "web", &none)
                .unwrap()
                .kind,
            EntityKind::Deployment
        );
        assert_eq!(
            owner_from_hubble("a", "Job", "backup-29396160", &none)
                .unwrap()
                .name,
            "backup"
        );
        assert_eq!(
            owner_from_hubble("a", "ReplicaSet", "web-6b746f74dc", &none)
                .unwrap()
                .name,
            "web"
        );
        assert!(owner_from_hubble("a", "ReplicaSet", "handmade", &none).is_none());
        assert_eq!(
            owner_from_hubble("a", "Rollout", "web", &none),
            Some(Owner::new(EntityKind::Rollout, "a", "web"))
        );
    }

    #[test]
    fn a_replica_set_whose_pods_carry_argos_hash_is_a_rollouts() {
        let canary = labels(&[("app", "checkout"), (ROLLOUT_HASH_LABEL, "7f5c9d8b6")]);
        let rollout = Some(Owner::new(EntityKind::Rollout, "shop", "checkout"));
        assert_eq!(
            owner_from_hubble("shop", "ReplicaSet", "checkout-7f5c9d8b6", &canary),
            rollout
        );
        assert_eq!(
            Some(owner_from_name("shop", "checkout-7f5c9d8b6-j7t9m", &canary)),
            rollout
        );
        // A name that does not end with the label's hash: minus a hash suffix all the same.
        let other = labels(&[(ROLLOUT_HASH_LABEL, "6d4b8f9c7")]);
        assert_eq!(
            rollout_of_replica_set("checkout-7f5c9d8b6", &other),
            Some("checkout")
        );
        // Without the label: a Deployment's.
        assert_eq!(
            owner_from_name("shop", "checkout-7f5c9d8b6-j7t9m", &Labels::new()).kind,
            EntityKind::Deployment
        );
    }

    #[test]
    fn inventory_owner_references() {
        let mut inventory = Inventory::default();
        inventory
            .add_document(
                crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1))
                    .as_bytes(),
            )
            .unwrap();
        let owner_of = |prefix: &str| {
            let pod = inventory
                .pods
                .iter()
                .find(|p| p.metadata.name.starts_with(prefix))
                .unwrap();
            owner_from_inventory(&inventory, &pod.metadata)
        };
        assert_eq!(owner_of("frontend-").name, "frontend");
        assert_eq!(owner_of("frontend-").kind, EntityKind::Deployment);
        assert_eq!(owner_of("db-backup-").kind, EntityKind::CronJob);
        assert_eq!(owner_of("schema-migrate-").kind, EntityKind::Job);
        assert_eq!(owner_of("orders-db-").kind, EntityKind::StatefulSet);
        assert_eq!(owner_of("node-exporter-").kind, EntityKind::DaemonSet);
        assert_eq!(owner_of("debug-shell").kind, EntityKind::Pod);
    }

    #[test]
    fn a_rollouts_replica_sets_belong_to_it() {
        let mut inventory = Inventory::default();
        inventory
            .add_document(
                br#"{"kind": "List", "items": [
                {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                 "metadata": {"name": "checkout", "namespace": "shop"},
                 "spec": {"selector": {"matchLabels": {"app": "checkout"}}}},
                {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                 "metadata": {"name": "checkout-6d4b8f9c7", "namespace": "shop",
                  "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                   "name": "checkout", "controller": true}]}},
                {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                 "metadata": {"name": "other-6d4b8f9c7", "namespace": "shop",
                  "ownerReferences": [{"apiVersion": "example.com/v1", "kind": "Rollout",
                   "name": "other", "controller": true}]}},
                {"apiVersion": "example.com/v1", "kind": "Rollout",
                 "metadata": {"name": "other", "namespace": "shop"}}
                ]}"#,
            )
            .unwrap();
        assert_eq!(
            inventory
                .controllers
                .iter()
                .map(|c| (c.kind, c.metadata.name.as_str()))
                .collect::<Vec<_>>(),
            [
                (ControllerKind::Rollout, "checkout"),
                (ControllerKind::ReplicaSet, "checkout-6d4b8f9c7"),
                (ControllerKind::ReplicaSet, "other-6d4b8f9c7"),
            ],
            "a Rollout of another API group is not Argo's"
        );
        let pod = |name: &str, replica_set: &str| Metadata {
            name: name.into(),
            namespace: "shop".into(),
            labels: labels(&[("app", "checkout"), (ROLLOUT_HASH_LABEL, "6d4b8f9c7")]),
            owner_references: vec![crate::engine::ingest::formats::inventory::OwnerReference {
                api_version: "apps/v1".into(),
                kind: "ReplicaSet".into(),
                name: replica_set.into(),
                controller: Some(true),
            }],
        };
        let rollout = Owner::new(EntityKind::Rollout, "shop", "checkout");
        assert_eq!(
            owner_from_inventory(
                &inventory,
                &pod("checkout-6d4b8f9c7-4xq2p", "checkout-6d4b8f9c7")
            ),
            rollout
        );
        // A ReplicaSet the inventory lacks: its name and the pod's labels.
        assert_eq!(
            owner_from_inventory(
                &inventory,
                &pod("checkout-7f5c9d8b6-j7t9m", "checkout-7f5c9d8b6")
            ),
            rollout
        );
        assert_eq!(
            owner_from_inventory(&inventory, &pod("other-6d4b8f9c7-x2x2x", "other-6d4b8f9c7")).kind,
            EntityKind::Pod
        );
    }

    #[test]
    fn hubble_labels_without_ciliums_own() {
        let labels = pod_labels_from_hubble(
            [
                ("app", "x"),
                ("io.cilium.k8s.policy.cluster", "c"),
                ("io.kubernetes.pod.namespace", "n"),
            ]
            .into_iter(),
        );
        assert_eq!(
            labels,
            crate::engine::model::labels::labels_of(&[("app", "x")])
        );
    }
}
