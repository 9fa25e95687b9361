//! The native command-line tool: argument parsing and file I/O over the engine.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::engine::demo::{self, DemoCluster, FlowLines, FlowOptions};

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
    },
}

/// Parses the command line, runs it, and reports errors on standard error.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flowpol: {message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<(), String> {
    match command {
        Command::Demo {
            flows,
            out,
            seed,
            duration,
        } => write_demo(&out, flows, seed, duration),
    }
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
