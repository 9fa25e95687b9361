//! The worker side of ingest: waits for a batch of files, reads each in chunks (through one
//! reused buffer where the browser allows, else in slices read one ahead), feeds them to the
//! engine, reports progress, and sends back the result: its tables in pieces, each when the
//! page asks for it (`engine::load::pieces`), then the rest with the data's fingerprint. The
//! page cancels by terminating the worker.

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use flowpol::engine::ingest::session::Ingest;
use flowpol::engine::load::load;
use flowpol::engine::load::pieces::split;
use flowpol::engine::review::fingerprint;
use flowpol::ui::browser::worker_protocol::{
    FromWorker, StartRequest, CHUNK_BYTES, NEXT_PIECE, RESULT_PIECE_ROWS,
};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &FromWorker) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}

thread_local! {
    /// Resolves the promise [`next_piece_asked`] waits on.
    static ON_NEXT_PIECE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Resolves when the page asks for the next piece of the result (see [`NEXT_PIECE`]).
fn next_piece_asked() -> JsFuture {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        ON_NEXT_PIECE.with(|slot| *slot.borrow_mut() = Some(resolve));
    });
    JsFuture::from(promise)
}

/// Starts listening; called by `main`.
pub fn run() {
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        if event.data().as_string().as_deref() == Some(NEXT_PIECE) {
            if let Some(resolve) = ON_NEXT_PIECE.with(|slot| slot.borrow_mut().take()) {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
            return;
        }
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

/// Reads `blob` through a BYOB ("bring your own buffer") reader: the same buffer goes back
/// and forth between the browser and the worker, so memory stays flat however large the file.
/// `None` when the browser's blob streams are not byte streams.
async fn read_with_one_buffer(
    blob: &Blob,
    bytes: &mut Vec<u8>,
    mut on_chunk: impl FnMut(&[u8], u64),
) -> Option<Result<(), String>> {
    let reader = web_sys::ReadableStreamByobReader::new(&blob.stream()).ok()?;
    // No larger than the file: a thousand small files cost no thousand 16 MiB buffers.
    let size = buffer_size(blob);
    let mut buffer = js_sys::ArrayBuffer::new(size as u32);
    if bytes.len() < size {
        bytes.resize(size, 0);
    }
    let mut offset = 0u64;
    loop {
        let view = Uint8Array::new(&buffer);
        let result = match JsFuture::from(reader.read_with_array_buffer_view(&view)).await {
            Ok(result) => result,
            Err(_) => return Some(Err("the browser could not read the file".to_string())),
        };
        let done = js_sys::Reflect::get(&result, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        let Ok(value) = js_sys::Reflect::get(&result, &"value".into()) else {
            return Some(Err("the browser returned no data".to_string()));
        };
        if let Ok(filled) = value.dyn_into::<Uint8Array>() {
            let length = filled.length() as usize;
            filled.copy_to(&mut bytes[..length]);
            offset += length as u64;
            on_chunk(&bytes[..length], offset);
            // The buffer was handed over and back: read into it again.
            buffer = filled.buffer();
        }
        if done {
            return Some(Ok(()));
        }
    }
}

/// Reads `blob` in slices, asking for the next before handing over the current one.
async fn read_in_slices(blob: &Blob, mut on_chunk: impl FnMut(&[u8], u64)) -> Result<(), String> {
    let total = blob.size();
    let mut offset = 0.0;
    let mut next = (total > 0.0)
        .then(|| read(blob, 0.0, CHUNK_BYTES.min(total)))
        .transpose()?;
    while let Some(pending) = next.take() {
        let buffer = pending
            .await
            .map_err(|_| "the browser could not read the file".to_string())?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        offset += bytes.len() as f64;
        if offset < total && !bytes.is_empty() {
            next = Some(read(blob, offset, (offset + CHUNK_BYTES).min(total))?);
        }
        on_chunk(&bytes, offset as u64);
    }
    Ok(())
}

/// The read buffer for `blob`: a chunk, or the whole file when smaller (at least 64 KiB).
fn buffer_size(blob: &Blob) -> usize {
    (blob.size() as usize).clamp(64 << 10, CHUNK_BYTES as usize)
}

/// The most distinct pods and addresses a tab reads: the review's model costs several KB each,
/// and a tab has a few GB at most (a million distinct pods would exhaust it).
const BROWSER_ENDPOINTS: usize = 50_000;

/// Least time between two progress messages at the end of a file, so that many small files
/// do not flood the page.
const PROGRESS_EVERY_MS: f64 = 100.0;

async fn ingest(request: StartRequest, blobs: Vec<Blob>) -> Result<(), String> {
    let mut ingest = Ingest::new().with_endpoint_limit(BROWSER_ENDPOINTS);
    let mut bytes = Vec::new();
    let mut last_post = 0.0;
    let files = blobs.len();
    for (index, blob) in blobs.iter().enumerate() {
        let name = request.names.get(index).cloned().unwrap_or_default();
        let total = blob.size() as u64;
        ingest.begin_file(&name);
        let mut reported = 0u64;
        let mut on_chunk = |bytes: &[u8], read: u64| {
            ingest.push(bytes);
            // Progress about every chunk's worth of bytes, and at a file's end (at most every
            // PROGRESS_EVERY_MS, and at the last file's).
            let now = js_sys::Date::now();
            let due = now - last_post >= PROGRESS_EVERY_MS || index + 1 == files;
            if read - reported >= CHUNK_BYTES as u64 || (read >= total && due) {
                reported = read;
                last_post = now;
                post(&FromWorker::Progress {
                    file: index,
                    read,
                    total,
                    flows: ingest.current_report().map_or(0, |r| r.flows),
                });
            }
        };
        let outcome = match read_with_one_buffer(blob, &mut bytes, &mut on_chunk).await {
            Some(outcome) => outcome,
            None => read_in_slices(blob, &mut on_chunk).await,
        };
        outcome.map_err(|message| format!("{name}: {message}"))?;
        ingest.end_file();
    }
    let result = load(ingest.finish(), &request.cluster_ranges);
    let fingerprint = fingerprint(&result.dataset);
    let (rest, pieces) = split(result, RESULT_PIECE_ROWS);
    for piece in pieces {
        let asked = next_piece_asked();
        post(&FromWorker::Piece { piece });
        let _ = asked.await;
    }
    post(&FromWorker::Done {
        result: Box::new(rest),
        fingerprint,
    });
    Ok(())
}
