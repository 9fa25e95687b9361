//! Ingest throughput on the project's own demo generator: Hubble lines at 10k, 100k and 1M
//! flows (about 1.4 KB each), fed in 16 MiB chunks as the browser worker feeds them, parsed on
//! every core (as the command line does) and on one thread (as the browser's worker does).
//! Also the parts: the JSON walk alone, line parsing alone, and serde_json's validation of
//! the same lines as a floor for any serde-based reader.
//! Run: `cargo bench --bench ingest` (divan prints MB/s).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    divan::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use flowpol::engine::demo::{DemoCluster, FlowLines, FlowOptions};
    use flowpol::engine::ingest::session::Ingest;

    const CHUNK: usize = 16 << 20;

    fn flows(lines: usize) -> Vec<u8> {
        let cluster = DemoCluster::new(1);
        let options = FlowOptions {
            lines,
            seed: 1,
            ..FlowOptions::default()
        };
        let mut text = Vec::new();
        for line in FlowLines::new(&cluster, options) {
            text.extend_from_slice(line.as_bytes());
            text.push(b'\n');
        }
        text
    }

    fn ingest(text: &[u8], threads: usize) -> usize {
        let mut ingest = Ingest::new().with_parse_threads(threads);
        ingest.begin_file("flows.jsonl");
        for chunk in text.chunks(CHUNK) {
            ingest.push(chunk);
        }
        ingest.end_file();
        ingest.flows.communication_count()
    }

    /// Lines parsed on every core, as `flowpol inspect` and `generate` do.
    #[divan::bench(args = [10_000, 100_000, 1_000_000], sample_count = 5, sample_size = 1)]
    fn hubble_lines(bencher: divan::Bencher, lines: usize) {
        let text = flows(lines);
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        bencher
            .counter(divan::counter::BytesCount::new(text.len()))
            .bench(|| ingest(&text, threads));
    }

    /// On one thread, as the browser's worker does.
    #[divan::bench(args = [100_000, 1_000_000], sample_count = 5, sample_size = 1)]
    fn hubble_lines_one_thread(bencher: divan::Bencher, lines: usize) {
        let text = flows(lines);
        bencher
            .counter(divan::counter::BytesCount::new(text.len()))
            .bench(|| ingest(&text, 1));
    }

    #[divan::bench(args = [100_000], sample_count = 3, sample_size = 1)]
    fn parse_only(bencher: divan::Bencher, lines: usize) {
        let text = flows(lines);
        bencher
            .counter(divan::counter::BytesCount::new(text.len()))
            .bench(|| {
                let mut n = 0;
                for line in text.split(|&b| b == b'\n') {
                    if flowpol::engine::ingest::formats::hubble::parse_flow(line).is_ok() {
                        n += 1;
                    }
                }
                n
            });
    }

    #[divan::bench(args = [100_000], sample_count = 3, sample_size = 1)]
    fn ignored_any(bencher: divan::Bencher, lines: usize) {
        let text = flows(lines);
        bencher
            .counter(divan::counter::BytesCount::new(text.len()))
            .bench(|| {
                let mut n = 0;
                for line in text.split(|&b| b == b'\n') {
                    if serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok() {
                        n += 1;
                    }
                }
                n
            });
    }

    #[divan::bench(args = [100_000], sample_count = 3, sample_size = 1)]
    fn scan_only(bencher: divan::Bencher, lines: usize) {
        use flowpol::engine::ingest::scan::json_scan::{for_each_member, ScanError};
        let text = flows(lines);
        bencher
            .counter(divan::counter::BytesCount::new(text.len()))
            .bench(|| {
                let mut n = 0usize;
                for line in text.split(|&b| b == b'\n') {
                    let _ = for_each_member::<ScanError>(line, |k, v| {
                        if k == b"flow" {
                            let _ = for_each_member::<ScanError>(v, |_, v2| {
                                n += v2.len();
                                Ok(())
                            });
                        }
                        Ok(())
                    });
                }
                n
            });
    }
}
