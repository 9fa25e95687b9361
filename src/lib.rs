//! flowpol turns observed Kubernetes network flows into least-privilege NetworkPolicies.
//!
//! - [`engine`]: the pure core, shared by both front ends.
//! - `ui`: the Leptos shell compiled to WebAssembly (wasm32 only).
//! - `cli`: the native command-line tool (not on wasm32).

pub mod engine;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod ui;

// proptest's failing cases kept beside the file whose unit tests found them.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "../tests/support/regressions.rs"]
mod regressions;
