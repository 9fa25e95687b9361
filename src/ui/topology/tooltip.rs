//! The details of the node or edge under the pointer or the keyboard focus, placed inside the
//! canvas (`graph::tooltip`).

use leptos::prelude::*;

use crate::engine::graph::scene::Detail;
use crate::engine::graph::tooltip::place_tooltip;

/// What the tooltip shows, and where (in the topology's own coordinates).
#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub title: String,
    pub details: Vec<Detail>,
    pub x: f64,
    pub y: f64,
    /// The canvas's width and height: the tooltip stays inside.
    pub canvas: (f64, f64),
}

/// The tooltip: nothing when nothing is hovered or focused.
#[component]
pub fn Tooltip(hover: RwSignal<Option<Hover>>) -> impl IntoView {
    move || {
        hover.get().map(|hover| {
            let rows = hover
                .details
                .into_iter()
                .map(|(name, value)| {
                    view! {
                        <div class="fp-topo__tip-row">
                            <dt>{name}</dt>
                            <dd>{value}</dd>
                        </div>
                    }
                })
                .collect_view();
            let place = place_tooltip((hover.x, hover.y), hover.canvas);
            let px = |value: Option<f64>| value.map(|v| format!("{v:.0}px"));
            view! {
                <div
                    class="fp-topo__tooltip"
                    data-testid="topo-tooltip"
                    role="tooltip"
                    style:left=px(place.left)
                    style:right=px(place.right)
                    style:top=px(place.top)
                    style:bottom=px(place.bottom)
                    style:max-width=format!("{:.0}px", place.max_width)
                    style:max-height=format!("{:.0}px", place.max_height)
                >
                    <p class="fp-topo__tip-title">{hover.title}</p>
                    <dl>{rows}</dl>
                </div>
            }
        })
    }
}
