//! Where the page meets the browser: the ingest worker (its client and the messages it
//! exchanges), reading dropped and bundled files, downloads and the clipboard, and the
//! browser's storage. No component lives here.

pub mod download;
pub mod file_reading;
pub mod storage;
pub mod worker_client;
pub mod worker_protocol;
