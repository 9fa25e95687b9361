//! The four views as tabs (Ingress, Egress, Topology, Generated Policy), each with an empty
//! state that says what to do next. Arrow keys, Home and End move between tabs.

use leptos::prelude::*;
use web_sys::KeyboardEvent;

use super::policy::PolicyView;
use super::review::CommunicationList;
use super::state::{AppState, Tab};
use super::topology::TopologyView;
use crate::engine::model::Direction;

/// What a tab says while it has nothing to show: `(title, what to do)`.
pub fn empty_state(tab: Tab, has_flows: bool) -> (&'static str, &'static str) {
    if !has_flows {
        let title = "No flows loaded";
        let what = match tab {
            Tab::Ingress => "Drop Hubble flow logs above, choose files, or load the demo data to review the communications a workload receives.",
            Tab::Egress => "Drop Hubble flow logs above, choose files, or load the demo data to review the communications a workload starts.",
            Tab::Topology => "Load flows to see the chosen workload and everything it talks to as a graph.",
            Tab::Policy => "Load flows to generate a least-privilege NetworkPolicy for the chosen workload.",
        };
        return (title, what);
    }
    match tab {
        Tab::Ingress => (
            "No entity chosen",
            "Choose an entity in the scope bar to see who connects to it.",
        ),
        Tab::Egress => (
            "No entity chosen",
            "Choose an entity in the scope bar to see whom it connects to.",
        ),
        Tab::Topology => (
            "No communication to draw",
            "The loaded files hold no flows between workloads yet.",
        ),
        Tab::Policy => (
            "No policy yet",
            "Load flows between workloads to generate their NetworkPolicies.",
        ),
    }
}

fn panel_id(tab: Tab) -> String {
    format!("panel-{}", tab.test_id())
}

/// The id of `tab`'s button.
fn button_id(tab: Tab) -> String {
    format!("tab-button-{}", tab.test_id())
}

/// Moves to the tab an arrow key, Home or End names, and focuses its button.
fn on_tab_key(state: AppState, ev: KeyboardEvent) {
    let current = state.tab.get_untracked();
    let next = match ev.key().as_str() {
        "ArrowRight" => current.cycled(1),
        "ArrowLeft" => current.cycled(-1),
        "Home" => Tab::ALL[0],
        "End" => Tab::ALL[Tab::ALL.len() - 1],
        _ => return,
    };
    ev.prevent_default();
    state.tab.set(next);
    if let Some(button) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&button_id(next)))
    {
        if let Ok(button) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(button) {
            let _ = button.focus();
        }
    }
}

/// The button of `tab`.
fn tab_button(state: AppState, tab: Tab) -> impl IntoView {
    let selected = move || state.tab.get() == tab;
    view! {
        <button
            type="button"
            role="tab"
            class="fp-tab"
            class:fp-tab--selected=selected
            id=button_id(tab)
            data-testid=tab.test_id()
            aria-selected=move || selected().to_string()
            aria-controls=panel_id(tab)
            tabindex=move || if selected() { "0" } else { "-1" }
            on:click=move |_| state.tab.set(tab)
        >
            {tab.label()}
        </button>
    }
}

/// What `tab` shows now: its view, or its empty state.
fn tab_content(state: AppState, tab: Tab) -> AnyView {
    if tab == Tab::Topology && state.has_flows() && state.result.with(|r| r.is_some()) {
        return view! { <TopologyView /> }.into_any();
    }
    if tab == Tab::Policy && state.result.with(|r| r.is_some()) {
        return view! { <PolicyView /> }.into_any();
    }
    let direction = match tab {
        Tab::Ingress => Some(Direction::Ingress),
        Tab::Egress => Some(Direction::Egress),
        _ => None,
    };
    match (state.result.get(), state.subject(), direction) {
        (Some(result), Some(subject), Some(direction))
            if !subject.entities(&result.dataset).is_empty() =>
        {
            view! { <CommunicationList result=result subject=subject direction=direction /> }
                .into_any()
        }
        _ => {
            let (title, what) = empty_state(tab, state.has_flows());
            view! {
                <div class="fp-empty" data-testid="empty-state">
                    <h2 class="fp-empty__title">{title}</h2>
                    <p class="fp-empty__text">{what}</p>
                </div>
            }
            .into_any()
        }
    }
}

/// The tab bar and the open tab's panel.
#[component]
pub fn Tabs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let buttons = Tab::ALL
        .iter()
        .map(|&tab| tab_button(state, tab))
        .collect_view();
    let panel = move || {
        let tab = state.tab.get();
        view! {
            <div
                class="fp-panel"
                role="tabpanel"
                id=panel_id(tab)
                aria-labelledby=button_id(tab)
                data-testid=format!("panel-{}", tab.test_id().trim_start_matches("tab-"))
            >
                {tab_content(state, tab)}
            </div>
        }
    };
    view! {
        <section class="fp-views" id="views" tabindex="-1">
            <div class="fp-tabs" role="tablist" aria-label="Views" on:keydown=move |ev| on_tab_key(state, ev)>
                {buttons}
            </div>
            {panel}
        </section>
    }
}
