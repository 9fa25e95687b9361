//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), one per parser that takes outside
//! bytes, shared with `tests/ingest/fuzz_regressions.rs` so every crashing input kept in
//! `tests/fixtures/fuzz/<target>/` runs through exactly the code the fuzzer ran. Each body
//! panics when a property it can check cheaply does not hold.

use std::io::Write;

use flowpol::engine::decisions::Decisions;
use flowpol::engine::ingest::flows::aggregate::FlowAggregate;
use flowpol::engine::ingest::flows::connection::{reported_as, role};
use flowpol::engine::ingest::formats::flowpol_json::parse_record;
use flowpol::engine::ingest::formats::hubble::{parse_flow, FlowError};
use flowpol::engine::ingest::formats::inventory::Inventory;
use flowpol::engine::ingest::formats::policies::read_policies;
use flowpol::engine::ingest::scan::records::RecordSplitter;
use flowpol::engine::ingest::session::Ingest;
use flowpol::engine::load::{load, LoadResult};

/// A target's body: panics when the parser does or a property fails.
pub type Body = fn(&[u8]);

/// Every target, by the name of its fuzz target and fixture folder.
pub const TARGETS: [(&str, Body); 7] = [
    ("hubble_line", hubble_line),
    ("flowpol_json", flowpol_json),
    ("inventory", inventory),
    ("policies", policies),
    ("records", records),
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
            flows
                .add_aggregate(&record)
                .expect("no limit is set, so every record is taken");
            let _ = flows.finish();
        }
        Err(message) => assert!(!message.is_empty()),
    }
}

/// A kubectl inventory document. Every problem, and an error, says what is wrong.
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
/// names the file, and the document when the text is YAML: by its number and a line the text
/// has.
pub fn policies(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(message) = read_policies("fuzz.yaml", &text) {
        if !message.starts_with("fuzz.yaml: not YAML or JSON: ") {
            assert!(message.starts_with("fuzz.yaml: document "), "{message}");
        }
        if let Some((_, after)) = message.split_once("(from line ") {
            let line: usize = after
                .split(')')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a line number");
            assert!(
                (1..=text.lines().count()).contains(&line),
                "line {line} of {} lines: {message}",
                text.lines().count()
            );
        }
    }
}

/// The size of a session's first piece, by the low three bits of the control byte: gzip's
/// magic number, its header and the format's head cut anywhere.
const FIRST_PIECE: [usize; 8] = [1, 2, 3, 5, 10, 17, 64, usize::MAX];
/// The size of the pieces after it, by bits 4 and 5.
const PIECES: [usize; 4] = [7, 100, 1024, usize::MAX];

/// Feeds `file` to a new session in pieces of `first`, then `size`, bytes, and resolves it as
/// the app does.
fn ingest_in_pieces(file: &[u8], first: usize, size: usize) -> LoadResult {
    let mut ingest = Ingest::new();
    ingest.begin_file("fuzz.jsonl");
    let (head, mut rest) = file.split_at(first.min(file.len()));
    ingest.push(head);
    while !rest.is_empty() {
        let (piece, after) = rest.split_at(size.min(rest.len()));
        ingest.push(piece);
        rest = after;
    }
    ingest.end_file();
    load(ingest.finish(), &[])
}

/// A whole ingest session over one file, resolved as the app does. The input's first byte is
/// a control byte: how the file is cut into pieces (bits 0 to 2, 4 and 5) and whether the rest
/// is gzipped first (bit 3); the rest is the file. A report counts every byte fed, and a gzip
/// file (made here, or one the input holds) gives what it gives fed whole: gzip undone
/// piece by piece loses nothing. (Decoded bytes are read whole up to the format's head, 64 KiB,
/// so a plain file this small is the same in any pieces; `records` cuts records anywhere.)
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
    let first = FIRST_PIECE[usize::from(control & 7)];
    let size = PIECES[usize::from(control >> 4 & 3)];
    let pieces = ingest_in_pieces(&file, first, size);
    assert_eq!(pieces.files.len(), 1);
    assert_eq!(pieces.files[0].bytes, file.len() as u64);
    for problem in &pieces.diagnostics {
        assert!(!problem.message.is_empty());
    }
    if file.starts_with(&[0x1f, 0x8b]) {
        let whole = ingest_in_pieces(&file, usize::MAX, usize::MAX);
        assert_eq!(
            serde_json::to_value(&pieces).unwrap(),
            serde_json::to_value(&whole).unwrap(),
            "fed in pieces of {first}, then {size}, bytes"
        );
    }
}

/// A stream cut into JSON records (lines or array elements), fed in pieces: the input's first
/// byte picks the piece size, the rest is the stream. The records are those of the stream fed
/// whole, each starting on a line the stream has.
pub fn records(data: &[u8]) {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let size = usize::from(control % 64) + 1;
    let read = |size: usize| {
        let mut splitter = RecordSplitter::new();
        let mut records = Vec::new();
        for piece in stream.chunks(size) {
            splitter.push(piece, &mut |r| records.push((r.line, r.bytes.to_vec())));
        }
        splitter.finish(&mut |r| records.push((r.line, r.bytes.to_vec())));
        (
            records,
            splitter.is_array(),
            splitter.has_trailing_garbage(),
        )
    };
    let pieces = read(size);
    let whole = read(stream.len().max(1));
    assert_eq!(pieces, whole, "fed in pieces of {size} bytes");
    let lines = stream.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for (line, bytes) in &pieces.0 {
        assert!((1..=lines).contains(line), "line {line} of {lines}");
        assert!(!bytes.is_empty());
    }
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
