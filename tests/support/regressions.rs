//! Where proptest keeps the failing cases it finds: beside the file whose properties found
//! them (`src/engine/policy/highlight.rs` keeps `highlight.proptest-regressions`,
//! `tests/policy/properties.rs` keeps `properties.proptest-regressions`), read back before
//! any new case is drawn. Shared by the library's unit tests (`src/lib.rs`) and the test
//! binaries with properties (`tests/ingest/`, `tests/policy/`).

use proptest::test_runner::{Config, FailurePersistence, FileFailurePersistence};

/// `config`, its failing cases kept in `<source file>.proptest-regressions` beside the source
/// file (unless `PROPTEST_DISABLE_FAILURE_PERSISTENCE` turned keeping them off).
pub fn beside_the_source(mut config: Config) -> Config {
    if config.failure_persistence.is_some() {
        let beside: Box<dyn FailurePersistence> =
            Box::new(FileFailurePersistence::WithSource("proptest-regressions"));
        config.failure_persistence = Some(beside);
    }
    config
}
