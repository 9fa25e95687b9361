//! What the picture's colours and lines mean.

use leptos::prelude::*;

use crate::engine::graph::NodeRole;

use super::canvas::role_class;

/// The legend, under the picture.
#[component]
pub fn Legend() -> impl IntoView {
    let node = |role: NodeRole, text: &'static str| {
        view! {
            <li class="fp-topo__legend-item">
                <svg width="34" height="20" aria-hidden="true">
                    <g class=role_class(role)><rect x="1" y="1" width="32" height="18" rx="4" /></g>
                </svg>
                {text}
            </li>
        }
    };
    let edge = |excluded: bool, text: &'static str| {
        view! {
            <li class="fp-topo__legend-item">
                <svg width="34" height="20" aria-hidden="true">
                    <g class="fp-topo__edge" class:fp-topo__edge--excluded=excluded>
                        <line class="fp-topo__line" x1="1" y1="10" x2="33" y2="10" />
                    </g>
                </svg>
                {text}
            </li>
        }
    };
    view! {
        <ul class="fp-topo__legend" data-testid="topo-legend" aria-label="Legend">
            {node(NodeRole::Selected, "the chosen entity")}
            {node(NodeRole::Peer, "a workload, a namespace, the API server")}
            {node(NodeRole::Unresolved, "an address nothing resolves (class shown)")}
            {node(NodeRole::Aliased, "an alias you named")}
            {edge(false, "in the policy (click to exclude)")}
            {edge(true, "not in the policy (click to include)")}
        </ul>
    }
}
