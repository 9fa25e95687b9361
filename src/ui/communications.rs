//! The Ingress and Egress tabs: the general rule of the direction, a text filter, include or
//! exclude all shown, counts, and one row per communication of the scope (peer, port,
//! protocol, connections in the time span, first and last seen, DNS names) with its
//! include toggle and sortable columns; the unresolved addresses below. The rows come from
//! `engine::review`; this file renders them and turns clicks into decision operations.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::decisions::{Direction, GeneralRule};
use crate::engine::ingest::session::LoadResult;
use crate::engine::review::{matches_filter, review_rows, sort_rows, ReviewRow, SortKey, Subject};
use crate::engine::units::{thousands, utc_time};

use super::state::AppState;
use super::unresolved::UnresolvedList;

/// `ingress` or `egress`, for hooks.
pub fn direction_key(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    }
}

/// The height of a table row in pixels (the stylesheet fixes it), for rendering long lists
/// in part.
const ROW_HEIGHT: f64 = 34.0;
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

/// The general-rule select's value when a Service's workloads have different rules.
const MIXED: &str = "mixed";

/// The general-rule chooser of one direction, with its explanation.
#[component]
fn GeneralRuleChooser(
    direction: Direction,
    subject: Subject,
    result: Arc<LoadResult>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let entities = subject.entities(&result.dataset);
    let owners: Vec<_> = entities
        .iter()
        .map(|&id| result.dataset.entities[id].owner.clone())
        .collect();
    let all_owners = owners.clone();
    // The rule of every workload in scope, or `None` when a Service's backends differ.
    let current = Memo::new(move |_| {
        state.decisions.with(|d| {
            let mut rules = all_owners
                .iter()
                .map(|owner| d.general_rule(owner, direction));
            let first = rules.next().unwrap_or_default();
            rules.all(|rule| rule == first).then_some(first)
        })
    });
    let on_change = move |ev: leptos::ev::Event| {
        let Some(rule) = GeneralRule::parse(&event_target_value(&ev)) else {
            return;
        };
        state.decisions.update(|d| {
            for owner in &owners {
                d.set_general_rule(owner, direction, rule);
            }
        });
    };
    let label = |rule: GeneralRule| match rule {
        GeneralRule::PerRow => "Per row (default)",
        GeneralRule::BlockAll => "Block all",
        GeneralRule::AllowNamespace => "Allow all inside the namespace",
        GeneralRule::AllowAll => "Allow all",
    };
    view! {
        <label class="fp-review__rule">
            <span class="fp-scope__label">{format!("General rule ({})", direction_key(direction))}</span>
            <select
                data-testid=format!("general-rule-{}", direction_key(direction))
                prop:value=move || current.get().map_or(MIXED, GeneralRule::as_str)
                on:change=on_change
            >
                {move || current.get().is_none().then(|| view! {
                    <option value=MIXED disabled=true>"Mixed (the Service's workloads differ)"</option>
                })}
                {GeneralRule::ALL
                    .iter()
                    .map(|&rule| view! { <option value=rule.as_str()>{label(rule)}</option> })
                    .collect_view()}
            </select>
            <span class="fp-review__explain">
                {move || current.get().map_or(
                    "The workloads behind this Service have different rules; choosing one sets it for all.",
                    |rule| rule.explanation(direction),
                )}
            </span>
        </label>
    }
}

/// What of a row changes with the decisions (its toggle, whether it is allowed, its peer's
/// alias), looked up by communication so a decision updates rows in place (and keeps the
/// keyboard focus where it was).
#[derive(Clone, PartialEq)]
struct RowState {
    peer_label: String,
    detail: String,
    row_included: bool,
    includable: bool,
    allowed: bool,
    per_row: bool,
}

impl RowState {
    fn of(row: &ReviewRow) -> RowState {
        let detail = match &row.address {
            Some((ip, class)) if ip != &row.peer_label => format!("{ip} · {}", class.label()),
            Some((_, class)) => class.label().to_string(),
            None => String::new(),
        };
        RowState {
            peer_label: row.peer_label.clone(),
            detail,
            row_included: row.row_included,
            includable: row.includable,
            allowed: row.allowed,
            per_row: row.rule == GeneralRule::PerRow,
        }
    }
}

/// One communication.
#[component]
fn Row(row: ReviewRow, states: Memo<HashMap<usize, RowState>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let communication = row.communication;
    let initial = RowState::of(&row);
    let current = Memo::new(move |_| {
        states
            .with(|s| s.get(&communication).cloned())
            .unwrap_or_else(|| initial.clone())
    });
    let on_toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        state.decisions.update(|d| {
            d.set_included(
                &result.dataset,
                &result.dataset.communications[communication],
                on,
            );
        });
    };
    let label = move || current.with(|c| c.peer_label.clone());
    view! {
        <tr
            data-testid="comm-row"
            data-direction=direction_key(row.direction)
            data-peer=label
            data-port=row.port.to_string()
            data-protocol=row.protocol.to_string()
            data-included=move || current.with(|c| c.allowed.to_string())
            class:fp-comms__row--excluded=move || current.with(|c| !c.allowed)
        >
            <td class="fp-comms__toggle">
                <input
                    type="checkbox"
                    data-testid="include-toggle"
                    aria-label=move || format!("Include {} {}/{}", label(), row.protocol, row.port)
                    title=move || if current.with(|c| c.includable) {
                        "Include in the policy"
                    } else {
                        "Map this IP to an alias first: only an alias's CIDR can become an ipBlock"
                    }
                    prop:checked=move || current.with(|c| c.row_included)
                    disabled=move || current.with(|c| !c.includable || !c.per_row)
                    on:change=on_toggle
                />
            </td>
            <td class="fp-comms__peer">{label}<span class="fp-comms__detail">{move || current.with(|c| c.detail.clone())}</span></td>
            <td>{row.port}</td>
            <td>{row.protocol.to_string()}</td>
            <td class="fp-comms__count">{thousands(row.connections)}</td>
            <td>{row.first_seen.map(utc_time).unwrap_or_default()}</td>
            <td>{row.last_seen.map(utc_time).unwrap_or_default()}</td>
            <td>{row.names.join(", ")}</td>
        </tr>
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
    let rows = Memo::new(move |_| {
        let window = state.window();
        state
            .decisions
            .with(|d| review_rows(&dataset.dataset, d, subject, direction, window))
    });
    let shown = Memo::new(move |_| {
        let text = filter.get();
        let (key, descending) = sort.get();
        let mut shown: Vec<ReviewRow> = rows.with(|rows| {
            rows.iter()
                .filter(|r| matches_filter(r, &text))
                .cloned()
                .collect()
        });
        sort_rows(&mut shown, key, descending);
        shown
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
        let indices: Vec<usize> =
            shown.with_untracked(|rows| rows.iter().map(|r| r.communication).collect());
        state.decisions.update(|d| {
            d.set_all_included(
                &result.dataset,
                indices.iter().map(|&i| &result.dataset.communications[i]),
                on,
            );
        });
    };
    let empty = Memo::new(move |_| rows.with(Vec::is_empty));
    // Long lists render only the rows in view (and some around them) between two spacers.
    let viewport = NodeRef::<leptos::html::Div>::new();
    let scroll = RwSignal::new((0.0_f64, 800.0_f64));
    let window = Memo::new(move |_| {
        let total = shown.with(Vec::len);
        if total <= VIRTUAL_FROM {
            return (0, total);
        }
        let (top, height) = scroll.get();
        let count = (height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        let first = ((top / ROW_HEIGHT) as usize)
            .saturating_sub(OVERSCAN)
            .min(total.saturating_sub(count));
        (first, (first + count).min(total))
    });
    // A new filter, order or subject starts at the top of the list.
    Effect::new(move |_| {
        filter.track();
        sort.track();
        empty.track();
        // Moving the scroll position forces a layout: only when the list is scrolled.
        if scroll.get_untracked().0 > 0.0 {
            scroll.set((0.0, 800.0));
            if let Some(element) = viewport.get_untracked() {
                element.set_scroll_top(0);
            }
        }
    });
    let counts = move || {
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
    let header = move || {
        COLUMNS
            .iter()
            .map(|&(label, key)| {
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
                view! {
                    <th scope="col" aria-sort=aria>
                        <button
                            type="button"
                            class="fp-comms__sort"
                            on:click=move |_| sort.update(|(k, d)| {
                                if *k == key {
                                    *d = !*d;
                                } else {
                                    *k = key;
                                    *d = matches!(key, SortKey::Connections | SortKey::LastSeen);
                                }
                            })
                        >
                            {label}{mark}
                        </button>
                    </th>
                }
            })
            .collect_view()
    };
    view! {
        <div class="fp-review">
            <div class="fp-review__bar">
                <GeneralRuleChooser direction=direction subject=subject result=result.clone() />
                <label class="fp-review__filter">
                    <span class="fp-scope__label">"Filter"</span>
                    <input
                        type="search"
                        data-testid=format!("comm-filter-{}", direction_key(direction))
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
            {move || {
                if empty.get() {
                    return view! {
                        <div class="fp-empty" data-testid="empty-state">
                            <h2 class="fp-empty__title">{format!("No {} communications", direction_key(direction))}</h2>
                            <p class="fp-empty__text">"None was observed in the loaded flows and the time span."</p>
                        </div>
                    }
                    .into_any();
                }
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
                    <table class="fp-comms">
                        <thead>
                            <tr>
                                <th scope="col"><span class="fp-visually-hidden">"Included"</span></th>
                                {header()}
                                <th scope="col">"DNS names"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <tr aria-hidden="true" class="fp-comms__spacer">
                                <td colspan="8" style:height=move || format!("{}px", window.get().0 as f64 * ROW_HEIGHT)></td>
                            </tr>
                            <For
                                each=move || {
                                    let (start, end) = window.get();
                                    shown.with(|rows| rows[start.min(rows.len())..end.min(rows.len())].to_vec())
                                }
                                key=|row| (row.communication, row.connections, row.first_seen, row.last_seen)
                                children=move |row| view! { <Row row=row states=states /> }
                            />
                            <tr aria-hidden="true" class="fp-comms__spacer">
                                <td colspan="8" style:height=move || {
                                    let after = shown.with(Vec::len).saturating_sub(window.get().1);
                                    format!("{}px", after as f64 * ROW_HEIGHT)
                                }></td>
                            </tr>
                        </tbody>
                    </table>
                    </div>
                }
                .into_any()
            }}
            <UnresolvedList rows=rows direction=direction />
        </div>
    }
}
