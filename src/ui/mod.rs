//! The browser shell: a thin Leptos layer over the engine, compiled for wasm32 only.
//! One feature component per file; all signals live in [`state`].

pub mod communications;
pub mod download;
pub mod file_reading;
pub mod header;
pub mod ingest_worker;
pub mod load_status;
pub mod loader;
pub mod policy_view;
pub mod review_bar;
pub mod scope_bar;
pub mod state;
pub mod tabs;
pub mod unresolved;
pub mod worker_client;
pub mod worker_protocol;

use leptos::prelude::*;

use header::Header;
use load_status::LoadStatus;
use loader::Loader;
use review_bar::ReviewBar;
use scope_bar::ScopeBar;
use state::AppState;
use tabs::Tabs;

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    provide_context(AppState::new());
    view! {
        <div class="fp-app">
            <Header />
            <main class="fp-main">
                <div class="fp-intake">
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
    worker_client::prepare_worker();
}
