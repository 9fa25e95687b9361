//! `flowpol generate` and `flowpol verify`: file I/O and flags over the engine's policy
//! generator and verifier.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use ipnet::IpNet;

use crate::cli::outcome::Outcome;
use crate::cli::reading::{cidr, load_paths};
use crate::cli::tree_writer::write_tree;
use crate::engine::coverage::Coverage;
use crate::engine::dataset::Dataset;
use crate::engine::decisions::{parse_allowed_name, Decisions};
use crate::engine::ingest::formats::policies::read_policies;
use crate::engine::ingest::scan::records::MAX_DOCUMENT_BYTES;
use crate::engine::l7::L7Options;
use crate::engine::model::cilium_policy::CiliumNetworkPolicy;
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::model::time::parse_time;
use crate::engine::model::TimeWindow;
use crate::engine::policy::pipeline::{run, PolicyOptions, PolicyRequest, PolicyRun, Workloads};
use crate::engine::policy::tree::gitops_tree;
use crate::engine::policy::{PolicyKind, Selection};
use crate::engine::scope::SubjectKind;
use crate::engine::verify::evaluate::AnyPolicy;
use crate::engine::verify::replay::{verify_existing_any, Placed, Report};
use crate::engine::verify::requests::verify_existing_requests;

/// The options of `flowpol generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// kubectl inventories (`kubectl get ... -A -o json`); files given as FLOW_FILE are
    /// recognised too.
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventories: Vec<PathBuf>,
    /// Only workloads of this namespace (repeatable; default: every namespace seen).
    #[arg(long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,
    /// With --name: one workload, or `service` for the pods behind a Service.
    #[arg(long, value_name = "KIND", requires = "name")]
    pub kind: Option<String>,
    /// With --kind: the workload's (or Service's) name.
    #[arg(long, value_name = "NAME", requires = "kind")]
    pub name: Option<String>,
    /// Only connections from this time on (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub since: Option<String>,
    /// Only connections up to this time (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<String>,
    /// Map an IP or CIDR to a name; its communications are included, as an ipBlock.
    #[arg(long = "alias", value_name = "CIDR=NAME")]
    pub aliases: Vec<String>,
    /// Only workloads of this cluster (when the flows name clusters).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Cluster CIDRs (pod or Service ranges) when no inventory gives them.
    #[arg(long = "cluster-range", value_name = "CIDR", value_parser = cidr)]
    pub cluster_ranges: Vec<IpNet>,
    /// Allow UDP and TCP 53 to the cluster DNS pods (kube-system, k8s-app=kube-dns) from
    /// every workload, as the browser's DNS option does.
    #[arg(long)]
    pub allow_dns: bool,
    /// Map every node's address to an alias named after the node, so that communications
    /// with nodes (kubelet probes, host-network pods) are included, as ipBlocks.
    #[arg(long)]
    pub map_nodes: bool,
    /// Include egress to every address seen with this DNS name (or pattern, `*` within one
    /// label), on the ports used: `toFQDNs` in CiliumNetworkPolicies (repeatable; kept in the
    /// decisions file). NetworkPolicy cannot say it and warns.
    #[arg(long = "allow-name", value_name = "NAME")]
    pub allow_names: Vec<String>,
    /// Decisions exported from the browser's review (JSON); flags add to them.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Write the YAML here instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write a tree for GitOps instead: DIR/<namespace>/<kind>-<name>.yaml, one policy each,
    /// with a kustomization.yaml per namespace and one at the top (`kubectl apply -k DIR`).
    /// Run again, it rewrites what changed and removes the files of policies that are gone;
    /// files it did not write are left alone.
    #[arg(long = "out-dir", value_name = "DIR", conflicts_with = "output")]
    pub out_dir: Option<PathBuf>,
    /// The kind of policy: `kubernetes` (NetworkPolicy, networking.k8s.io/v1) or `cilium`
    /// (CiliumNetworkPolicy, cilium.io/v2), from the same review.
    #[arg(long, value_name = "KIND", default_value = "kubernetes", value_parser = PolicyKind::parse)]
    pub format: PolicyKind,
    /// Write L7 rules (CiliumNetworkPolicy `toPorts[].rules`: HTTP method and path, DNS names,
    /// Kafka API key and topic) for the requests Hubble saw, and check every one of them:
    /// `patterns` (the default) groups id-like path segments into `[^/]+`, `exact` writes
    /// every path and name as seen. Needs --format cilium.
    #[arg(long, value_name = "MODE", num_args = 0..=1, require_equals = true,
          default_missing_value = "patterns", value_parser = ["patterns", "exact"])]
    pub l7: Option<String>,
    /// With --l7 patterns: more than this many distinct values of a path segment under one
    /// prefix (or of names under one parent domain) become one wildcard.
    #[arg(long, value_name = "N", default_value_t = crate::engine::l7::DEFAULT_THRESHOLD)]
    pub l7_threshold: usize,
    /// With --l7: write Kafka rules (API key and topic) too. Cilium 1.20 removed Kafka-aware
    /// policies (deprecated since 1.18): only for clusters on Cilium 1.19 or earlier; without
    /// it, Kafka traffic keeps its port rule.
    #[arg(long)]
    pub l7_kafka: bool,
    /// Exit 0 even when the policies' own verification finds a communication the review
    /// included denied (they are still listed); without it, that is exit status 3.
    #[arg(long)]
    pub allow_denied: bool,
    /// Flow logs (Hubble, flowpol JSON), plain or gzip-compressed.
    #[arg(value_name = "FLOW_FILE", required = true)]
    pub flow_files: Vec<PathBuf>,
}

/// What `verify` and `diff` replay the observed communications from: the inventories, the time
/// span, the cluster's ranges, and how NetworkPolicies' ipBlocks are read.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// kubectl inventories.
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventories: Vec<PathBuf>,
    /// Only connections from this time on (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub since: Option<String>,
    /// Only connections up to this time (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<String>,
    /// Cluster CIDRs when no inventory gives them.
    #[arg(long = "cluster-range", value_name = "CIDR", value_parser = cidr)]
    pub cluster_ranges: Vec<IpNet>,
    /// Read NetworkPolicies as Calico enforces them: an ipBlock also matches the pods whose
    /// own addresses it holds (by default, as Cilium: never).
    #[arg(long)]
    pub ipblock_matches_pods: bool,
}

/// The options of `flowpol verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// NetworkPolicies and CiliumNetworkPolicies to check (YAML or JSON; several documents or
    /// a List per file; a folder: every such file under it); repeat the flag for several.
    #[arg(long = "policies", value_name = "FILE", required = true)]
    pub policies: Vec<PathBuf>,
    #[command(flatten)]
    pub replay: ReplayArgs,
    /// Flow logs, plain or gzip-compressed.
    #[arg(value_name = "FLOW_FILE", required = true)]
    pub flow_files: Vec<PathBuf>,
}

/// The data, and the policies of both kinds the input files held.
pub(super) type Loaded = (Dataset, Vec<NetworkPolicy>, Vec<CiliumNetworkPolicy>);

/// Reads the inputs into a dataset and the policies among them; skipped lines are warned
/// about, an unreadable file is an error.
pub(super) fn load(
    inventories: &[PathBuf],
    flow_files: &[PathBuf],
    cluster_ranges: &[IpNet],
) -> Result<Loaded, String> {
    let files: Vec<PathBuf> = inventories.iter().chain(flow_files).cloned().collect();
    let result = load_paths(&files, cluster_ranges)?;
    for diagnostic in &result.diagnostics {
        eprintln!("flowpol: warning: {diagnostic}");
    }
    let unlisted = result.problem_count - result.diagnostics.len() as u64;
    if unlisted > 0 {
        eprintln!("flowpol: warning: {unlisted} more problems not listed");
    }
    if let Some(file) = result.files.iter().find(|f| f.error.is_some()) {
        let error = file.error.as_deref().unwrap_or_default();
        return Err(format!("{}: {error}", file.name));
    }
    if result.dataset.communications.is_empty() {
        return Err("the files hold no connection between workloads".to_string());
    }
    Ok((result.dataset, result.policies, result.cilium_policies))
}

pub(super) fn window(since: &Option<String>, until: &Option<String>) -> Result<TimeWindow, String> {
    let parse = |flag: &str, value: &Option<String>| -> Result<Option<i64>, String> {
        value
            .as_deref()
            .map(|text| {
                parse_time(text).ok_or_else(|| {
                    format!("--{flag} {text}: not an RFC 3339 time (e.g. 2026-11-20T09:00:00Z)")
                })
            })
            .transpose()
    };
    let (since, until) = (parse("since", since)?, parse("until", until)?);
    if let (Some(since), Some(until)) = (since, until) {
        if since > until {
            return Err("--since is after --until: the time span is empty".to_string());
        }
    }
    Ok(TimeWindow::between(since, until))
}

/// `--out-dir`: the policies as a GitOps tree under `dir`, and what changed there.
fn write_gitops_tree(dir: &Path, run: &PolicyRun<'_>) -> Result<(), String> {
    let tree = gitops_tree(&run.generated, run.kind)?;
    for left_out in &tree.left_out {
        eprintln!("flowpol: warning: {left_out}");
    }
    let done = write_tree(dir, &tree)?;
    for path in &done.removed {
        eprintln!(
            "flowpol: removed {} (no longer in the tree)",
            dir.join(path).display()
        );
    }
    eprintln!(
        "flowpol: {}: {} files written, {} unchanged, {} removed",
        dir.display(),
        done.written.len(),
        done.unchanged,
        done.removed.len()
    );
    Ok(())
}

/// The decisions of `generate`: the exported file if given, plus the flags.
fn decisions(args: &GenerateArgs) -> Result<Decisions, String> {
    let mut decisions = match &args.decisions {
        Some(path) => Decisions::from_json(&read_text(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => Decisions::default(),
    };
    for alias in &args.aliases {
        let (cidr, name) = alias
            .split_once('=')
            .ok_or_else(|| format!("--alias {alias}: expected CIDR=NAME"))?;
        decisions
            .add_alias(name, cidr)
            .map_err(|e| format!("--alias {alias}: {e}"))?;
    }
    decisions.allow_dns |= args.allow_dns;
    for name in &args.allow_names {
        let name = parse_allowed_name(name).map_err(|e| format!("--allow-name {e}"))?;
        decisions.allowed_names.insert(name);
    }
    Ok(decisions)
}

/// The NetworkPolicies and CiliumNetworkPolicies of `paths` (YAML or JSON, several documents
/// or a List each; a folder: every `.yaml`, `.yml` and `.json` file under it, in path order,
/// but its `kustomization.yaml`s); what the evaluator cannot read is warned about.
pub(super) fn read_policy_files(
    paths: &[PathBuf],
) -> Result<(Vec<NetworkPolicy>, Vec<CiliumNetworkPolicy>), String> {
    let (mut policies, mut cilium) = (Vec::new(), Vec::new());
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(policy_files_under(path)?);
        } else {
            files.push(path.clone());
        }
    }
    for path in &files {
        let read = read_policies(&path.display().to_string(), &read_text(path)?)?;
        for note in read.notes {
            eprintln!("flowpol: warning: {note}");
        }
        policies.extend(read.policies);
        cilium.extend(read.cilium);
    }
    Ok((policies, cilium))
}

/// The policy files under the folder `dir` (a GitOps tree), in path order; symbolic links
/// are not followed.
fn policy_files_under(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let cannot = |e: std::io::Error| format!("cannot read {}: {e}", folder.display());
        for entry in fs::read_dir(&folder).map_err(cannot)? {
            let entry = entry.map_err(cannot)?;
            let kind = entry.file_type().map_err(cannot)?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_lowercase();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file()
                && [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
                && !name.starts_with("kustomization.")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A policy or decisions file, read whole: refused beyond [`MAX_DOCUMENT_BYTES`].
fn read_text(path: &Path) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let size = fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_DOCUMENT_BYTES as u64 {
        return Err(format!(
            "{} is {} MiB; policy and decisions files are read up to {} MiB: split it",
            path.display(),
            size >> 20,
            MAX_DOCUMENT_BYTES >> 20
        ));
    }
    fs::read_to_string(path).map_err(cannot)
}

/// `flowpol generate`: one NetworkPolicy per selected workload, as multi-document YAML.
pub fn generate(args: &GenerateArgs) -> Result<Outcome, String> {
    let decisions = decisions(args)?;
    let window = window(&args.since, &args.until)?;
    let entity = match (&args.kind, &args.name) {
        (Some(kind), Some(name)) => Some((SubjectKind::parse(kind)?, name.clone())),
        _ => None,
    };
    let mut ranges = args.cluster_ranges.clone();
    ranges.extend(decisions.cluster_ranges.iter().copied());
    let (dataset, _, _) = load(&args.inventories, &args.flow_files, &ranges)?;
    let request = PolicyRequest {
        decisions: &decisions,
        workloads: Workloads::Selection(Selection {
            namespaces: args.namespaces.clone(),
            entity,
            cluster: args.cluster.clone(),
        }),
        window,
        options: PolicyOptions {
            kind: args.format,
            ipblock_matches_pods: false,
            l7: l7_options(args)?,
        },
        map_nodes: args.map_nodes,
    };
    let run = run(&dataset, &request)?;
    for warning in run.unmatched_decisions(&dataset) {
        eprintln!("flowpol: warning: {warning}");
    }
    print_warnings(run.warnings());
    if let Some(note) = run.unused_l7_evidence(&dataset) {
        eprintln!("flowpol: warning: {note}");
    }
    let coverage = Coverage::of(&dataset);
    for note in coverage
        .keep_capturing()
        .into_iter()
        .chain(coverage.podless_warning())
    {
        eprintln!("flowpol: warning: {note}");
    }
    let yaml = run.yaml()?;
    if yaml.is_empty() {
        return Err("no policy could be written (see the warnings)".to_string());
    }
    for inclusion in &run.denied {
        eprintln!("flowpol: DENIED {}", inclusion.line());
    }
    let requests = run.requests.as_ref();
    for denied in requests.iter().flat_map(|r| r.included_denied()) {
        eprintln!(
            "flowpol: DENIED request {} on {}",
            denied.request,
            dataset.describe(&dataset.communications[denied.communication])
        );
    }
    let requests_denied = requests.map_or(0, |r| r.included_denied().count());
    eprintln!(
        "flowpol: {} {}; verified: {}{}",
        run.policy_count,
        match (args.format, run.policy_count) {
            (PolicyKind::Kubernetes, 1) => "policy",
            (PolicyKind::Kubernetes, _) => "policies",
            (PolicyKind::Cilium, 1) => "CiliumNetworkPolicy",
            (PolicyKind::Cilium, _) => "CiliumNetworkPolicies",
        },
        run.report.summary(),
        requests
            .map(|r| format!("; {}", r.summary()))
            .unwrap_or_default()
    );
    match &args.out_dir {
        Some(dir) => write_gitops_tree(dir, &run)?,
        None => write_output(args.output.as_deref(), &yaml)?,
    }
    Ok(
        if (run.denied.is_empty() && requests_denied == 0) || args.allow_denied {
            Outcome::Done
        } else if run.denied.is_empty() {
            Outcome::DeniesIncluded(format!(
                "the L7 rules written would deny {requests_denied} request(s) seen on included \
             communications (listed above as DENIED request): applied, that is an outage"
            ))
        } else {
            Outcome::DeniesIncluded(format!(
                "the policies written would deny {} the review included (listed above as DENIED); \
             applied, that is an outage: include what they need, or pass --allow-denied",
                match run.denied.len() {
                    1 => "1 communication".to_string(),
                    n => format!("{n} communications"),
                }
            ))
        },
    )
}

/// The L7 options of `generate`, or why they cannot be used.
fn l7_options(args: &GenerateArgs) -> Result<Option<L7Options>, String> {
    let Some(mode) = &args.l7 else {
        return Ok(None);
    };
    if args.format != PolicyKind::Cilium {
        return Err(
            "--l7 writes L7 rules (HTTP paths, DNS names, Kafka topics), which only a \
             CiliumNetworkPolicy can hold (toPorts[].rules); a NetworkPolicy allows ports only: \
             add --format cilium"
                .to_string(),
        );
    }
    if args.l7_threshold == 0 {
        return Err("--l7-threshold must be at least 1".to_string());
    }
    Ok(Some(L7Options {
        exact: mode == "exact",
        threshold: args.l7_threshold,
        kafka: args.l7_kafka,
    }))
}

/// Writes `yaml` to `output`, else to standard output.
fn write_output(output: Option<&Path>, yaml: &str) -> Result<(), String> {
    match output {
        Some(path) => {
            fs::write(path, yaml).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(yaml.as_bytes())
                .map_err(|e| format!("cannot write to standard output: {e}"))
        }
    }
}

/// `flowpol verify`: replays every observed connection through the given policies; fails
/// when one would be denied, listing them.
pub fn verify(args: &VerifyArgs) -> Result<Outcome, String> {
    let replay = &args.replay;
    let window = window(&replay.since, &replay.until)?;
    let (mut policies, mut cilium) = read_policy_files(&args.policies)?;
    let (dataset, among_inputs, cilium_among_inputs) = load(
        &replay.inventories,
        &args.flow_files,
        &replay.cluster_ranges,
    )?;
    policies.extend(among_inputs);
    cilium.extend(cilium_among_inputs);
    let mut both = AnyPolicy::both(&policies, &cilium);
    if replay.ipblock_matches_pods {
        both = both.into_iter().map(AnyPolicy::with_pod_blocks).collect();
    }
    if !policies.is_empty() {
        eprintln!(
            "flowpol: {}",
            crate::engine::policy::view::ipblock_reading(replay.ipblock_matches_pods)
        );
    }
    let report = verify_existing_any(&dataset, &both, None, window);
    print_denied(&dataset, &report);
    let denied = report.included_denied().count();
    println!(
        "{} policies, {} observed communications: {}",
        both.len(),
        report.rows.len(),
        if denied == 0 {
            "all allowed".to_string()
        } else {
            format!("{denied} would be DENIED")
        }
    );
    // The requests seen, through the L7 rules of CiliumNetworkPolicies (when any has some).
    let placed: Vec<Placed<'_>> = both.iter().map(|&p| (None, p)).collect();
    let has_l7_rules = cilium.iter().any(|p| {
        [&p.spec.ingress, &p.spec.egress]
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|rule| rule.to_ports.iter().flatten())
            .any(|entry| entry.rules.as_ref().is_some_and(|r| !r.is_empty()))
    });
    let requests = has_l7_rules.then(|| verify_existing_requests(&dataset, &placed, window));
    let requests_denied = requests.as_ref().map_or(0, |r| r.included_denied().count());
    if let Some(requests) = &requests {
        for row in requests.included_denied() {
            println!(
                "DENIED request {} on {}",
                row.request,
                dataset.describe(&dataset.communications[row.communication])
            );
        }
        println!(
            "{} observed requests (L7): {}",
            requests.rows.len(),
            if requests_denied == 0 {
                "all allowed".to_string()
            } else {
                format!("{requests_denied} would be DENIED")
            }
        );
    }
    Ok(if denied == 0 && requests_denied == 0 {
        Outcome::Done
    } else if denied == 0 {
        Outcome::Denied(format!(
            "{requests_denied} observed requests would be denied"
        ))
    } else {
        Outcome::Denied(format!("{denied} observed communications would be denied"))
    })
}

/// Prints the policies' warnings; the DNS advice is one line, however many workloads it
/// concerns.
fn print_warnings<'a>(warnings: impl Iterator<Item = &'a String>) {
    let mut without_dns = Vec::new();
    for warning in warnings {
        match warning.split_once(" may not resolve names") {
            Some((workload, _)) => without_dns.push(workload),
            None => eprintln!("flowpol: warning: {warning}"),
        }
    }
    if !without_dns.is_empty() {
        let shown = without_dns.len().min(5);
        let more = without_dns.len() - shown;
        eprintln!(
            "flowpol: warning: egress allows no DNS (port 53) for {} {}: {}{}; add \
             --allow-dns if they look names up",
            without_dns.len(),
            if without_dns.len() == 1 {
                "workload"
            } else {
                "workloads"
            },
            without_dns[..shown].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
}

fn print_denied(dataset: &Dataset, report: &Report) {
    for row in report.included_denied() {
        let communication = &dataset.communications[row.communication];
        let side = match (row.verdict.egress.allows(), row.verdict.ingress.allows()) {
            (false, false) => "egress at the client and ingress at the server",
            (false, true) => "egress at the client",
            _ => "ingress at the server",
        };
        println!("DENIED {} (by {side})", dataset.describe(communication));
    }
}
