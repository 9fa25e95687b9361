//! The messages between the page and the ingest worker, as JSON text (files travel beside
//! them as `Blob`s, which the browser hands over without copying).

use serde::{Deserialize, Serialize};

use ipnet::IpNet;

use crate::engine::load::pieces::Piece;
use crate::engine::load::LoadResult;

/// From the worker to the page. Externally tagged: an internally tagged enum would buffer its
/// content and lose the integer map keys of the counts.
#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker is listening (a message posted before this would be lost).
    Ready,
    /// Reading file `file` of the batch: bytes read so far of `total`, flows parsed.
    Progress {
        file: usize,
        read: u64,
        total: u64,
        flows: u64,
    },
    /// Rows of the result's tables, in order, ahead of `Done` (see [`crate::engine::load::pieces`]).
    Piece { piece: Piece },
    /// Everything read and resolved: the result, with the rows sent in pieces left out, and
    /// its data's fingerprint (see [`crate::engine::review::fingerprint`]; sorting every
    /// communication's key, it is worth computing off the page's thread).
    Done {
        result: Box<LoadResult>,
        fingerprint: String,
    },
    /// Something failed outside the files' content (a read error of the browser).
    Failed { message: String },
}

/// From the page to the worker: the names of the files posted with it, and cluster ranges.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct StartRequest {
    pub names: Vec<String>,
    pub cluster_ranges: Vec<IpNet>,
}

/// From the page to the worker, after each [`FromWorker::Piece`]: the page has taken it in and
/// wants the next. The worker waits for it, so that the page takes the pieces in tasks of its
/// own, with time to answer input (and timers) between them, and not in one queue of messages.
pub const NEXT_PIECE: &str = "next-piece";

/// Rows per piece of the result: about a megabyte of JSON, a few milliseconds of the page's
/// time to take in.
pub const RESULT_PIECE_ROWS: usize = 2_000;

/// Bytes read per step: large enough to amortise the calls, small enough for steady progress.
pub const CHUNK_BYTES: f64 = 16.0 * 1024.0 * 1024.0;
