//! `flowpol diff`: the policies running today (`--current`) and a proposal (`--proposed`),
//! each read as `verify` reads policies, compared over the observed communications; the
//! report is written by `diff_report` as text, JSON or Markdown.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::diff_report::{json, markdown, text};
use crate::cli::outcome::Outcome;
use crate::cli::policy::{load, read_policy_files, window, ReplayArgs};
use crate::engine::verify::diff::diff as compare;
use crate::engine::verify::evaluate::AnyPolicy;

/// How `diff` writes its report.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiffFormat {
    /// Lines for a terminal: the changed communications, the policies, a summary.
    #[default]
    Text,
    /// One JSON object with every observed communication (see docs/cli.md for the schema).
    Json,
    /// A pull request comment: a summary line, would break, would open, the policies.
    Markdown,
}

/// The options of `flowpol diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The policies that run today (`kubectl get networkpolicies,ciliumnetworkpolicies -A -o
    /// yaml`, a List, several documents, or a folder such as `generate --out-dir`'s); repeat
    /// for several; none: no policies.
    #[arg(long = "current", value_name = "FILE")]
    pub current: Vec<PathBuf>,
    /// The policies that would replace them (flowpol's output, a GitOps folder, a hand edit);
    /// repeat for several; none: no policies.
    #[arg(long = "proposed", value_name = "FILE")]
    pub proposed: Vec<PathBuf>,
    #[command(flatten)]
    pub replay: ReplayArgs,
    /// How to write the report.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Flow logs, plain or gzip-compressed.
    #[arg(value_name = "FLOW_FILE", required = true)]
    pub flow_files: Vec<PathBuf>,
}

/// `flowpol diff`: exit status 0 when nothing would break, 1 when something would.
pub fn diff(args: &DiffArgs) -> Result<Outcome, String> {
    let replay = &args.replay;
    let window = window(&replay.since, &replay.until)?;
    let current = read_policy_files(&args.current)?;
    let proposed = read_policy_files(&args.proposed)?;
    let (dataset, among_inputs, cilium_among_inputs) = load(
        &replay.inventories,
        &args.flow_files,
        &replay.cluster_ranges,
    )?;
    let unused = among_inputs.len() + cilium_among_inputs.len();
    if unused > 0 {
        eprintln!(
            "flowpol: warning: {unused} policies among the flow files and inventories are not \
             compared: give them with --current or --proposed"
        );
    }
    let mut current = AnyPolicy::both(&current.0, &current.1);
    let mut proposed = AnyPolicy::both(&proposed.0, &proposed.1);
    if replay.ipblock_matches_pods {
        for policy in current.iter_mut().chain(proposed.iter_mut()) {
            *policy = policy.with_pod_blocks();
        }
    }
    eprintln!(
        "flowpol: {}",
        crate::engine::policy::view::ipblock_reading(replay.ipblock_matches_pods)
    );
    let report = compare(&dataset, &current, &proposed, window);
    print!(
        "{}",
        match args.format {
            DiffFormat::Text => text(&dataset, &report),
            DiffFormat::Json => json(&dataset, &report)?,
            DiffFormat::Markdown => markdown(&dataset, &report),
        }
    );
    let (breaks, _) = report.counts();
    Ok(if breaks == 0 {
        Outcome::Done
    } else {
        Outcome::Denied(format!(
            "{breaks} observed communications would break under the proposed policies"
        ))
    })
}
