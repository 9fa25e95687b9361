//! The review and its picture as data, as the browser shows them: the review's rows, filters,
//! sorting, subjects and time spans (`rows`, `engine::review`), and the topology's geometry
//! (`topology`, `engine::graph`).
#![cfg(not(target_arch = "wasm32"))]

mod rows;
mod topology;

// Shared with other test binaries (tests/support/).
#[path = "../support/regressions.rs"]
mod regressions;
#[path = "../support/demo.rs"]
mod support_demo;
