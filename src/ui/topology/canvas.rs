//! The picture: the engine's scene as SVG elements (groups, then [`edge`](super::edge)s with
//! their labels, then [`node`](super::node)s with their lines), inside a frame that pans (drag
//! the background), zooms (wheel, or the toolbar) and fits. Nodes and edges are made a batch
//! per turn of the browser. Every string from the data is text, never markup.

use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::graph::pan_zoom::Transform;
use crate::engine::graph::{EdgeState, Scene};
use crate::ui::state::AppState;

use super::edge::edge_view;
use super::node::node_view;
use super::tooltip::Hover;
use super::topo_view::TopoView;

/// How many nodes and edges are made per turn of the browser.
const NODE_BATCH: usize = 50;
const EDGE_BATCH: usize = 150;

/// The frame point of a pointer event.
fn frame_point(frame: &web_sys::Element, x: i32, y: i32) -> (f64, f64) {
    let rect = frame.get_bounding_client_rect();
    (f64::from(x) - rect.left(), f64::from(y) - rect.top())
}

/// Fits the scene to the frame on first drawing and on each request.
fn fit_when_asked(
    scene: Arc<Scene>,
    frame: NodeRef<Div>,
    transform: RwSignal<Transform>,
    fit_request: RwSignal<u32>,
) {
    Effect::new(move |_| {
        fit_request.track();
        if let Some(frame) = frame.get() {
            let rect = frame.get_bounding_client_rect();
            transform.set(Transform::fitting(&scene, rect.width(), rect.height()));
        }
    });
}

/// One more batch of `count` items shown, if any is left; whether one was.
fn one_batch_more(shown: RwSignal<usize>, count: usize, batch: usize) -> bool {
    shown
        .try_update(|n| {
            if *n < count {
                *n = (*n + batch).min(count);
                true
            } else {
                false
            }
        })
        .unwrap_or(false)
}

/// How many nodes and edges are shown: nodes, then edges, a batch per turn of the browser, so
/// a large picture appears in a few frames instead of freezing the page while thousands of
/// elements are made.
fn shown_in_batches(node_count: usize, edge_count: usize) -> (RwSignal<usize>, RwSignal<usize>) {
    let nodes_shown = RwSignal::new(node_count.min(NODE_BATCH));
    let edges_shown = RwSignal::new(0usize);
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(0).await;
            let more = one_batch_more(nodes_shown, node_count, NODE_BATCH)
                || one_batch_more(edges_shown, edge_count, EDGE_BATCH);
            if !more {
                return;
            }
        }
    });
    (nodes_shown, edges_shown)
}

/// The arrowheads of included, excluded and denied edges.
fn markers() -> impl IntoView {
    view! {
        <defs>
            <marker id="fp-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" class="fp-topo__arrow" />
            </marker>
            <marker id="fp-arrow-excluded" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" class="fp-topo__arrow fp-topo__arrow--excluded" />
            </marker>
            <marker id="fp-arrow-denied" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="13" markerHeight="13" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" class="fp-topo__arrow fp-topo__arrow--denied" />
            </marker>
        </defs>
    }
}

/// The background that catches drags: dragging it pans the view.
fn backdrop(frame: NodeRef<Div>, transform: RwSignal<Transform>) -> impl IntoView {
    let drag: StoredValue<Option<(f64, f64, Transform)>> = StoredValue::new(None);
    let on_pointerdown = move |ev: web_sys::PointerEvent| {
        let Some(frame) = frame.get_untracked() else {
            return;
        };
        let (px, py) = frame_point(&frame, ev.client_x(), ev.client_y());
        drag.set_value(Some((px, py, transform.get_untracked())));
        if let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
    };
    let on_pointermove = move |ev: web_sys::PointerEvent| {
        let (Some((sx, sy, start)), Some(frame)) = (drag.get_value(), frame.get_untracked()) else {
            return;
        };
        let (px, py) = frame_point(&frame, ev.client_x(), ev.client_y());
        transform.set(Transform {
            x: start.x + px - sx,
            y: start.y + py - sy,
            ..start
        });
    };
    let on_pointerup = move |_: web_sys::PointerEvent| drag.set_value(None);
    view! {
        <rect
            class="fp-topo__backdrop"
            width="100%"
            height="100%"
            on:pointerdown=on_pointerdown
            on:pointermove=on_pointermove
            on:pointerup=on_pointerup
            on:pointercancel=on_pointerup
        />
    }
}

/// The groups' boxes and labels.
fn groups_view(scene: &Scene) -> impl IntoView {
    scene
        .groups
        .iter()
        .map(|group| {
            let r = group.rect;
            view! {
                <g class="fp-topo__group">
                    <rect x=r.x y=r.y width=r.width height=r.height rx="10" />
                    <text x=r.x + 12.0 y=r.y + 18.0 class="fp-topo__group-label">{group.label.clone()}</text>
                </g>
            }
        })
        .collect_view()
}

/// The drawing of `scene`.
#[component]
pub fn Canvas(
    scene: Arc<Scene>,
    states: Memo<Vec<EdgeState>>,
    hover: RwSignal<Option<Hover>>,
    transform: RwSignal<Transform>,
    fit_request: RwSignal<u32>,
    on_view: RwSignal<Option<TopoView>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let frame: NodeRef<Div> = NodeRef::new();
    fit_when_asked(scene.clone(), frame, transform, fit_request);
    let on_wheel = move |ev: web_sys::WheelEvent| {
        let Some(frame) = frame.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let (px, py) = frame_point(&frame, ev.client_x(), ev.client_y());
        let factor = (-ev.delta_y() * 0.0015).exp();
        transform.update(|t| *t = t.zoomed_at(factor, px, py));
    };
    let (nodes_shown, edges_shown) = shown_in_batches(scene.nodes.len(), scene.edges.len());
    let edge_scene = scene.clone();
    let edges = view! {
        <For
            each=move || 0..edges_shown.get()
            key=|index| *index
            children=move |index| edge_view(index, &edge_scene.edges[index], states, hover)
        />
    };
    let node_scene = scene.clone();
    let nodes = view! {
        <For
            each=move || 0..nodes_shown.get()
            key=|index| *index
            children=move |index| node_view(&node_scene.nodes[index], hover, state, on_view)
        />
    };
    let (width, height) = (scene.width, scene.height);
    view! {
        <div
            class="fp-topo__frame"
            node_ref=frame
            on:wheel=on_wheel
        >
            <svg
                class="fp-topo__svg"
                data-testid="topology-svg"
                xmlns="http://www.w3.org/2000/svg"
                // A group, not an image: its nodes and edges are buttons.
                role="group"
                aria-label="Topology"
                data-width=format!("{width:.0}")
                data-height=format!("{height:.0}")
            >
                {markers()}
                {backdrop(frame, transform)}
                <g class="fp-topo__scene" transform=move || transform.get().svg()>
                    {groups_view(&scene)}
                    {edges}
                    {nodes}
                </g>
            </svg>
        </div>
    }
}
