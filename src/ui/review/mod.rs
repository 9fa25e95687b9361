//! The Ingress and Egress tabs: the general rule of the direction, a text filter, include or
//! exclude all shown, counts, the table of the subject's communications, and the unresolved
//! addresses below; and the bar that keeps, exports and imports the decisions. The rows come
//! from `engine::review`; these components render them and turn clicks into decision
//! operations.

mod address_rows;
mod alias_form;
mod alias_list;
mod allowed_names;
mod cluster_ranges;
mod controls;
pub mod decisions_bar;
mod notes;
mod requests;
mod row;
mod rule;
mod table;
mod unresolved;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::load::LoadResult;
use crate::engine::model::Direction;
use crate::engine::review::wording::review_counts;
use crate::engine::review::{review_rows, shown_order, ReviewRow, SortKey};
use crate::engine::scope::Subject;

use super::state::{AppState, Reveal};
use alias_form::PendingAliasDialog;
use controls::{BulkButtons, FilterField};
use notes::SelectionNotes;
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

/// Includes (`on`) or excludes the rows `shown` (positions in `rows`).
fn set_all_shown(state: AppState, rows: Memo<Vec<ReviewRow>>, shown: Memo<Vec<usize>>, on: bool) {
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
    let notes_of = result.clone();
    // A large new load's rows wait for its summary and lists to show, and its table for its
    // rows (see `Reveal`).
    let (rows_ready, table_ready, notes_ready) = (
        state.revealed(Reveal::Rows),
        state.revealed(Reveal::Everything),
        state.revealed(Reveal::Lists),
    );
    let ready = move || table_ready.get();
    let rows = Memo::new(move |_| {
        if !rows_ready.get() {
            return Vec::new();
        }
        let window = state.window();
        state
            .decisions
            .with(|d| review_rows(&dataset.dataset, d, subject, direction, window))
    });
    // The rows are worked out in their own task, before the table reads them.
    Effect::new(move |_| rows.track());
    let shown = Memo::new(move |_| {
        if !ready() {
            return Vec::new();
        }
        let text = filter.get();
        let (key, descending) = sort.get();
        rows.with(|rows| shown_order(rows, &text, key, descending))
    });
    let states = Memo::new(move |_| {
        if !ready() {
            return HashMap::new();
        }
        rows.with(|rows| {
            rows.iter()
                .map(|row| (row.communication, RowState::of(row)))
                .collect::<HashMap<_, _>>()
        })
    });
    let set_all = Callback::new(move |on: bool| set_all_shown(state, rows, shown, on));
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    let counts = move || {
        if !ready() {
            return String::new();
        }
        rows.with(|rows| review_counts(rows, shown.with(Vec::len)))
    };
    view! {
        <div class="fp-review">
            {move || notes_ready.get().then(|| view! { <SelectionNotes result=notes_of.clone() subject=subject /> })}
            <div class="fp-review__bar">
                <GeneralRuleChooser direction=direction subject=subject result=result.clone() />
                <FilterField direction=direction filter=filter />
                <BulkButtons set_all=set_all />
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
