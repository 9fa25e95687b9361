//! The scope bar: cluster, namespace, entity type (Service or a workload kind), entity
//! (searchable, with its number of communications) and time span (from/to within the data's
//! range, with presets). It renders the engine's [`Scope`](crate::engine::scope::Scope) and
//! turns each choice into the scope's own narrowing operation; every view follows it.

mod entity;
mod field;
mod fields;
mod span;

use leptos::prelude::*;

use super::state::AppState;
use entity::{EntityField, SearchField};
use fields::{ClusterField, KindField, NamespaceField};
use span::SpanFields;

/// The scope bar.
#[component]
pub fn ScopeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let search = RwSignal::new(String::new());
    // Once data is shown the fields speak for themselves: a hint only when the span is empty.
    let hint = move || {
        if state.scope.with(|s| s.is_backwards()) {
            Some("From is after To: the time span is empty.")
        } else if state.result.with(Option::is_some) {
            None
        } else if state.has_flows() {
            Some("Reading the flows…")
        } else {
            Some("Load flows to choose a scope: namespace, entity type and entity; the views follow it. Times are UTC.")
        }
    };
    view! {
        <section class="fp-scope" aria-label="Scope">
            <ClusterField />
            <NamespaceField />
            <KindField />
            <SearchField search=search />
            <EntityField search=search />
            <SpanFields />
            {move || hint().map(|text| view! { <p class="fp-scope__hint">{text}</p> })}
        </section>
    }
}
