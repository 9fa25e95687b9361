//! The worker side of ingest: waits for a batch of files, reads each in chunks (asking for the
//! next chunk before parsing the current one), feeds them to the engine, reports progress, and
//! sends back the result. The page cancels by terminating the worker.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::ingest::session::Ingest;

use super::worker_protocol::{FromWorker, StartRequest, CHUNK_BYTES};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &FromWorker) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}

/// Starts listening; called by the worker binary's `main`.
pub fn run() {
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        // The message is `[request JSON, blob, blob, ...]`.
        let data: Array = event.data().unchecked_into();
        let request: StartRequest = data
            .get(0)
            .as_string()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let blobs: Vec<Blob> = (1..data.length())
            .filter_map(|i| data.get(i).dyn_into::<Blob>().ok())
            .collect();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(message) = ingest(request, blobs).await {
                post(&FromWorker::Failed { message });
            }
        });
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready);
}

fn read(blob: &Blob, start: f64, end: f64) -> Result<JsFuture, String> {
    let slice = blob
        .slice_with_f64_and_f64(start, end)
        .map_err(|_| "cannot slice the file".to_string())?;
    Ok(JsFuture::from(slice.array_buffer()))
}

async fn ingest(request: StartRequest, blobs: Vec<Blob>) -> Result<(), String> {
    let mut ingest = Ingest::new();
    for (index, blob) in blobs.iter().enumerate() {
        let name = request.names.get(index).cloned().unwrap_or_default();
        let total = blob.size();
        ingest.begin_file(&name);
        let mut offset = 0.0;
        let mut next = (total > 0.0)
            .then(|| read(blob, 0.0, CHUNK_BYTES.min(total)))
            .transpose()?;
        while let Some(pending) = next.take() {
            let buffer = pending
                .await
                .map_err(|_| format!("the browser could not read {name}"))?;
            let bytes = Uint8Array::new(&buffer).to_vec();
            offset += bytes.len() as f64;
            if offset < total && !bytes.is_empty() {
                next = Some(read(blob, offset, (offset + CHUNK_BYTES).min(total))?);
            }
            ingest.push(&bytes);
            post(&FromWorker::Progress {
                file: index,
                read: offset as u64,
                total: total as u64,
                flows: ingest.current_report().map_or(0, |r| r.flows),
            });
        }
        ingest.end_file();
    }
    let result = ingest.finish_result(&request.cluster_ranges);
    post(&FromWorker::Done {
        result: Box::new(result),
    });
    Ok(())
}
