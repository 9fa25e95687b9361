//! Where the page meets the browser: the ingest worker (its client and the messages it
//! exchanges), reading dropped and bundled files, downloads and the clipboard, the
//! browser's storage, and the service worker that keeps the app working offline. No
//! component lives here.

pub mod download;
pub mod file_reading;
pub mod ingest_job;
pub mod offline;
pub mod pending_file;
pub mod storage;
pub mod worker_client;
pub mod worker_protocol;
