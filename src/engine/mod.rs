//! The pure core of flowpol: plain Rust with no web dependency and no I/O. It takes bytes and
//! returns data; it never panics on input. The browser shell (`ui`) and the command line
//! (`cli`) are thin layers over it.

// No unwrap or expect outside tests: input is data, and bad data is reported, never a panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod dataset;
pub mod decisions;
pub mod demo;
pub mod format;
pub mod ingest;
pub mod inventory;
pub mod model;
pub mod policy;
pub mod resolve;
pub mod review;
pub mod units;
pub mod verify;
