//! Reading the files a command names: streamed through an ingest session on one reading thread
//! while flow lines are parsed on every core, then resolved; and the cluster ranges given by
//! flag.

use std::fs::File;
use std::path::PathBuf;

use ipnet::IpNet;

use crate::engine::decisions::parse_cidr;
use crate::engine::ingest::session::Ingest;
use crate::engine::load::{load, LoadResult};

/// An address or CIDR, for `--cluster-range`.
pub fn cidr(text: &str) -> Result<IpNet, String> {
    parse_cidr(text).map_err(|e| e.to_string())
}

/// Chunk size for reading files: large enough to amortise calls, small enough to stream.
const READ_CHUNK: usize = 8 << 20;

/// What the reading thread hands to the ingest.
enum ReadEvent {
    Begin(String),
    /// A buffer and how many of its bytes were read.
    Chunk(Vec<u8>, usize),
    End,
    Failed(String),
}

/// Streams `files` through an ingest session and resolves what they hold. One thread reads
/// the files (the kernel's copy of the bytes overlaps the parsing); flow lines are parsed on
/// all cores.
pub fn load_paths(files: &[PathBuf], cluster_ranges: &[IpNet]) -> Result<LoadResult, String> {
    use std::sync::mpsc::{channel, sync_channel};
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut ingest = Ingest::new().with_parse_threads(threads);
    std::thread::scope(|scope| {
        let (read_tx, read_rx) = sync_channel::<ReadEvent>(2);
        let (free_tx, free_rx) = channel::<Vec<u8>>();
        for _ in 0..3 {
            let _ = free_tx.send(vec![0u8; READ_CHUNK]);
        }
        scope.spawn(move || {
            // The buffer a file's last (empty) read took: the next file fills it first, so
            // every buffer goes back into circulation however many files there are.
            let mut spare = None;
            for path in files {
                if let Err(message) = read_file(path, &read_tx, &free_rx, &mut spare) {
                    let _ = read_tx.send(ReadEvent::Failed(message));
                    return;
                }
            }
        });
        for event in read_rx {
            match event {
                ReadEvent::Begin(name) => ingest.begin_file(&name),
                ReadEvent::Chunk(buffer, read) => {
                    ingest.push(&buffer[..read]);
                    let _ = free_tx.send(buffer);
                }
                ReadEvent::End => ingest.end_file(),
                ReadEvent::Failed(message) => return Err(message),
            }
        }
        Ok(())
    })?;
    Ok(load(ingest.finish(), cluster_ranges))
}

/// Reads one file into free buffers, each filled as far as the file allows; stops quietly
/// when the ingest stopped listening. The buffer of the read that finds the end is kept in
/// `spare` for the next file (were it dropped, each file would take one buffer out of
/// circulation, and the reader would wait forever for a free one at the fourth file).
fn read_file(
    path: &std::path::Path,
    events: &std::sync::mpsc::SyncSender<ReadEvent>,
    free: &std::sync::mpsc::Receiver<Vec<u8>>,
    spare: &mut Option<Vec<u8>>,
) -> Result<(), String> {
    use std::io::Read;
    let mut file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let send = |event| events.send(event).map_err(|_| String::new());
    if send(ReadEvent::Begin(path.display().to_string())).is_err() {
        return Ok(());
    }
    loop {
        let Some(mut buffer) = spare.take().or_else(|| free.recv().ok()) else {
            return Ok(());
        };
        let mut filled = 0;
        while filled < buffer.len() {
            match file.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            }
        }
        if filled == 0 {
            *spare = Some(buffer);
            let _ = send(ReadEvent::End);
            return Ok(());
        }
        if send(ReadEvent::Chunk(buffer, filled)).is_err() {
            return Ok(());
        }
    }
}
