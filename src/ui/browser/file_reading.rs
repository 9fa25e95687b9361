//! Reading what the user gives us: the head of a dropped or picked file (its format, and
//! whether it is loaded already), and the bundled demo files fetched from the app's own origin.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::ingest::formats::detect::{detect_format, InputFormat, SNIFF_BYTES};

use super::pending_file::PendingFile;
use crate::ui::state::{AppState, FileOrigin, LoadedFile};

/// How a file is told from the others: its size and a hash of its first and last bytes (the
/// same content loaded twice is one file, whatever its name); empty files by their name (each
/// is listed, though none holds anything).
fn content_key(name: &str, size: u64, head: &[u8], tail: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    if size == 0 {
        name.hash(&mut hasher);
    }
    (size, head, tail).hash(&mut hasher);
    hasher.finish()
}

/// Reads the head (and the tail) of a file: its size, format and content key.
async fn describe(file: &PendingFile) -> Result<(u64, InputFormat, u64), String> {
    let size = file.blob.size() as u64;
    let blob = gloo_file::Blob::from(file.blob.clone());
    let read = |start: u64, end: u64| {
        let part = blob.slice(start, end);
        async move { gloo_file::futures::read_as_bytes(&part).await }
    };
    let head = read(0, size.min(SNIFF_BYTES as u64))
        .await
        .map_err(|e| format!("cannot read {}: {e}", file.name))?;
    let tail = read(size.saturating_sub(SNIFF_BYTES as u64), size)
        .await
        .map_err(|e| format!("cannot read {}: {e}", file.name))?;
    Ok((
        size,
        detect_format(&head),
        content_key(&file.name, size, &head, &tail),
    ))
}

/// Describes `files` one after the other and adds them to the load status and the sources,
/// except a file whose content is loaded already (said in the status); returns how many were
/// added.
pub async fn load_files(state: AppState, files: Vec<PendingFile>, origin: FileOrigin) -> usize {
    state.error.set(None);
    state.notice.set(None);
    let mut repeated = Vec::new();
    // Added to the state all at once: the status list is drawn once, not once per file (a
    // thousand files dropped together would otherwise draw a million rows).
    let mut loaded: Vec<LoadedFile> = Vec::new();
    let mut sources = Vec::new();
    for file in files {
        state.reading.update(|r| r.push(file.name.clone()));
        let described = describe(&file).await;
        state.reading.update(|r| r.retain(|n| n != &file.name));
        match described {
            Ok((_, _, key))
                if loaded.iter().any(|l| l.key == key)
                    || state
                        .files
                        .with_untracked(|f| f.iter().any(|l| l.key == key)) =>
            {
                repeated.push(file.name.clone());
            }
            Ok((size, format, key)) => {
                loaded.push(LoadedFile {
                    id: state.next_file_id(),
                    name: file.name.clone(),
                    size,
                    format,
                    origin,
                    key,
                });
                sources.push(file);
            }
            Err(message) => state.error.set(Some(message)),
        }
    }
    let added = loaded.len();
    if added > 0 {
        state.files.update(|files| files.extend(loaded));
        state.sources.update_value(|all| all.extend(sources));
    }
    if !repeated.is_empty() {
        state.notice.set(Some(format!(
            "Loaded already, not added again: {}.",
            repeated.join(", ")
        )));
    }
    added
}

/// Fetches one of the app's own files (relative to the page) as a blob.
pub async fn fetch_own_file(path: &str) -> Result<PendingFile, String> {
    let window = web_sys::window().ok_or("no window")?;
    let failed = |what: &str| format!("cannot load the demo file {path}: {what}");
    let response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| failed("the request failed"))?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| failed("unexpected response"))?;
    if !response.ok() {
        return Err(failed(&format!("HTTP {}", response.status())));
    }
    let blob = JsFuture::from(response.blob().map_err(|_| failed("no body"))?)
        .await
        .map_err(|_| failed("the body could not be read"))?
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| failed("the body is not a blob"))?;
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    Ok(PendingFile { name, blob })
}
