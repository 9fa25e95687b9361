//! One drawn edge: a wide invisible line to click, the visible line with its arrow, its port
//! label, and a crossed circle halfway when the generated policy denies what the review
//! includes; dotted and thick when it would break under the cluster's loaded policies. Clicking it, or Enter and Space, includes or excludes its rows.

use leptos::prelude::*;

use crate::engine::graph::svg_text::{cross_path, edge_name, edge_title, label_anchor, points};
use crate::engine::graph::{EdgePath, EdgeState};
use crate::engine::review::requests::requests_summary;
use crate::ui::state::AppState;

use super::item::{hover_at, pressed};
use super::tooltip::Hover;

/// How many request patterns an edge's tooltip names.
const TOOLTIP_PATTERNS: usize = 3;

/// The denied mark: a filled circle crossed out, centred at (`x`, `y`) (the denied edges'
/// marker and the legend draw it).
pub fn denied_mark(x: f64, y: f64) -> impl IntoView {
    view! {
        <circle class="fp-topo__deny-mark" cx=x cy=y r="6.5" />
        <path class="fp-topo__deny-cross" d=cross_path(x, y) />
    }
}

/// One edge: a wide invisible line to click, the visible line, its port label.
pub fn edge_view(
    index: usize,
    edge: &EdgePath,
    states: Memo<Vec<EdgeState>>,
    hover: RwSignal<Option<Hover>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Its own memo: a decision re-draws only the edges whose state it changed.
    let current =
        Memo::new(move |_| states.with(|s| s.get(index).cloned().unwrap_or(EdgeState::INCLUDED)));
    let allowed = move || current.with(|c| c.included);
    let communications = edge.communications.clone();
    let toggle = move || {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        let on = !current.with_untracked(|c| c.included);
        let dataset = &result.dataset;
        state.decisions.update(|d| {
            d.set_all_included(
                dataset,
                communications.iter().map(|&id| &dataset.communications[id]),
                on,
            );
        });
    };
    let toggle_on_key = toggle.clone();
    let (details, title) = (edge.details(), edge_title(edge));
    let drawn = edge.communications.clone();
    let show = move |event: &web_sys::Event, pointer: Option<(i32, i32)>| {
        let mut lines = details.clone();
        // The requests seen on it, most frequent patterns first.
        let requests = state.result.with_untracked(|result| {
            result
                .as_ref()
                .and_then(|r| requests_summary(&r.dataset, &drawn, TOOLTIP_PATTERNS))
        });
        lines.extend(requests.map(|text| ("Requests".to_string(), text)));
        lines.extend(current.with_untracked(EdgeState::details));
        let ((x, y), canvas) = hover_at(event, pointer);
        hover.set(Some(Hover {
            title: title.clone(),
            details: lines,
            x,
            y,
            canvas,
        }));
    };
    let show_on_focus = show.clone();
    let line = points(&edge.points);
    let label = edge.label.clone();
    let aria = edge_name(edge);
    let (lx, ly) = (edge.label_at.x, edge.label_at.y);
    let middle = edge.midpoint();
    view! {
        <g
            class=move || current.with(|c| {
                let breaks = if c.would_break.is_some() { " fp-topo__edge--breaks" } else { "" };
                format!("fp-topo__edge {}{breaks}", c.class())
            })
            data-testid="topo-edge"
            data-from=edge.from.clone()
            data-to=edge.to.clone()
            data-port=edge.port.to_string()
            data-protocol=edge.protocol.to_string()
            data-state=move || current.with(|c| c.key())
            // Allowed by the cluster's policies today, denied once the generated ones are applied.
            data-would-break=move || current.with(|c| c.would_break.is_some().then_some("true"))
            tabindex="0"
            role="button"
            // Its state in words too, not only in colour and dashes.
            aria-pressed=move || allowed().to_string()
            aria-label=move || format!("{aria}, {}", current.with(EdgeState::spoken))
            on:click=move |_| toggle()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if pressed(&ev) {
                    toggle_on_key();
                }
            }
            on:mouseenter=move |ev: web_sys::MouseEvent| show(&ev, Some((ev.client_x(), ev.client_y())))
            on:mouseleave=move |_| hover.set(None)
            on:focus=move |ev: web_sys::FocusEvent| show_on_focus(&ev, None)
            on:blur=move |_| hover.set(None)
        >
            <polyline class="fp-topo__hit" points=line.clone() />
            <polyline
                class="fp-topo__line"
                points=line
                marker-end=move || current.with(|c| c.marker())
            />
            <text class="fp-topo__edge-label" x=lx y=ly text-anchor=label_anchor(edge)>{move || current.with(|c| c.label(&label))}</text>
            // Denied: a crossed circle halfway, away from the labels and arrows at the ends.
            {move || current.with(|c| c.denied.is_some()).then(|| denied_mark(middle.x, middle.y))}
        </g>
    }
}
