//! Verification: the NetworkPolicy evaluator (`evaluate`) and the replay of observed
//! communications through generated or existing policies (`replay`).

pub mod evaluate;
pub mod existing;
pub mod replay;
