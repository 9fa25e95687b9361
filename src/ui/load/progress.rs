//! The worker's progress while it reads: bytes and percent per file, flows and the rate, and a
//! cancel button.

use leptos::prelude::*;

use crate::engine::units::{human_bytes, thousands};
use crate::ui::browser::worker_client::cancel;
use crate::ui::state::{AppState, LoadProgress};

/// More files than this are shown as one row.
const LISTED_FILES: usize = 8;

/// The worker's progress, file by file (or all files in one row when there are many), with a
/// cancel button.
#[component]
pub fn Progress(progress: LoadProgress) -> impl IntoView {
    let state = expect_context::<AppState>();
    let elapsed = ((js_sys::Date::now() - progress.started_ms) / 1000.0).max(0.001);
    let read: u64 = progress.files.iter().map(|f| f.read).sum();
    let flows: u64 = progress.files.iter().map(|f| f.flows).sum();
    let total: u64 = progress.files.iter().map(|f| f.total).sum();
    let file_count = progress.files.len();
    // Many files: one row for them all, naming the file being read (a row per file would be
    // thousands of rows redrawn at every message).
    let many = (file_count > LISTED_FILES).then(|| {
        let done = progress.files.iter().filter(|f| f.read >= f.total).count();
        let current = progress
            .files
            .iter()
            .find(|f| f.read < f.total)
            .map_or(String::new(), |f| format!(", now {}", f.name));
        let percent = if total == 0 { 100.0 } else { read as f64 * 100.0 / total as f64 };
        view! {
            <li class="fp-progress__file">
                <span class="fp-status__name">{format!("{done} of {file_count} files{current}")}</span>
                <progress max=total.max(1).to_string() value=read.to_string()></progress>
                <span class="fp-progress__text">
                    {format!("{} of {} · {percent:.0}%", human_bytes(read), human_bytes(total))}
                </span>
            </li>
        }
    });
    let files = if many.is_some() {
        Vec::new()
    } else {
        progress.files
    };
    let rows = files
        .into_iter()
        .map(|file| {
            let percent = if file.total == 0 { 100.0 } else { file.read as f64 * 100.0 / file.total as f64 };
            view! {
                <li class="fp-progress__file">
                    <span class="fp-status__name">{file.name}</span>
                    <progress max=file.total.max(1).to_string() value=file.read.to_string()></progress>
                    <span class="fp-progress__text">
                        {format!("{} of {} · {percent:.0}%", human_bytes(file.read), human_bytes(file.total))}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="fp-progress" data-testid="load-progress">
            <ul class="fp-progress__files">{many}{rows}</ul>
            <p class="fp-progress__rate">
                {format!(
                    "{} flows · {:.0} MB/s · {:.0} flows/s",
                    thousands(flows),
                    read as f64 / elapsed / 1e6,
                    flows as f64 / elapsed
                )}
            </p>
            <button type="button" class="fp-button" data-testid="cancel-load" on:click=move |_| cancel(state)>
                "Cancel"
            </button>
        </div>
    }
}
