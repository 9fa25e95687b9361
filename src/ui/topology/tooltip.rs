//! The details of the node or edge under the pointer or the keyboard focus.

use leptos::prelude::*;

use crate::engine::graph::scene::Detail;

/// What the tooltip shows, and where (in the topology's own coordinates).
#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub title: String,
    pub details: Vec<Detail>,
    pub x: f64,
    pub y: f64,
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
            view! {
                <div
                    class="fp-topo__tooltip"
                    data-testid="topo-tooltip"
                    role="tooltip"
                    style:left=format!("{:.0}px", hover.x + 12.0)
                    style:top=format!("{:.0}px", hover.y + 12.0)
                >
                    <p class="fp-topo__tip-title">{hover.title}</p>
                    <dl>{rows}</dl>
                </div>
            }
        })
    }
}
