//! A running ingest as the page holds it: the worker and the callbacks that must live as
//! long as it. Dropping it terminates the worker, which frees its memory at once.

use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// A running ingest: the worker and the callbacks that must live as long as it.
pub struct IngestJob {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl IngestJob {
    /// The job of `worker`, whose messages and errors the two callbacks handle.
    pub fn new(
        worker: Worker,
        on_message: Closure<dyn FnMut(MessageEvent)>,
        on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
    ) -> IngestJob {
        IngestJob {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        }
    }
}

impl Drop for IngestJob {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
