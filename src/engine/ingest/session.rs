//! An ingest session: files fed one after the other, in chunks of any size, each recognised
//! from its content (gzip is undone first), flows aggregated as they stream by, inventories and
//! NetworkPolicies read whole, and every problem reported with file, line and reason while the
//! valid rest is kept. [`Ingest::finish`] hands over what was read ([`Ingested`]); resolving it
//! is the next step's job (`engine::load`).

use std::io::Write;

use super::aggregate::{FlowAggregate, Flows};
use super::connection::{reported_as, role, Role};
use super::flowpol_json::parse_record;
use super::format::{detect_format, InputFormat, SNIFF_BYTES, UNDERSTOOD_FORMATS};
use super::hubble::{FlowError, FlowEvent};
use super::inventory::Inventory;
use super::list_items::{Ended, ListItems};
use super::parallel::parse_flows;
use super::policies::read_policies;
use super::records::{Record, RecordSplitter, MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES};
use super::report::{note_problem, Diagnostic, FileReport};
use super::undecided::Outcome;

/// Compressed bytes inflated at a time (at most about 33 MB once inflated).
const GZIP_INPUT_PIECE: usize = 32 << 10;

enum Decoder {
    /// The first bytes, until gzip's magic number can be told.
    Sniffing(Vec<u8>),
    Plain,
    Gzip(Box<flate2::write::MultiGzDecoder<Vec<u8>>>),
    Failed,
}

enum Content {
    /// The first decoded bytes, until the format can be told.
    Sniffing(Vec<u8>),
    Flows(RecordSplitter, FlowFormat),
    /// An inventory document and the number of items read from it.
    Inventory(ListItems, usize),
    PoliciesYaml(Vec<u8>),
    Ignored,
}

struct OpenFile {
    report: FileReport,
    decoder: Decoder,
    content: Content,
}

/// The record formats of flow files.
#[derive(Clone, Copy)]
enum FlowFormat {
    Hubble,
    Flowpol,
}

/// Everything the files held: each file's report, the problems, the flows aggregated and the
/// inventory (with the NetworkPolicies read).
#[derive(Debug, Default)]
pub struct Ingested {
    pub files: Vec<FileReport>,
    /// The first [`LISTED_PROBLEMS`](super::report::LISTED_PROBLEMS) problems.
    pub diagnostics: Vec<Diagnostic>,
    /// All problems.
    pub problem_count: u64,
    pub flows: Flows,
    pub inventory: Inventory,
}

/// A whole ingest: all files, their reports, the aggregated flows and the inventory.
#[derive(Default)]
pub struct Ingest {
    pub flows: FlowAggregate,
    pub inventory: Inventory,
    pub files: Vec<FileReport>,
    /// The first [`LISTED_PROBLEMS`](super::report::LISTED_PROBLEMS) problems.
    pub diagnostics: Vec<Diagnostic>,
    /// All problems.
    pub problem_count: u64,
    open: Option<OpenFile>,
    /// How many threads may parse flow lines (1, the default, parses on the caller's).
    parse_threads: usize,
}

/// The parts of an ingest a file's records are fed into.
struct Sink<'a> {
    flows: &'a mut FlowAggregate,
    report: &'a mut FileReport,
    /// The file's number in the session.
    file: u32,
    diagnostics: &'a mut Vec<Diagnostic>,
    problem_count: &'a mut u64,
    parse_threads: usize,
}

impl Sink<'_> {
    fn problem(&mut self, line: u64, message: String) {
        note_problem(
            self.report,
            self.diagnostics,
            self.problem_count,
            line,
            message,
        );
    }

    fn flowpol_record(&mut self, record: Record<'_>) {
        self.report.records += 1;
        match parse_record(record.bytes) {
            Ok(aggregate) => match self.flows.add_aggregate(&aggregate) {
                Ok(()) => {
                    self.report.flows += 1;
                    self.report.starts += u64::from(aggregate.count);
                }
                Err(error) => self.problem(record.line, error.to_string()),
            },
            Err(message) => self.problem(record.line, message),
        }
    }

    fn record(&mut self, format: FlowFormat, record: Record<'_>) {
        self.records(format, &[record]);
    }

    fn records(&mut self, format: FlowFormat, records: &[Record<'_>]) {
        match format {
            FlowFormat::Hubble => {
                parse_flows(records, self.parse_threads, |record, event| {
                    self.flow_event(record.line, event);
                });
            }
            FlowFormat::Flowpol => {
                for &record in records {
                    self.flowpol_record(record);
                }
            }
        }
    }

    fn flow_event(&mut self, line: u64, event: Result<FlowEvent<'_>, FlowError>) {
        self.report.records += 1;
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                self.problem(line, error.to_string());
                return;
            }
        };
        let role = role(&event);
        if let Err(error) = self.flows.add(&event, role, self.file) {
            // A record whose endpoints cannot be read is a problem, not a flow.
            self.problem(line, error.to_string());
            return;
        }
        self.report.flows += 1;
        if let Some((query, addresses)) = &event.dns {
            self.flows.add_dns_answer(query, addresses);
        }
        if role == Role::Start {
            self.report.starts += 1;
        } else if let Some(reason) = reported_as(&event, role) {
            *self.report.skipped.entry(reason).or_default() += 1;
        }
    }
}

impl Ingest {
    /// An empty session.
    pub fn new() -> Self {
        Ingest {
            parse_threads: 1,
            ..Self::default()
        }
    }

    /// Reads at most `limit` distinct endpoints (pods and addresses) from flows; the flows of
    /// others are problems (the browser's limit, see `ObservedEndpoints::limit`).
    pub fn with_endpoint_limit(mut self, limit: usize) -> Self {
        self.flows.endpoints.limit(limit);
        self
    }

    /// Lets up to `threads` threads parse flow lines side by side (the results, and their
    /// order, are the same with any number).
    pub fn with_parse_threads(mut self, threads: usize) -> Self {
        self.parse_threads = threads.max(1);
        self
    }

    /// Starts a new file (ending the previous one if it was not ended).
    pub fn begin_file(&mut self, name: &str) {
        self.end_file();
        self.open = Some(OpenFile {
            report: FileReport {
                name: name.to_string(),
                ..FileReport::default()
            },
            decoder: Decoder::Sniffing(Vec::new()),
            content: Content::Sniffing(Vec::new()),
        });
    }

    /// Feeds the next chunk of the current file.
    pub fn push(&mut self, chunk: &[u8]) {
        let Some(mut file) = self.open.take() else {
            return;
        };
        file.report.bytes += chunk.len() as u64;
        self.decode(&mut file, chunk);
        self.open = Some(file);
    }

    fn decode(&mut self, file: &mut OpenFile, chunk: &[u8]) {
        match &mut file.decoder {
            Decoder::Sniffing(head) => {
                head.extend_from_slice(chunk);
                if head.len() < 2 {
                    return;
                }
                let head = std::mem::take(head);
                if head.starts_with(&[0x1f, 0x8b]) {
                    file.report.compressed = true;
                    file.decoder =
                        Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new())));
                } else {
                    file.decoder = Decoder::Plain;
                }
                self.decode(file, &head);
            }
            Decoder::Plain => self.content(file, chunk, false),
            Decoder::Gzip(_) => {
                // A little compressed input at a time, each piece's output read before the
                // next is inflated: deflate shrinks at most ~1032:1, so a gzip bomb never
                // holds more than a few tens of megabytes decompressed.
                for piece in chunk.chunks(GZIP_INPUT_PIECE) {
                    let Decoder::Gzip(decoder) = &mut file.decoder else {
                        return;
                    };
                    if matches!(file.content, Content::Ignored) || file.report.error.is_some() {
                        return; // nothing more of it will be read: inflating it is wasted
                    }
                    let mut result = decoder.write_all(piece);
                    if result.is_err() {
                        // Hand over what was decompressed before the damage.
                        let _ = decoder.flush();
                    } else {
                        result = decoder.flush();
                    }
                    let mut decoded = std::mem::take(decoder.get_mut());
                    self.content(file, &decoded, false);
                    if let Err(error) = result {
                        return self.fail_gzip(file, &error);
                    }
                    decoded.clear();
                    if let Decoder::Gzip(decoder) = &mut file.decoder {
                        *decoder.get_mut() = decoded;
                    }
                }
            }
            Decoder::Failed => {}
        }
    }

    fn fail_gzip(&mut self, file: &mut OpenFile, error: &std::io::Error) {
        file.decoder = Decoder::Failed;
        let message = format!(
            "the gzip stream is damaged after {} decompressed bytes ({error}); what came before it was kept",
            file.report.decoded_bytes
        );
        file.report.error = Some(message.clone());
        note_problem(
            &mut file.report,
            &mut self.diagnostics,
            &mut self.problem_count,
            0,
            message,
        );
    }

    /// Feeds decoded bytes to the file's content reader; `last` when the file ended.
    fn content(&mut self, file: &mut OpenFile, bytes: &[u8], last: bool) {
        file.report.decoded_bytes += bytes.len() as u64;
        if let Content::Sniffing(head) = &mut file.content {
            head.extend_from_slice(bytes);
            if head.len() < SNIFF_BYTES && !last {
                return;
            }
            let head = std::mem::take(head);
            let format = detect_format(&head);
            file.report.format = Some(format);
            file.content = match format {
                InputFormat::Hubble => Content::Flows(RecordSplitter::new(), FlowFormat::Hubble),
                InputFormat::FlowpolJson => {
                    Content::Flows(RecordSplitter::new(), FlowFormat::Flowpol)
                }
                InputFormat::KubernetesInventory => Content::Inventory(ListItems::new(), 0),
                InputFormat::NetworkPoliciesYaml => Content::PoliciesYaml(Vec::new()),
                InputFormat::Gzip | InputFormat::Unknown => {
                    file.report.error = Some(if head.iter().all(u8::is_ascii_whitespace) {
                        "the file is empty".to_string()
                    } else if format == InputFormat::Gzip {
                        "a gzip file inside a gzip file: decompress it once first".to_string()
                    } else {
                        format!(
                            "flowpol understands {UNDERSTOOD_FORMATS}; this file is none of them"
                        )
                    });
                    Content::Ignored
                }
            };
            file.report.decoded_bytes -= head.len() as u64;
            return self.content(file, &head, last);
        }
        let OpenFile {
            report, content, ..
        } = file;
        match content {
            Content::Flows(splitter, format) => {
                let format = *format;
                let mut sink = Sink {
                    flows: &mut self.flows,
                    file: u32::try_from(self.files.len()).unwrap_or(u32::MAX),
                    report,
                    diagnostics: &mut self.diagnostics,
                    problem_count: &mut self.problem_count,
                    parse_threads: self.parse_threads,
                };
                splitter.push_batches(bytes, &mut |records| sink.records(format, records));
                if last {
                    splitter.finish(&mut |record| sink.record(format, record));
                }
                for line in splitter.take_oversized() {
                    sink.report.records += 1;
                    sink.problem(
                        line,
                        format!(
                            "the record is longer than {} MiB, more than any flow record: skipped",
                            MAX_RECORD_BYTES >> 20
                        ),
                    );
                }
                if last && splitter.has_trailing_garbage() {
                    sink.problem(
                        0,
                        "text after the end of the JSON array was ignored".to_string(),
                    );
                }
            }
            Content::Inventory(list, items) => {
                let inventory = &mut self.inventory;
                let before = inventory.object_count();
                let (diagnostics, problem_count) = (&mut self.diagnostics, &mut self.problem_count);
                let mut on_item = |item: Record<'_>| {
                    if let Err((object, message)) = inventory.add_item(item.bytes) {
                        let message = format!("item {items} ({object}) skipped: {message}");
                        note_problem(report, diagnostics, problem_count, item.line, message);
                    }
                    *items += 1;
                };
                list.push(bytes, &mut on_item);
                let ended = last.then(|| list.finish(&mut on_item));
                for line in list.take_oversized() {
                    let message = format!(
                        "item {items} is longer than {} MiB, more than any object: skipped",
                        MAX_RECORD_BYTES >> 20
                    );
                    *items += 1;
                    note_problem(report, diagnostics, problem_count, line, message);
                }
                match ended {
                    Some(Ended::Items { closed: false }) => {
                        let message =
                            "the List ends before its items do: the file is cut short".to_string();
                        note_problem(report, diagnostics, problem_count, 0, message);
                    }
                    Some(Ended::TooLong) => {
                        report.error = Some(format!(
                            "not a List with items, and longer than {} MiB: not read",
                            MAX_RECORD_BYTES >> 20
                        ));
                    }
                    Some(Ended::Whole(document)) => match inventory.add_document(&document) {
                        Ok(problems) => {
                            for problem in problems {
                                let message = format!(
                                    "item {} ({}) skipped: {}",
                                    problem.index, problem.object, problem.message
                                );
                                note_problem(report, diagnostics, problem_count, 0, message);
                            }
                        }
                        Err(message) => report.error = Some(message),
                    },
                    Some(Ended::Items { closed: true }) | None => {}
                }
                report.objects += (inventory.object_count() - before) as u64;
            }
            Content::PoliciesYaml(buffer) => {
                if report.error.is_some() {
                    return;
                }
                if buffer.len() + bytes.len() > MAX_DOCUMENT_BYTES {
                    *buffer = Vec::new();
                    report.error = Some(format!(
                        "NetworkPolicies are read from files of up to {} MiB: split this one",
                        MAX_DOCUMENT_BYTES >> 20
                    ));
                    return;
                }
                buffer.extend_from_slice(bytes);
                if last {
                    let text = String::from_utf8_lossy(buffer).into_owned();
                    *buffer = Vec::new();
                    match read_policies(&report.name, &text) {
                        Ok(read) => {
                            report.objects = (read.policies.len() + read.cilium.len()) as u64;
                            self.inventory.network_policies.extend(read.policies);
                            self.inventory.cilium_policies.extend(read.cilium);
                        }
                        Err(message) => report.error = Some(message),
                    }
                }
            }
            Content::Ignored | Content::Sniffing(_) => {}
        }
    }

    /// Ends the current file: its last line is read and its report filed.
    pub fn end_file(&mut self) {
        let Some(mut file) = self.open.take() else {
            return;
        };
        match std::mem::replace(&mut file.decoder, Decoder::Plain) {
            Decoder::Sniffing(head) => {
                file.decoder = Decoder::Plain;
                if head.starts_with(&[0x1f, 0x8b]) {
                    file.report.compressed = true;
                }
                self.content(&mut file, &head, true);
            }
            Decoder::Gzip(mut decoder) => {
                let result = decoder.try_finish();
                // Whatever was decompressed is read, even when the stream ends early.
                let rest = std::mem::take(decoder.get_mut());
                self.content(&mut file, &rest, true);
                if let Err(error) = result {
                    self.fail_gzip(&mut file, &error);
                }
            }
            Decoder::Plain | Decoder::Failed => self.content(&mut file, &[], true),
        }
        self.files.push(file.report);
    }

    /// Reads a whole file at once (for tests and small inputs).
    pub fn add_file(&mut self, name: &str, bytes: &[u8]) {
        self.begin_file(name);
        self.push(bytes);
        self.end_file();
    }

    /// The report of the file being read, so far.
    pub fn current_report(&self) -> Option<&FileReport> {
        self.open.as_ref().map(|file| &file.report)
    }

    /// Ends the session: what every file held. Packets whose direction was decided only now
    /// are counted in their files' reports.
    pub fn finish(mut self) -> Ingested {
        self.end_file();
        let (flows, outcomes) = self.flows.finish();
        for (file, outcome, count) in outcomes {
            let Some(report) = self.files.get_mut(file as usize) else {
                continue;
            };
            match outcome {
                Outcome::Starts => report.starts += u64::from(count),
                Outcome::Skipped(reason) => {
                    *report.skipped.entry(reason).or_default() += u64::from(count);
                }
            }
        }
        Ingested {
            files: self.files,
            diagnostics: self.diagnostics,
            problem_count: self.problem_count,
            flows,
            inventory: self.inventory,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::connection::SkipReason;
    use crate::engine::ingest::report::LISTED_PROBLEMS;

    const CAPTURE: &[u8] = include_bytes!(
        "../../../tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl"
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
        let undecided =
            129 - ingest.files[0].starts - ingest.files[0].skipped.values().sum::<u64>();
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
        let inventory =
            crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1));
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
        let inventory =
            crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1));
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
}
