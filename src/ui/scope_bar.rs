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

/// The scope bar: the entity type, and (once flows are aggregated) cluster, namespace, entity
/// and time span.
#[component]
pub fn ScopeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Cluster, namespace, entity and time span have nothing to offer until flows are
    // aggregated into workloads, which this version does not do yet.
    let no_entities = || true;
    let hint = move || {
        if state.has_flows() {
            "Flow files recognised. Choosing a cluster, namespace and entity needs the flows aggregated per workload, which this version does not do yet."
        } else {
            "Load flows to choose a scope."
        }
    };
    view! {
        <section class="fp-scope" aria-label="Scope">
            <ScopeField label="Cluster">
                <select data-testid="scope-cluster" disabled=no_entities>
                    <option value="">"All clusters"</option>
                </select>
            </ScopeField>
            <ScopeField label="Namespace">
                <select data-testid="scope-namespace" disabled=no_entities>
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
                <select data-testid="scope-entity" disabled=no_entities>
                    <option value="">"Choose an entity"</option>
                </select>
            </ScopeField>
            <ScopeField label="From">
                <input type="datetime-local" step="1" data-testid="scope-since" disabled=no_entities />
            </ScopeField>
            <ScopeField label="To">
                <input type="datetime-local" step="1" data-testid="scope-until" disabled=no_entities />
            </ScopeField>
            <p class="fp-scope__hint">{hint}</p>
        </section>
    }
}
