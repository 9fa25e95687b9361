//! What the Generated Policy tab shows, computed in one call: the YAML of the entity in
//! scope (or of every entity of a namespace, the bundle), its warnings, the verification
//! summary, the included communications the policies still deny (the tab's banner, the
//! review rows' and the topology edges' marks), and the file name a download gets; the
//! policies and their verification come from [`pipeline`](super::pipeline), as the CLI's do.

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::decisions::Decisions;
use crate::engine::model::{CommunicationId, EntityId, TimeWindow};
use crate::engine::policy::build::{GeneratedPolicy, PolicyGenerator};
use crate::engine::policy::compare::{cluster_comparison, ClusterComparison};
use crate::engine::policy::denied::{denied_inclusions, DeniedInclusion};
use crate::engine::policy::names::{bundle_file_name, dns1123_subdomain, policy_file_name};
use crate::engine::policy::pipeline::{run, verify, PolicyRequest, Workloads};
pub use crate::engine::policy::pipeline::{target_entities, PolicyOptions, PolicyTarget};
use crate::engine::policy::tree::{gitops_tree, tree_zip};
use crate::engine::policy::PolicyKind;
use crate::engine::units::thousands;
use crate::engine::verify::evaluate::AnyPolicy;
use crate::engine::verify::replay::{verify_existing_any, Report};

impl PolicyTarget {
    /// The tab's heading: the file of one entity's policy, or how many policies a bundle holds.
    pub fn heading(&self, output: &PolicyOutput) -> String {
        match self {
            // No policy is written (a workload in its node's network): no file to name.
            PolicyTarget::Entity(_) | PolicyTarget::Service(_) if output.policy_count == 0 => {
                "No policy written".to_string()
            }
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
    /// The communications the review includes that the generated policies deny (none when
    /// the policies do what the review says).
    pub denied: Vec<DeniedCommunication>,
    /// What applying the generated policies over the cluster's loaded ones would change,
    /// when any were loaded.
    pub comparison: Option<ClusterComparison>,
}

impl PolicyOutput {
    /// The banner's heading, when the policies deny an included communication: "The generated
    /// NetworkPolicies deny 2 communications the review includes".
    pub fn denied_title(&self, kind: PolicyKind) -> Option<String> {
        let plural = match kind {
            PolicyKind::Kubernetes => "NetworkPolicies",
            PolicyKind::Cilium => "CiliumNetworkPolicies",
        };
        match self.denied.len() {
            0 => None,
            1 => Some(format!(
                "The generated {plural} deny 1 communication the review includes"
            )),
            n => Some(format!(
                "The generated {plural} deny {} communications the review includes",
                thousands(n as u64)
            )),
        }
    }
}

/// A communication the review includes that the generated policies deny, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeniedCommunication {
    pub communication: CommunicationId,
    /// The client, as the review names it (an address with its first DNS name).
    pub source: String,
    /// The server, named the same way.
    pub destination: String,
    /// `TCP/14269`.
    pub port: String,
    /// Where and why: `egress at the client: ` and the policy's warning about it, else which
    /// policy has no rule for it.
    pub reason: String,
}

impl DeniedCommunication {
    /// `source -> destination TCP/443`.
    pub fn heading(&self) -> String {
        format!("{} -> {} {}", self.source, self.destination, self.port)
    }

    /// `source -> destination TCP/443: reason`, the line the banner lists.
    pub fn text(&self) -> String {
        format!("{}: {}", self.heading(), self.reason)
    }
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
    let run = match run(dataset, &page_request(decisions, target, window, options)) {
        Ok(run) => run,
        Err(error) => {
            return PolicyOutput {
                warnings: vec![error],
                ..PolicyOutput::default()
            }
        }
    };
    let existing: Vec<AnyPolicy<'_>> = if options.ipblock_matches_pods {
        existing.iter().map(|p| p.with_pod_blocks()).collect()
    } else {
        existing.to_vec()
    };
    let reads_network_policies = kind == PolicyKind::Kubernetes
        || existing.iter().any(|p| !matches!(p, AnyPolicy::Cilium(_)));
    let (yaml, mut warnings) = match run.yaml() {
        Ok(yaml) => (yaml, Vec::new()),
        Err(error) => (
            String::new(),
            vec![format!("The YAML could not be written: {error}")],
        ),
    };
    warnings.extend(run.warnings().cloned());
    warnings.extend(run.unused_l7_evidence(dataset));
    let requests = run.requests.as_ref();
    let requests_verified = requests.is_none_or(|r| r.included_denied().next().is_none());
    let comparison = (!existing.is_empty())
        .then(|| cluster_comparison(dataset, &existing, &run, options, window));
    PolicyOutput {
        yaml,
        file_name: target_file_name(dataset, target, kind),
        policy_count: run.policy_count,
        denied: described(dataset, run.denied),
        warnings,
        verification: match requests {
            Some(requests) => format!("{}; {}", run.report.summary(), requests.summary()),
            None => run.report.summary(),
        },
        verified: run.report.all_agree() && requests_verified,
        reading: reads_network_policies
            .then(|| ipblock_reading(options.ipblock_matches_pods).to_string()),
        existing: (!existing.is_empty())
            .then(|| existing_verdict(dataset, &existing, &run.entities, window)),
        comparison,
    }
}

/// The page's request for `target`'s policies.
fn page_request<'a>(
    decisions: &'a Decisions,
    target: &PolicyTarget,
    window: TimeWindow,
    options: PolicyOptions,
) -> PolicyRequest<'a> {
    PolicyRequest {
        decisions,
        workloads: Workloads::Target(target.clone()),
        window,
        options,
        map_nodes: false,
    }
}

/// The file a download of `target`'s policies gets.
/// The tab's "Download the GitOps tree": every workload's policy of the kind chosen, as the
/// `.zip` of `flowpol generate --out-dir`'s tree (the same files, byte for byte, for the same
/// inputs and decisions); its file name and bytes.
pub fn gitops_zip(
    dataset: &Dataset,
    decisions: &Decisions,
    window: TimeWindow,
    options: PolicyOptions,
) -> Result<(String, Vec<u8>), String> {
    let target = PolicyTarget::Namespace(None);
    let run = run(dataset, &page_request(decisions, &target, window, options))?;
    let tree = gitops_tree(&run.generated, run.kind)?;
    let name = match run.kind {
        PolicyKind::Kubernetes => "networkpolicies-tree.zip",
        PolicyKind::Cilium => "ciliumnetworkpolicies-tree.zip",
    };
    Ok((name.to_string(), tree_zip(&tree)?))
}

fn target_file_name(dataset: &Dataset, target: &PolicyTarget, kind: PolicyKind) -> String {
    let plural = kind.file_words().1;
    match target {
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
    }
}

/// The included communications of `target` that its generated policies deny, and why: what
/// the review's rows and the topology's edges mark (the Generated Policy tab's banner lists
/// the same, from [`policy_output`]).
pub fn denied_communications(
    dataset: &Dataset,
    decisions: &Decisions,
    target: &PolicyTarget,
    window: TimeWindow,
    options: PolicyOptions,
) -> Vec<DeniedCommunication> {
    run(dataset, &page_request(decisions, target, window, options))
        .map(|run| described(dataset, run.denied))
        .unwrap_or_default()
}

/// The denials of [`denied_communications`] worked out a step at a time, one entity of the
/// target per step, so a page can spread a namespace's over several turns: each entity's
/// policy is generated and the communications of the workloads it selects replayed through
/// it alone. For one entity this is exactly [`denied_communications`]; for several, a
/// communication between two of them is checked under each one's policy in turn (the whole
/// bundle's replay applies them together), and found under both it gives both reasons.
pub struct DeniedJob<'a> {
    dataset: &'a Dataset,
    decisions: &'a Decisions,
    generator: PolicyGenerator<'a>,
    entities: Vec<EntityId>,
    next: usize,
    window: TimeWindow,
    options: PolicyOptions,
    found: Vec<DeniedCommunication>,
}

impl<'a> DeniedJob<'a> {
    pub fn new(
        dataset: &'a Dataset,
        decisions: &'a Decisions,
        target: &PolicyTarget,
        window: TimeWindow,
        options: PolicyOptions,
    ) -> DeniedJob<'a> {
        DeniedJob {
            dataset,
            decisions,
            generator: PolicyGenerator::new(dataset, decisions, window),
            entities: target_entities(dataset, target),
            next: 0,
            window,
            options,
            found: Vec::new(),
        }
    }

    /// Checks the next entity: `Some` with every denial (in communication order) once done.
    pub fn step(&mut self) -> Option<Vec<DeniedCommunication>> {
        let Some(&entity) = self.entities.get(self.next) else {
            let mut found = std::mem::take(&mut self.found);
            found.sort_by_key(|d| d.communication);
            return Some(found);
        };
        self.next += 1;
        let generated = [self.generator.policy(entity)];
        let (report, _) = verify(
            self.dataset,
            self.decisions,
            &generated,
            self.window,
            self.options,
        );
        for denied in denied_in(self.dataset, &generated, &report, self.options.kind) {
            add_denial(&mut self.found, denied);
        }
        None
    }

    /// Every step at once.
    pub fn run(mut self) -> Vec<DeniedCommunication> {
        loop {
            if let Some(found) = self.step() {
                return found;
            }
        }
    }
}

/// Adds `denied` to `found`: a communication found again (at its other end) gains that end's
/// reason.
fn add_denial(found: &mut Vec<DeniedCommunication>, denied: DeniedCommunication) {
    match found
        .iter_mut()
        .find(|d| d.communication == denied.communication)
    {
        Some(seen) if seen.reason != denied.reason => {
            seen.reason = format!("{}; {}", seen.reason, denied.reason);
        }
        Some(_) => {}
        None => found.push(denied),
    }
}

/// Each included communication of `report` that the policies deny, described with why
/// (`generated`: the policies replayed, written as `kind`): what `flowpol generate` lists
/// ([`denied_inclusions`]), with its ends and port apart and the warning's why without the
/// communication it repeats.
pub fn denied_in(
    dataset: &Dataset,
    generated: &[GeneratedPolicy],
    report: &Report,
    kind: PolicyKind,
) -> Vec<DeniedCommunication> {
    described(dataset, denied_inclusions(dataset, generated, kind, report))
}

/// Each denied inclusion with its ends and port apart, and the warning's why without the
/// communication it repeats.
fn described(dataset: &Dataset, inclusions: Vec<DeniedInclusion>) -> Vec<DeniedCommunication> {
    inclusions
        .into_iter()
        .map(|inclusion| {
            let communication = &dataset.communications[inclusion.communication];
            let why = why_in(&inclusion.why, &inclusion.described).unwrap_or(&inclusion.why);
            DeniedCommunication {
                communication: inclusion.communication,
                source: peer_name(dataset, communication.client),
                destination: peer_name(dataset, communication.server),
                port: format!("{}/{}", communication.protocol, communication.port),
                reason: format!("{}: {why}", inclusion.denied_by),
            }
        })
        .collect()
}

/// What `warning` says of the communication `described`, when it names it: the part after
/// "... `described` not allowed: ", or the whole warning.
fn why_in<'w>(warning: &'w str, described: &str) -> Option<&'w str> {
    let at = mention(warning, described)?;
    let rest = &warning[at + described.len()..];
    Some(rest.strip_prefix(" not allowed: ").unwrap_or(warning))
}

/// Where `text` names `described` as a whole (not `x1` inside `x12`, nor `1.2.3.4` inside
/// `11.2.3.4`).
fn mention(text: &str, described: &str) -> Option<usize> {
    text.match_indices(described).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + described.len()..].chars().next();
        before.is_none_or(char::is_whitespace)
            && after.is_none_or(|c| c.is_whitespace() || matches!(c, ':' | ',' | ';' | '.' | ')'))
    })
}

/// A peer as the review names it, an address with its first DNS name.
fn peer_name(dataset: &Dataset, peer: Peer) -> String {
    let label = dataset.peer_label(peer);
    match peer {
        Peer::Address(id) => match dataset.addresses[id].names.first() {
            Some(name) => format!("{label} ({})", name.trim_end_matches('.')),
            None => label,
        },
        _ => label,
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

#[cfg(test)]
mod tests {
    use super::{add_denial, mention, why_in, DeniedCommunication};
    use crate::engine::model::CommunicationId;

    #[test]
    fn a_communication_denied_at_both_ends_is_listed_once_with_both_reasons() {
        let denial = |id: usize, reason: &str| DeniedCommunication {
            communication: CommunicationId::new(id),
            source: "a".into(),
            destination: "b".into(),
            port: "TCP/80".into(),
            reason: reason.into(),
        };
        let mut found = Vec::new();
        add_denial(&mut found, denial(1, "egress of A"));
        add_denial(&mut found, denial(2, "egress of A"));
        add_denial(&mut found, denial(1, "ingress of B"));
        add_denial(&mut found, denial(1, "egress of A; ingress of B"));
        let reasons: Vec<&str> = found.iter().map(|d| d.reason.as_str()).collect();
        assert_eq!(reasons, ["egress of A; ingress of B", "egress of A"]);
        assert_eq!(found[0].heading(), "a -> b TCP/80");
        assert_eq!(found[0].text(), "a -> b TCP/80: egress of A; ingress of B");
    }

    #[test]
    fn a_communication_is_named_whole_or_not_at_all() {
        let described = "1.2.3.4 -> Deployment/a/b TCP/80 x1";
        assert_eq!(mention(described, described), Some(0));
        assert_eq!(
            mention(&format!("Ingress {described}: x"), described),
            Some(8)
        );
        // Another address that ends the same, another count that starts the same.
        assert_eq!(
            mention(
                "11.2.3.4 -> Deployment/a/b TCP/80 x1 not allowed",
                described
            ),
            None
        );
        assert_eq!(
            mention(
                "1.2.3.4 -> Deployment/a/b TCP/80 x12 not allowed",
                described
            ),
            None
        );
        assert_eq!(
            mention("1.2.3.4 -> Deployment/a/b TCP/8080 x1", described),
            None
        );
        // The second mention counts when the first is part of something else.
        let both = format!("11.2.3.4 -> Deployment/a/b TCP/80 x1 and {described}.");
        assert_eq!(mention(&both, described), Some(41));
    }

    #[test]
    fn the_why_is_what_follows_not_allowed_else_the_whole_warning() {
        let described = "Deployment/a/b -> 1.2.3.4 TCP/443 x3";
        assert_eq!(
            why_in(
                &format!("Egress {described} not allowed: no name"),
                described
            ),
            Some("no name")
        );
        let other = format!("{described} is odd");
        assert_eq!(why_in(&other, described), Some(other.as_str()));
        assert_eq!(why_in("nothing of it", described), None);
    }
}
