//! The scope bar: cluster, namespace, entity type, entity and time span.

use leptos::prelude::*;

use super::state::{AppState, ENTITY_KINDS};

/// One labelled control of the scope bar.
#[component]
fn ScopeField(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <label class="fp-scope__field">
            <span class="fp-scope__label">{label}</span>
            {children()}
        </label>
    }
}

/// The scope bar. Cluster, namespace, entity and time span fill in from the loaded flows.
#[component]
pub fn ScopeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let no_flows = move || !state.has_flows();
    let hint = move || {
        if state.has_flows() {
            "Choose what to review: the views follow the scope."
        } else {
            "Load flows to choose a scope."
        }
    };
    view! {
        <section class="fp-scope" aria-label="Scope">
            <ScopeField label="Cluster">
                <select data-testid="scope-cluster" disabled=no_flows>
                    <option value="">"All clusters"</option>
                </select>
            </ScopeField>
            <ScopeField label="Namespace">
                <select data-testid="scope-namespace" disabled=no_flows>
                    <option value="">"All namespaces"</option>
                </select>
            </ScopeField>
            <ScopeField label="Entity type">
                <select
                    data-testid="scope-kind"
                    on:change=move |ev| state.scope_kind.set(event_target_value(&ev))
                    prop:value=move || state.scope_kind.get()
                >
                    {ENTITY_KINDS
                        .iter()
                        .map(|kind| view! { <option value=*kind>{*kind}</option> })
                        .collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Entity">
                <select data-testid="scope-entity" disabled=no_flows>
                    <option value="">"Choose an entity"</option>
                </select>
            </ScopeField>
            <ScopeField label="From">
                <input type="datetime-local" step="1" data-testid="scope-since" disabled=no_flows />
            </ScopeField>
            <ScopeField label="To">
                <input type="datetime-local" step="1" data-testid="scope-until" disabled=no_flows />
            </ScopeField>
            <p class="fp-scope__hint">{hint}</p>
        </section>
    }
}
