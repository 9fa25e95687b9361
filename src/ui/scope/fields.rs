//! The scope bar's cluster, namespace and entity-type selects.

use leptos::prelude::*;

use super::field::ScopeField;
use crate::engine::scope::{Scope, SubjectKind};
use crate::ui::state::AppState;

/// `""` for "all", else the value.
fn chosen(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// A labelled select of names with an "all" entry first, kept on `selected`.
#[component]
fn NameField(
    label: &'static str,
    test_id: &'static str,
    all_label: &'static str,
    #[prop(into)] names: Signal<Vec<String>>,
    #[prop(into)] selected: Signal<Option<String>>,
    on_choose: Callback<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <ScopeField label=label>
            <select
                data-testid=test_id
                disabled=move || state.result.with(Option::is_none)
                on:change=move |ev| on_choose.run(chosen(event_target_value(&ev)))
                prop:value=move || selected.get().unwrap_or_default()
            >
                <option value="">{all_label}</option>
                {move || names.get().into_iter().map(|name| {
                    let here = name.clone();
                    let is_selected = move || selected.with(|s| s.as_deref() == Some(here.as_str()));
                    view! { <option value=name.clone() prop:selected=is_selected>{name.clone()}</option> }
                }).collect_view()}
            </select>
        </ScopeField>
    }
}

/// The cluster select (when the flows name clusters).
#[component]
pub fn ClusterField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let clusters = Signal::derive(move || {
        state.result.with(|r| {
            r.as_ref()
                .map(|r| Scope::clusters(&r.dataset))
                .unwrap_or_default()
        })
    });
    view! {
        <NameField
            label="Cluster"
            test_id="scope-cluster"
            all_label="All clusters"
            names=clusters
            selected=Signal::derive(move || state.scope.with(|s| s.cluster.clone()))
            on_choose=Callback::new(move |cluster| state.scope.update(|s| *s = s.with_cluster(cluster)))
        />
    }
}

/// The namespace select: the namespaces of the cluster in scope.
#[component]
pub fn NamespaceField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let cluster = Memo::new(move |_| state.scope.with(|s| s.cluster.clone()));
    let namespaces = Signal::derive(move || {
        let cluster = cluster.get();
        state.result.with(|r| {
            r.as_ref()
                .map(|r| Scope::namespaces(&r.dataset, cluster.as_deref()))
                .unwrap_or_default()
        })
    });
    view! {
        <NameField
            label="Namespace"
            test_id="scope-namespace"
            all_label="All namespaces"
            names=namespaces
            selected=Signal::derive(move || state.scope.with(|s| s.namespace.clone()))
            on_choose=Callback::new(move |namespace| state.scope.update(|s| *s = s.with_namespace(namespace)))
        />
    }
}

/// The entity-type select: Service, then the workload kinds.
#[component]
pub fn KindField() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(kind) = SubjectKind::from_label(&event_target_value(&ev)) {
            state.scope.update(|s| *s = s.with_kind(kind));
        }
    };
    view! {
        <ScopeField label="Entity type">
            <select
                data-testid="scope-kind"
                on:change=on_change
                prop:value=move || state.scope.with(|s| s.kind.label())
            >
                {SubjectKind::all()
                    .map(|kind| view! { <option value=kind.label()>{kind.label()}</option> })
                    .collect_view()}
            </select>
        </ScopeField>
    }
}
