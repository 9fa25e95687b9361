//! Every communication of a dataset in one line each, sorted: what the tests of real
//! captures compare with the list checked by hand.

use flowpol::engine::dataset::Dataset;

/// Every communication as `client -> server protocol/port xN` (or already open), sorted.
pub fn summary(dataset: &Dataset) -> Vec<String> {
    let mut lines: Vec<String> = dataset
        .communications
        .iter()
        .map(|c| dataset.describe(c))
        .collect();
    lines.sort();
    lines
}
