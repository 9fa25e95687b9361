//! Getting data in: the drop zone, the file picker and the demo button (`loader`), and what was
//! loaded (`status`: each file, the worker's progress, the problems, the dataset's summary;
//! `coverage`: whether the capture is long enough).

mod coverage;
pub mod loader;
mod problems;
mod progress;
pub mod status;
