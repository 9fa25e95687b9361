//! Cutting a stream of bytes, fed in chunks of any size, into JSON records: one per line
//! (JSON lines), or one per element of a top-level JSON array (which may span many lines).
//! Only the unfinished tail of a chunk is kept between chunks, so memory does not grow with the
//! file; a record longer than [`MAX_RECORD_BYTES`] is skipped (its line is reported) without
//! being held, so one endless line cannot take the memory either.

/// The longest record read: a Hubble line is a few kilobytes, one with large L7 headers some
/// tens; anything near this is not a flow record.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The largest file read whole (NetworkPolicies to verify against, a decisions file): tens of
/// thousands of policies; more is split into several files.
pub const MAX_DOCUMENT_BYTES: usize = 32 << 20;

/// One record: its bytes and the 1-based line where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    pub line: u64,
    pub bytes: &'a [u8],
}

/// The layout of the stream, decided by its first non-blank byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Undecided,
    Lines,
    /// Inside a top-level array; `done` once its closing bracket was read.
    Array {
        done: bool,
    },
}

/// State of the scanner inside an array element.
#[derive(Clone, Copy, Debug, Default)]
struct ElementScan {
    /// A non-blank byte of the element was seen.
    started: bool,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

/// A streaming splitter. Feed chunks with [`RecordSplitter::push`], then call
/// [`RecordSplitter::finish`]; each calls back once per record, in order.
#[derive(Debug)]
pub struct RecordSplitter {
    layout: Layout,
    /// Bytes of the unfinished record carried over from earlier chunks.
    carry: Vec<u8>,
    /// The line the carried record starts on.
    carry_line: u64,
    /// The current line number (1-based) at the end of what was consumed.
    line: u64,
    scan: ElementScan,
    /// Bytes after the closing bracket of an array that were not blank.
    trailing_garbage: bool,
    /// A byte order mark was skipped (a second one is content, wherever the chunks end).
    bom_skipped: bool,
    /// The record being read is longer than `max_record`: its bytes are dropped to its end.
    skipping: bool,
    max_record: usize,
    /// Lines of the records skipped for their length, not yet taken.
    oversized: Vec<u64>,
}

impl Default for RecordSplitter {
    fn default() -> Self {
        RecordSplitter {
            layout: Layout::Undecided,
            carry: Vec::new(),
            carry_line: 1,
            line: 1,
            scan: ElementScan::default(),
            trailing_garbage: false,
            bom_skipped: false,
            skipping: false,
            max_record: MAX_RECORD_BYTES,
            oversized: Vec::new(),
        }
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b.is_ascii_whitespace())
}

impl RecordSplitter {
    /// A splitter at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// A splitter already inside a JSON array (its `[` was read) at `line`: it gives the
    /// array's elements and stops at its closing bracket.
    pub fn inside_array(line: u64) -> Self {
        RecordSplitter {
            layout: Layout::Array { done: false },
            line,
            carry_line: line,
            ..Self::default()
        }
    }

    /// Whether the closing bracket of the top-level array was read.
    pub fn array_closed(&self) -> bool {
        self.layout == Layout::Array { done: true }
    }

    /// A splitter that skips records longer than `bytes` (tests use small limits).
    pub fn with_max_record(mut self, bytes: usize) -> Self {
        self.max_record = bytes;
        self
    }

    /// The first lines of the records skipped since the last call because they were longer
    /// than the limit ([`MAX_RECORD_BYTES`]), in order.
    pub fn take_oversized(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.oversized)
    }

    /// Adds `bytes` to the carried record unless that makes it too long; then the record is
    /// dropped (its memory freed) and skipped to its end.
    fn carry_on(&mut self, bytes: &[u8]) {
        if self.skipping {
            return;
        }
        if self.carry.len() + bytes.len() > self.max_record {
            self.skipping = true;
            self.carry = Vec::new();
        } else {
            self.carry.extend_from_slice(bytes);
        }
    }

    /// Ends a record that was too long: its line is noted, nothing is emitted.
    fn end_skipped(&mut self) {
        self.skipping = false;
        self.oversized.push(self.carry_line);
    }

    /// Whether the stream is a JSON array (known once its first byte was seen).
    pub fn is_array(&self) -> bool {
        matches!(self.layout, Layout::Array { .. })
    }

    /// Whether non-blank bytes followed the closing bracket of a top-level array.
    pub fn has_trailing_garbage(&self) -> bool {
        self.trailing_garbage
    }

    /// Feeds the next chunk; `on_record` receives every record completed by it.
    pub fn push(&mut self, chunk: &[u8], on_record: &mut dyn FnMut(Record<'_>)) {
        self.push_batches(chunk, &mut |records| {
            for &record in records {
                on_record(record);
            }
        });
    }

    /// Feeds the next chunk; `on_batch` receives the records completed by it, in order, in
    /// batches: the lines of a chunk come as one batch (to be parsed side by side), array
    /// elements one by one.
    pub fn push_batches(&mut self, chunk: &[u8], on_batch: &mut dyn FnMut(&[Record<'_>])) {
        if self.layout != Layout::Undecided {
            return self.push_decided(chunk, on_batch);
        }
        // Undecided: the layout is told by the first byte that is neither blank nor part of a
        // UTF-8 byte order mark, which may arrive split over several chunks.
        let mut pending = std::mem::take(&mut self.carry);
        pending.extend_from_slice(chunk);
        let newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let mut start = first_non_blank(&pending, 0);
        let rest = &pending[start..];
        if !self.bom_skipped && rest.len() < BOM.len() && BOM.starts_with(rest) && !rest.is_empty()
        {
            // The blanks before it are gone, as when they came in a chunk of their own.
            self.line += newlines(&pending[..start]);
            self.carry_line = self.line;
            self.carry = pending[start..].to_vec();
            return;
        }
        if !self.bom_skipped && rest.starts_with(BOM) {
            self.bom_skipped = true;
            start = first_non_blank(&pending, start + BOM.len());
        }
        if start == pending.len() {
            self.line += newlines(&pending);
            return;
        }
        self.line += newlines(&pending[..start]);
        self.carry_line = self.line;
        if pending[start] == b'[' {
            self.layout = Layout::Array { done: false };
            start += 1;
        } else {
            self.layout = Layout::Lines;
        }
        self.push_decided(&pending[start..], on_batch);
    }

    fn push_decided(&mut self, chunk: &[u8], on_batch: &mut dyn FnMut(&[Record<'_>])) {
        match self.layout {
            Layout::Lines => self.push_lines(chunk, on_batch),
            Layout::Array { .. } => self.push_array(chunk, &mut |record| on_batch(&[record])),
            Layout::Undecided => {}
        }
    }

    /// Ends the stream: a last line without a newline is still a record.
    pub fn finish(&mut self, on_record: &mut dyn FnMut(Record<'_>)) {
        if self.skipping {
            self.end_skipped();
        } else if !is_blank(&self.carry) {
            let carry = std::mem::take(&mut self.carry);
            let bytes = if self.is_array() {
                trim(&carry)
            } else {
                &carry[..]
            };
            on_record(Record {
                line: self.carry_line,
                bytes,
            });
        }
        self.carry.clear();
    }

    fn push_lines(&mut self, chunk: &[u8], on_batch: &mut dyn FnMut(&[Record<'_>])) {
        let mut rest = chunk;
        // The line carried over from earlier chunks ends at this chunk's first newline.
        if !self.carry.is_empty() || self.skipping {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.carry_on(rest);
                return;
            };
            self.carry_on(&rest[..end]);
            if self.skipping {
                self.end_skipped();
            } else {
                let carry = std::mem::take(&mut self.carry);
                if !is_blank(&carry) {
                    on_batch(&[Record {
                        line: self.carry_line,
                        bytes: strip_cr(&carry),
                    }]);
                }
                self.carry = carry;
                self.carry.clear();
            }
            self.line += 1;
            rest = &rest[end + 1..];
        }
        let mut batch = Vec::new();
        while let Some(end) = memchr::memchr(b'\n', rest) {
            let piece = &rest[..end];
            if piece.len() > self.max_record {
                self.oversized.push(self.line);
            } else if !is_blank(piece) {
                batch.push(Record {
                    line: self.line,
                    bytes: strip_cr(piece),
                });
            }
            self.line += 1;
            rest = &rest[end + 1..];
        }
        self.carry_line = self.line;
        if !batch.is_empty() {
            on_batch(&batch);
        }
        self.carry_on(rest);
    }

    fn push_array(&mut self, chunk: &[u8], on_record: &mut dyn FnMut(Record<'_>)) {
        let mut element_start = 0;
        for (i, &byte) in chunk.iter().enumerate() {
            if let Layout::Array { done: true } = self.layout {
                if !byte.is_ascii_whitespace() {
                    self.trailing_garbage = true;
                }
                continue;
            }
            let scan = &mut self.scan;
            let separator = !scan.in_string && scan.depth == 0 && (byte == b',' || byte == b']');
            if separator {
                self.emit_element(&chunk[element_start..i], on_record);
                element_start = i + 1;
                if byte == b']' {
                    self.layout = Layout::Array { done: true };
                }
                continue;
            }
            if !self.scan.started && !byte.is_ascii_whitespace() {
                // The blanks before an element are not part of it (nor of its length).
                self.scan.started = true;
                self.carry_line = self.line;
                element_start = i;
            }
            let scan = &mut self.scan;
            if scan.in_string {
                if scan.escaped {
                    scan.escaped = false;
                } else if byte == b'\\' {
                    scan.escaped = true;
                } else if byte == b'"' {
                    scan.in_string = false;
                }
            } else {
                match byte {
                    b'"' => scan.in_string = true,
                    b'{' | b'[' => scan.depth += 1,
                    b'}' | b']' => scan.depth = scan.depth.saturating_sub(1),
                    _ => {}
                }
            }
            if byte == b'\n' {
                self.line += 1;
            }
        }
        if self.scan.started && element_start < chunk.len() {
            self.carry_on(&chunk[element_start..]);
        }
    }

    fn emit_element(&mut self, tail: &[u8], on_record: &mut dyn FnMut(Record<'_>)) {
        if self.scan.started {
            let line = self.carry_line;
            if self.skipping || self.carry.len() + tail.len() > self.max_record {
                self.end_skipped();
            } else if self.carry.is_empty() {
                on_record(Record {
                    line,
                    bytes: trim(tail),
                });
            } else {
                self.carry.extend_from_slice(tail);
                let carry = std::mem::take(&mut self.carry);
                on_record(Record {
                    line,
                    bytes: trim(&carry),
                });
                self.carry = carry;
                self.carry.clear();
            }
        }
        self.scan = ElementScan::default();
    }
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

fn first_non_blank(bytes: &[u8], from: usize) -> usize {
    bytes
        .iter()
        .skip(from)
        .position(|b| !b.is_ascii_whitespace())
        .map_or(bytes.len(), |p| from + p)
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All records of `input` fed in chunks of `chunk` bytes, as (line, text).
    fn split(input: &str, chunk: usize) -> Vec<(u64, String)> {
        split_bytes(input.as_bytes(), chunk)
            .into_iter()
            .map(|(line, bytes)| (line, String::from_utf8_lossy(&bytes).into_owned()))
            .collect()
    }

    /// All records of `input` fed in chunks of `chunk` bytes, as (line, bytes).
    fn split_bytes(input: &[u8], chunk: usize) -> Vec<(u64, Vec<u8>)> {
        let mut splitter = RecordSplitter::new();
        let mut out = Vec::new();
        let mut collect = |r: Record<'_>| out.push((r.line, r.bytes.to_vec()));
        for piece in input.chunks(chunk.max(1)) {
            splitter.push(piece, &mut collect);
        }
        splitter.finish(&mut collect);
        out
    }

    #[test]
    fn json_lines_with_blank_lines_crlf_and_no_final_newline() {
        let input = "{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}";
        let expected = vec![
            (1, "{\"a\":1}".to_string()),
            (4, "{\"b\":2}".to_string()),
            (5, "{\"c\":3}".to_string()),
        ];
        for chunk in [1, 2, 3, 7, 100] {
            assert_eq!(split(input, chunk), expected, "chunk {chunk}");
        }
    }

    #[test]
    fn a_pretty_printed_array_gives_its_elements_with_their_first_line() {
        let input = "[\n  {\"a\": [1, 2],\n   \"s\": \"x,]}\\\"\"},\n  {\"b\": {}}\n]\n";
        let expected = vec![
            (2, "{\"a\": [1, 2],\n   \"s\": \"x,]}\\\"\"}".to_string()),
            (4, "{\"b\": {}}".to_string()),
        ];
        for chunk in [1, 2, 5, 1000] {
            assert_eq!(split(input, chunk), expected, "chunk {chunk}");
        }
    }

    #[test]
    fn a_one_line_array_and_an_empty_one() {
        assert_eq!(
            split("[{\"a\":1},{\"b\":2}]", 4),
            vec![(1, "{\"a\":1}".to_string()), (1, "{\"b\":2}".to_string())]
        );
        assert!(split("[]", 1).is_empty());
        assert!(split("  \n ", 1).is_empty());
    }

    #[test]
    fn text_after_the_array_is_noticed() {
        let mut splitter = RecordSplitter::new();
        splitter.push(b"[{}] x", &mut |_| {});
        assert!(splitter.has_trailing_garbage());
    }

    #[test]
    fn byte_order_mark_is_skipped_however_it_is_cut() {
        for chunk in [1, 2, 3, 4, 100] {
            assert_eq!(
                split("\u{feff}{\"a\":1}\n", chunk),
                vec![(1, "{\"a\":1}".to_string())],
                "chunk {chunk}"
            );
            assert_eq!(
                split("\u{feff}\n[\n{\"a\":1},\n{\"b\":2}\n]", chunk),
                vec![(3, "{\"a\":1}".to_string()), (4, "{\"b\":2}".to_string())],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn a_stream_ending_in_part_of_a_byte_order_mark_is_one_record_on_its_line() {
        for chunk in [1, 2, 3, 100] {
            assert_eq!(
                split_bytes(b"\r\n \n\xef\xbb", chunk),
                vec![(3, b"\xef\xbb".to_vec())],
                "chunk {chunk}"
            );
        }
    }

    /// Records and skipped lines of `input` with records limited to `max` bytes.
    fn split_limited(input: &[u8], chunk: usize, max: usize) -> (Vec<(u64, Vec<u8>)>, Vec<u64>) {
        let mut splitter = RecordSplitter::new().with_max_record(max);
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        let mut collect = |r: Record<'_>| out.push((r.line, r.bytes.to_vec()));
        for piece in input.chunks(chunk.max(1)) {
            splitter.push(piece, &mut collect);
            skipped.extend(splitter.take_oversized());
        }
        splitter.finish(&mut collect);
        skipped.extend(splitter.take_oversized());
        (out, skipped)
    }

    #[test]
    fn a_record_over_the_limit_is_skipped_by_line_and_never_held() {
        let long = "x".repeat(50);
        let input = format!("{{\"a\":1}}\n{long}\n{{\"b\":2}}\n{long}");
        for chunk in [1, 7, 20, 1000] {
            let (records, skipped) = split_limited(input.as_bytes(), chunk, 20);
            let lines: Vec<u64> = records.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![1, 3], "chunk {chunk}");
            assert_eq!(skipped, vec![2, 4], "chunk {chunk}");
        }
        let mut splitter = RecordSplitter::new().with_max_record(20);
        splitter.push(b"{\"a\":", &mut |_| {});
        for _ in 0..1000 {
            splitter.push(&[b'0'; 1000], &mut |_| {});
        }
        assert!(
            splitter.carry.capacity() <= 20 + 1000,
            "the endless line is not kept"
        );
        let array = format!("[\n{{\"a\":1}},\n\"{long}\",\n{{\"b\":2}}\n]");
        for chunk in [1, 7, 1000] {
            let (records, skipped) = split_limited(array.as_bytes(), chunk, 20);
            assert_eq!(records.len(), 2, "chunk {chunk}");
            assert_eq!(skipped, vec![3], "chunk {chunk}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// With a limit, however the stream is cut: the same records and skipped lines, every
        /// record within the limit, and every line accounted for once.
        #[test]
        fn the_limit_does_not_depend_on_chunking(
            lengths in proptest::collection::vec(0usize..40, 0..20),
            chunk in 1usize..50,
            max in 1usize..30,
        ) {
            let lines: Vec<String> = lengths.iter().enumerate().map(|(i, &n)| {
                format!("{}", char::from(b'a' + (i % 26) as u8)).repeat(n)
            }).collect();
            let input = lines.join("\n");
            let whole = split_limited(input.as_bytes(), usize::MAX, max);
            proptest::prop_assert_eq!(split_limited(input.as_bytes(), chunk, max), whole.clone());
            let (records, skipped) = whole;
            for (line, bytes) in &records {
                proptest::prop_assert!(bytes.len() <= max);
                proptest::prop_assert_eq!(bytes, lines[*line as usize - 1].as_bytes());
            }
            let long: Vec<u64> = (1..=lines.len() as u64).filter(|&l| lines[l as usize - 1].len() > max).collect();
            proptest::prop_assert_eq!(skipped, long);
        }

        #[test]
        fn chunking_never_changes_the_records(
            records in proptest::collection::vec("[a-z0-9 ,:\\[\\]{}\"]{0,20}", 0..20),
            chunk in 1usize..40,
        ) {
            let lines = records.join("\n");
            proptest::prop_assert_eq!(split(&lines, chunk), split(&lines, usize::MAX));
        }

        #[test]
        fn array_chunking_never_changes_the_records(
            values in proptest::collection::vec(0u32..1000, 0..30),
            chunk in 1usize..40,
        ) {
            let objects: Vec<String> = values.iter().map(|v| format!("{{\"v\": [{v}, \"a,]\"]}}")).collect();
            let array = format!("[\n{}\n]", objects.join(",\n"));
            let got = split(&array, chunk);
            proptest::prop_assert_eq!(got.len(), values.len());
            for (i, (line, text)) in got.iter().enumerate() {
                proptest::prop_assert_eq!(*line, i as u64 + 2);
                proptest::prop_assert_eq!(text, &objects[i]);
            }
        }

        /// Any bytes at all: no panic, the same records however the stream is cut, and every
        /// record is a piece of the input that starts on the line it names.
        #[test]
        fn any_bytes_give_records_on_lines_that_exist(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            chunk in 1usize..50,
        ) {
            let whole = split_bytes(&bytes, usize::MAX);
            proptest::prop_assert_eq!(split_bytes(&bytes, chunk), whole.clone());
            let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
            for (line, record) in &whole {
                proptest::prop_assert!(*line >= 1 && *line as usize <= lines.len(), "line {} of {}", line, lines.len());
                let first_line = record.split(|&b| b == b'\n').next().unwrap_or_default();
                let text = lines[*line as usize - 1];
                proptest::prop_assert!(
                    text.windows(first_line.len().max(1)).any(|w| w == first_line) || first_line.is_empty(),
                    "record {:?} is not on line {}: {:?}", first_line, line, text
                );
            }
        }

        /// JSON lines mixed with blank lines: one record per non-blank line, at its number.
        #[test]
        fn every_non_blank_line_is_a_record_at_its_number(
            lines in proptest::collection::vec("(|  |\\{[a-z0-9\":,]{0,12}\\})", 0..30),
            crlf in proptest::prelude::any::<bool>(),
            chunk in 1usize..40,
        ) {
            let input = lines.join(if crlf { "\r\n" } else { "\n" });
            let expected: Vec<(u64, String)> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| (i as u64 + 1, l.clone()))
                .collect();
            proptest::prop_assert_eq!(split(&input, chunk), expected);
        }
    }
}
