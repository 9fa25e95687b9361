//! The loud failure: communications the review included that the generated policies would
//! deny, each with the side that denies it and why. A generated policy must never deny what
//! the review included (applied, it is an outage); where the generator could not avoid it
//! (a peer a NetworkPolicy cannot name, another cluster's workload), `flowpol generate` lists
//! these and exits 3, and the Generated Policy tab shows them above the YAML.

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::model::{CommunicationId, EntityId};
use crate::engine::policy::build::GeneratedPolicy;
use crate::engine::policy::kind::PolicyKind;
use crate::engine::verify::replay::Report;

/// One included communication the policies deny.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeniedInclusion {
    pub communication: CommunicationId,
    /// `client -> server PROTOCOL/port xN`.
    pub described: String,
    /// "egress at the client", "ingress at the server", or both.
    pub denied_by: &'static str,
    /// Why: the generator's warning about it, else which policy has no rule for it.
    pub why: String,
}

impl DeniedInclusion {
    /// One line: `client -> server TCP/80 x3, denied by egress at the client: why`.
    pub fn line(&self) -> String {
        format!(
            "{}, denied by {}: {}",
            self.described, self.denied_by, self.why
        )
    }
}

/// The entities every policy of `generated` selects: its own and the others its selector
/// picks too. The verifier checks all their communications: a policy that picks another
/// workload's pods isolates them.
pub fn selected_entities(generated: &[GeneratedPolicy]) -> Vec<EntityId> {
    // Policies of one selector share their list: each list is read once.
    let mut seen: std::collections::HashSet<*const [EntityId]> = Default::default();
    let mut entities: Vec<EntityId> = generated.iter().map(|g| g.entity).collect();
    for g in generated {
        if seen.insert(std::sync::Arc::as_ptr(&g.selects)) {
            entities.extend(g.selects.iter().copied());
        }
    }
    entities.sort();
    entities.dedup();
    entities
}

/// Whether `text` names `key` as a whole: not `1.2.3.4` inside `11.2.3.4`, nor `TCP/443`
/// inside `TCP/4430`.
fn mentions(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + key.len()..].chars().next();
        before.is_none_or(|c| c == ' ') && after.is_none_or(|c| c == ' ')
    })
}

/// The included communications `report` finds denied, with why.
pub fn denied_inclusions(
    dataset: &Dataset,
    generated: &[GeneratedPolicy],
    kind: PolicyKind,
    report: &Report,
) -> Vec<DeniedInclusion> {
    report
        .included_denied()
        .map(|row| {
            let communication = &dataset.communications[row.communication];
            let (egress, ingress) = (row.verdict.egress.allows(), row.verdict.ingress.allows());
            let denied_by = match (egress, ingress) {
                (false, false) => "egress at the client and ingress at the server",
                (false, true) => "egress at the client",
                _ => "ingress at the server",
            };
            let key = dataset.row_key(communication).to_string();
            let policy_of = |peer: Peer| match peer {
                Peer::Entity(id) => generated.iter().find(|g| g.entity == id),
                _ => None,
            };
            let sides = [
                (!egress, communication.client),
                (!ingress, communication.server),
            ];
            let warning = sides
                .iter()
                .filter(|(denies, _)| *denies)
                .filter_map(|&(_, peer)| policy_of(peer))
                .flat_map(|g| g.warnings_of(kind))
                .find(|w| mentions(w, &key))
                .cloned();
            let why = warning.unwrap_or_else(|| {
                let denying: Vec<String> = sides
                    .iter()
                    .filter(|(denies, _)| *denies)
                    .map(|&(_, peer)| match policy_of(peer) {
                        Some(_) => format!(
                            "the policy of {} has no rule for it",
                            dataset.peer_label(peer)
                        ),
                        None => format!(
                            "{} is selected by another workload's policy, and no policy of its \
                             own allows it (generate its policy too)",
                            dataset.peer_label(peer)
                        ),
                    })
                    .collect();
                denying.join("; ")
            });
            DeniedInclusion {
                communication: row.communication,
                described: dataset.describe(communication),
                denied_by,
                why,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn a_key_is_mentioned_only_whole() {
        let warning = "Egress web -> 11.2.3.4 TCP/4430 x3 not allowed";
        assert!(mentions(warning, "web -> 11.2.3.4 TCP/4430"));
        assert!(!mentions(warning, "web -> 1.2.3.4 TCP/4430"));
        assert!(!mentions(warning, "web -> 11.2.3.4 TCP/443"));
        assert!(!mentions("Egress xweb -> a TCP/1 x1", "web -> a TCP/1"));
    }
}
