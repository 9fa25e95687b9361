//! The browser shell: a thin Leptos layer over the engine, compiled for wasm32 only. The
//! folders follow the page's areas; all signals live in [`state`], and the browser's own
//! plumbing (worker, files, downloads, storage) in [`browser`].
//!
//! - [`header`]: the title bar.
//! - [`load`]: the drop zone, file picker and demo button; what was loaded.
//! - [`scope`]: the scope bar.
//! - [`review`]: the Ingress and Egress tabs, and the decisions bar.
//! - [`topology`]: the Topology tab.
//! - [`policy`]: the Generated Policy tab.
//! - [`tabs`]: the tab bar and the open tab.

pub mod browser;
pub mod header;
pub mod load;
pub mod policy;
pub mod review;
pub mod scope;
pub mod state;
pub mod tabs;
pub mod topology;

use leptos::prelude::*;

use header::Header;
use load::loader::Loader;
use load::status::LoadStatus;
use review::decisions_bar::ReviewBar;
use scope::ScopeBar;
use state::AppState;
use tabs::Tabs;

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    // Offline after one visit; a new release takes over at once while nothing is loaded.
    browser::offline::register(move || state.is_idle());
    view! {
        <div class="fp-app">
            <a class="fp-skip" href="#views" data-testid="skip-to-review">"Skip to the review"</a>
            <Header />
            <main class="fp-main">
                <div class="fp-intake" class:fp-intake--compact=move || state.result.with(Option::is_some) && state.progress.with(Option::is_none)>
                    <Loader />
                    <LoadStatus />
                </div>
                <ScopeBar />
                <ReviewBar />
                <Tabs />
            </main>
            <footer class="fp-footer">
                "flowpol · works offline · your flow logs never leave this browser tab"
            </footer>
        </div>
    }
}

/// Mounts the app on the page's body.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    // The first load's worker compiles while the user picks files.
    browser::worker_client::prepare_worker();
}
