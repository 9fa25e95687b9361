//! The scope bar: cluster, namespace, entity type, entity (with its number of communications)
//! and time span, filled from the loaded dataset.

use leptos::prelude::*;

use crate::engine::resolve::owners::EntityKind;

use super::state::AppState;

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

/// The scope bar.
#[component]
pub fn ScopeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let no_data = move || state.result.with(Option::is_none);
    let clusters = move || {
        state
            .result
            .get()
            .map(|r| r.dataset.clusters.iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let namespaces = move || {
        let mut names: Vec<String> = state
            .result
            .get()
            .map(|r| {
                r.dataset
                    .entities
                    .iter()
                    .map(|e| e.owner.namespace.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    };
    // Entities of the chosen kind and namespace, with their number of communications.
    let entities = move || {
        let Some(result) = state.result.get() else {
            return Vec::new();
        };
        let kind = state.scope_kind.get();
        let namespace = state.scope_namespace.get();
        let dataset = &result.dataset;
        let mut list: Vec<(usize, String)> = dataset
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.owner.kind.as_str() == kind)
            .filter(|(_, e)| namespace.is_empty() || e.owner.namespace == namespace)
            .map(|(id, e)| {
                let (ingress, egress) = dataset.communications_of(id);
                let label = format!(
                    "{}/{} ({} communications)",
                    e.owner.namespace,
                    e.owner.name,
                    ingress.len() + egress.len()
                );
                (id, label)
            })
            .collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        list
    };
    let hint = move || {
        if state.result.with(Option::is_some) {
            "Choose a namespace, an entity type and an entity: the views follow the scope."
        } else if state.has_flows() {
            "Reading the flows…"
        } else {
            "Load flows to choose a scope."
        }
    };
    view! {
        <section class="fp-scope" aria-label="Scope">
            <ScopeField label="Cluster">
                <select data-testid="scope-cluster" disabled=no_data>
                    <option value="">"All clusters"</option>
                    {move || clusters().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Namespace">
                <select
                    data-testid="scope-namespace"
                    disabled=no_data
                    on:change=move |ev| {
                        state.scope_namespace.set(event_target_value(&ev));
                        state.scope_entity.set(None);
                    }
                    prop:value=move || state.scope_namespace.get()
                >
                    <option value="">"All namespaces"</option>
                    {move || namespaces().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Entity type">
                <select
                    data-testid="scope-kind"
                    on:change=move |ev| {
                        state.scope_kind.set(event_target_value(&ev));
                        state.scope_entity.set(None);
                    }
                    prop:value=move || state.scope_kind.get()
                >
                    // The reference product's order: Service, then the workload kinds.
                    {std::iter::once("Service")
                        .chain(EntityKind::ALL.iter().map(|kind| kind.as_str()))
                        .map(|kind| view! { <option value=kind>{kind}</option> })
                        .collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Entity">
                <select
                    data-testid="scope-entity"
                    disabled=no_data
                    on:change=move |ev| state.scope_entity.set(event_target_value(&ev).parse().ok())
                    prop:value=move || state.scope_entity.get().map(|id| id.to_string()).unwrap_or_default()
                >
                    <option value="">"Choose an entity"</option>
                    {move || entities().into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="From">
                <input type="datetime-local" step="1" data-testid="scope-since" disabled=true title="Time spans come with the review step" />
            </ScopeField>
            <ScopeField label="To">
                <input type="datetime-local" step="1" data-testid="scope-until" disabled=true title="Time spans come with the review step" />
            </ScopeField>
            <p class="fp-scope__hint">{hint}</p>
        </section>
    }
}
