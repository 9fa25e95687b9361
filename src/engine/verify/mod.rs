//! Verification: the NetworkPolicy evaluator (`evaluate`) and the replay of observed
//! communications through generated or existing policies (`replay`). Existing policies are
//! read by `ingest::policies`.

pub mod evaluate;
pub mod replay;
