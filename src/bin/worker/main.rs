//! The browser's ingest worker: a second wasm binary Trunk builds as a Web Worker, so that
//! files are read and parsed off the page's thread. `ingest` is its body; the messages it
//! exchanges with the page are `flowpol::ui::browser::worker_protocol`. Natively it does
//! nothing.

#[cfg(target_arch = "wasm32")]
mod ingest;

#[cfg(target_arch = "wasm32")]
fn main() {
    ingest::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker binary runs only in the browser; use `flowpol` on the command line");
}
