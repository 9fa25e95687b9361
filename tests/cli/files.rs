//! The command line with many input files, as people collect Hubble logs (one file per node,
//! rotated logs): 1 to 50 files, empty ones, tiny ones and ones larger than a read buffer.
//! Four files once hung `flowpol` forever; every run here has a deadline, so a hang fails
//! the test instead of the suite.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::{text, DEMO_FLOWS, DEMO_INVENTORY};

/// Runs `flowpol` with `args`; fails the test when it has not finished within two minutes.
fn flowpol(args: &[&Path]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flowpol"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the pipes on threads of their own, so a full pipe cannot stall the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).unwrap();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).unwrap();
        bytes
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!(
                "flowpol {} files did not finish: it hangs",
                args.len().saturating_sub(1)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// `inspect`'s communications: the lines after the dataset's summary line.
fn communications(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .skip_while(|l| !l.ends_with(" communications"))
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// Writes `parts` files holding `lines` cut into contiguous runs, and returns their paths.
fn split(dir: &Path, name: &str, lines: &[&str], parts: usize) -> Vec<PathBuf> {
    let per_part = lines.len().div_ceil(parts);
    (0..parts)
        .map(|part| {
            let path = dir.join(format!("{name}-{part:02}.jsonl"));
            let start = (part * per_part).min(lines.len());
            let end = ((part + 1) * per_part).min(lines.len());
            let mut text = lines[start..end].join("\n");
            text.push('\n');
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// Checks that `lines` cut into each number of `parts` (after `inventory`, with an empty file
/// among them when `with_empty`) give the communications the whole capture gives.
fn parts_give_the_whole(
    dir: &Path,
    inventory: &Path,
    lines: &[&str],
    parts: &[usize],
    with_empty: bool,
) {
    let mut whole = vec![inventory.to_path_buf()];
    whole.extend(split(dir, "whole", lines, 1));
    let expected = inspect(&whole);
    assert!(expected.status.success());
    let expected = communications(&text(&expected.stdout));
    assert!(expected.len() > 20, "{expected:?}");
    for &count in parts {
        let mut files = vec![inventory.to_path_buf()];
        files.extend(split(dir, &format!("cut{count}"), lines, count));
        if with_empty {
            // An empty file between the parts, as a node without traffic leaves.
            let empty = dir.join(format!("empty{count}.jsonl"));
            std::fs::write(&empty, "").unwrap();
            files.insert(files.len() / 2, empty);
        }
        let output = inspect(&files);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert_eq!(
            communications(&text(&output.stdout)),
            expected,
            "{count} parts"
        );
    }
}

fn inspect(files: &[PathBuf]) -> Output {
    let mut args: Vec<&Path> = vec![Path::new("inspect")];
    args.extend(files.iter().map(PathBuf::as_path));
    flowpol(&args)
}

#[test]
fn one_to_fifty_tiny_files_each_get_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..50)
        .map(|i| {
            let path = dir.path().join(format!("node-{i:02}.json"));
            // Empty files, `{}` and a blank line: what a node with no traffic may leave.
            let content = ["", "{}", "\n"][i % 3];
            std::fs::write(&path, content).unwrap();
            path
        })
        .collect();
    for count in 1..=files.len() {
        let output = inspect(&files[..count]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let stdout = text(&output.stdout);
        for file in &files[..count] {
            let name = file.display().to_string();
            assert!(
                stdout.lines().any(|l| l.starts_with(&format!("{name}: "))),
                "{count} files: no report for {name} in\n{stdout}"
            );
        }
        assert!(
            stdout.contains("0 entities, 0 unresolved addresses, 0 communications"),
            "{stdout}"
        );
    }
}

#[test]
fn a_capture_cut_into_many_files_gives_what_the_whole_file_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let whole = std::fs::read_to_string(root.join(DEMO_FLOWS)).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    parts_give_the_whole(
        dir.path(),
        &root.join(DEMO_INVENTORY),
        &lines,
        &[1, 2, 3, 4, 5, 8, 17, 50],
        true,
    );
}

#[test]
fn files_larger_than_a_read_buffer_in_any_number() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let status = Command::new(env!("CARGO_BIN_EXE_flowpol"))
        .args(["demo", "--flows", "40000", "--out"])
        .arg(&demo)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let whole = std::fs::read_to_string(demo.join("flows.jsonl")).unwrap();
    assert!(
        whole.len() > (4 * 9) << 20,
        "four parts of over 9 MiB each: {} bytes",
        whole.len()
    );
    let lines: Vec<&str> = whole.lines().collect();
    parts_give_the_whole(
        dir.path(),
        &demo.join("inventory.json"),
        &lines,
        &[4, 5],
        false,
    );
}

#[test]
fn generate_reads_an_inventory_and_one_file_per_node() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let whole = std::fs::read_to_string(root.join(DEMO_FLOWS)).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let nodes = split(dir.path(), "node", &lines, 3);
    let inventory = root.join(DEMO_INVENTORY);
    let mut args: Vec<&Path> = vec![Path::new("generate"), Path::new("--inventory"), &inventory];
    args.extend(nodes.iter().map(PathBuf::as_path));
    let split_run = flowpol(&args);
    assert!(split_run.status.success(), "{}", text(&split_run.stderr));
    let whole_path = root.join(DEMO_FLOWS);
    let whole_run = flowpol(&[
        Path::new("generate"),
        Path::new("--inventory"),
        &inventory,
        &whole_path,
    ]);
    assert!(whole_run.status.success());
    assert!(!split_run.stdout.is_empty());
    assert_eq!(text(&split_run.stdout), text(&whole_run.stdout));
}
