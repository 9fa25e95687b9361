//! What was loaded: each file with its size and format, the worker's progress while it reads,
//! then each file's counts, the problems found, and a summary of the dataset.

use leptos::prelude::*;

use crate::engine::ingest::format::{InputFormat, UNDERSTOOD_FORMATS};
use crate::engine::ingest::report::FileReport;
use crate::engine::units::human_bytes;
use crate::ui::state::{AppState, FileOrigin, LoadedFile};

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
    let error = report.and_then(|r| r.error);
    view! {
        <li class="fp-status__file" class:fp-status__file--unknown=unknown data-testid="loaded-file">
            <span class="fp-status__name">{file.name}</span>
            <span class="fp-status__size">{human_bytes(file.size)}</span>
            <span class="fp-status__format" data-format=format.label()>{label}</span>
            <span class="fp-status__origin">{origin_label(file.origin)}</span>
            {details.map(|text| view! { <span class="fp-status__counts" data-testid="file-counts">{text}</span> })}
            // Until the worker's report says why, an unknown file says what flowpol reads.
            {(unknown && error.is_none()).then(|| view! {
                <span class="fp-status__help">{format!("flowpol understands {UNDERSTOOD_FORMATS}.")}</span>
            })}
            {error.map(|text| view! { <span class="fp-status__help">{text}</span> })}
        </li>
    }
}

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
    let rows = move || {
        let reports = state
            .result
            .get()
            .map(|r| r.files.clone())
            .unwrap_or_default();
        state
            .files
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, file)| {
                let report = reports.get(index).cloned();
                view! { <LoadedFileRow file=file report=report /> }
            })
            .collect_view()
    };
    view! {
        <section class="fp-status" data-testid="load-status" aria-live="polite">
            <p class="fp-status__summary">{summary}</p>
            <ul class="fp-status__files">{rows}</ul>
            {move || state.progress.get().map(|progress| view! { <Progress progress=progress /> })}
            {move || state.progress.with(Option::is_none).then(|| state.result.get()).flatten().map(|result| {
                let problems = (result.problem_count > 0).then(|| view! { <Problems result=result.clone() /> });
                view! {
                    <p class="fp-status__dataset" data-testid="dataset-summary">{result.summary()}</p>
                    {problems}
                }
            })}
            {move || state.error.get().map(|message| view! {
                <p class="fp-status__error" role="alert">{message}</p>
            })}
        </section>
    }
}
