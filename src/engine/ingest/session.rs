//! An ingest session: files fed one after the other, in chunks of any size, each recognised
//! from its content (gzip is undone first), flows aggregated as they stream by, inventories and
//! NetworkPolicies read whole, and every problem reported with file, line and reason while the
//! valid rest is kept. [`Ingest::finish`] hands over what was read ([`Ingested`]); resolving it
//! is the next step's job (`engine::load`).

use std::io::Write;

use super::report::{note_problem, Diagnostic, FileReport};
use crate::engine::ingest::flows::aggregate::{FlowAggregate, Flows};
use crate::engine::ingest::flows::connection::{reported_as, role, Role};
use crate::engine::ingest::flows::undecided::Outcome;
use crate::engine::ingest::formats::detect::{
    detect_format, InputFormat, SNIFF_BYTES, UNDERSTOOD_FORMATS,
};
use crate::engine::ingest::formats::flowpol_json::parse_record;
use crate::engine::ingest::formats::hubble::parallel::parse_flows;
use crate::engine::ingest::formats::hubble::{FlowError, FlowEvent};
use crate::engine::ingest::formats::inventory::Inventory;
use crate::engine::ingest::formats::list_items::{Ended, ListItems};
use crate::engine::ingest::formats::policies::read_policies;
use crate::engine::ingest::scan::records::{
    Record, RecordSplitter, MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES,
};

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
            file.content = Self::recognise(&mut file.report, &head);
            file.report.decoded_bytes -= head.len() as u64;
            return self.content(file, &head, last);
        }
        let OpenFile {
            report, content, ..
        } = file;
        match content {
            Content::Flows(splitter, format) => {
                self.flow_content(report, splitter, *format, bytes, last)
            }
            Content::Inventory(list, items) => {
                self.inventory_content(report, list, items, bytes, last)
            }
            Content::PoliciesYaml(buffer) => self.policies_content(report, buffer, bytes, last),
            Content::Ignored | Content::Sniffing(_) => {}
        }
    }

    /// What a file's first bytes say it holds (its format noted in its report); an error in
    /// the report when it is none of the formats flowpol reads.
    fn recognise(report: &mut FileReport, head: &[u8]) -> Content {
        let format = detect_format(head);
        report.format = Some(format);
        match format {
            InputFormat::Hubble => Content::Flows(RecordSplitter::new(), FlowFormat::Hubble),
            InputFormat::FlowpolJson => Content::Flows(RecordSplitter::new(), FlowFormat::Flowpol),
            InputFormat::KubernetesInventory => Content::Inventory(ListItems::new(), 0),
            InputFormat::NetworkPoliciesYaml => Content::PoliciesYaml(Vec::new()),
            InputFormat::Gzip | InputFormat::Unknown => {
                report.error = Some(if head.iter().all(u8::is_ascii_whitespace) {
                    "the file is empty".to_string()
                } else if format == InputFormat::Gzip {
                    "a gzip file inside a gzip file: decompress it once first".to_string()
                } else {
                    format!("flowpol understands {UNDERSTOOD_FORMATS}; this file is none of them")
                });
                Content::Ignored
            }
        }
    }

    /// Flow records cut from `bytes` and fed to the aggregate.
    fn flow_content(
        &mut self,
        report: &mut FileReport,
        splitter: &mut RecordSplitter,
        format: FlowFormat,
        bytes: &[u8],
        last: bool,
    ) {
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

    /// Inventory items read as they stream by, each problem named with its item.
    fn inventory_content(
        &mut self,
        report: &mut FileReport,
        list: &mut ListItems,
        items: &mut usize,
        bytes: &[u8],
        last: bool,
    ) {
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

    /// A policy file, kept whole and read at its end.
    fn policies_content(
        &mut self,
        report: &mut FileReport,
        buffer: &mut Vec<u8>,
        bytes: &[u8],
        last: bool,
    ) {
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
mod tests;
