//! Workloads: the kinds of entity flowpol writes policies for, the controller kinds of an
//! inventory, and an owner (kind, namespace, name).

use std::fmt;

/// The kinds of entity flowpol writes policies for.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum EntityKind {
    Deployment,
    /// An Argo Rollouts `Rollout` (`argoproj.io`): a Deployment's stand-in whose ReplicaSets
    /// (a stable and a canary one during a rollout) it owns.
    Rollout,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
    /// A pod no controller owns.
    Pod,
}

impl EntityKind {
    /// Every kind, in the scope bar's order.
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Deployment,
        EntityKind::Rollout,
        EntityKind::DaemonSet,
        EntityKind::StatefulSet,
        EntityKind::CronJob,
        EntityKind::Job,
        EntityKind::Pod,
    ];

    /// The Kubernetes kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Deployment => "Deployment",
            EntityKind::Rollout => "Rollout",
            EntityKind::StatefulSet => "StatefulSet",
            EntityKind::DaemonSet => "DaemonSet",
            EntityKind::CronJob => "CronJob",
            EntityKind::Job => "Job",
            EntityKind::Pod => "Pod",
        }
    }

    /// Parses a kind, ignoring case (`deployment`, `Deployment`): for people typing it.
    pub fn parse(text: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text))
    }

    /// Parses the exact Kubernetes spelling: for names flowpol itself wrote.
    pub fn parse_exact(text: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The controllers an inventory holds, which pods are followed through to their workload.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum ControllerKind {
    ReplicaSet,
    Deployment,
    /// Argo Rollouts' `Rollout` (`argoproj.io/v1alpha1`), read only with that API group.
    Rollout,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

impl ControllerKind {
    pub const ALL: [ControllerKind; 7] = [
        ControllerKind::ReplicaSet,
        ControllerKind::Deployment,
        ControllerKind::Rollout,
        ControllerKind::StatefulSet,
        ControllerKind::DaemonSet,
        ControllerKind::Job,
        ControllerKind::CronJob,
    ];

    /// The Kubernetes kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ControllerKind::ReplicaSet => "ReplicaSet",
            ControllerKind::Deployment => "Deployment",
            ControllerKind::Rollout => "Rollout",
            ControllerKind::StatefulSet => "StatefulSet",
            ControllerKind::DaemonSet => "DaemonSet",
            ControllerKind::Job => "Job",
            ControllerKind::CronJob => "CronJob",
        }
    }

    /// Parses a Kubernetes kind (case matters, as in the API).
    pub fn parse(text: &str) -> Option<ControllerKind> {
        ControllerKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind of an object or owner reference of `api_version` (`apps/v1`,
    /// `argoproj.io/v1alpha1`; empty when a hand-written inventory leaves it out): a `Rollout`
    /// only of Argo Rollouts' API group, every other kind of any.
    pub fn parse_with_api(text: &str, api_version: &str) -> Option<ControllerKind> {
        let kind = ControllerKind::parse(text)?;
        let argo = api_version.is_empty() || api_version.starts_with("argoproj.io/");
        (kind != ControllerKind::Rollout || argo).then_some(kind)
    }

    /// The entity a controller of this kind is, when it is one itself (a ReplicaSet is not: its
    /// pods belong to its Deployment, or to themselves).
    pub fn entity_kind(self) -> Option<EntityKind> {
        match self {
            ControllerKind::ReplicaSet => None,
            ControllerKind::Deployment => Some(EntityKind::Deployment),
            ControllerKind::Rollout => Some(EntityKind::Rollout),
            ControllerKind::StatefulSet => Some(EntityKind::StatefulSet),
            ControllerKind::DaemonSet => Some(EntityKind::DaemonSet),
            ControllerKind::Job => Some(EntityKind::Job),
            ControllerKind::CronJob => Some(EntityKind::CronJob),
        }
    }
}

impl fmt::Display for ControllerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A workload: kind, namespace and name.
#[derive(
    serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub struct Owner {
    pub kind: EntityKind,
    pub namespace: String,
    pub name: String,
}

impl Owner {
    pub fn new(kind: EntityKind, namespace: &str, name: &str) -> Owner {
        Owner {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

/// `Kind/namespace/name`.
impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_loosely_for_people_and_exactly_for_keys() {
        assert_eq!(
            EntityKind::parse("deployment"),
            Some(EntityKind::Deployment)
        );
        assert_eq!(EntityKind::parse_exact("deployment"), None);
        assert_eq!(
            EntityKind::parse_exact("CronJob"),
            Some(EntityKind::CronJob)
        );
        assert_eq!(
            ControllerKind::parse("ReplicaSet"),
            Some(ControllerKind::ReplicaSet)
        );
        assert_eq!(
            ControllerKind::parse_with_api("Rollout", "argoproj.io/v1alpha1"),
            Some(ControllerKind::Rollout)
        );
        assert_eq!(
            ControllerKind::parse_with_api("Rollout", "example.com/v1"),
            None
        );
        assert_eq!(
            ControllerKind::Rollout.entity_kind(),
            Some(EntityKind::Rollout)
        );
        assert_eq!(
            EntityKind::parse_exact("Rollout"),
            Some(EntityKind::Rollout)
        );
        assert_eq!(ControllerKind::ReplicaSet.entity_kind(), None);
        assert_eq!(
            Owner::new(EntityKind::Job, "data", "migrate").to_string(),
            "Job/data/migrate"
        );
    }
}
