//! The messages between the page and the ingest worker, as JSON text (files travel beside
//! them as `Blob`s, which the browser hands over without copying).

use serde::{Deserialize, Serialize};

use ipnet::IpNet;

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
    /// Everything read and resolved.
    Done { result: Box<LoadResult> },
    /// Something failed outside the files' content (a read error of the browser).
    Failed { message: String },
}

/// From the page to the worker: the names of the files posted with it, and cluster ranges.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct StartRequest {
    pub names: Vec<String>,
    pub cluster_ranges: Vec<IpNet>,
}

/// Bytes read per step: large enough to amortise the calls, small enough for steady progress.
pub const CHUNK_BYTES: f64 = 16.0 * 1024.0 * 1024.0;
