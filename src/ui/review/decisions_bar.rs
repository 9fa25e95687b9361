//! The review's decisions across reloads and between people: stored in the browser under a
//! fingerprint of the loaded data (the same capture loaded again restores them), exported as
//! a JSON file and imported from one (also what `flowpol generate --decisions` reads).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::engine::decisions::Decisions;
use crate::engine::ingest::scan::records::MAX_DOCUMENT_BYTES;
use crate::engine::review::fingerprint;
use crate::engine::review::restore::{on_new_data, OnNewData, RESTORED};
use crate::engine::review::wording::decision_count;
use crate::ui::browser::download::download_text;
use crate::ui::browser::storage::{load_decisions, save_decisions};
use crate::ui::state::AppState;

/// Reads the decisions file chosen in `ev`'s input and makes it the review's decisions.
fn import(state: AppState, message: RwSignal<Option<(bool, String)>>, ev: leptos::ev::Event) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    input.set_value("");
    if file.size() > MAX_DOCUMENT_BYTES as f64 {
        let text = format!(
            "{}: larger than any decisions file ({} MiB at most); the review is unchanged.",
            file.name(),
            MAX_DOCUMENT_BYTES >> 20
        );
        message.set(Some((false, text)));
        return;
    }
    spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        match Decisions::from_json(&text) {
            Ok(decisions) => {
                message.set(Some((
                    true,
                    format!("Decisions imported from {}.", file.name()),
                )));
                state.decisions.set(decisions);
            }
            Err(e) => message.set(Some((
                false,
                format!("{}: {e}; the review is unchanged.", file.name()),
            ))),
        }
    });
}

/// Keeps the decisions in the browser: a new dataset's stored decisions replace them (see
/// [`on_new_data`]), else the current ones carry over (they are keyed by names, not indices)
/// and are stored under the new data at once; every change is stored. `not_kept` says why the
/// browser keeps nothing, when it does not (the review works all the same).
fn keep_decisions(
    state: AppState,
    message: RwSignal<Option<(bool, String)>>,
    not_kept: RwSignal<Option<String>>,
) {
    let data_key = StoredValue::new(None::<String>);
    let store = move |key: &str, decisions: &Decisions| {
        let failure = save_decisions(key, decisions).err();
        if not_kept.get_untracked() != failure {
            not_kept.set(failure);
        }
    };
    Effect::new(move |_| {
        let Some(result) = state.result.get() else {
            // Cleared: the next data is new data, and nothing is stored for no data.
            data_key.set_value(None);
            message.set(None);
            return;
        };
        // The worker computed it (the only way to a result); computed here should that change.
        let key = state
            .fingerprint
            .get_value()
            .unwrap_or_else(|| fingerprint(&result.dataset));
        let before = data_key.get_value();
        if before.as_deref() == Some(key.as_str()) {
            return;
        }
        data_key.set_value(Some(key.clone()));
        let choice = state
            .decisions
            .with_untracked(|d| on_new_data(load_decisions(&key), d, before.is_none()));
        match choice {
            OnNewData::Restore {
                decisions,
                announced,
            } => {
                if announced {
                    message.set(Some((true, RESTORED.into())));
                }
                state.decisions.set(*decisions);
            }
            OnNewData::Keep => state.decisions.with_untracked(|d| store(&key, d)),
        }
    });
    Effect::new(move |_| {
        let decisions = state.decisions.get();
        let shown = state.result.with_untracked(Option::is_some);
        if let Some(key) = data_key.get_value().filter(|_| shown) {
            store(&key, &decisions);
        }
    });
}

/// Restores, stores, exports and imports the decisions.
#[component]
pub fn ReviewBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let message = RwSignal::new(None::<(bool, String)>);
    let not_kept = RwSignal::new(None::<String>);
    keep_decisions(state, message, not_kept);
    let on_export = move |_| {
        let json = state.decisions.with_untracked(Decisions::to_json);
        if let Err(e) = download_text("flowpol-decisions.json", &json, "application/json") {
            message.set(Some((false, e)));
        }
    };
    let on_import = move |ev: leptos::ev::Event| import(state, message, ev);
    view! {
        <section class="fp-reviewbar" aria-label="Review decisions">
            <span class="fp-reviewbar__count" data-testid="decision-count">
                {move || decision_count(state.decisions.with(Decisions::count))}
            </span>
            <button
                type="button"
                class="fp-button"
                data-testid="export-decisions"
                disabled=move || state.result.with(Option::is_none)
                on:click=on_export
            >
                "Export decisions"
            </button>
            <label class="fp-button fp-reviewbar__import">
                "Import decisions…"
                <input
                    type="file"
                    accept=".json,application/json"
                    data-testid="import-decisions"
                    class="fp-visually-hidden"
                    on:change=on_import
                />
            </label>
            {move || not_kept.get().map(|why| view! {
                <span class="fp-reviewbar__message fp-reviewbar__message--error" role="status" data-testid="decisions-not-kept">
                    {format!("Decisions are not kept in this browser ({why}): export them to keep them.")}
                </span>
            })}
            {move || message.get().map(|(ok, text)| view! {
                <span class="fp-reviewbar__message" class:fp-reviewbar__message--error=!ok role="status">{text}</span>
            })}
        </section>
    }
}
