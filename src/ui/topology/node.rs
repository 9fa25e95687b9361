//! One drawn node: its box and its lines (kind, name, namespace, ports, Services, badges),
//! called by what it shows. Clicking a workload scopes to it; clicking a collapsed namespace
//! shows it; Enter and Space do the same.

use leptos::prelude::*;

use crate::engine::dataset::Peer;
use crate::engine::graph::svg_text::{clickable, line_y, node_lines, node_tooltip, spoken};
use crate::engine::graph::{NodeBox, NodeRole};
use crate::ui::state::AppState;

use super::item::{hover_at, pressed};
use super::tooltip::Hover;
use super::topo_view::TopoView;

/// The classes a node of `role` is drawn with (the legend draws them too).
pub fn role_class(role: NodeRole) -> String {
    format!("fp-topo__node fp-topo__node--{}", role.as_str())
}

/// What clicking `node` does: scope to its workload (the entity view), or show its collapsed
/// namespace (the namespace view).
fn activate(
    state: AppState,
    node: &NodeBox,
    on_view: RwSignal<Option<TopoView>>,
) -> impl Fn() + Clone {
    let peer = node.peer;
    let namespace = node.namespace.clone();
    move || {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        if let Some(Peer::Entity(id)) = peer {
            state
                .scope
                .update(|s| *s = s.focused_on(&result.dataset, id));
            on_view.set(Some(TopoView::Entity));
        } else if let Some((cluster, namespace)) = namespace.clone() {
            state.scope.update(|s| {
                let cluster = cluster.clone().or_else(|| s.cluster.clone());
                *s = s
                    .with_cluster(cluster)
                    .with_namespace(Some(namespace.clone()));
            });
            on_view.set(Some(TopoView::Namespace));
        }
    }
}

/// One node: its box and lines (kind, name, namespace, ports, Services, badges).
pub fn node_view(
    node: &NodeBox,
    hover: RwSignal<Option<Hover>>,
    state: AppState,
    on_view: RwSignal<Option<TopoView>>,
) -> impl IntoView {
    let r = node.rect;
    let x = r.x + crate::engine::graph::style::NODE_PAD;
    let lines = node_lines(node);
    // Its name is what it shows, so it can be called by what one sees.
    let name = spoken(&lines);
    let texts = lines
        .into_iter()
        .enumerate()
        // A space after each line (not drawn): read together, the lines stay words apart.
        .map(|(i, (class, text))| view! { <text class=class x=x y=line_y(node, i)>{format!("{text} ")}</text> })
        .collect_view();
    let clickable = clickable(node);
    let activate = activate(state, node, on_view);
    let activate_on_key = activate.clone();
    let (title, details) = node_tooltip(node);
    let show = move |event: &web_sys::Event, pointer: Option<(i32, i32)>| {
        let ((x, y), canvas) = hover_at(event, pointer);
        hover.set(Some(Hover {
            title: title.clone(),
            details: details.clone(),
            x,
            y,
            canvas,
        }));
    };
    let show_on_focus = show.clone();
    view! {
        <g
            class=role_class(node.role)
            class:fp-topo__node--clickable=clickable
            data-testid="topo-node"
            data-entity=node.key.clone()
            data-role=node.role.as_str()
            data-side=node.side.unwrap_or("")
            tabindex="0"
            role=if clickable { "button" } else { "group" }
            aria-label=name
            on:click=move |_| activate()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if pressed(&ev) {
                    activate_on_key();
                }
            }
            on:mouseenter=move |ev: web_sys::MouseEvent| show(&ev, Some((ev.client_x(), ev.client_y())))
            on:mouseleave=move |_| hover.set(None)
            on:focus=move |ev: web_sys::FocusEvent| show_on_focus(&ev, None)
            on:blur=move |_| hover.set(None)
        >
            <rect x=r.x y=r.y width=r.width height=r.height rx="6" />
            {texts}
        </g>
    }
}
