//! Reading what the user gives us: the head of a dropped or picked file, and the bundled demo
//! files fetched from the app's own origin.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::ingest::format::{detect_format, InputFormat, SNIFF_BYTES};

use crate::ui::state::{AppState, FileOrigin, LoadedFile};

/// A file to describe: its name and its bytes, not yet read.
pub struct PendingFile {
    pub name: String,
    pub blob: web_sys::Blob,
}

impl From<web_sys::File> for PendingFile {
    fn from(file: web_sys::File) -> Self {
        PendingFile {
            name: file.name(),
            blob: file.into(),
        }
    }
}

/// The files of a `FileList` (from a file input or a drop).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<PendingFile> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(PendingFile::from)
        .collect()
}

/// Reads the head of a file and recognises its format.
async fn describe(file: &PendingFile) -> Result<(u64, InputFormat), String> {
    let size = file.blob.size() as u64;
    let head = gloo_file::Blob::from(file.blob.clone()).slice(0, size.min(SNIFF_BYTES as u64));
    let bytes = gloo_file::futures::read_as_bytes(&head)
        .await
        .map_err(|e| format!("cannot read {}: {e}", file.name))?;
    Ok((size, detect_format(&bytes)))
}

/// Describes `files` one after the other and adds them to the load status and the sources
/// the next ingest reads.
pub async fn load_files(state: AppState, files: Vec<PendingFile>, origin: FileOrigin) {
    state.error.set(None);
    for file in files {
        state.reading.update(|r| r.push(file.name.clone()));
        let described = describe(&file).await;
        state.reading.update(|r| r.retain(|n| n != &file.name));
        match described {
            Ok((size, format)) => {
                let loaded = LoadedFile {
                    id: state.next_file_id(),
                    name: file.name.clone(),
                    size,
                    format,
                    origin,
                };
                state.files.update(|files| files.push(loaded));
                state.sources.update_value(|sources| sources.push(file));
            }
            Err(message) => state.error.set(Some(message)),
        }
    }
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
