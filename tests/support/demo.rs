//! The shipped demo data (`public/demo/`: the capture and its inventory), loaded as the
//! browser's demo button loads it, for the tests that read it.

use flowpol::engine::dataset::Dataset;
use flowpol::engine::load::load_files;

pub fn demo() -> Dataset {
    load_files(
        &[
            (
                "flows.jsonl",
                include_bytes!("../../public/demo/flows.jsonl"),
            ),
            (
                "inventory.json",
                include_bytes!("../../public/demo/inventory.json"),
            ),
        ],
        &[],
    )
    .dataset
}
