//! Parsing a batch of flow lines, on several threads when the caller allows it, while the
//! results are consumed in line order on the caller's thread. Parsing a line depends on
//! nothing but the line, so the batch is cut into small parts that every thread takes in turn;
//! the caller's thread consumes each part (connections, counts: everything that depends on
//! order) as soon as it is parsed, and parses a part itself whenever the next one is not ready.
//! The consumer sees exactly what it would see without threads.
//!
//! The browser's worker has one thread; the command line uses the machine's cores.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

use crate::engine::ingest::formats::hubble::{parse_flow, FlowError, FlowEvent};
use crate::engine::ingest::scan::records::Record;

/// Lines per part: small enough that the threads finish together, large enough that taking
/// a part costs nothing next to parsing it.
const LINES_PER_PART: usize = 512;

type Parsed<'a> = Vec<Result<FlowEvent<'a>, FlowError>>;

/// Parses each record as a Hubble flow on up to `threads` threads and calls `consume` with
/// each record and its result, in order, on the caller's thread.
pub fn parse_flows<'a>(
    records: &[Record<'a>],
    threads: usize,
    mut consume: impl FnMut(&Record<'a>, Result<FlowEvent<'a>, FlowError>),
) {
    let parts: Vec<&[Record<'a>]> = records.chunks(LINES_PER_PART).collect();
    if threads <= 1 || parts.len() < 2 || cfg!(target_arch = "wasm32") {
        for record in records {
            consume(record, parse_flow(record.bytes));
        }
        return;
    }
    let shared = Shared {
        next_part: AtomicUsize::new(0),
        helper_failed: AtomicBool::new(false),
        parsed: Mutex::new(parts.iter().map(|_| None).collect()),
        ready: Condvar::new(),
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.min(parts.len()) {
            scope.spawn(|| {
                let _alarm = PanicAlarm(&shared);
                while shared.parse_next(&parts).is_some() {}
            });
        }
        for (index, part) in parts.iter().enumerate() {
            let events = shared.take(index, &parts);
            for (record, event) in part.iter().zip(events) {
                consume(record, event);
            }
        }
    });
}

fn parse_part<'a>(part: &[Record<'a>]) -> Parsed<'a> {
    part.iter().map(|record| parse_flow(record.bytes)).collect()
}

/// The parts' results, shared by the threads.
struct Shared<'a> {
    /// The first part no thread has taken yet.
    next_part: AtomicUsize,
    /// A helper thread panicked (parsing never should): its part will never arrive.
    helper_failed: AtomicBool,
    parsed: Mutex<Vec<Option<Parsed<'a>>>>,
    /// Signalled whenever a part is parsed.
    ready: Condvar,
}

impl<'a> Shared<'a> {
    /// Takes the next part nobody took and parses it; its index, or `None` when all are taken.
    fn parse_next(&self, parts: &[&[Record<'a>]]) -> Option<usize> {
        let index = self.next_part.fetch_add(1, Ordering::Relaxed);
        let part = parts.get(index)?;
        let events = parse_part(part);
        let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        parsed[index] = Some(events);
        self.ready.notify_all();
        Some(index)
    }

    /// The results of part `index`: parses parts while it is not ready, waits when all
    /// parts are taken and it is still being parsed.
    fn take(&self, index: usize, parts: &[&[Record<'a>]]) -> Parsed<'a> {
        loop {
            let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(events) = parsed[index].take() {
                return events;
            }
            if self.next_part.load(Ordering::Relaxed) < parts.len() {
                drop(parsed);
                self.parse_next(parts);
                continue;
            }
            while parsed[index].is_none() {
                if self.helper_failed.load(Ordering::Relaxed) {
                    // Parse it here: the same panic then reaches the caller, not a hang.
                    drop(parsed);
                    return parse_part(parts[index]);
                }
                parsed = self
                    .ready
                    .wait(parsed)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }
}

/// Wakes the consumer when a helper thread unwinds, so that it does not wait forever for the
/// part that thread was parsing.
struct PanicAlarm<'s, 'a>(&'s Shared<'a>);

impl Drop for PanicAlarm<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.helper_failed.store(true, Ordering::Relaxed);
            let _guard = self.0.parsed.lock().unwrap_or_else(PoisonError::into_inner);
            self.0.ready.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_give_the_same_events_in_the_same_order() {
        let cluster = crate::engine::demo::DemoCluster::new(3);
        let options = crate::engine::demo::FlowOptions {
            lines: 2000,
            seed: 3,
            ..Default::default()
        };
        let mut lines: Vec<String> =
            crate::engine::demo::FlowLines::new(&cluster, options).collect();
        lines[700] = "{broken".to_string();
        let records: Vec<Record<'_>> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| Record {
                line: i as u64 + 1,
                bytes: line.as_bytes(),
            })
            .collect();
        let parse = |threads| {
            let mut events = Vec::new();
            parse_flows(&records, threads, |record, event| {
                events.push((record.line, event))
            });
            events
        };
        let alone = parse(1);
        assert_eq!(alone.len(), records.len());
        assert!(alone[700].1.is_err());
        for threads in [2, 3, 8] {
            assert_eq!(parse(threads), alone, "{threads} threads");
        }
    }
}
