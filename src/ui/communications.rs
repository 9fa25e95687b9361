//! The Ingress and Egress tabs: the general rule of the direction, a text filter, include or
//! exclude all shown, counts, and one row per communication of the scope (peer, port,
//! protocol, connections in the time span, first and last seen, DNS names) with its
//! include toggle and sortable columns; the unresolved addresses below. The rows come from
//! `engine::review`; this file renders them and turns clicks into decision operations.

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
    let first = owners.first().cloned();
    let current = Memo::new(move |_| {
        state.decisions.with(|d| {
            first.as_ref().map_or(GeneralRule::PerRow, |owner| {
                d.general_rule(owner, direction)
            })
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
                prop:value=move || current.get().as_str()
                on:change=on_change
            >
                {GeneralRule::ALL
                    .iter()
                    .map(|&rule| view! { <option value=rule.as_str()>{label(rule)}</option> })
                    .collect_view()}
            </select>
            <span class="fp-review__explain">{move || current.get().explanation(direction)}</span>
        </label>
    }
}

/// One communication.
#[component]
fn Row(row: ReviewRow, rule: Memo<GeneralRule>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let communication = row.communication;
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
    let (detail, title) = match &row.address {
        Some((ip, class)) if ip != &row.peer_label => {
            (format!("{ip} · {}", class.label()), String::new())
        }
        Some((_, class)) => (class.label().to_string(), String::new()),
        None => (String::new(), String::new()),
    };
    let includable = row.includable;
    let disabled = move || !includable || rule.get() != GeneralRule::PerRow;
    let why = if includable {
        "Include in the policy"
    } else {
        "Map this IP to an alias first: only an alias's CIDR can become an ipBlock"
    };
    view! {
        <tr
            data-testid="comm-row"
            data-direction=direction_key(row.direction)
            data-peer=row.peer_label.clone()
            data-port=row.port.to_string()
            data-protocol=row.protocol.to_string()
            data-included=row.allowed.to_string()
            class:fp-comms__row--excluded=!row.allowed
            title=title
        >
            <td class="fp-comms__toggle">
                <input
                    type="checkbox"
                    data-testid="include-toggle"
                    aria-label=format!("Include {} {}/{}", row.peer_label, row.protocol, row.port)
                    title=why
                    prop:checked=row.row_included
                    disabled=disabled
                    on:change=on_toggle
                />
            </td>
            <td class="fp-comms__peer">{row.peer_label.clone()}<span class="fp-comms__detail">{detail}</span></td>
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
    let first_owner = subject
        .entities(&result.dataset)
        .first()
        .map(|&id| result.dataset.entities[id].owner.clone());
    let rule = Memo::new(move |_| {
        state.decisions.with(|d| {
            first_owner
                .as_ref()
                .map_or(GeneralRule::PerRow, |o| d.general_rule(o, direction))
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
        let first = ((top / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        (first.min(total), (first + count).min(total))
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
                                key=|row| (row.communication, row.row_included, row.allowed, row.peer_label.clone(), row.connections, row.includable)
                                children=move |row| view! { <Row row=row rule=rule /> }
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
