//! The Ingress and Egress tabs: the general rule of the direction, a text filter, include or
//! exclude all shown, counts, the table of the subject's communications, and the unresolved
//! addresses below; and the bar that keeps, exports and imports the decisions. The rows come
//! from `engine::review`; these components render them and turn clicks into decision
//! operations.

mod alias_form;
mod allowed_names;
mod cluster_ranges;
pub mod decisions_bar;
mod row;
mod rule;
mod table;
mod unresolved;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::dataset::SelectorSource;
use crate::engine::graph::describe::labels_text;
use crate::engine::load::LoadResult;
use crate::engine::model::Direction;
use crate::engine::resolve::reach::selection_notes;
use crate::engine::review::{changeable_labels, review_rows, shown_order, SortKey};
use crate::engine::scope::Subject;
use crate::engine::units::thousands;

use super::state::AppState;
use alias_form::PendingAliasDialog;
use row::RowState;
use rule::GeneralRuleChooser;
use table::RowsTable;
use unresolved::UnresolvedList;

/// What the table shows while its rows are worked out.
fn preparing_view() -> impl IntoView {
    view! {
        <div class="fp-empty" data-testid="comm-preparing" role="status">
            <p class="fp-empty__text">"Preparing the communications…"</p>
        </div>
    }
}

/// What the table shows when the subject has no communication in this direction.
fn empty_view(direction: Direction) -> impl IntoView {
    view! {
        <div class="fp-empty" data-testid="empty-state">
            <h2 class="fp-empty__title">{format!("No {} communications", direction.key())}</h2>
            <p class="fp-empty__text">"None was observed in the loaded flows and the time span."</p>
        </div>
    }
}

/// The review of one direction of the subject in scope.
#[component]
pub fn CommunicationList(
    result: Arc<LoadResult>,
    subject: Subject,
    direction: Direction,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new((SortKey::Peer, false));
    let dataset = result.clone();
    // A large new load's rows wait for its summary to show (see `AppState::review_waits`).
    let ready = move || !state.review_waits.get();
    let rows = Memo::new(move |_| {
        if !ready() {
            return Vec::new();
        }
        let window = state.window();
        state
            .decisions
            .with(|d| review_rows(&dataset.dataset, d, subject, direction, window))
    });
    let shown = Memo::new(move |_| {
        let text = filter.get();
        let (key, descending) = sort.get();
        rows.with(|rows| shown_order(rows, &text, key, descending))
    });
    let states = Memo::new(move |_| {
        rows.with(|rows| {
            rows.iter()
                .map(|row| (row.communication, RowState::of(row)))
                .collect::<HashMap<_, _>>()
        })
    });
    let set_all = move |on: bool| {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        let shown_ids: Vec<_> = shown.with_untracked(|order| {
            rows.with_untracked(|rows| order.iter().map(|&i| rows[i].communication).collect())
        });
        state.decisions.update(|d| {
            d.set_all_included(
                &result.dataset,
                shown_ids
                    .iter()
                    .map(|&id| &result.dataset.communications[id]),
                on,
            );
        });
    };
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let counts = move || {
        if !ready() {
            return String::new();
        }
        rows.with(|rows| {
            let included = rows.iter().filter(|r| r.allowed).count();
            format!(
                "{} included · {} excluded · {} shown",
                thousands(included as u64),
                thousands((rows.len() - included) as u64),
                thousands(shown.with(Vec::len) as u64)
            )
        })
    };
    // Without an inventory for the subject, its selector is what the flows showed.
    let inferred: Vec<(String, Vec<String>)> = subject
        .entities(&result.dataset)
        .into_iter()
        .filter(|&id| result.dataset.entities[id].selector_source == SelectorSource::ObservedPods)
        .map(|id| {
            (
                labels_text(&result.dataset.entities[id].selector),
                changeable_labels(&result.dataset, id),
            )
        })
        .collect();
    let inventory_note = (!inferred.is_empty()).then(|| {
        let (selector, changeable) = inferred[0].clone();
        let risky = if changeable.is_empty() {
            String::new()
        } else {
            format!(
                " Labels that may change at the next rollout or injection: {}.",
                changeable.join(", ")
            )
        };
        view! {
            <p class="fp-review__note" data-testid="inventory-note" role="note">
                {format!(
                    "No inventory for this workload: its pods are selected by the labels the flows show ({selector}).{risky} Add a kubectl get pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,services,namespaces,nodes -A -o json snapshot for its exact selector."
                )}
            </p>
        }
    });
    // Flows alone: a kind inferred, a selector wider than the workload.
    let selection_notes: Vec<String> = subject
        .entities(&result.dataset)
        .into_iter()
        .flat_map(|id| selection_notes(&result.dataset, id))
        .collect();
    let selection_notes = (!selection_notes.is_empty()).then(|| {
        let notes = selection_notes
            .into_iter()
            .map(|note| view! { <li>{note}</li> })
            .collect_view();
        view! {
            <ul class="fp-review__note fp-review__selection" data-testid="selection-notes" role="note">
                {notes}
            </ul>
        }
    });
    view! {
        <div class="fp-review">
            {inventory_note}
            {selection_notes}
            <div class="fp-review__bar">
                <GeneralRuleChooser direction=direction subject=subject result=result.clone() />
                <label class="fp-review__filter">
                    <span class="fp-scope__label">"Filter"</span>
                    <input
                        type="search"
                        data-testid=format!("comm-filter-{}", direction.key())
                        placeholder="peer, port, DNS name…"
                        prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))
                    />
                </label>
                <div class="fp-review__bulk">
                    <button type="button" class="fp-button" data-testid="include-all-shown" on:click=move |_| set_all(true)>"Include all shown"</button>
                    <button type="button" class="fp-button" data-testid="exclude-all-shown" on:click=move |_| set_all(false)>"Exclude all shown"</button>
                </div>
                <p class="fp-review__counts" data-testid="comm-counts" role="status">{counts}</p>
            </div>
            {move || if !ready() {
                preparing_view().into_any()
            } else if empty.get() {
                empty_view(direction).into_any()
            } else {
                view! { <RowsTable rows=rows shown=shown states=states sort=sort filter=filter /> }.into_any()
            }}
            <UnresolvedList rows=rows direction=direction />
            <PendingAliasDialog />
        </div>
    }
}
