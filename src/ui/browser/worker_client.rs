//! The page side of ingest: starts the worker with every loaded file, follows its progress,
//! takes its result, and cancels it by terminating it (which frees its memory at once).
//!
//! A worker is started ahead of need (when the page has loaded, and again after each load), so
//! that a load does not wait for the worker's code to be fetched and compiled.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::ingest_job::IngestJob;
use super::worker_protocol::{FromWorker, StartRequest, NEXT_PIECE};
use crate::engine::decisions::Decisions;
use crate::engine::load::pieces::Assembly;
use crate::engine::load::LoadResult;
use crate::engine::model::Direction;
use crate::engine::review::landing_direction;
use crate::engine::scope::{busiest_entity, Scope, Subject};
use crate::ui::state::{AppState, FileProgress, LoadProgress, Reveal, Tab};

/// From how many communications a new load's review waits for its summary to show.
const REVIEW_WAITS_FROM: usize = 5_000;

/// Where Trunk puts the worker's loader, relative to the page.
const WORKER_URL: &str = "./worker_loader.js";

/// A worker started ahead of need, whether it said it is ready, and whether it failed to
/// start (its code could not be loaded, say).
struct SpareWorker {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    failed: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

thread_local! {
    static SPARE: RefCell<Option<SpareWorker>> = const { RefCell::new(None) };
}

fn new_worker() -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Classic);
    Worker::new_with_options(WORKER_URL, &options)
        .map_err(|_| "the browser could not start the ingest worker".to_string())
}

/// Starts the next load's worker now, unless one is waiting already.
pub fn prepare_worker() {
    SPARE.with(|spare| {
        if spare.borrow().is_some() {
            return;
        }
        let Ok(worker) = new_worker() else {
            return;
        };
        let ready = Rc::new(Cell::new(false));
        let said_ready = ready.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            if matches!(serde_json::from_str(&text), Ok(FromWorker::Ready)) {
                said_ready.set(true);
            }
        });
        let failed = Rc::new(Cell::new(false));
        let said_failed = failed.clone();
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |_| said_failed.set(true));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *spare.borrow_mut() = Some(SpareWorker {
            worker,
            ready,
            failed,
            _on_message: on_message,
            _on_error: on_error,
        });
    });
}

/// The prepared worker (and whether it is ready), or a new one when none was prepared or the
/// prepared one failed (a new one then reports its own failure to the load).
fn take_worker() -> Result<(Worker, bool), String> {
    match SPARE.with(|spare| spare.borrow_mut().take()) {
        Some(spare) if !spare.failed.get() => Ok((spare.worker, spare.ready.get())),
        Some(failed) => {
            failed.worker.terminate();
            Ok((new_worker()?, false))
        }
        None => Ok((new_worker()?, false)),
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Stops the running ingest, if any, and forgets the files it was adding: what the last
/// finished load showed stays.
pub fn cancel(state: AppState) {
    state.job.set_value(None);
    prepare_worker();
    if state.progress.get_untracked().is_some() {
        state.progress.set(None);
        let kept = state
            .result
            .with_untracked(|r| r.as_ref().map_or(0, |r| r.files.len()));
        state.files.update(|files| files.truncate(kept));
        state.sources.update_value(|sources| sources.truncate(kept));
        state.error.set(Some("Loading was cancelled.".to_string()));
    }
}

/// Forgets every file and what was shown of them: the review starts over. Decisions stay
/// stored with their data (loading it again restores them).
pub fn clear(state: AppState) {
    state.job.set_value(None);
    prepare_worker();
    state.result.set(None);
    state.fingerprint.set_value(None);
    state.progress.set(None);
    state.files.set(Vec::new());
    state.sources.set_value(Vec::new());
    state.scope.set(Scope::default());
    state.decisions.set(Decisions::default());
    state.error.set(None);
    state.notice.set(None);
}

/// Removes file `id` and reads the others again (or clears, when it was the last).
pub fn remove_file(state: AppState, id: usize) {
    let Some(index) = state
        .files
        .with_untracked(|files| files.iter().position(|f| f.id == id))
    else {
        return;
    };
    if state.files.with_untracked(Vec::len) == 1 {
        clear(state);
        return;
    }
    state.files.update(|files| {
        files.remove(index);
    });
    state.sources.update_value(|sources| {
        if index < sources.len() {
            sources.remove(index);
        }
    });
    state.notice.set(None);
    start_ingest(state);
}

/// (Re)starts ingest over every file loaded so far.
pub fn start_ingest(state: AppState) {
    state.job.set_value(None);
    let names: Vec<String> = state
        .sources
        .with_value(|sources| sources.iter().map(|s| s.name.clone()).collect());
    let totals: Vec<u64> = state
        .sources
        .with_value(|sources| sources.iter().map(|s| s.blob.size() as u64).collect());
    state.progress.set(Some(LoadProgress {
        files: names
            .iter()
            .zip(&totals)
            .map(|(name, &total)| FileProgress {
                name: name.clone(),
                read: 0,
                total,
                flows: 0,
            })
            .collect(),
        started_ms: now_ms(),
    }));
    match spawn(state, names) {
        Ok(job) => state.job.set_value(Some(job)),
        Err(message) => {
            state.progress.set(None);
            state.error.set(Some(message));
        }
    }
}

/// Shows a finished load, with the scope and decisions carried over from the data shown
/// before (the same workload or Service, a time span inside the new data, decisions under the
/// keys the new data names their workloads by).
fn show_result(state: AppState, result: LoadResult, fingerprint: String) {
    if let Some(before) = state.result.get_untracked() {
        state
            .scope
            .update(|scope| *scope = scope.carry_over(&before.dataset, &result.dataset));
        state.decisions.update(|decisions| {
            *decisions = decisions.carry_over(&before.dataset, &result.dataset)
        });
    }
    // With nothing chosen, the review lands on the busiest workload, on a direction with
    // rows (Egress for a workload that only calls others, such as a metrics scraper).
    if state.scope.with_untracked(|s| s.subject.is_none()) {
        if let Some(id) = busiest_entity(&result.dataset) {
            let scope = state.scope.get_untracked().focused_on(&result.dataset, id);
            let tab = match landing_direction(&result.dataset, Subject::Entity(id), scope.window())
            {
                Direction::Ingress => Tab::Ingress,
                Direction::Egress => Tab::Egress,
            };
            state.scope.set(scope);
            // Only a review tab is changed: the topology or the policy stays open.
            if matches!(state.tab.get_untracked(), Tab::Ingress | Tab::Egress) {
                state.tab.set(tab);
            }
        }
    }
    state.fingerprint.set_value(Some(fingerprint));
    // A large load shows its summary and scope first; then, a task each after the frame
    // before is drawn, the entity list and notes, the review's rows, and the table: 50,000
    // rows held the page a quarter of a second in two tasks, and about half as long in four.
    // Small loads show at once.
    let large = result.dataset.communications.len() >= REVIEW_WAITS_FROM;
    state.reveal.set(if large {
        Reveal::Summary
    } else {
        Reveal::Everything
    });
    state.result.set(Some(Arc::new(result)));
    if large {
        reveal_next(state);
    }
}

/// Draws the next stage of a large new load after the next frame, and the stages after it.
fn reveal_next(state: AppState) {
    request_animation_frame(move || {
        set_timeout(
            move || {
                let Some(stage) = state.reveal.try_get_untracked() else {
                    return;
                };
                if stage < Reveal::Everything {
                    state.reveal.set(stage.next());
                    reveal_next(state);
                }
            },
            Duration::ZERO,
        )
    });
}

/// Hands the files to a worker that said it is ready.
fn send_files(worker: &Worker, state: AppState, names: &[String]) {
    let request = StartRequest {
        names: names.to_vec(),
        // Ranges entered in the review classify addresses at ingest too.
        cluster_ranges: state.decisions.with_untracked(|d| d.cluster_ranges.clone()),
    };
    let payload = Array::new();
    payload.push(&JsValue::from_str(
        &serde_json::to_string(&request).unwrap_or_default(),
    ));
    state.sources.with_value(|sources| {
        for source in sources {
            payload.push(&source.blob);
        }
    });
    if worker.post_message(&payload).is_err() {
        state
            .error
            .set(Some("the files could not be handed to the worker".into()));
    }
}

/// Ends the running load with `message`; what was shown before stays.
fn fail(state: AppState, message: String) {
    state.progress.set(None);
    state.error.set(Some(message));
    state.job.set_value(None);
    prepare_worker();
}

fn spawn(state: AppState, names: Vec<String>) -> Result<IngestJob, String> {
    let (worker, ready) = take_worker()?;
    let for_messages = worker.clone();
    let names_for_ready = names.clone();
    let mut assembly = Assembly::default();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        let message = match serde_json::from_str::<FromWorker>(&text) {
            Ok(message) => message,
            Err(e) => {
                return fail(
                    state,
                    format!("the worker's message could not be read: {e}"),
                )
            }
        };
        match message {
            FromWorker::Ready => send_files(&for_messages, state, &names_for_ready),
            FromWorker::Progress {
                file,
                read,
                total,
                flows,
            } => state.progress.update(|progress| {
                // Files are read in order: those before this one are read whole (their last
                // progress may not have been sent, see the worker's PROGRESS_EVERY_MS).
                if let Some(progress) = progress.as_mut() {
                    for earlier in progress.files.iter_mut().take(file) {
                        earlier.read = earlier.total;
                    }
                }
                if let Some(entry) = progress.as_mut().and_then(|p| p.files.get_mut(file)) {
                    entry.read = read;
                    entry.total = total;
                    entry.flows = flows;
                }
            }),
            FromWorker::Piece { piece } => {
                assembly.add(piece);
                if for_messages
                    .post_message(&JsValue::from_str(NEXT_PIECE))
                    .is_err()
                {
                    fail(state, "the worker's result could not be asked for".into());
                }
            }
            FromWorker::Done {
                result,
                fingerprint,
            } => {
                state.progress.set(None);
                show_result(
                    state,
                    std::mem::take(&mut assembly).finish(*result),
                    fingerprint,
                );
                state.job.set_value(None);
                prepare_worker();
            }
            FromWorker::Failed { message } => fail(state, message),
        }
    });
    let on_error =
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            state.progress.set(None);
            state.error.set(Some(format!(
                "the ingest worker failed: {}",
                event.message()
            )));
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    if ready {
        send_files(&worker, state, &names);
    }
    Ok(IngestJob::new(worker, on_message, on_error))
}
