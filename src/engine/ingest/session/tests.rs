//! The session's tests: chunking, gzip, problems named with file and line, limits, and
//! properties over arbitrary and damaged files.

use super::*;
use crate::engine::ingest::flows::connection::SkipReason;
use crate::engine::ingest::report::LISTED_PROBLEMS;

const CAPTURE: &[u8] = include_bytes!(
    "../../../../tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl"
);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// What became of every record of the bookinfo capture, counted by hand: 20 starts (10
/// policy verdicts, 10 SYNs), 34 replies, 20 L7 records, 48 later packets going their
/// connection's way (45 with `is_reply` false, and 3 tunnel packets of the connection whose
/// SYN line 99 shows), and 7 tunnel packets (`TO_OVERLAY`, no `is_reply`) of connections no
/// other packet gives a direction to. The 10 tunnel packets are decided, and counted, once
/// every file is read.
#[test]
fn counts_records_flows_starts_and_skips() {
    let mut ingest = Ingest::new();
    ingest.add_file("capture.jsonl", CAPTURE);
    let undecided = 129 - ingest.files[0].starts - ingest.files[0].skipped.values().sum::<u64>();
    assert_eq!(undecided, 10, "until every file is read");
    let ingested = ingest.finish();
    let report = &ingested.files[0];
    assert_eq!(report.format, Some(InputFormat::Hubble));
    assert_eq!(report.records, 129);
    assert_eq!(report.flows, 129);
    assert_eq!(report.problems, 0);
    let skipped: u64 = report.skipped.values().sum();
    assert_eq!(report.starts + skipped, 129);
    assert_eq!(report.starts, 20);
    assert_eq!(report.skipped[&SkipReason::L7], 20);
    assert_eq!(report.skipped[&SkipReason::Reply], 34);
    assert_eq!(report.skipped[&SkipReason::MidConnection], 48);
    assert_eq!(report.skipped[&SkipReason::UnknownDirection], 7);
    assert_eq!(
        report.outcome().as_deref(),
        Some(
            "20 connection starts, 34 replies, 48 later packets of a connection, 20 L7 records, \
             7 packets of unknown direction"
        )
    );
}

#[test]
fn any_chunking_and_gzip_give_the_same_result() {
    let mut whole = Ingest::new();
    whole.add_file("a", CAPTURE);
    for chunk in [1, 7, 4096] {
        for compressed in [false, true] {
            let bytes = if compressed {
                gzip(CAPTURE)
            } else {
                CAPTURE.to_vec()
            };
            let mut ingest = Ingest::new();
            ingest.begin_file("a");
            for piece in bytes.chunks(chunk) {
                ingest.push(piece);
            }
            ingest.end_file();
            let report = &ingest.files[0];
            assert_eq!(report.compressed, compressed);
            assert_eq!(report.starts, whole.files[0].starts, "chunk {chunk}");
            assert_eq!(report.skipped, whole.files[0].skipped);
            assert_eq!(report.decoded_bytes, CAPTURE.len() as u64);
            assert_eq!(
                ingest.flows.communication_count(),
                whole.flows.communication_count()
            );
        }
    }
}

#[test]
fn bad_lines_are_reported_and_the_rest_kept() {
    let mut text = String::from_utf8(CAPTURE.to_vec()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "{\"flow\": {\"IP\": ");
    lines.insert(50, "garbage");
    lines.insert(90, "{\"flow\":{\"verdict\":\"FORWARDED\"}}");
    text = lines.join("\n");
    let mut ingest = Ingest::new();
    ingest.add_file("broken.jsonl", text.as_bytes());
    let report = &ingest.files[0];
    assert_eq!(report.problems, 3);
    assert_eq!(report.flows, 129);
    let listed: Vec<(u64, &str)> = ingest
        .diagnostics
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(listed[0].0, 3);
    assert!(listed[0].1.starts_with("invalid JSON"), "{}", listed[0].1);
    assert_eq!(listed[1].0, 51);
    assert_eq!(listed[2], (91, "missing field `IP`"));
    assert_eq!(
        ingest.diagnostics[2].to_string(),
        "broken.jsonl:91: missing field `IP`"
    );
}

#[test]
fn only_the_first_hundred_problems_are_listed_but_all_are_counted() {
    let text = "nonsense\n".repeat(250);
    let mut ingest = Ingest::new();
    ingest.add_file("first.jsonl", CAPTURE);
    ingest.add_file(
        "bad.jsonl",
        format!(
            "{}\n{text}",
            std::str::from_utf8(&CAPTURE[..CAPTURE.iter().position(|&b| b == b'\n').unwrap()])
                .unwrap()
        )
        .as_bytes(),
    );
    assert_eq!(ingest.files[1].problems, 250);
    assert_eq!(ingest.problem_count, 250);
    assert_eq!(ingest.diagnostics.len(), LISTED_PROBLEMS);
}

#[test]
fn unknown_empty_and_damaged_files() {
    let mut ingest = Ingest::new();
    ingest.add_file("notes.txt", b"hello world");
    ingest.add_file("empty.jsonl", b"");
    let mut damaged = gzip(CAPTURE);
    let middle = damaged.len() / 2;
    damaged[middle..middle + 40].fill(0);
    ingest.add_file("damaged.jsonl.gz", &damaged);
    let errors: Vec<&str> = ingest
        .files
        .iter()
        .map(|f| f.error.as_deref().unwrap_or(""))
        .collect();
    assert!(
        errors[0].contains("flowpol understands") || errors[0].contains("reads Hubble"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[1], "the file is empty");
    assert!(
        errors[2].contains("gzip stream is damaged"),
        "{}",
        errors[2]
    );
    assert!(
        ingest.files[2].starts > 0,
        "the part before the damage is kept"
    );
}

#[test]
fn a_gzip_file_cut_short_keeps_every_decompressed_record() {
    let whole = gzip(CAPTURE);
    for cut in [4, 8] {
        let mut ingest = Ingest::new();
        ingest.add_file("cut.jsonl.gz", &whole[..whole.len() - cut]);
        let report = &ingest.files[0];
        assert_eq!(report.records, 129, "cut {cut}");
        assert!(report.error.as_deref().unwrap_or("").contains("damaged"));
        assert_eq!(report.problems, 1);
        assert_eq!(ingest.problem_count, 1);
    }
}

#[test]
fn inventories_are_read_and_their_bad_items_listed() {
    let mut ingest = Ingest::new();
    let inventory = crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1));
    for chunk_size in [usize::MAX, 1000] {
        let mut ingest_chunked = Ingest::new();
        ingest_chunked.begin_file("inventory.json");
        for piece in inventory.as_bytes().chunks(chunk_size.min(inventory.len())) {
            ingest_chunked.push(piece);
        }
        ingest_chunked.end_file();
        assert_eq!(
            ingest_chunked.files[0].format,
            Some(InputFormat::KubernetesInventory)
        );
        assert!(ingest_chunked.files[0].objects > 50);
    }
    ingest.add_file(
        "bad-inventory.json",
        br#"{"apiVersion":"v1","kind":"List","items":[{"kind":"Service","metadata":{"name":"s","namespace":"n"},"spec":{"ports":[{"port":-1}]}}]}"#,
    );
    assert_eq!(ingest.files[0].problems, 1);
    assert!(
        ingest.diagnostics[0]
            .message
            .starts_with("item 0 (Service n/s) skipped"),
        "{}",
        ingest.diagnostics[0].message
    );
}

/// An endless line (here 40 MB of digits, gzip-compressed to 40 KB) is reported by its line
/// and skipped; the lines around it are read.
#[test]
fn an_endless_line_is_reported_and_the_rest_read() {
    let lines: Vec<&[u8]> = CAPTURE.split(|&b| b == b'\n').take(3).collect();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(lines[0]).unwrap();
    encoder.write_all(b"\n{\"flow\":{\"time\":\"").unwrap();
    for _ in 0..40 {
        encoder.write_all(&[b'0'; 1 << 20]).unwrap();
    }
    encoder.write_all(b"\"}}\n").unwrap();
    encoder.write_all(lines[1]).unwrap();
    let gz = encoder.finish().unwrap();
    assert!(gz.len() < 1 << 20);
    let mut ingest = Ingest::new();
    ingest.begin_file("endless.jsonl.gz");
    for piece in gz.chunks(1 << 16) {
        ingest.push(piece);
    }
    let ingested = ingest.finish();
    let report = &ingested.files[0];
    assert_eq!((report.records, report.flows, report.problems), (3, 2, 1));
    assert_eq!(ingested.diagnostics[0].line, 2);
    assert!(
        ingested.diagnostics[0]
            .message
            .contains("longer than 16 MiB"),
        "{}",
        ingested.diagnostics[0].message
    );
}

/// With a limit on endpoints, the flows of endpoints beyond it are problems naming the
/// limit, and the rest is read.
#[test]
fn endpoints_beyond_the_limit_are_problems() {
    let mut whole = Ingest::new();
    whole.add_file("capture", CAPTURE);
    let whole = whole.finish();
    let mut limited = Ingest::new().with_endpoint_limit(4);
    limited.add_file("capture", CAPTURE);
    let limited = limited.finish();
    assert!(whole.problem_count == 0 && limited.problem_count > 0);
    assert!(
        limited.flows.endpoints.len() <= 5,
        "{}",
        limited.flows.endpoints.len()
    );
    assert!(limited.diagnostics[0]
        .message
        .starts_with("more than 4 distinct pods and addresses"));
    assert!(limited.files[0].flows > 0);
}

/// The limit holds for flowpol's flow format too: a record naming an endpoint beyond it is
/// a problem naming the limit, and counts as no flow.
#[test]
fn the_endpoint_limit_holds_for_flowpol_records() {
    let records: String = (0..10)
        .map(|i| {
            format!(
                "{{\"src\":{{\"namespace\":\"shop\",\"pod\":\"web-{i}\"}},\"dst\":{{\"namespace\":\"shop\",\"pod\":\"api\"}},\"port\":80,\"protocol\":\"TCP\"}}\n"
            )
        })
        .collect();
    let mut limited = Ingest::new().with_endpoint_limit(4);
    limited.add_file("flows.flowpol.jsonl", records.as_bytes());
    let limited = limited.finish();
    // api and web-0 to web-2 are read; web-3 to web-9 are past the limit.
    assert_eq!(limited.flows.endpoints.len(), 4);
    assert_eq!(limited.problem_count, 7);
    assert_eq!(limited.files[0].flows, 3);
    assert_eq!(limited.diagnostics[0].line, 4);
    assert!(limited.diagnostics[0]
        .message
        .starts_with("more than 4 distinct pods and addresses"));
}

/// A List cut short keeps its complete items and says it was cut; a gzip inside a gzip (a
/// bomb's usual shape) is refused without being inflated.
#[test]
fn a_truncated_inventory_keeps_its_items_and_a_nested_gzip_is_refused() {
    let inventory = crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1));
    let mut whole = Ingest::new();
    whole.add_file("inventory.json", inventory.as_bytes());
    let cut = &inventory.as_bytes()[..inventory.len() * 2 / 3];
    let mut ingest = Ingest::new();
    ingest.add_file("cut.json", cut);
    let report = &ingest.files[0];
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(
        report.objects > 10 && report.objects < whole.files[0].objects,
        "{} of {}",
        report.objects,
        whole.files[0].objects
    );
    assert!(ingest
        .diagnostics
        .iter()
        .any(|d| d.message.contains("the List ends before its items do")));
    assert!(ingest.diagnostics.iter().all(|d| d.file == "cut.json"));

    let mut nested = Ingest::new();
    nested.add_file("bomb.gz", &gzip(&gzip(&[b'0'; 1 << 20])));
    assert_eq!(
        nested.files[0].error.as_deref(),
        Some("a gzip file inside a gzip file: decompress it once first")
    );
}

#[cfg(not(target_arch = "wasm32"))]
proptest::proptest! {
    #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
    #[test]
    fn never_panics_on_arbitrary_files(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), chunk in 1usize..64) {
        let mut ingest = Ingest::new();
        ingest.begin_file("fuzz");
        for piece in bytes.chunks(chunk) {
            ingest.push(piece);
        }
        let loaded = crate::engine::load::load(ingest.finish(), &[]);
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        for diagnostic in &loaded.diagnostics {
            proptest::prop_assert!(diagnostic.line <= lines, "{} of {} lines", diagnostic, lines);
        }
    }

    /// The bookinfo capture with some lines cut short: each cut line is one problem at
    /// its own line, and the dataset is the capture's without those lines.
    #[test]
    fn damaged_lines_are_named_and_the_rest_is_kept(
        damage in proptest::collection::btree_map(0usize..129, 0.0f64..1.0, 0..12),
        chunk in 1usize..5000,
    ) {
        let lines: Vec<&[u8]> = CAPTURE.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        let mut damaged = Vec::new();
        let mut without = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            match damage.get(&index) {
                Some(&fraction) => {
                    let cut = 1 + ((line.len() - 2) as f64 * fraction) as usize;
                    damaged.extend_from_slice(&line[..cut]);
                }
                None => {
                    damaged.extend_from_slice(line);
                    without.extend_from_slice(line);
                    without.push(b'\n');
                }
            }
            damaged.push(b'\n');
        }
        let load = |bytes: &[u8]| {
            let mut ingest = Ingest::new();
            ingest.begin_file("capture.jsonl");
            for piece in bytes.chunks(chunk) {
                ingest.push(piece);
            }
            ingest.end_file();
            crate::engine::load::load(ingest.finish(), &[])
        };
        let (damaged, without) = (load(&damaged), load(&without));
        let named: Vec<u64> = damaged.diagnostics.iter().map(|d| d.line).collect();
        let expected: Vec<u64> = damage.keys().map(|&index| index as u64 + 1).collect();
        proptest::prop_assert_eq!(named, expected, "{:?}", damaged.diagnostics);
        proptest::prop_assert_eq!(damaged.problem_count, damage.len() as u64);
        proptest::prop_assert_eq!(damaged.files[0].records, 129);
        proptest::prop_assert_eq!(damaged.files[0].flows, 129 - damage.len() as u64);
        proptest::prop_assert_eq!(
            serde_json::to_value(&damaged.dataset).unwrap(),
            serde_json::to_value(&without.dataset).unwrap()
        );
    }

    #[test]
    fn never_panics_on_corrupted_gzip(position in 0usize..2000, value in proptest::prelude::any::<u8>()) {
        let mut bytes = gzip(&CAPTURE[..4000]);
        let position = position % bytes.len();
        bytes[position] = value;
        let mut ingest = Ingest::new();
        ingest.add_file("x.gz", &bytes);
        let _ = crate::engine::load::load(ingest.finish(), &[]);
    }
}
