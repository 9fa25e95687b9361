//! Getting data in: the drop zone, the file picker and the demo button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{DragEvent, HtmlInputElement};

use crate::engine::demo::{FLOWS_FILE, INVENTORY_FILE};

use crate::ui::browser::file_reading::{fetch_own_file, load_files};
use crate::ui::browser::pending_file::{files_of, PendingFile};
use crate::ui::browser::worker_client::{clear, start_ingest};
use crate::ui::state::{AppState, FileOrigin};

/// Where the demo files are served from, relative to the page.
const DEMO_DIR: &str = "public/demo";

/// Adds files to the load status, then reads everything loaded in the worker (when a file
/// was added).
async fn load_and_ingest(state: AppState, files: Vec<PendingFile>, origin: FileOrigin) {
    if files.is_empty() {
        return;
    }
    if load_files(state, files, origin).await > 0 {
        start_ingest(state);
    }
}

/// A button that opens the file picker (several files at once).
#[component]
fn FilePicker(label: &'static str, primary: bool) -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_pick = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let files = files_of(input.files());
        // Let the same file be picked again later.
        input.set_value("");
        spawn_local(load_and_ingest(state, files, FileOrigin::Picked));
    };
    view! {
        <label class="fp-button" class:fp-button--primary=primary>
            {label}
            <input
                class="fp-visually-hidden"
                type="file"
                multiple
                data-testid="file-input"
                on:change=on_pick
            />
        </label>
    }
}

/// "Load demo data": the bundled flows and inventory.
#[component]
fn DemoButton() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_demo = move |_| {
        spawn_local(async move {
            let mut files = Vec::new();
            for name in [FLOWS_FILE, INVENTORY_FILE] {
                match fetch_own_file(&format!("{DEMO_DIR}/{name}")).await {
                    Ok(file) => files.push(file),
                    Err(message) => state.error.set(Some(message)),
                }
            }
            load_and_ingest(state, files, FileOrigin::Demo).await;
        });
    };
    view! {
        <button type="button" class="fp-button" data-testid="demo-button" on:click=on_demo>
            "Load demo data"
        </button>
    }
}

/// What the drop zone holds once data is shown: one line, to add files, load the demo, or
/// clear.
fn compact_zone(state: AppState) -> impl IntoView {
    view! {
        <p class="fp-dropzone__hint">"Drop more files here, or"</p>
        <div class="fp-dropzone__actions">
            <FilePicker label="Add files…" primary=false />
            <DemoButton />
            <button
                type="button"
                class="fp-button"
                data-testid="clear-files"
                title="Forget every file and the review on screen (decisions stay stored with their data)"
                on:click=move |_| clear(state)
            >
                "Clear"
            </button>
        </div>
    }
}

/// What the drop zone holds before any data is shown: what to drop, and the buttons.
fn full_zone() -> impl IntoView {
    view! {
        <p class="fp-dropzone__title">"Drop flow logs and inventories here"</p>
        <p class="fp-dropzone__hint">
            "Hubble JSON (hubble observe -o json) and kubectl get ... -o json; several files at once."
        </p>
        <div class="fp-dropzone__actions">
            <FilePicker label="Choose files…" primary=true />
            <DemoButton />
        </div>
    }
}

/// The drop zone with its file picker and the "Load demo data" button.
#[component]
pub fn Loader() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = files_of(ev.data_transfer().and_then(|dt| dt.files()));
        spawn_local(load_and_ingest(state, files, FileOrigin::Dropped));
    };
    let on_dragover = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(true);
    };
    // Once data is shown, the drop zone shrinks to one line: the review is what matters now.
    let compact =
        move || state.result.with(Option::is_some) && state.progress.with(Option::is_none);
    view! {
        <section class="fp-loader" class:fp-loader--compact=compact aria-label="Load data">
            <div
                class="fp-dropzone"
                class:fp-dropzone--active=move || dragging.get()
                class:fp-dropzone--compact=compact
                data-testid="drop-zone"
                on:dragover=on_dragover
                on:dragenter=move |ev: DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                {move || if compact() { compact_zone(state).into_any() } else { full_zone().into_any() }}
            </div>
        </section>
    }
}
