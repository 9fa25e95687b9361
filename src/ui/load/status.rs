//! What was loaded: each file with its size and format, the worker's progress while it reads,
//! then each file's counts, the problems found, and a summary of the dataset.

use leptos::prelude::*;

use crate::engine::ingest::formats::detect::{InputFormat, UNDERSTOOD_FORMATS};
use crate::engine::ingest::report::FileReport;
use crate::engine::units::human_bytes;
use crate::ui::browser::worker_client::remove_file;
use crate::ui::state::{AppState, FileOrigin, LoadedFile};

use super::coverage::CaptureCoverage;
use super::problems::Problems;
use super::progress::Progress;

fn origin_label(origin: FileOrigin) -> &'static str {
    match origin {
        FileOrigin::Demo => "demo",
        FileOrigin::Dropped => "dropped",
        FileOrigin::Picked => "chosen",
    }
}

/// One line of the status list.
#[component]
fn LoadedFileRow(file: LoadedFile, report: Option<FileReport>) -> impl IntoView {
    let format = report
        .as_ref()
        .and_then(|r| r.format)
        .unwrap_or(file.format);
    let compressed = report.as_ref().is_some_and(|r| r.compressed);
    let unknown = format == InputFormat::Unknown;
    let label = if compressed {
        format!("{} (gzip)", format.label())
    } else {
        format.label().to_string()
    };
    let details = report
        .as_ref()
        .map(FileReport::summary)
        .filter(|t| !t.is_empty());
    let outcome = report.as_ref().and_then(FileReport::outcome);
    let error = report.and_then(|r| r.error);
    let state = expect_context::<AppState>();
    let id = file.id;
    let remove_label = format!("Remove {}", file.name);
    view! {
        <li class="fp-status__file" class:fp-status__file--unknown=unknown data-testid="loaded-file">
            <button
                type="button"
                class="fp-status__remove"
                data-testid="remove-file"
                aria-label=remove_label.clone()
                title=remove_label
                disabled=move || state.progress.with(Option::is_some)
                on:click=move |_| remove_file(state, id)
            >
                "×"
            </button>
            <span class="fp-status__name">{file.name}</span>
            <span class="fp-status__size">{human_bytes(file.size)}</span>
            <span class="fp-status__format" data-format=format.label()>{label}</span>
            <span class="fp-status__origin">{origin_label(file.origin)}</span>
            {details.map(|text| view! { <span class="fp-status__counts" data-testid="file-counts">{text}</span> })}
            {outcome.map(|text| view! { <span class="fp-status__outcome" data-testid="file-outcome">{format!("Records: {text}.")}</span> })}
            // Until the worker's report says why, an unknown file says what flowpol reads.
            {(unknown && error.is_none()).then(|| view! {
                <span class="fp-status__help">{format!("flowpol understands {UNDERSTOOD_FORMATS}.")}</span>
            })}
            {error.map(|text| view! { <span class="fp-status__help">{text}</span> })}
        </li>
    }
}

/// Most files listed by name; the others are counted.
const LISTED_FILES: usize = 200;

/// The load status panel (`data-testid="load-status"`).
#[component]
pub fn LoadStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    let summary = move || {
        let files = state.files.get();
        let reading = state.reading.get();
        if !reading.is_empty() {
            format!("Reading {}…", reading.join(", "))
        } else if state.progress.with(Option::is_some) {
            let noun = if files.len() == 1 { "file" } else { "files" };
            format!("Loading {} {noun}…", files.len())
        } else if files.is_empty() {
            "No files loaded yet.".to_string()
        } else {
            let total: u64 = files.iter().map(|f| f.size).sum();
            let noun = if files.len() == 1 { "file" } else { "files" };
            format!("{} {noun} loaded, {}.", files.len(), human_bytes(total))
        }
    };
    // Once data is shown, one line: the files and the dataset; the file list on demand.
    let compact =
        move || state.result.with(Option::is_some) && state.progress.with(Option::is_none);
    let files_open = RwSignal::new(false);
    // At most LISTED_FILES rows, and a longer list drawn only when shown (a thousand files
    // dropped at once would otherwise hold the page for a long moment).
    let rows = move || {
        let files = state.files.get();
        if files.len() > LISTED_FILES && compact() && !files_open.get() {
            return None;
        }
        let reports = state
            .result
            .get()
            .map(|r| r.files.clone())
            .unwrap_or_default();
        let more = files.len().saturating_sub(LISTED_FILES);
        let rows = files
            .into_iter()
            .take(LISTED_FILES)
            .enumerate()
            .map(|(index, file)| {
                let report = reports.get(index).cloned();
                view! { <LoadedFileRow file=file report=report /> }
            })
            .collect_view();
        Some(view! {
            {rows}
            {(more > 0).then(|| view! {
                <li class="fp-status__file" data-testid="more-files">
                    {format!("… and {more} more files (all are read)")}
                </li>
            })}
        })
    };
    view! {
        <section class="fp-status" class:fp-status--compact=compact data-testid="load-status" aria-live="polite">
            <div class="fp-status__line">
                <p class="fp-status__summary">{summary}</p>
                {move || compact().then(|| view! {
                    <button
                        type="button"
                        class="fp-button fp-button--small"
                        data-testid="toggle-files"
                        aria-expanded=move || files_open.get().to_string()
                        aria-controls="fp-file-list"
                        on:click=move |_| files_open.update(|open| *open = !*open)
                    >
                        {move || if files_open.get() { "Hide files" } else { "Show files" }}
                    </button>
                })}
            </div>
            <ul class="fp-status__files" id="fp-file-list" hidden=move || compact() && !files_open.get()>{rows}</ul>
            {move || state.progress.get().map(|progress| view! { <Progress progress=progress /> })}
            {move || state.progress.with(Option::is_none).then(|| state.result.get()).flatten().map(|result| {
                let problems = (result.problem_count > 0).then(|| view! { <Problems result=result.clone() /> });
                view! {
                    <p class="fp-status__dataset" data-testid="dataset-summary">{result.summary()}</p>
                    <CaptureCoverage result=result.clone() />
                    {problems}
                }
            })}
            {move || state.error.get().map(|message| view! {
                <p class="fp-status__error" role="alert">{message}</p>
            })}
            {move || state.notice.get().map(|message| view! {
                <p class="fp-status__notice" data-testid="load-notice" role="status">{message}</p>
            })}
        </section>
    }
}
