//! Two sets of policies over the same observed communications: what runs today (`current`)
//! and what would replace it (`proposed`). Every communication seen in the time span is
//! replayed under both, exactly as `verify` replays it; one allowed today and denied by the
//! proposal **would break**, one denied today and allowed by it **would open**. Each change
//! names the policies responsible: the one that allowed it before and those that now select
//! the pod without allowing it (or the reverse). The policies themselves are compared by kind,
//! namespace and name: added, removed, changed (with a unified diff of the two documents).

use std::collections::BTreeMap;
use std::fmt;

use crate::engine::dataset::{Communication, Dataset};
use crate::engine::model::{CommunicationId, Direction, TimeWindow};
use crate::engine::verify::evaluate::{AnyPolicy, SideVerdict, Verdict};
use crate::engine::verify::replay::{isolating, verify_existing_any};

/// What the proposal does to one communication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Allowed today, denied by the proposal.
    WouldBreak,
    /// Denied today, allowed by the proposal.
    WouldOpen,
    Unchanged,
}

/// One observed communication under both sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunicationDiff {
    pub communication: CommunicationId,
    pub current: Verdict,
    pub proposed: Verdict,
    /// Its connections in the time span.
    pub connections: u64,
    /// For a change, the policies responsible, in words (empty when unchanged).
    pub by: String,
}

impl CommunicationDiff {
    pub fn change(&self) -> Change {
        match (self.current.allowed(), self.proposed.allowed()) {
            (true, false) => Change::WouldBreak,
            (false, true) => Change::WouldOpen,
            _ => Change::Unchanged,
        }
    }
}

/// A policy document by kind, namespace and name (a clusterwide policy has no namespace).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyName {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl PolicyName {
    pub fn of(policy: AnyPolicy<'_>) -> PolicyName {
        let (kind, metadata) = match policy {
            AnyPolicy::Kubernetes(p) | AnyPolicy::KubernetesPodBlocks(p) => {
                ("NetworkPolicy", &p.metadata)
            }
            AnyPolicy::Cilium(p) => (p.kind.as_str(), &p.metadata),
        };
        PolicyName {
            kind: kind.to_string(),
            namespace: metadata.namespace.clone(),
            name: metadata.name.clone(),
        }
    }
}

/// `NetworkPolicy/shop/db`, or `CiliumClusterwideNetworkPolicy/dns` without a namespace.
impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A policy in both sets whose document differs: its two documents as flowpol writes YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedPolicy {
    pub name: PolicyName,
    pub current: String,
    pub proposed: String,
}

impl ChangedPolicy {
    /// The unified diff of the two documents (`---` current, `+++` proposed), three lines of
    /// context: made when a report prints it, not with every comparison.
    pub fn unified_diff(&self) -> String {
        let name = self.name.to_string();
        similar::TextDiff::from_lines(&self.current, &self.proposed)
            .unified_diff()
            .context_radius(3)
            .header(&format!("current {name}"), &format!("proposed {name}"))
            .to_string()
    }
}

/// How the sets of policies differ, each list in kind, namespace and name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyChanges {
    pub added: Vec<PolicyName>,
    pub removed: Vec<PolicyName>,
    pub changed: Vec<ChangedPolicy>,
}

impl PolicyChanges {
    /// The names of the added, removed and changed policies (`Kind/namespace/name`).
    pub fn names(&self) -> [Vec<String>; 3] {
        let names =
            |list: &mut dyn Iterator<Item = &PolicyName>| list.map(ToString::to_string).collect();
        [
            names(&mut self.added.iter()),
            names(&mut self.removed.iter()),
            names(&mut self.changed.iter().map(|c| &c.name)),
        ]
    }
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDiff {
    /// Every communication seen in the time span, in the dataset's order.
    pub communications: Vec<CommunicationDiff>,
    pub policies: PolicyChanges,
}

impl PolicyDiff {
    /// The communications with `change`.
    pub fn with_change(&self, change: Change) -> impl Iterator<Item = &CommunicationDiff> {
        self.communications
            .iter()
            .filter(move |c| c.change() == change)
    }

    /// How many would break and how many would open.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.with_change(Change::WouldBreak).count(),
            self.with_change(Change::WouldOpen).count(),
        )
    }
}

/// The set a cluster holds after `policies` are applied in order (`kubectl apply`): a policy
/// replaces an earlier one of the same kind, namespace and name, in its place.
pub fn as_applied<'a>(policies: &[AnyPolicy<'a>]) -> Vec<AnyPolicy<'a>> {
    let mut position: BTreeMap<PolicyName, usize> = BTreeMap::new();
    let mut set: Vec<AnyPolicy<'a>> = Vec::new();
    for &policy in policies {
        match position.entry(PolicyName::of(policy)) {
            std::collections::btree_map::Entry::Occupied(at) => set[*at.get()] = policy,
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(set.len());
                set.push(policy);
            }
        }
    }
    set
}

/// Compares `proposed` with `current` over the communications of `dataset` seen in `window`.
/// Each set is taken as the cluster would hold it ([`as_applied`]): with the same kind,
/// namespace and name, a later document replaces an earlier one, so that `current` followed by
/// a proposal is the cluster after the proposal is applied over it.
pub fn diff(
    dataset: &Dataset,
    current: &[AnyPolicy<'_>],
    proposed: &[AnyPolicy<'_>],
    window: TimeWindow,
) -> PolicyDiff {
    let (current, proposed) = (&as_applied(current)[..], &as_applied(proposed)[..]);
    let before = verify_existing_any(dataset, current, None, window);
    let after = verify_existing_any(dataset, proposed, None, window);
    let communications = before
        .rows
        .iter()
        .zip(&after.rows)
        .map(|(before, after)| {
            debug_assert_eq!(before.communication, after.communication);
            let communication = &dataset.communications[before.communication];
            let mut row = CommunicationDiff {
                communication: before.communication,
                current: before.verdict,
                proposed: after.verdict,
                connections: communication.connections_in(window),
                by: String::new(),
            };
            row.by = match row.change() {
                Change::WouldBreak => explain(
                    dataset,
                    communication,
                    (&row.current, current, "today"),
                    (&row.proposed, proposed, "proposed"),
                ),
                Change::WouldOpen => explain(
                    dataset,
                    communication,
                    (&row.proposed, proposed, "proposed"),
                    (&row.current, current, "today"),
                ),
                Change::Unchanged => String::new(),
            };
            row
        })
        .collect();
    PolicyDiff {
        communications,
        policies: policy_changes(current, proposed),
    }
}

/// Why a communication is allowed under one set and denied under the other, per side that
/// denies: the policies that select the pod there without allowing it, and what lets it
/// through under the other set. The sets are named as the change reads: for a break, the
/// proposal denies and today allows; for an opening, the reverse.
fn explain(
    dataset: &Dataset,
    communication: &Communication,
    (allowed, allowing, allowing_set): (&Verdict, &[AnyPolicy<'_>], &str),
    (denied, denying, denying_set): (&Verdict, &[AnyPolicy<'_>], &str),
) -> String {
    let sides = [
        (
            Direction::Egress,
            communication.client,
            denied.egress,
            allowed.egress,
            "egress of the client",
        ),
        (
            Direction::Ingress,
            communication.server,
            denied.ingress,
            allowed.ingress,
            "ingress of the server",
        ),
    ];
    let mut parts = Vec::new();
    for (direction, peer, denial, allowance, side) in sides {
        if denial.allows() {
            continue;
        }
        let selecting = isolating(dataset, denying, peer, direction);
        let denied_by = match selecting.len() {
            0 => format!("{denying_set}, a deny rule refuses it"),
            1 => format!(
                "{denying_set}, {} selects it and does not allow it",
                names(denying, &selecting)
            ),
            _ => format!(
                "{denying_set}, {} select it and none allows it",
                names(denying, &selecting)
            ),
        };
        let allowed_by = match allowance {
            SideVerdict::AllowedBy(index) => {
                format!(
                    "{allowing_set}, {} allows it",
                    PolicyName::of(allowing[index])
                )
            }
            _ => format!("{allowing_set}, no policy selects it"),
        };
        parts.push(format!("{side}: {denied_by}; {allowed_by}"));
    }
    parts.join(". ")
}

/// The names of `policies` at `positions`, joined.
fn names(policies: &[AnyPolicy<'_>], positions: &[usize]) -> String {
    positions
        .iter()
        .map(|&i| PolicyName::of(policies[i]).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which policies were added, removed or changed, by kind, namespace and name.
fn policy_changes(current: &[AnyPolicy<'_>], proposed: &[AnyPolicy<'_>]) -> PolicyChanges {
    let by_name = |set: &[AnyPolicy<'_>]| -> BTreeMap<PolicyName, String> {
        set.iter()
            .map(|&policy| (PolicyName::of(policy), document_yaml(policy)))
            .collect()
    };
    let (before, after) = (by_name(current), by_name(proposed));
    let mut changes = PolicyChanges::default();
    for (name, text) in &after {
        match before.get(name) {
            None => changes.added.push(name.clone()),
            Some(was) if was != text => changes.changed.push(ChangedPolicy {
                name: name.clone(),
                current: was.clone(),
                proposed: text.clone(),
            }),
            Some(_) => {}
        }
    }
    changes.removed = before
        .keys()
        .filter(|name| !after.contains_key(*name))
        .cloned()
        .collect();
    changes
}

/// The policy as flowpol writes YAML (so that two readings of the same document compare
/// equal whatever their formatting was).
fn document_yaml(policy: AnyPolicy<'_>) -> String {
    let written = match policy {
        AnyPolicy::Kubernetes(p) | AnyPolicy::KubernetesPodBlocks(p) => {
            crate::engine::yaml::to_yaml(std::slice::from_ref(p))
        }
        AnyPolicy::Cilium(p) => crate::engine::yaml::to_yaml(std::slice::from_ref(p)),
    };
    written.unwrap_or_else(|e| format!("# the policy could not be written: {e}\n"))
}

#[cfg(test)]
mod tests;
