//! The picture: the engine's scene as SVG elements (groups, edges with their labels, nodes
//! with their lines), inside a frame that pans (drag the background), zooms (wheel, or the
//! toolbar) and fits. Clicking a workload scopes to it, clicking a collapsed namespace shows
//! it, clicking an edge includes or excludes its rows; Enter and Space do the same for the
//! focused item. Every string from the data is text, never markup.

use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::dataset::Peer;
use crate::engine::graph::geometry::Point;
use crate::engine::graph::style::{LINE, NODE_PAD};
use crate::engine::graph::{EdgePath, EdgeState, NodeBox, NodeRole, Scene};
use crate::ui::state::AppState;

use super::tooltip::Hover;
use super::TopoView;

/// The view's pan and zoom: a point `p` of the scene is drawn at `p * k + (x, y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    pub x: f64,
    pub y: f64,
    pub k: f64,
    /// The frame's size, for zooming around its centre.
    pub width: f64,
    pub height: f64,
}

impl Default for Transform {
    fn default() -> Self {
        Transform {
            x: 0.0,
            y: 0.0,
            k: 1.0,
            width: 800.0,
            height: 600.0,
        }
    }
}

/// How many nodes and edges are made per turn of the browser.
const NODE_BATCH: usize = 50;
const EDGE_BATCH: usize = 150;

/// How far the view zooms in and out.
const ZOOM_RANGE: (f64, f64) = (0.05, 4.0);

impl Transform {
    /// Zoomed by `factor` around the frame point `(px, py)`.
    pub fn zoomed_at(self, factor: f64, px: f64, py: f64) -> Transform {
        let k = (self.k * factor).clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        let ratio = k / self.k;
        Transform {
            x: px - (px - self.x) * ratio,
            y: py - (py - self.y) * ratio,
            k,
            ..self
        }
    }

    pub fn zoomed_at_centre(self, factor: f64) -> Transform {
        self.zoomed_at(factor, self.width / 2.0, self.height / 2.0)
    }

    /// The whole scene in a frame of `width` by `height`, never enlarged past 1.5.
    pub fn fitting(scene: &Scene, width: f64, height: f64) -> Transform {
        let margin = 24.0;
        let k = ((width - 2.0 * margin) / scene.width.max(1.0))
            .min((height - 2.0 * margin) / scene.height.max(1.0))
            .clamp(ZOOM_RANGE.0, 1.5);
        Transform {
            x: (width - scene.width * k) / 2.0,
            y: margin.min((height - scene.height * k) / 2.0).max(margin),
            k,
            width,
            height,
        }
    }

    fn svg(self) -> String {
        format!(
            "translate({:.1} {:.1}) scale({:.4})",
            self.x, self.y, self.k
        )
    }
}

/// `x1,y1 x2,y2 ...`.
fn points(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most `chars` characters of `text`, with an ellipsis when cut.
fn fit(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The frame point of a pointer event.
fn frame_point(frame: &web_sys::Element, x: i32, y: i32) -> (f64, f64) {
    let rect = frame.get_bounding_client_rect();
    (f64::from(x) - rect.left(), f64::from(y) - rect.top())
}

/// Where a tooltip goes for the element an event came from: under the pointer, or under the
/// element's middle when focused by keyboard.
fn hover_at(event: &web_sys::Event, pointer: Option<(i32, i32)>) -> (f64, f64) {
    let target = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let container = target
        .as_ref()
        .and_then(|t| t.closest(".fp-topo").ok().flatten());
    let Some(container) = container else {
        return (0.0, 0.0);
    };
    let frame = container.get_bounding_client_rect();
    match (pointer, target) {
        (Some((x, y)), _) => (f64::from(x) - frame.left(), f64::from(y) - frame.top()),
        (None, Some(target)) => {
            let rect = target.get_bounding_client_rect();
            (
                rect.left() + rect.width() / 2.0 - frame.left(),
                rect.bottom() - frame.top(),
            )
        }
        (None, None) => (0.0, 0.0),
    }
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
    // Fit on first drawing and on request.
    {
        let scene = scene.clone();
        Effect::new(move |_| {
            fit_request.track();
            if let Some(frame) = frame.get() {
                let rect = frame.get_bounding_client_rect();
                transform.set(Transform::fitting(&scene, rect.width(), rect.height()));
            }
        });
    }
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
    let on_wheel = move |ev: web_sys::WheelEvent| {
        let Some(frame) = frame.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let (px, py) = frame_point(&frame, ev.client_x(), ev.client_y());
        let factor = (-ev.delta_y() * 0.0015).exp();
        transform.update(|t| *t = t.zoomed_at(factor, px, py));
    };
    let groups = scene
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
        .collect_view();
    // Nodes, then edges, a batch per turn of the browser: a large picture appears in a few
    // frames instead of freezing the page while thousands of elements are made.
    let (node_count, edge_count) = (scene.nodes.len(), scene.edges.len());
    let nodes_shown = RwSignal::new(node_count.min(NODE_BATCH));
    let edges_shown = RwSignal::new(0usize);
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(0).await;
            let more = nodes_shown
                .try_update(|n| {
                    if *n < node_count {
                        *n = (*n + NODE_BATCH).min(node_count);
                        true
                    } else {
                        false
                    }
                })
                .unwrap_or(false)
                || edges_shown
                    .try_update(|n| {
                        if *n < edge_count {
                            *n = (*n + EDGE_BATCH).min(edge_count);
                            true
                        } else {
                            false
                        }
                    })
                    .unwrap_or(false);
            if !more {
                return;
            }
        }
    });
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
                <rect
                    class="fp-topo__backdrop"
                    width="100%"
                    height="100%"
                    on:pointerdown=on_pointerdown
                    on:pointermove=on_pointermove
                    on:pointerup=on_pointerup
                    on:pointercancel=on_pointerup
                />
                <g class="fp-topo__scene" transform=move || transform.get().svg()>
                    {groups}
                    {edges}
                    {nodes}
                </g>
            </svg>
        </div>
    }
}

/// The denied mark: a filled circle crossed out, centred at (`x`, `y`) (the denied edges'
/// marker and the legend draw it).
pub fn denied_mark(x: f64, y: f64) -> impl IntoView {
    let cross = format!(
        "M{},{} L{},{} M{},{} L{},{}",
        x - 3.0,
        y - 3.0,
        x + 3.0,
        y + 3.0,
        x + 3.0,
        y - 3.0,
        x - 3.0,
        y + 3.0
    );
    view! {
        <circle class="fp-topo__deny-mark" cx=x cy=y r="6.5" />
        <path class="fp-topo__deny-cross" d=cross />
    }
}

/// One edge: a wide invisible line to click, the visible line, its port label.
fn edge_view(
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
    let details = edge.details();
    let title = format!("{} → {} {}", edge.from, edge.to, edge.port_label());
    let show = move |event: &web_sys::Event, pointer: Option<(i32, i32)>| {
        let mut lines = details.clone();
        lines.extend(current.with_untracked(EdgeState::details));
        let (x, y) = hover_at(event, pointer);
        hover.set(Some(Hover {
            title: title.clone(),
            details: lines,
            x,
            y,
        }));
    };
    let show_on_focus = show.clone();
    let line = points(&edge.points);
    let label = edge.label.clone();
    // What it shows first (its label), then what it joins.
    let aria = format!("{}, {} to {}", edge.label, edge.from, edge.to);
    let (lx, ly) = (edge.label_at.x, edge.label_at.y);
    let middle = edge.midpoint();
    let anchor = if edge.direction == Some(crate::engine::model::Direction::Egress) {
        "end"
    } else {
        "start"
    };
    view! {
        <g
            class=move || format!("fp-topo__edge {}", current.with(|c| c.class()))
            data-testid="topo-edge"
            data-from=edge.from.clone()
            data-to=edge.to.clone()
            data-port=edge.port.to_string()
            data-protocol=edge.protocol.to_string()
            data-state=move || current.with(|c| c.key())
            tabindex="0"
            role="button"
            // Its state in words too, not only in colour and dashes.
            aria-pressed=move || allowed().to_string()
            aria-label=move || format!("{aria}, {}", current.with(EdgeState::spoken))
            on:click=move |_| toggle()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
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
            <text class="fp-topo__edge-label" x=lx y=ly text-anchor=anchor>{move || current.with(|c| c.label(&label))}</text>
            // Denied: a crossed circle halfway, away from the labels and arrows at the ends.
            {move || current.with(|c| c.denied.is_some()).then(|| denied_mark(middle.x, middle.y))}
        </g>
    }
}

/// One node: its box and lines (kind, name, namespace, ports, Services, badges).
fn node_view(
    node: &NodeBox,
    hover: RwSignal<Option<Hover>>,
    state: AppState,
    on_view: RwSignal<Option<TopoView>>,
) -> impl IntoView {
    let r = node.rect;
    let x = r.x + NODE_PAD;
    let line_y = |line: usize| r.y + NODE_PAD + LINE * (line as f64 + 0.8);
    let mut lines: Vec<(&'static str, String)> = vec![
        ("fp-topo__kind", fit(&node.kind, 28)),
        ("fp-topo__name", fit(&node.title, 24)),
        ("fp-topo__sub", fit(&node.subtitle, 30)),
    ];
    if !node.ports.is_empty() {
        lines.push(("fp-topo__ports", fit(&node.ports.join(" · "), 27)));
    }
    if !node.services.is_empty() {
        lines.push((
            "fp-topo__services",
            fit(&format!("Service {}", node.services.join(", ")), 27),
        ));
    }
    for badge in &node.badges {
        lines.push(("fp-topo__badge", fit(badge, 27)));
    }
    // Its name is what it shows, so it can be called by what one sees.
    let spoken = lines
        .iter()
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let texts = lines
        .into_iter()
        .enumerate()
        // A space after each line (not drawn): read together, the lines stay words apart.
        .map(|(i, (class, text))| view! { <text class=class x=x y=line_y(i)>{format!("{text} ")}</text> })
        .collect_view();
    let peer = node.peer;
    let namespace = node.namespace.clone();
    let clickable = matches!(peer, Some(Peer::Entity(_))) || namespace.is_some();
    let activate = move || {
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
    };
    let activate_on_key = activate.clone();
    let mut details = node.details.clone();
    if clickable {
        details.push(("Click".into(), "to show it in the topology".into()));
    }
    let title = format!("{} {}", node.kind, node.title);
    let show = move |event: &web_sys::Event, pointer: Option<(i32, i32)>| {
        let (x, y) = hover_at(event, pointer);
        hover.set(Some(Hover {
            title: title.clone(),
            details: details.clone(),
            x,
            y,
        }));
    };
    let show_on_focus = show.clone();
    let class = format!("fp-topo__node fp-topo__node--{}", node.role.as_str());
    view! {
        <g
            class=class
            class:fp-topo__node--clickable=clickable
            data-testid="topo-node"
            data-entity=node.key.clone()
            data-role=node.role.as_str()
            data-side=node.side.unwrap_or("")
            tabindex="0"
            role=if clickable { "button" } else { "group" }
            aria-label=spoken
            on:click=move |_| activate()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
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

/// The role a node is drawn as, for the legend.
pub fn role_class(role: NodeRole) -> String {
    format!("fp-topo__node fp-topo__node--{}", role.as_str())
}
