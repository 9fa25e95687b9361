//! Memory stays bounded whatever the input: `flowpol inspect` runs under a 256 MiB limit on
//! its data (`prlimit --data`, which counts the heap and every private writable mapping) and
//! reads an endless line of 300 MB (gzip-compressed to 300 KB) and an inventory of 12,000 pods
//! (100 MB, with large annotations) of 100 workloads. A run
//! under a far smaller limit fails, so the limit is known to bite.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use crate::CAPTURE;

const LIMIT: &str = "--data=268435456"; // 256 MiB

fn inspect_limited(limit: &str, file: &Path) -> Output {
    Command::new("prlimit")
        .arg(limit)
        .arg(env!("CARGO_BIN_EXE_flowpol"))
        .arg("inspect")
        .arg(file)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("prlimit (util-linux) runs")
}

fn gzip_member(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Two real flow lines around one line of `mebibytes` MiB, gzip-compressed (a gzip file may be
/// several members one after the other: the 1 MiB member is written again and again).
fn endless_line_gzip(path: &Path, mebibytes: usize) {
    let capture = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(CAPTURE)).unwrap();
    let lines: Vec<&[u8]> = capture.split(|&b| b == b'\n').take(2).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    file.write_all(&gzip_member(
        &[lines[0], b"\n{\"flow\":{\"time\":\""].concat(),
    ))
    .unwrap();
    let zeros = gzip_member(&[b'0'; 1 << 20]);
    for _ in 0..mebibytes {
        file.write_all(&zeros).unwrap();
    }
    file.write_all(&gzip_member(&[b"\"}}\n", lines[1], b"\n"].concat()))
        .unwrap();
}

#[test]
fn an_endless_line_is_skipped_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("endless.jsonl.gz");
    endless_line_gzip(&path, 300);
    assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
    let output = inspect_limited(LIMIT, &path);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Hubble flows (gzip), 3145") && stdout.contains("3 records, 2 flows"),
        "{stdout}"
    );
    assert!(
        stderr.contains("endless.jsonl.gz:2: the record is longer than 16 MiB"),
        "{stderr}"
    );
    let starved = inspect_limited("--data=4194304", &path);
    assert!(
        !starved.status.success(),
        "4 MiB is too little: the limit bites"
    );
}

#[test]
fn a_large_inventory_is_read_item_by_item_in_bounded_memory() {
    // (The model grows with the pods, about 6 KB each, which is why this inventory's bytes
    // are mostly annotations: what stays bounded is the cost of the bytes read. Read whole,
    // as before, this file took 284 MB of resident memory.)
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(b"{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n")
        .unwrap();
    let pods = 12_000;
    for i in 0..pods {
        let separator = if i + 1 < pods { "," } else { "" };
        writeln!(
            file,
            "    {{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"web-{i}\", \"namespace\": \"shop\", \"labels\": {{\"app\": \"web-{}\", \"pod-template-hash\": \"abc\"}}, \"ownerReferences\": [{{\"kind\": \"ReplicaSet\", \"name\": \"web-{}-abc\", \"controller\": true}}], \"annotations\": {{\"note\": \"{}\"}}}}, \"spec\": {{\"nodeName\": \"node-{}\", \"containers\": [{{\"name\": \"web\", \"ports\": [{{\"containerPort\": 8080}}]}}]}}, \"status\": {{\"podIP\": \"10.{}.{}.{}\"}}}}{separator}",
            i % 100,
            i % 100,
            "x".repeat(8_000),
            i % 50,
            i / 65536,
            (i / 256) % 256,
            i % 256
        )
        .unwrap();
    }
    file.write_all(b"  ],\n  \"kind\": \"List\",\n  \"metadata\": {}\n}\n")
        .unwrap();
    drop(file);
    assert!(std::fs::metadata(&path).unwrap().len() > 98_000_000);
    let output = inspect_limited(LIMIT, &path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Kubernetes inventory") && stdout.contains("12000 objects, 0 problems"),
        "{stdout}"
    );
}
