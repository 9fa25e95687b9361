//! One call from a request to policies and their verification, for every shell: the CLI's
//! `generate` (and the commands to come, which compare or refine the same policies) and the
//! page's Generated Policy tab, review marks and topology. A plain request goes in (the
//! decisions, which workloads, the time span, the kind of policy); out come the policies, their
//! YAML and warnings, the replay of every observed communication through them, and the included
//! communications they would still deny. Reading files and printing stay with the shells.
//!
//! The steps, in order: nodes mapped to aliases when asked, decisions that name nothing in the
//! data noted, the workloads chosen, one policy per workload generated, the YAML written,
//! the policies placed on the workloads they select (those of a wider selector too) and every
//! communication of those workloads replayed, and the included ones they deny listed.

use std::borrow::Cow;

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::decisions::Decisions;
use crate::engine::l7::L7Options;
use crate::engine::model::{EntityId, ServiceId, TimeWindow};
use crate::engine::policy::build::GeneratedPolicy;
use crate::engine::policy::denied::{denied_inclusions, selected_entities, DeniedInclusion};
use crate::engine::policy::{
    cilium_documents, generate_policies_with, placed, placed_cilium, policies_yaml_as,
    select_entities, sort_by_owner, PolicyKind, Selection,
};
use crate::engine::scope::{Scope, Subject};
use crate::engine::verify::replay::{verify_placed, Report};
use crate::engine::verify::requests::{verify_requests, RequestReport};

/// Which policies the page shows.
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

/// How policies are written and checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PolicyOptions {
    pub kind: PolicyKind,
    /// Read NetworkPolicies as Calico does: an `ipBlock` also matches pods' own addresses.
    pub ipblock_matches_pods: bool,
    /// Write L7 rules for the requests seen, generalised so (CiliumNetworkPolicy only), and
    /// replay every request through them.
    pub l7: Option<L7Options>,
}

/// The workloads to write policies for: as the page names them, or as the command line does.
#[derive(Clone, Debug)]
pub enum Workloads {
    Target(PolicyTarget),
    Selection(Selection),
}

/// What to generate and check.
#[derive(Clone, Debug)]
pub struct PolicyRequest<'a> {
    pub decisions: &'a Decisions,
    pub workloads: Workloads,
    pub window: TimeWindow,
    pub options: PolicyOptions,
    /// Map every node's address to an alias named after the node first.
    pub map_nodes: bool,
}

/// What came out: the policies, their text, and their verification.
#[derive(Debug)]
pub struct PolicyRun<'a> {
    /// The decisions applied: the request's, copied only to map nodes when asked.
    pub decisions: Cow<'a, Decisions>,
    /// The workloads chosen, in namespace, kind and name order.
    pub entities: Vec<EntityId>,
    pub generated: Vec<GeneratedPolicy>,
    /// The kind of policy asked for.
    pub kind: PolicyKind,
    /// How many policy documents were placed and replayed.
    pub policy_count: usize,
    /// Every communication of the workloads the policies select, replayed through them.
    pub report: Report,
    /// The included communications the policies deny.
    pub denied: Vec<DeniedInclusion>,
    /// Every request seen replayed through the L7 rules, when they are written.
    pub requests: Option<RequestReport>,
}

/// Runs `request` over `dataset`: an error only for the command line's workloads, when its
/// selection names none or its time span holds no connection (the page offers only what the
/// data holds, and shows a span's empty policies).
pub fn run<'a>(dataset: &Dataset, request: &PolicyRequest<'a>) -> Result<PolicyRun<'a>, String> {
    let window = request.window;
    let from_command_line = matches!(request.workloads, Workloads::Selection(_));
    if from_command_line
        && window != TimeWindow::ALL
        && !dataset.communications.iter().any(|c| c.seen_in(window))
    {
        return Err(
            "no connection in the time span given by --since/--until (times are UTC)".to_string(),
        );
    }
    let mut decisions = Cow::Borrowed(request.decisions);
    if request.map_nodes {
        decisions.to_mut().map_nodes(dataset);
    }
    let entities = match &request.workloads {
        Workloads::Target(target) => target_entities(dataset, target),
        Workloads::Selection(selection) => select_entities(dataset, selection)?,
    };
    let l7 = request
        .options
        .l7
        .filter(|_| request.options.kind == PolicyKind::Cilium);
    let generated = generate_policies_with(dataset, &decisions, &entities, window, l7);
    let kind = request.options.kind;
    let (report, policy_count) = verify(dataset, &decisions, &generated, window, request.options);
    let requests = l7.map(|options| {
        let documents = cilium_documents(&generated);
        let placed = placed_cilium(dataset, &documents);
        let selected = selected_entities(&generated);
        verify_requests(dataset, &decisions, &placed, &selected, window, options)
    });
    Ok(PolicyRun {
        requests,
        kind,
        denied: denied_inclusions(dataset, &generated, kind, &report),
        decisions,
        entities,
        generated,
        policy_count,
        report,
    })
}

/// Replays the communications of the workloads `generated` selects through those policies,
/// written as `options` says; and how many policies exist.
pub fn verify(
    dataset: &Dataset,
    decisions: &Decisions,
    generated: &[GeneratedPolicy],
    window: TimeWindow,
    options: PolicyOptions,
) -> (Report, usize) {
    // Rendered only for the Cilium kind: a decision redraws the page's view.
    let documents = match options.kind {
        PolicyKind::Kubernetes => Vec::new(),
        PolicyKind::Cilium => cilium_documents(generated),
    };
    let mut policies = match options.kind {
        PolicyKind::Kubernetes => placed(dataset, generated),
        PolicyKind::Cilium => placed_cilium(dataset, &documents),
    };
    if options.ipblock_matches_pods {
        for (_, policy) in &mut policies {
            *policy = policy.with_pod_blocks();
        }
    }
    // Every workload a policy selects: a selector that also picks another workload's pods
    // isolates them too, and their communications must still be allowed.
    let selected = selected_entities(generated);
    let report = verify_placed(dataset, decisions, &policies, &selected, window);
    (report, policies.len())
}

impl PolicyRun<'_> {
    /// The YAML of every policy of the requested kind, or why it could not be written
    /// (written when asked: the review's marks need only the verification).
    pub fn yaml(&self) -> Result<String, String> {
        policies_yaml_as(&self.generated, self.kind)
    }

    /// Every policy's warnings for the requested kind, in order.
    pub fn warnings(&self) -> impl Iterator<Item = &String> {
        self.generated.iter().flat_map(|g| g.warnings_of(self.kind))
    }

    /// What L7 evidence the policies leave unused, in one line: the included communications
    /// of the chosen workloads on which requests were seen, when the policies are not
    /// CiliumNetworkPolicies with L7 rules (`None` when there are none, or they are used).
    pub fn unused_l7_evidence(&self, dataset: &Dataset) -> Option<String> {
        if self.requests.is_some() {
            return None;
        }
        let chosen: std::collections::BTreeSet<EntityId> = self.entities.iter().copied().collect();
        let mut communications = 0usize;
        let mut requests = 0usize;
        let mut kinds = std::collections::BTreeSet::new();
        for communication in &dataset.communications {
            let evidence = &communication.observed.l7;
            let touches = |peer| matches!(peer, Peer::Entity(id) if chosen.contains(&id));
            if evidence.requests.is_empty()
                || !(touches(communication.client) || touches(communication.server))
                || !self.decisions.is_included(dataset, communication)
            {
                continue;
            }
            communications += 1;
            requests += evidence.requests.len();
            kinds.extend(evidence.kinds());
        }
        if communications == 0 {
            return None;
        }
        let kinds: Vec<&str> = kinds.into_iter().collect();
        let evidence = format!(
            "{communications} included communication{} carr{} {requests} distinct L7 request{} \
             ({})",
            if communications == 1 { "" } else { "s" },
            if communications == 1 { "ies" } else { "y" },
            if requests == 1 { "" } else { "s" },
            kinds.join(", ")
        );
        Some(match self.kind {
            PolicyKind::Kubernetes => format!(
                "L7 evidence unused: {evidence}; a NetworkPolicy allows them by port only \
                 (--format cilium --l7 writes rules for the requests seen)"
            ),
            PolicyKind::Cilium => format!(
                "L7 evidence unused: {evidence}; the policies allow them by port only (--l7 \
                 writes rules for the requests seen)"
            ),
        })
    }

    /// The decisions applied that name nothing in the data (a typo, or another capture), to
    /// warn about: excluded rows, then general rules, each sorted.
    pub fn unmatched_decisions(&self, dataset: &Dataset) -> Vec<String> {
        unmatched_decisions(dataset, &self.decisions)
    }
}

fn unmatched_decisions(dataset: &Dataset, decisions: &Decisions) -> Vec<String> {
    let rows: std::collections::BTreeSet<_> = dataset
        .communications
        .iter()
        .map(|c| dataset.row_key(c))
        .collect();
    let unmatched_rows = decisions
        .excluded
        .iter()
        .filter(|k| !rows.contains(*k))
        .map(ToString::to_string)
        .chain(decisions.unreadable.excluded.iter().cloned());
    let unmatched_owners = decisions
        .general
        .keys()
        .filter(|k| dataset.find_owner(k).is_none())
        .map(ToString::to_string)
        .chain(decisions.unreadable.general.keys().cloned());
    let rows = sorted(unmatched_rows)
        .into_iter()
        .map(|key| format!("the decisions exclude `{key}`, which is not in the data"));
    let owners = sorted(unmatched_owners).into_iter().map(|key| {
        format!(
            "the decisions set a general rule for `{key}`, which is not in the data (workloads \
             are Kind/namespace/name, e.g. Deployment/shop/web)"
        )
    });
    rows.chain(owners).collect()
}

fn sorted(texts: impl Iterator<Item = String>) -> Vec<String> {
    let mut texts: Vec<String> = texts.collect();
    texts.sort();
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::shipped_demo as demo;

    fn request(decisions: &Decisions, workloads: Workloads) -> PolicyRequest<'_> {
        PolicyRequest {
            decisions,
            workloads,
            window: TimeWindow::ALL,
            options: PolicyOptions::default(),
            map_nodes: false,
        }
    }

    #[test]
    fn the_page_and_the_command_line_get_the_same_policies_for_a_namespace() {
        let dataset = demo();
        let decisions = Decisions::default();
        let page = run(
            &dataset,
            &request(
                &decisions,
                Workloads::Target(PolicyTarget::Namespace(Some("shop".to_string()))),
            ),
        )
        .unwrap();
        let selection = Selection {
            namespaces: vec!["shop".to_string()],
            ..Selection::default()
        };
        let cli = run(
            &dataset,
            &request(&decisions, Workloads::Selection(selection)),
        )
        .unwrap();
        assert_eq!(page.entities, cli.entities);
        assert!(!page.entities.is_empty());
        assert_eq!(page.yaml(), cli.yaml());
        assert!(page.yaml().unwrap().contains("namespace: shop"));
        assert_eq!(page.report.summary(), cli.report.summary());
        assert!(page.denied.is_empty(), "{:?}", page.denied);
    }

    #[test]
    fn the_command_line_is_told_when_its_span_or_selection_holds_nothing() {
        let dataset = demo();
        let decisions = Decisions::default();
        let mut empty_span = request(&decisions, Workloads::Selection(Selection::default()));
        empty_span.window = TimeWindow::between(Some(0), Some(1));
        let error = run(&dataset, &empty_span).unwrap_err();
        assert!(error.contains("no connection in the time span"), "{error}");
        let nowhere = Selection {
            namespaces: vec!["no-such-namespace".to_string()],
            ..Selection::default()
        };
        assert!(run(
            &dataset,
            &request(&decisions, Workloads::Selection(nowhere))
        )
        .is_err());
        // The page's span is what the data offers: an empty one shows empty policies.
        let mut page = request(&decisions, Workloads::Target(PolicyTarget::Namespace(None)));
        page.window = TimeWindow::between(Some(0), Some(1));
        assert!(run(&dataset, &page).is_ok());
    }

    #[test]
    fn nodes_are_mapped_before_policies_are_written_and_unmatched_decisions_named() {
        let dataset = demo();
        let mut decisions = Decisions::default();
        decisions
            .general
            .entry("Deployment/nowhere/ghost".parse().unwrap())
            .or_default();
        let mut mapped = request(&decisions, Workloads::Target(PolicyTarget::Namespace(None)));
        mapped.map_nodes = true;
        let run = run(&dataset, &mapped).unwrap();
        assert!(run.decisions.aliases.len() > decisions.aliases.len());
        let unmatched = run.unmatched_decisions(&dataset);
        assert_eq!(unmatched.len(), 1, "{unmatched:?}");
        assert!(unmatched[0].contains("Deployment/nowhere/ghost"));
    }
}
