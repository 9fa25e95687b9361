//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), one per parser that takes outside
//! bytes, shared with `tests/fuzz_regressions.rs` so every crashing input kept in
//! `tests/fixtures/fuzz/<target>/` runs through exactly the code the fuzzer ran. Each body
//! panics when a property it can check cheaply does not hold.

use std::io::Write;

use flowpol::engine::decisions::Decisions;
use flowpol::engine::ingest::aggregate::FlowAggregate;
use flowpol::engine::ingest::connection::{reported_as, role};
use flowpol::engine::ingest::flowpol_json::parse_record;
use flowpol::engine::ingest::hubble::{parse_flow, FlowError};
use flowpol::engine::ingest::inventory::Inventory;
use flowpol::engine::ingest::policies::read_policies;
use flowpol::engine::ingest::session::Ingest;
use flowpol::engine::load::load;

/// A target's body: panics when the parser does or a property fails.
pub type Body = fn(&[u8]);

/// Every target, by the name of its fuzz target and fixture folder.
pub const TARGETS: [(&str, Body); 6] = [
    ("hubble_line", hubble_line),
    ("flowpol_json", flowpol_json),
    ("inventory", inventory),
    ("policies", policies),
    ("session", session),
    ("decisions", decisions),
];

/// One Hubble line: parsed, its endpoints, ports and time read, its role decided and the
/// event aggregated as the session does. A JSON error names a byte inside the line.
pub fn hubble_line(data: &[u8]) {
    match parse_flow(data) {
        Ok(event) => {
            let _ = event.source();
            let _ = event.destination();
            let _ = event.transport.ports();
            let _ = event.nanos();
            let role = role(&event);
            let _ = reported_as(&event, role);
            let mut flows = FlowAggregate::default();
            if let Some((query, addresses)) = &event.dns {
                flows.add_dns_answer(query, addresses);
            }
            let _ = flows.add(&event, role, 0);
            let _ = flows.finish();
        }
        Err(FlowError::Json(message)) => {
            if let Some((_, at)) = message.rsplit_once(" at byte ") {
                let at: usize = at.parse().expect("a byte number");
                assert!(
                    (1..=data.len() + 1).contains(&at),
                    "byte {at} of a {}-byte line: {message}",
                    data.len()
                );
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// One record of flowpol's flow format: parsed and aggregated.
pub fn flowpol_json(data: &[u8]) {
    match parse_record(data) {
        Ok(record) => {
            let mut flows = FlowAggregate::default();
            flows.add_aggregate(&record);
            let _ = flows.finish();
        }
        Err(message) => assert!(!message.is_empty()),
    }
}

/// A kubectl inventory document. Problems name items that exist.
pub fn inventory(data: &[u8]) {
    let mut inventory = Inventory::default();
    match inventory.add_document(data) {
        Ok(problems) => {
            for problem in problems {
                assert!(!problem.message.is_empty());
            }
        }
        Err(message) => assert!(!message.is_empty()),
    }
}

/// NetworkPolicies and CiliumNetworkPolicies read for verification (YAML or JSON). An error
/// names the file.
pub fn policies(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(message) = read_policies("fuzz.yaml", &text) {
        assert!(message.starts_with("fuzz.yaml: "), "{message}");
    }
}

/// Chunk sizes the session is fed in, chosen by the input's first byte.
const CHUNKS: [usize; 8] = [1, 2, 3, 5, 17, 255, 4096, usize::MAX];

/// A whole ingest session: the input's first byte picks a chunk size (low three bits) and
/// whether the rest is gzipped first (bit 3); the rest is one file, fed in those chunks, then
/// resolved as the app does. The result is the one of the same file fed whole (records cut at
/// any place, gzip undone in pieces, the format told from a head of any size).
pub fn session(data: &[u8]) {
    let Some((&control, content)) = data.split_first() else {
        return;
    };
    let file = if control & 8 != 0 {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(content).unwrap();
        encoder.finish().unwrap()
    } else {
        content.to_vec()
    };
    let chunk = CHUNKS[usize::from(control & 7)];

    let mut ingest = Ingest::new();
    ingest.begin_file("fuzz.jsonl");
    for piece in file.chunks(chunk.min(file.len()).max(1)) {
        ingest.push(piece);
    }
    ingest.end_file();
    let chunked = load(ingest.finish(), &[]);

    let mut ingest = Ingest::new();
    ingest.add_file("fuzz.jsonl", &file);
    let whole = load(ingest.finish(), &[]);

    assert_eq!(chunked.files.len(), 1);
    assert_eq!(chunked.files[0].bytes, file.len() as u64);
    for problem in &chunked.diagnostics {
        assert!(!problem.message.is_empty());
    }
    assert_eq!(
        serde_json::to_value(&chunked).unwrap(),
        serde_json::to_value(&whole).unwrap(),
        "fed in chunks of {chunk} bytes"
    );
}

/// An imported decisions file. What is read is written back and read again unchanged.
pub fn decisions(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Decisions::from_json(text) {
        Ok(decisions) => {
            let again = Decisions::from_json(&decisions.to_json()).expect("its own export");
            assert_eq!(again, decisions);
        }
        Err(message) => assert!(message.starts_with("decisions: "), "{message}"),
    }
}
