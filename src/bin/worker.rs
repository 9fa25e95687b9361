//! The browser's ingest worker: a second wasm binary Trunk builds as a Web Worker, so that
//! files are read and parsed off the page's thread. Natively it does nothing.

#[cfg(target_arch = "wasm32")]
fn main() {
    flowpol::ui::ingest_worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker binary runs only in the browser; use `flowpol` on the command line");
}
