//! Working offline: registers the service worker (`sw.js`, written into each build by
//! `tools/service_worker.py` from `src/sw.js`) with the page's directory as its scope, so after
//! one visit the app opens with the network off, from any sub-path.
//!
//! A new release's worker installs beside the running one and waits. When nothing is loaded
//! or loading, the page asks it to take over and reloads into the new release at once;
//! otherwise it takes over on the next visit, so a page never mixes two releases' files (the
//! ingest worker's files keep their names across releases).

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    RegistrationOptions, ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration,
    ServiceWorkerState,
};

/// The service worker's script, relative to the page.
const SCRIPT: &str = "./sw.js";

/// Registers the service worker; `idle` says whether the page holds nothing a reload would
/// lose. Does nothing where the browser has no service workers (an insecure origin).
pub fn register(idle: impl Fn() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let container = navigator.service_worker();
    // Controlled from the start: a worker taking over later is a new release, not the first.
    let updating = container.controller().is_some();
    let idle: Rc<dyn Fn() -> bool> = Rc::new(idle);

    let reloaded = Rc::new(Cell::new(false));
    let on_change = {
        let idle = idle.clone();
        Closure::<dyn FnMut()>::new(move || {
            if updating && !reloaded.get() && idle() {
                reloaded.set(true);
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        })
    };
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    let options = RegistrationOptions::new();
    options.set_scope("./");
    let registered = container.register_with_options(SCRIPT, &options);
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(registered).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        watch(&container, &registration, idle);
    });
}

/// Offers every new release's worker, once installed, to take over.
fn watch(
    container: &ServiceWorkerContainer,
    registration: &ServiceWorkerRegistration,
    idle: Rc<dyn Fn() -> bool>,
) {
    if let Some(waiting) = registration.waiting() {
        offer(container, &waiting, &*idle);
    }
    let container = container.clone();
    let found = registration.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        let Some(installing) = found.installing() else {
            return;
        };
        let container = container.clone();
        let worker = installing.clone();
        let idle = idle.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if worker.state() == ServiceWorkerState::Installed {
                offer(&container, &worker, &*idle);
            }
        });
        installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

/// Asks an installed worker to take over now, when it replaces another (a new release) and
/// nothing would be lost.
fn offer(container: &ServiceWorkerContainer, worker: &ServiceWorker, idle: &dyn Fn() -> bool) {
    if container.controller().is_some() && idle() {
        let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
    }
}
