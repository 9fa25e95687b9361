//! The native command-line tool: argument parsing and file I/O over the engine. `policy`
//! holds `generate` and `verify` (`tree_writer` writes `generate --out-dir`'s files), `diff`
//! (with `diff_report`) `diff`; `inspect` and `demo` are here.

mod diff;
mod diff_report;
mod outcome;
mod policy;
mod reading;
mod tree_writer;

pub use outcome::Outcome;
pub use reading::{cidr, load_paths};

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ipnet::IpNet;

use crate::engine::coverage::Coverage;
use crate::engine::demo::{self, DemoCluster, FlowLines, FlowOptions};
use crate::engine::l7::{request_patterns, L7Options};
use crate::engine::resolve::reach::{host_network_note, Reach};
use crate::engine::units::utc_time;

/// How many request patterns `inspect` lists per communication.
const L7_PATTERNS_LISTED: usize = 8;

/// flowpol turns observed Kubernetes network flows (Hubble logs) into least-privilege
/// NetworkPolicies. The same engine runs in the browser app.
#[derive(Parser, Debug)]
#[command(name = "flowpol", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read flow logs and inventories and print what they hold: each file's format and counts,
    /// the problems found, every communication with its connection count, the workloads whose
    /// kind was inferred from the flows (`inferred:`), those no selector picks exactly,
    /// with what their selector also admits (`wider:`), and those whose pods run in their
    /// node's network, which get no policy (`host network:`).
    Inspect {
        /// Cluster CIDRs (pod or Service ranges) when no inventory gives them.
        #[arg(long = "cluster-range", value_name = "CIDR", value_parser = cidr)]
        cluster_ranges: Vec<IpNet>,
        /// Flow logs and inventories, in any order, plain or gzip-compressed.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write one NetworkPolicy per workload (every workload of every namespace seen, unless
    /// narrowed), as multi-document YAML, with the default decisions: communications between
    /// workloads included, unresolved addresses excluded unless an --alias covers them. Exit
    /// status: 0 written and verified, 2 an error, 3 written but the verification finds an
    /// included communication denied (listed; --allow-denied makes it 0).
    Generate(policy::GenerateArgs),
    /// Replay every observed connection through NetworkPolicies and list those that would be
    /// denied. Exit status: 0 all allowed, 1 one would be denied, 2 an error (an unreadable
    /// file or policy document, a bad argument).
    Verify(policy::VerifyArgs),
    /// Compare the policies running today (--current) with a proposal (--proposed) over the
    /// observed communications: which would break (allowed now, denied after), which would
    /// open, and why; and which policies are added, removed or changed. Exit status: 0 nothing
    /// would break, 1 something would, 2 an error.
    Diff(diff::DiffArgs),
    /// Write the demo dataset: a Hubble flow log and the matching kubectl inventory.
    Demo {
        /// Number of Hubble lines to write.
        #[arg(long, default_value_t = demo::SHIPPED_FLOW_LINES)]
        flows: usize,
        /// Directory to write `flows.jsonl` and `inventory.json` into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Seed of the generator: the same seed and count give byte-identical files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Seconds of traffic the flows span.
        #[arg(long, default_value_t = 3600)]
        duration: u64,
        /// Also write `bench-namespace.flowpol.jsonl`: a synthetic namespace of WORKLOADS
        /// Deployments and COMMUNICATIONS distinct communications, for policy benchmarks.
        #[arg(long, value_name = "WORKLOADS,COMMUNICATIONS", value_parser = parse_pair)]
        bench_namespace: Option<(usize, usize)>,
    },
}

/// Exit status of `generate` when its own verification finds an included communication
/// denied.
const DENIES_INCLUDED_STATUS: u8 = 3;

/// Exit status of an error: an unreadable file, a document that is not what it should be, a
/// bad argument (clap's own usage errors exit 2 too).
const ERROR_STATUS: u8 = 2;

/// Parses the command line, runs it, and reports errors on standard error.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Denied(message)) => {
            eprintln!("flowpol: {message}");
            ExitCode::FAILURE
        }
        Ok(Outcome::DeniesIncluded(message)) => {
            eprintln!("flowpol: {message}");
            ExitCode::from(DENIES_INCLUDED_STATUS)
        }
        Err(message) => {
            eprintln!("flowpol: {message}");
            ExitCode::from(ERROR_STATUS)
        }
    }
}

fn execute(command: Command) -> Result<Outcome, String> {
    let done = |result: Result<(), String>| result.map(|()| Outcome::Done);
    match command {
        Command::Inspect {
            cluster_ranges,
            files,
        } => done(inspect(&files, &cluster_ranges)),
        Command::Generate(args) => policy::generate(&args),
        Command::Verify(args) => policy::verify(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Demo {
            flows,
            out,
            seed,
            duration,
            bench_namespace,
        } => {
            write_demo(&out, flows, seed, duration)?;
            done(match bench_namespace {
                Some((workloads, communications)) => {
                    let path = out.join(demo::namespace::FILE);
                    fs::write(
                        &path,
                        demo::namespace::namespace_flows(workloads, communications, seed),
                    )
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
                }
                None => Ok(()),
            })
        }
    }
}

/// `200,5000` as a pair of counts.
fn parse_pair(text: &str) -> Result<(usize, usize), String> {
    let (a, b) = text
        .split_once(',')
        .ok_or("expected two counts, e.g. 200,5000")?;
    let count = |t: &str| t.trim().parse::<usize>().map_err(|e| format!("{t}: {e}"));
    Ok((count(a)?, count(b)?))
}

fn write_demo(out: &Path, lines: usize, seed: u64, duration_seconds: u64) -> Result<(), String> {
    fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let cluster = DemoCluster::new(seed);
    let inventory_path = out.join(demo::INVENTORY_FILE);
    fs::write(&inventory_path, demo::inventory_json(&cluster))
        .map_err(|e| format!("cannot write {}: {e}", inventory_path.display()))?;
    let flows_path = out.join(demo::FLOWS_FILE);
    let write_error = |e: std::io::Error| format!("cannot write {}: {e}", flows_path.display());
    let file = File::create(&flows_path).map_err(write_error)?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let options = FlowOptions {
        lines,
        seed,
        duration_seconds,
        ..FlowOptions::default()
    };
    for line in FlowLines::new(&cluster, options) {
        writer.write_all(line.as_bytes()).map_err(write_error)?;
        writer.write_all(b"\n").map_err(write_error)?;
    }
    writer.flush().map_err(write_error)?;
    eprintln!(
        "flowpol: wrote {lines} flow lines to {} and the inventory to {}",
        flows_path.display(),
        inventory_path.display()
    );
    Ok(())
}

fn inspect(files: &[PathBuf], cluster_ranges: &[IpNet]) -> Result<(), String> {
    let started = std::time::Instant::now();
    let result = load_paths(files, cluster_ranges)?;
    let seconds = started.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    let write_error = |e: std::io::Error| format!("cannot write to standard output: {e}");
    for file in &result.files {
        let format = file.format.map_or("nothing", |f| f.label());
        writeln!(
            out,
            "{}: {}{}, {} bytes, {} records, {} flows, {} connection starts, {} objects, {} problems",
            file.name,
            format,
            if file.compressed { " (gzip)" } else { "" },
            file.decoded_bytes,
            file.records,
            file.flows,
            file.starts,
            file.objects,
            file.problems
        )
        .map_err(write_error)?;
        for (reason, count) in &file.skipped {
            writeln!(out, "  skipped {count} {}", reason.label()).map_err(write_error)?;
        }
        if let Some(error) = &file.error {
            writeln!(out, "  error: {error}").map_err(write_error)?;
        }
    }
    for diagnostic in &result.diagnostics {
        eprintln!("flowpol: {diagnostic}");
    }
    if result.problem_count > result.diagnostics.len() as u64 {
        eprintln!(
            "flowpol: {} more problems not listed",
            result.problem_count - result.diagnostics.len() as u64
        );
    }
    let dataset = &result.dataset;
    writeln!(
        out,
        "{} entities, {} unresolved addresses, {} communications",
        dataset.entities.len(),
        dataset.addresses.len(),
        dataset.communications.len()
    )
    .map_err(write_error)?;
    for communication in &dataset.communications {
        writeln!(out, "  {}", dataset.describe(communication)).map_err(write_error)?;
        let requests = &communication.observed.l7;
        let patterns = request_patterns(requests, L7Options::default());
        for pattern in patterns.iter().take(L7_PATTERNS_LISTED) {
            writeln!(out, "    L7 {} x{}", pattern.describe(), pattern.count)
                .map_err(write_error)?;
        }
        if patterns.len() > L7_PATTERNS_LISTED {
            writeln!(
                out,
                "    L7 … {} more patterns",
                patterns.len() - L7_PATTERNS_LISTED
            )
            .map_err(write_error)?;
        }
        if requests.overflow + requests.unreadable > 0 {
            writeln!(
                out,
                "    L7 {} requests past the limit, {} unreadable",
                requests.overflow, requests.unreadable
            )
            .map_err(write_error)?;
        }
    }
    // What flows alone made of the pods, and where no selector is exact.
    let mut reach = Reach::default();
    for id in dataset.entity_ids() {
        let entity = &dataset.entities[id];
        if entity.kind_inferred {
            writeln!(
                out,
                "inferred: {} ({} {}; its kind inferred from the flows, which no inventory or \
                 workloads[] confirms)",
                dataset.owner_key(id),
                entity.pods.len(),
                if entity.pods.len() == 1 {
                    "pod"
                } else {
                    "pods"
                }
            )
            .map_err(write_error)?;
        }
        if entity.host_network {
            let note = host_network_note(dataset, id, "NetworkPolicy or CiliumNetworkPolicy");
            writeln!(out, "host network: {note}").map_err(write_error)?;
        } else if let Some(overreach) = reach.overreach(dataset, id, &entity.selector) {
            writeln!(out, "wider: {}: {overreach}", dataset.owner_key(id)).map_err(write_error)?;
        }
    }
    // Is the capture long enough?
    let coverage = Coverage::of(dataset);
    if let Some(curve) = &coverage.curve {
        writeln!(
            out,
            "discovery: new communications per tenth of the capture ({} to {}): {}",
            utc_time(curve.start),
            utc_time(curve.end),
            curve.numbers()
        )
        .map_err(write_error)?;
    }
    writeln!(out, "estimate: {}", coverage.estimate_line()).map_err(write_error)?;
    for warning in coverage.warnings(dataset) {
        writeln!(out, "warning: {warning}").map_err(write_error)?;
    }
    let bytes: u64 = result.files.iter().map(|f| f.decoded_bytes).sum();
    eprintln!(
        "flowpol: read {bytes} bytes in {seconds:.2} s ({:.0} MB/s)",
        bytes as f64 / seconds / 1e6
    );
    Ok(())
}
