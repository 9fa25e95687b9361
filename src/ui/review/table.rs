//! The table of a direction's rows, with sortable column headers. Long lists render only the
//! rows in view (and some around them) between two spacers, so a thousand rows cost what
//! thirty do. The rows the generated policy would deny though the review includes them are
//! worked out here once for the table (the verifier's finding, as the Generated Policy tab
//! lists it).

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use super::row::{DeniedRows, Row, RowStates};
use crate::engine::policy::view::{denied_communications, PolicyTarget};
use crate::engine::review::{ReviewRow, SortKey};
use crate::ui::state::AppState;

/// The height of a table row in pixels (the stylesheet fixes it).
pub(super) const ROW_HEIGHT: f64 = 34.0;
/// From how many rows only the visible part is rendered.
const VIRTUAL_FROM: usize = 150;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 10;

/// The sortable columns: label and key.
const COLUMNS: [(&str, SortKey); 6] = [
    ("Peer", SortKey::Peer),
    ("Port", SortKey::Port),
    ("Protocol", SortKey::Protocol),
    ("Connections", SortKey::Connections),
    ("First seen (UTC)", SortKey::FirstSeen),
    ("Last seen (UTC)", SortKey::LastSeen),
];

/// The rows to render of `total`, for a viewport scrolled to `top` and `height` pixels high.
pub(super) fn rows_in_view(total: usize, (top, height): (f64, f64)) -> (usize, usize) {
    if total <= VIRTUAL_FROM {
        return (0, total);
    }
    let count = (height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
    let first = ((top / ROW_HEIGHT) as usize)
        .saturating_sub(OVERSCAN)
        .min(total.saturating_sub(count));
    (first, (first + count).min(total))
}

/// One sortable column header: a click sorts by it, again reverses.
#[component]
fn SortHeader(label: &'static str, key: SortKey, sort: RwSignal<(SortKey, bool)>) -> impl IntoView {
    let mark = move || match sort.get() {
        (k, false) if k == key => " ▲",
        (k, true) if k == key => " ▼",
        _ => "",
    };
    let aria = move || match sort.get() {
        (k, false) if k == key => "ascending",
        (k, true) if k == key => "descending",
        _ => "none",
    };
    let on_click = move |_| {
        sort.update(|(k, descending)| {
            if *k == key {
                *descending = !*descending;
            } else {
                *k = key;
                *descending = matches!(key, SortKey::Connections | SortKey::LastSeen);
            }
        })
    };
    view! {
        <th scope="col" aria-sort=aria>
            <button type="button" class="fp-comms__sort" on:click=on_click>{label}{mark}</button>
        </th>
    }
}

/// The most rows a subject may have for the review to mark those its policies deny.
const ROW_MARKS_UP_TO: usize = 5_000;

/// The rows shown (positions in `rows`, sorted as `sort` says); the list starts at the top
/// again when the filter, the order or the subject changes.
#[component]
pub fn RowsTable(
    rows: Memo<Vec<ReviewRow>>,
    shown: Memo<Vec<usize>>,
    states: RowStates,
    sort: RwSignal<(SortKey, bool)>,
    filter: RwSignal<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    // The subject's policies, verified: what they deny of what the review includes, and why.
    // A subject with more rows than ROW_MARKS_UP_TO is left to the Generated Policy tab's
    // banner: working it out here would hold the page (0.7 s for 50,000 rows).
    let denied: DeniedRows = Memo::new(move |_| {
        let Some(result) = state.result.get() else {
            return Arc::default();
        };
        if rows.with(Vec::len) > ROW_MARKS_UP_TO {
            return Arc::default();
        }
        let (window, options) = (state.window(), state.policy_options());
        let target = state.scope.with(PolicyTarget::of_scope);
        if matches!(target, PolicyTarget::Namespace(_)) {
            return Arc::default();
        }
        let found = state.decisions.with(|decisions| {
            denied_communications(&result.dataset, decisions, &target, window, options)
        });
        Arc::new(
            found
                .into_iter()
                .map(|d| (d.communication, d.reason))
                .collect::<HashMap<_, _>>(),
        )
    });
    let viewport = NodeRef::<leptos::html::Div>::new();
    let scroll = RwSignal::new((0.0_f64, 800.0_f64));
    let window = Memo::new(move |_| rows_in_view(shown.with(Vec::len), scroll.get()));
    Effect::new(move |_| {
        filter.track();
        sort.track();
        // Moving the scroll position forces a layout: only when the list is scrolled.
        if scroll.get_untracked().0 > 0.0 {
            scroll.set((0.0, 800.0));
            if let Some(element) = viewport.get_untracked() {
                element.set_scroll_top(0);
            }
        }
    });
    let spacer = move |rows: usize| format!("{}px", rows as f64 * ROW_HEIGHT);
    view! {
        <div
            class="fp-comms__viewport"
            node_ref=viewport
            on:scroll=move |_| {
                if let Some(element) = viewport.get_untracked() {
                    scroll.set((element.scroll_top().max(0) as f64, element.client_height() as f64));
                }
            }
        >
            <table class="fp-comms fp-comms--rows">
                <thead>
                    <tr>
                        <th scope="col"><span class="fp-visually-hidden">"Included"</span></th>
                        {COLUMNS.map(|(label, key)| view! { <SortHeader label=label key=key sort=sort /> }).collect_view()}
                        <th scope="col">"DNS names"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr aria-hidden="true" class="fp-comms__spacer">
                        <td colspan="8" style:height=move || spacer(window.get().0)></td>
                    </tr>
                    <For
                        each=move || {
                            let (start, end) = window.get();
                            shown.with(|order| {
                                let visible = &order[start.min(order.len())..end.min(order.len())];
                                rows.with(|rows| visible.iter().map(|&i| rows[i].clone()).collect::<Vec<_>>())
                            })
                        }
                        key=|row| (row.communication, row.connections, row.first_seen, row.last_seen)
                        children=move |row| view! { <Row row=row states=states denied=denied /> }
                    />
                    <tr aria-hidden="true" class="fp-comms__spacer">
                        <td colspan="8" style:height=move || spacer(shown.with(Vec::len).saturating_sub(window.get().1))></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}
