//! The pure core of flowpol: plain Rust with no web dependency and no I/O. It takes bytes and
//! returns data; it never panics on input. The browser shell (`ui`) and the command line
//! (`cli`) are thin layers over it.
//!
//! The modules form a one-way street, each using only those listed before it:
//! [`model`] (the vocabulary) → [`yaml`], [`units`] → [`l7`] (requests to rule patterns) →
//! [`ingest`] (bytes to records) →
//! [`dataset`] → [`coverage`] (is the capture long enough) → [`resolve`] (records to a dataset) → [`load`] (the pipeline) →
//! [`decisions`] → [`scope`] → [`review`] → [`graph`] (the topology) → [`verify`] →
//! [`policy`]; [`demo`] generates data from the model alone.

// No unwrap or expect outside tests: input is data, and bad data is reported, never a panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod coverage;
pub mod dataset;
pub mod decisions;
pub mod demo;
pub mod graph;
pub mod ingest;
pub mod l7;
pub mod load;
pub mod model;
pub mod policy;
pub mod resolve;
pub mod review;
pub mod scope;
pub mod units;
pub mod verify;
pub mod yaml;
