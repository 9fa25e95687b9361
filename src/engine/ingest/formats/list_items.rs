//! A kubectl `List` cut into its items as its bytes stream by: the bytes before the top-level
//! `"items": [` are scanned, then the array's elements come one at a time (`records`), so an
//! inventory of any size is read item by item, in bounded memory, and a damaged item costs
//! only itself. A document without an `items` array (a single object) is kept whole, up to
//! [`MAX_RECORD_BYTES`].

use crate::engine::ingest::scan::records::{Record, RecordSplitter, MAX_RECORD_BYTES};

/// What a document turned out to be once it ended.
pub enum Ended {
    /// A list whose items were all given; `closed` when its array's bracket was read (else
    /// the document was cut short).
    Items { closed: bool },
    /// No `items` array: the whole document, to be read as one object.
    Whole(Vec<u8>),
    /// No `items` array, and longer than any single object flowpol reads.
    TooLong,
}

/// Where the scan of the document's head is.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Expect {
    /// Anything.
    #[default]
    Any,
    /// The key `"items"` was read at the top level: its colon.
    Colon,
    /// Then its value, which gives the items when it is an array.
    Array,
}

/// The top level of a document, scanned byte by byte until its `items` array.
#[derive(Default)]
struct HeadScan {
    /// How far `head` was scanned.
    at: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Where the string being read started (after its quote).
    string_start: usize,
    expect: Expect,
    /// Line (1-based) at `at`.
    line: u64,
}

/// A streaming reader of one inventory document.
#[derive(Default)]
pub struct ListItems {
    head: Vec<u8>,
    scan: HeadScan,
    items: Option<RecordSplitter>,
    too_long: bool,
}

impl ListItems {
    /// A reader at the start of a document.
    pub fn new() -> Self {
        ListItems {
            scan: HeadScan {
                line: 1,
                ..HeadScan::default()
            },
            ..Self::default()
        }
    }

    /// Feeds the next bytes; `on_item` receives each item completed by them.
    pub fn push(&mut self, chunk: &[u8], on_item: &mut dyn FnMut(Record<'_>)) {
        if let Some(items) = &mut self.items {
            return items.push(chunk, on_item);
        }
        if self.too_long {
            return;
        }
        self.head.extend_from_slice(chunk);
        if let Some(start) = self.find_items() {
            let mut items = RecordSplitter::inside_array(self.scan.line);
            items.push(&self.head[start..], on_item);
            self.items = Some(items);
            self.head = Vec::new();
        } else if self.head.len() > MAX_RECORD_BYTES {
            self.too_long = true;
            self.head = Vec::new();
        }
    }

    /// The lines of items skipped for their length since the last call.
    pub fn take_oversized(&mut self) -> Vec<u64> {
        self.items
            .as_mut()
            .map(RecordSplitter::take_oversized)
            .unwrap_or_default()
    }

    /// Ends the document: the last item, or the whole document when it had no items.
    pub fn finish(&mut self, on_item: &mut dyn FnMut(Record<'_>)) -> Ended {
        match &mut self.items {
            Some(items) => {
                items.finish(on_item);
                Ended::Items {
                    closed: items.array_closed(),
                }
            }
            None if self.too_long => Ended::TooLong,
            None => Ended::Whole(std::mem::take(&mut self.head)),
        }
    }

    /// Scans the head from where it stopped; the offset just after the top-level
    /// `"items": [` when it is there.
    fn find_items(&mut self) -> Option<usize> {
        let scan = &mut self.scan;
        while scan.at < self.head.len() {
            let at = scan.at;
            let byte = self.head[at];
            scan.at += 1;
            if byte == b'\n' {
                scan.line += 1;
            }
            if scan.in_string {
                if scan.escaped {
                    scan.escaped = false;
                } else if byte == b'\\' {
                    scan.escaped = true;
                } else if byte == b'"' {
                    scan.in_string = false;
                    let key = &self.head[scan.string_start..at];
                    if scan.depth == 1 && scan.expect == Expect::Any && key == b"items" {
                        scan.expect = Expect::Colon;
                    }
                }
                continue;
            }
            if byte.is_ascii_whitespace() {
                continue;
            }
            match (scan.expect, byte) {
                (Expect::Colon, b':') => {
                    scan.expect = Expect::Array;
                    continue;
                }
                (Expect::Array, b'[') => return Some(scan.at),
                _ => scan.expect = Expect::Any,
            }
            match byte {
                b'"' => {
                    scan.in_string = true;
                    scan.string_start = scan.at;
                }
                b'{' | b'[' => scan.depth += 1,
                b'}' | b']' => scan.depth = scan.depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items (line, text) and how the document ended, fed in chunks of `chunk` bytes.
    fn read(input: &str, chunk: usize) -> (Vec<(u64, String)>, String) {
        let mut list = ListItems::new();
        let mut items = Vec::new();
        let mut on_item = |r: Record<'_>| {
            items.push((r.line, String::from_utf8_lossy(r.bytes).into_owned()));
        };
        for piece in input.as_bytes().chunks(chunk.max(1)) {
            list.push(piece, &mut on_item);
        }
        let ended = match list.finish(&mut on_item) {
            Ended::Items { closed } => format!("items closed={closed}"),
            Ended::Whole(bytes) => format!("whole {}", bytes.len()),
            Ended::TooLong => "too long".to_string(),
        };
        (items, ended)
    }

    #[test]
    fn a_kubectl_list_gives_its_items_with_their_lines() {
        let input = "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\"kind\": \"Pod\", \"x\": \"]\"},\n    {\"kind\": \"Service\"}\n  ],\n  \"kind\": \"List\"\n}\n";
        for chunk in [1, 2, 3, 7, 1000] {
            let (items, ended) = read(input, chunk);
            assert_eq!(
                items,
                vec![
                    (4, "{\"kind\": \"Pod\", \"x\": \"]\"}".to_string()),
                    (5, "{\"kind\": \"Service\"}".to_string())
                ],
                "chunk {chunk}"
            );
            assert_eq!(ended, "items closed=true");
        }
    }

    #[test]
    fn items_elsewhere_than_the_top_level_or_as_a_value_are_not_the_list() {
        let nested = "{\"metadata\": {\"items\": [1]}, \"kind\": \"Pod\"}";
        assert_eq!(read(nested, 3), (vec![], format!("whole {}", nested.len())));
        let value = "{\"kind\": \"items\", \"spec\": [1, 2]}";
        assert_eq!(read(value, 1), (vec![], format!("whole {}", value.len())));
        let escaped = "{\"it\\\"ems\": [1], \"items\" : [ 2 ] }";
        assert_eq!(read(escaped, 2).0, vec![(1, "2".to_string())]);
    }

    #[test]
    fn a_list_cut_short_gives_its_complete_items_and_says_so() {
        let (items, ended) = read("{\"items\": [{\"a\": 1}, {\"b\": ", 4);
        assert_eq!(items[0], (1, "{\"a\": 1}".to_string()));
        assert_eq!(
            items.len(),
            2,
            "the broken last item is given, to be reported"
        );
        assert_eq!(ended, "items closed=false");
    }
}
