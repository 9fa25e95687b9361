//! What was loaded: each file with its size and detected format, and any error.

use leptos::prelude::*;

use crate::engine::format::{InputFormat, UNDERSTOOD_FORMATS};
use crate::engine::units::human_bytes;

use super::state::{AppState, FileOrigin, LoadedFile};

fn origin_label(origin: FileOrigin) -> &'static str {
    match origin {
        FileOrigin::Demo => "demo",
        FileOrigin::Dropped => "dropped",
        FileOrigin::Picked => "chosen",
    }
}

/// One line of the status list.
#[component]
fn LoadedFileRow(file: LoadedFile) -> impl IntoView {
    let unknown = file.format == InputFormat::Unknown;
    view! {
        <li class="fp-status__file" class:fp-status__file--unknown=unknown data-testid="loaded-file">
            <span class="fp-status__name">{file.name}</span>
            <span class="fp-status__size">{human_bytes(file.size)}</span>
            <span class="fp-status__format" data-format=file.format.label()>{file.format.label()}</span>
            <span class="fp-status__origin">{origin_label(file.origin)}</span>
            {unknown.then(|| view! {
                <span class="fp-status__help">{format!("flowpol understands {UNDERSTOOD_FORMATS}.")}</span>
            })}
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
        } else if files.is_empty() {
            "No files loaded yet.".to_string()
        } else {
            let total: u64 = files.iter().map(|f| f.size).sum();
            let noun = if files.len() == 1 { "file" } else { "files" };
            format!("{} {noun} loaded, {}.", files.len(), human_bytes(total))
        }
    };
    view! {
        <section class="fp-status" data-testid="load-status" aria-live="polite">
            <p class="fp-status__summary">{summary}</p>
            <ul class="fp-status__files">
                <For
                    each=move || state.files.get()
                    key=|file| file.id
                    children=|file| view! { <LoadedFileRow file=file /> }
                />
            </ul>
            {move || state.error.get().map(|message| view! {
                <p class="fp-status__error" role="alert">{message}</p>
            })}
        </section>
    }
}
