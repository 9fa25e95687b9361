//! Workloads from flows alone. Cilium leaves `pod-template-generation`,
//! `controller-revision-hash` and `pod-template-hash` out of the labels it prints, so without
//! an inventory or Hubble's `workloads[]` a DaemonSet's pods (`node-local-dns-4xk9p`) or a
//! StatefulSet's (`db-0`, `db-1`) look like bare pods, one policy each, none selecting the
//! others. This pass groups such pods into the workload they most likely belong to:
//!
//! - same cluster, namespace and label set, and the same name once a generated suffix is
//!   removed: five characters of Kubernetes' safe alphabet (`-4xk9p`) make a **DaemonSet**
//!   when two pods or more share it and no two were seen on one node; ordinals (`-0`, `-1`)
//!   make a **StatefulSet** (two pods or more, or a lone `-0`);
//! - a lone pod with a generated suffix stays a bare pod: it may as well be a Job's (Cilium
//!   does not print `job-name` either), and its own labels select it all the same;
//! - pods of one name with different label sets, generated names sharing a node, or names
//!   with a suffix outside Kubernetes' alphabet (Jenkins' agents, `ci-base-6vmb0`) stay bare
//!   pods: the flows do not say what they are.
//!
//! Every workload made here is marked as inferred (`Entity::kind_inferred`).

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::ingest::flows::endpoints::ObservedEndpoint;
use crate::engine::model::labels::Labels;
use crate::engine::model::{EntityKind, Owner};

use super::owners::{is_safe_suffix, owner_from_hubble, owner_from_name, pod_labels_from_hubble};

/// A pod by cluster, namespace and name.
pub type PodKey = (Option<String>, String, String);

/// How a pod's name was generated from its workload's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    /// Five characters of the safe alphabet: a DaemonSet's (or a bare ReplicaSet's) pod.
    Generated,
    /// A StatefulSet's ordinal.
    Ordinal,
}

/// The workload name and suffix kind of a pod name, when it has a generated suffix.
fn split_generated(pod: &str) -> Option<(&str, Suffix, &str)> {
    let (base, suffix) = pod.rsplit_once('-')?;
    if base.is_empty() {
        return None;
    }
    // Five lowercase letters or digits: Kubernetes' generated suffix when all are of its
    // safe alphabet; the caller checks that every pod of the group has such a suffix (other
    // tools, as Jenkins' agents, use every letter and digit).
    if suffix.len() == 5
        && suffix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Some((base, Suffix::Generated, suffix));
    }
    let ordinal = !suffix.is_empty()
        && suffix.len() <= 5
        && suffix.chars().all(|c| c.is_ascii_digit())
        && (suffix == "0" || !suffix.starts_with('0'));
    ordinal.then_some((base, Suffix::Ordinal, suffix))
}

/// What the flows say of one pod that no inventory or `workloads[]` names.
#[derive(Default)]
struct Sighting {
    /// The labels all its records with labels share (`None`: no record had labels).
    labels: Option<Labels>,
    nodes: BTreeSet<String>,
}

/// The owners the flows imply for pods that would otherwise be bare pods, by pod. Pods the
/// inventory knows (`known`) are left to it.
pub fn inferred_owners(
    endpoints: &[ObservedEndpoint],
    spans_clusters: bool,
    known: impl Fn(&str, &str) -> bool,
) -> BTreeMap<PodKey, Owner> {
    let mut sightings: BTreeMap<PodKey, Sighting> = BTreeMap::new();
    for endpoint in endpoints {
        let (Some(namespace), Some(pod)) = (&endpoint.namespace, &endpoint.pod_name) else {
            continue;
        };
        if known(namespace, pod) {
            continue;
        }
        let labels = pod_labels_from_hubble(endpoint.k8s_labels());
        let named_by_hubble = endpoint
            .workload
            .as_ref()
            .and_then(|(kind, name)| owner_from_hubble(namespace, kind, name, &labels))
            .is_some();
        if named_by_hubble || owner_from_name(namespace, pod, &labels).kind != EntityKind::Pod {
            continue;
        }
        let cluster = endpoint.cluster.clone().filter(|_| spans_clusters);
        let sighting = sightings
            .entry((cluster, namespace.clone(), pod.clone()))
            .or_default();
        if !labels.is_empty() {
            sighting.labels = Some(match sighting.labels.take() {
                Some(mut known) => {
                    known.retain(|key, value| labels.get(key) == Some(value));
                    known
                }
                None => labels,
            });
        }
        sighting.nodes.extend(endpoint.pod_nodes.iter().cloned());
    }
    // Pods by (cluster, namespace, workload name, suffix kind).
    type GroupKey = (Option<String>, String, String, Suffix);
    let mut groups: BTreeMap<GroupKey, Vec<(&PodKey, &Sighting, String)>> = BTreeMap::new();
    for (key, sighting) in &sightings {
        let (cluster, namespace, pod) = key;
        if let Some((base, suffix, rest)) = split_generated(pod) {
            groups
                .entry((cluster.clone(), namespace.clone(), base.to_string(), suffix))
                .or_default()
                .push((key, sighting, rest.to_string()));
        }
    }
    let mut owners = BTreeMap::new();
    for ((_, namespace, base, suffix), pods) in groups {
        let label_sets: BTreeSet<&Labels> = pods
            .iter()
            .filter_map(|(_, s, _)| s.labels.as_ref())
            .collect();
        if label_sets.len() > 1 {
            continue;
        }
        let kind = match suffix {
            Suffix::Generated => {
                // Names another tool made (a suffix outside Kubernetes' alphabet): not a
                // controller's pods.
                if !pods.iter().all(|(_, _, rest)| is_safe_suffix(rest, 5..=5)) {
                    continue;
                }
                // A pod seen on several nodes is one whose events disagree: it tells nothing.
                let nodes: Vec<&String> = pods
                    .iter()
                    .filter(|(_, s, _)| s.nodes.len() == 1)
                    .flat_map(|(_, s, _)| s.nodes.iter())
                    .collect();
                let distinct: BTreeSet<&String> = nodes.iter().copied().collect();
                if pods.len() < 2 || distinct.len() < nodes.len() {
                    continue;
                }
                EntityKind::DaemonSet
            }
            Suffix::Ordinal if pods.len() > 1 || pods[0].2 == "0" => EntityKind::StatefulSet,
            Suffix::Ordinal => continue,
        };
        for (key, _, _) in pods {
            owners.insert(
                key.clone(),
                Owner {
                    kind,
                    namespace: namespace.clone(),
                    name: base.clone(),
                },
            );
        }
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(namespace: &str, name: &str, labels: &[&str], nodes: &[&str]) -> ObservedEndpoint {
        ObservedEndpoint {
            ip: None,
            cluster: None,
            namespace: Some(namespace.to_string()),
            pod_name: Some(name.to_string()),
            workload: None,
            labels: labels.iter().map(|l| format!("k8s:{l}")).collect(),
            identity: 300,
            node: None,
            pod_nodes: nodes.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn owner_of(owners: &BTreeMap<PodKey, Owner>, namespace: &str, pod: &str) -> Option<String> {
        owners
            .get(&(None, namespace.to_string(), pod.to_string()))
            .map(|o| format!("{}/{}", o.kind, o.name))
    }

    #[test]
    fn one_pod_per_node_is_a_daemonset() {
        let endpoints = [
            pod(
                "kube-system",
                "node-local-dns-6jnx9",
                &["k8s-app=node-local-dns"],
                &["a"],
            ),
            pod(
                "kube-system",
                "node-local-dns-88zrp",
                &["k8s-app=node-local-dns"],
                &["b"],
            ),
            pod(
                "kube-system",
                "node-local-dns-cw6pv",
                &["k8s-app=node-local-dns"],
                &[],
            ),
            // Its labels unknown (a record from another node printed none): it joins.
            pod("kube-system", "node-local-dns-r99x7", &[], &["c"]),
        ];
        let owners = inferred_owners(&endpoints, false, |_, _| false);
        for name in ["6jnx9", "88zrp", "cw6pv", "r99x7"] {
            assert_eq!(
                owner_of(&owners, "kube-system", &format!("node-local-dns-{name}")).as_deref(),
                Some("DaemonSet/node-local-dns")
            );
        }
    }

    #[test]
    fn two_pods_on_one_node_or_two_label_sets_or_a_lone_pod_stay_pods() {
        let endpoints = [
            pod("a", "migrate-x7x2q", &["app=migrate"], &["n1"]),
            pod("a", "worker-6jnx9", &["app=w"], &["n1"]),
            pod("a", "worker-88zrp", &["app=w"], &["n1"]),
            pod("a", "agent-6jnx9", &["app=agent"], &["n1"]),
            pod("a", "agent-88zrp", &["app=agent", "tier=x"], &["n2"]),
        ];
        let owners = inferred_owners(&endpoints, false, |_, _| false);
        assert!(owners.is_empty(), "{owners:?}");
    }

    #[test]
    fn another_tools_random_names_are_not_a_daemonset() {
        // Jenkins' agents: five random letters and digits, some of which happen to be of
        // Kubernetes' alphabet (`f8lfw`), others not (`mxr1q`, `404z9`).
        let endpoints = [
            pod("ci", "ci-angular2-f8lfw", &["jenkins=agent"], &["n1"]),
            pod("ci", "ci-angular2-mxr1q", &["jenkins=agent"], &["n2"]),
            pod("ci", "ci-angular2-404z9", &["jenkins=agent"], &["n3"]),
        ];
        let owners = inferred_owners(&endpoints, false, |_, _| false);
        assert!(owners.is_empty(), "{owners:?}");
    }

    #[test]
    fn ordinals_make_a_statefulset() {
        let endpoints = [
            pod("data", "db-0", &["app=db"], &[]),
            pod("data", "db-1", &["app=db"], &[]),
            pod("data", "web-1", &["app=web"], &[]),
            pod("data", "cache-0", &["app=cache"], &[]),
            pod("data", "debug-shell", &["run=debug"], &[]),
        ];
        let owners = inferred_owners(&endpoints, false, |_, _| false);
        assert_eq!(
            owner_of(&owners, "data", "db-0").as_deref(),
            Some("StatefulSet/db")
        );
        assert_eq!(
            owner_of(&owners, "data", "db-1").as_deref(),
            Some("StatefulSet/db")
        );
        assert_eq!(
            owner_of(&owners, "data", "cache-0").as_deref(),
            Some("StatefulSet/cache")
        );
        // A lone `-1` and a name with no suffix say nothing.
        assert_eq!(owner_of(&owners, "data", "web-1"), None);
        assert_eq!(owner_of(&owners, "data", "debug-shell"), None);
    }

    #[test]
    fn pods_the_inventory_or_hubble_names_are_left_alone() {
        let mut named = pod("a", "agent-6jnx9", &["app=agent"], &["n1"]);
        named.workload = Some(("DaemonSet".into(), "agent".into()));
        let endpoints = [
            named,
            pod("a", "known-6jnx9", &["app=k"], &["n1"]),
            // A Deployment's pod (ReplicaSet hash) is a Deployment already.
            pod("a", "web-6b746f74dc-9rcxx", &["app=web"], &["n1"]),
        ];
        let owners = inferred_owners(&endpoints, false, |_, pod| pod.starts_with("known"));
        assert!(owners.is_empty(), "{owners:?}");
    }
}
