//! Reading captures: the demo data as shipped and as the generator describes it (`demo_data`,
//! `demo`); real Hubble captures, what each holds and the fields exporters print differently
//! (`real`, `real_fields`); real captures read with no inventory, through to the policies
//! `generate` writes (`flows_alone`); files in any order and lines out of order
//! (`capture_order`); hostile input (`hostile`); and every fuzz input kept in
//! `tests/fixtures/fuzz/` (`fuzz_regressions`).
#![cfg(not(target_arch = "wasm32"))]

mod capture_order;
mod demo;
mod demo_data;
mod flows_alone;
mod fuzz_regressions;
mod hostile;
mod real;
mod real_fields;

// Shared with other test binaries and the fuzz targets (tests/support/).
#[allow(dead_code)]
#[path = "../support/fuzz_bodies.rs"]
mod fuzz_bodies;
#[path = "../support/regressions.rs"]
mod regressions;
#[path = "../support/summary.rs"]
mod summary;
#[path = "../support/yaml_1_1.rs"]
mod yaml_1_1;
