//! What the picture's colours and lines mean.

use leptos::prelude::*;

use crate::engine::graph::NodeRole;

use super::edge::denied_mark;
use super::node::role_class;

/// The legend, under the picture.
#[component]
pub fn Legend() -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
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
    let edge = |class: &'static str, text: &'static str| {
        view! {
            <li class="fp-topo__legend-item">
                <svg width="34" height="20" aria-hidden="true">
                    <g class=format!("fp-topo__edge {class}")>
                        <line class="fp-topo__line" x1="1" y1="10" x2="33" y2="10" />
                    </g>
                </svg>
                {text}
            </li>
        }
    };
    // Its line and the crossed circle it carries halfway.
    let denied = view! {
        <li class="fp-topo__legend-item" data-testid="topo-legend-denied">
            <svg width="34" height="20" aria-hidden="true">
                <g class="fp-topo__edge fp-topo__edge--denied">
                    <line class="fp-topo__line" x1="1" y1="10" x2="33" y2="10" />
                    {denied_mark(17.0, 10.0)}
                </g>
            </svg>
            "✗ included, but the generated policy denies it (see the Generated Policy tab)"
        </li>
    };
    view! {
        <ul class="fp-topo__legend" data-testid="topo-legend" aria-label="Legend">
            {node(NodeRole::Selected, "the chosen entity")}
            {node(NodeRole::Peer, "a workload, a namespace, the API server")}
            {node(NodeRole::Unresolved, "an address nothing resolves (class shown)")}
            {node(NodeRole::Aliased, "an alias you named")}
            {edge("", "in the policy (click to exclude)")}
            {edge("fp-topo__edge--excluded", "not in the policy (click to include)")}
            {denied}
            {move || state.result.with(|r| r.as_ref().is_some_and(|r| !(r.policies.is_empty() && r.cilium_policies.is_empty()))).then(|| {
                edge("fp-topo__edge--breaks", "would break: the cluster's loaded policies allow it today, not once the generated ones are applied")
            })}
        </ul>
    }
}
