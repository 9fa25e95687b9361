//! The Topology tab: the entity view of the scope's subject, or the namespace view (the
//! scope's namespace, or every namespace as one box when none is chosen), laid out by
//! `engine::graph` and drawn as SVG ([`canvas`]). A toolbar switches views, zooms, fits and
//! exports the picture ([`export`]); a legend says what colours and lines mean ([`legend`]);
//! hovering or focusing a node or an edge shows its details ([`tooltip`]).
//!
//! The layout is recomputed only when what it depends on changes: the data, the scope, the
//! view, and the names the decisions give addresses (aliases, cluster ranges). A row included
//! or excluded changes an edge's colour and nothing else. An edge the review includes but the
//! generated policies deny (the verifier's finding, `policy::view::denied_communications`) is
//! drawn in a state of its own, worked out after each decision an entity's policy at a time,
//! in slices like the layout, so a click repaints first and the page keeps answering.

mod canvas;
mod export;
mod legend;
mod tooltip;

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::graph::{
    edge_state, entity_view, namespace_job, EdgeState, NamespaceScope, Scene,
};
use crate::engine::model::CommunicationId;
use crate::engine::policy::view::{DeniedJob, PolicyTarget};
use crate::engine::scope::Subject;
use crate::ui::state::AppState;

use canvas::{Canvas, Transform};
use legend::Legend;
use tooltip::{Hover, Tooltip};

/// The longest the page works on a layout before letting the browser draw and handle input.
const SLICE_MS: f64 = 25.0;

/// The two pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopoView {
    /// The subject between its ingress and egress peers.
    Entity,
    /// A namespace's workloads (or every namespace).
    Namespace,
}

/// The namespace the namespace view draws: the scope's, else the subject's, else none (the
/// overview).
fn namespace_scope(state: &AppState, subject: Option<Subject>) -> NamespaceScope {
    let (namespace, cluster) = state
        .scope
        .with(|scope| (scope.namespace.clone(), scope.cluster.clone()));
    let from_subject = || {
        let result = state.result.get_untracked()?;
        let entities = subject?.entities(&result.dataset);
        let first = entities.first()?;
        Some(result.dataset.entities[*first].owner.namespace.clone())
    };
    NamespaceScope {
        namespace: namespace.or_else(from_subject),
        cluster,
    }
}

/// The Topology tab's content (with flows loaded).
#[component]
pub fn TopologyView() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The view the user chose, if any: by default the entity view when a subject is chosen.
    let chosen: RwSignal<Option<TopoView>> = RwSignal::new(None);
    let view_kind = Memo::new(move |_| {
        chosen.get().unwrap_or(if state.subject().is_some() {
            TopoView::Entity
        } else {
            TopoView::Namespace
        })
    });
    // What the layout reads of the decisions: how addresses are named and classed.
    let naming = Memo::new(move |_| {
        state
            .decisions
            .with(|d| (d.aliases.clone(), d.cluster_ranges.clone()))
    });
    // The picture: the entity view at once; the namespace view in steps of at most
    // [`SLICE_MS`], yielding to the browser between them, so the page never freezes. A newer
    // request makes an unfinished one stop.
    let scene: RwSignal<Option<Arc<Scene>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let Some(result) = state.result.get() else {
            scene.set(None);
            return;
        };
        naming.with(|_| ());
        let subject = state.subject();
        let window = state.window();
        let kind = view_kind.get();
        let namespace = namespace_scope(&state, subject);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let dataset = &result.dataset;
        match (kind, subject) {
            (TopoView::Entity, Some(subject)) if !subject.entities(dataset).is_empty() => {
                let picture = state
                    .decisions
                    .with_untracked(|d| entity_view(dataset, d, subject, window));
                busy.set(false);
                scene.set(Some(Arc::new(picture)));
            }
            _ => {
                busy.set(true);
                leptos::task::spawn_local(async move {
                    // The tab draws first; the graph is built on the next turn.
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    if generation.get_value() != mine {
                        return;
                    }
                    let dataset = &result.dataset;
                    let mut job = state
                        .decisions
                        .with_untracked(|d| namespace_job(dataset, d, &namespace, window));
                    loop {
                        let start = js_sys::Date::now();
                        while js_sys::Date::now() - start < SLICE_MS {
                            if let Some(picture) = job.step() {
                                if generation.get_value() == mine {
                                    busy.set(false);
                                    scene.set(Some(Arc::new(picture)));
                                }
                                return;
                            }
                        }
                        gloo_timers::future::TimeoutFuture::new(0).await;
                        if generation.get_value() != mine {
                            return;
                        }
                    }
                });
            }
        }
    });
    // The policies the picture is checked against: the subject's in the entity view, the
    // namespace's (or every namespace's) in the namespace view.
    let target = Memo::new(move |_| {
        let subject = state.subject();
        match (view_kind.get(), subject) {
            (TopoView::Entity, Some(Subject::Entity(id))) => PolicyTarget::Entity(id),
            (TopoView::Entity, Some(Subject::Service(id))) => PolicyTarget::Service(id),
            _ => PolicyTarget::Namespace(namespace_scope(&state, subject).namespace),
        }
    });
    // The included communications the generated policies deny, and why: worked out after the
    // next frame, an entity's policy a step, in slices of at most [`SLICE_MS`] (a
    // namespace's policies take a while), the newest request only.
    let denied: RwSignal<Arc<BTreeMap<CommunicationId, String>>> = RwSignal::new(Arc::default());
    let checking = StoredValue::new(0u64);
    Effect::new(move |_| {
        let result = state.result.get();
        let decisions = state.decisions.get();
        let target = target.get();
        let (window, options) = (state.window(), state.policy_options());
        checking.update_value(|g| *g += 1);
        let mine = checking.get_value();
        let Some(result) = result else {
            denied.set(Arc::default());
            return;
        };
        // From the task after the next frame: the decision's own repaint comes first.
        request_animation_frame(move || {
            leptos::task::spawn_local(async move {
                let current = || checking.try_get_value() == Some(mine);
                gloo_timers::future::TimeoutFuture::new(0).await;
                if !current() {
                    return;
                }
                let mut job = DeniedJob::new(&result.dataset, &decisions, &target, window, options);
                loop {
                    let start = js_sys::Date::now();
                    while js_sys::Date::now() - start < SLICE_MS {
                        if let Some(found) = job.step() {
                            if current() {
                                let found = found.into_iter().map(|d| (d.communication, d.reason));
                                let _ = denied.try_set(Arc::new(found.collect()));
                            }
                            return;
                        }
                    }
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    if !current() {
                        return;
                    }
                }
            })
        });
    });
    // Each edge's state: whether its communications are let through (follows every
    // decision at once), and whether the policies deny what the review includes.
    let states: Memo<Vec<EdgeState>> = Memo::new(move |_| {
        let Some(result) = state.result.get() else {
            return Vec::new();
        };
        scene.with(|scene| {
            state.decisions.with(|decisions| {
                denied.with(|denied| {
                    scene.as_ref().map_or_else(Vec::new, |scene| {
                        scene
                            .edges
                            .iter()
                            .map(|edge| edge_state(&result.dataset, decisions, edge, denied))
                            .collect()
                    })
                })
            })
        })
    });
    let hover: RwSignal<Option<Hover>> = RwSignal::new(None);
    let transform = RwSignal::new(Transform::default());
    let fit_request = RwSignal::new(0u32);
    let export_error: RwSignal<Option<String>> = RwSignal::new(None);
    let title = move || {
        let subject = state.subject();
        match (view_kind.get(), subject, state.result.get()) {
            (TopoView::Entity, Some(subject), Some(result)) => {
                format!("Entity view: {}", subject_name(&result.dataset, subject))
            }
            _ => match namespace_scope(&state, subject).namespace {
                Some(namespace) => format!("Namespace view: {namespace}"),
                None => "Namespace view: every namespace".to_string(),
            },
        }
    };
    let entity_disabled = move || state.subject().is_none();
    let notes = move || scene.with(|s| s.as_ref().map(|s| s.notes.clone()).unwrap_or_default());
    view! {
        <div class="fp-topo">
            <div class="fp-topo__toolbar" role="toolbar" aria-label="Topology">
                <div class="fp-topo__views" role="group" aria-label="View">
                    <button
                        type="button"
                        class="fp-button"
                        class:fp-button--pressed=move || view_kind.get() == TopoView::Entity
                        data-testid="topo-view-entity"
                        aria-pressed=move || (view_kind.get() == TopoView::Entity).to_string()
                        disabled=entity_disabled
                        title=move || if entity_disabled() { "Choose an entity in the scope bar first" } else { "The chosen entity and its peers" }
                        on:click=move |_| chosen.set(Some(TopoView::Entity))
                    >
                        "Entity view"
                    </button>
                    <button
                        type="button"
                        class="fp-button"
                        class:fp-button--pressed=move || view_kind.get() == TopoView::Namespace
                        data-testid="topo-view-namespace"
                        aria-pressed=move || (view_kind.get() == TopoView::Namespace).to_string()
                        on:click=move |_| chosen.set(Some(TopoView::Namespace))
                    >
                        "Namespace view"
                    </button>
                </div>
                <h2 class="fp-topo__title">{title}</h2>
                <div class="fp-topo__zoom" role="group" aria-label="Zoom">
                    <button type="button" class="fp-button" data-testid="topo-zoom-out" aria-label="Zoom out" title="Zoom out"
                        on:click=move |_| transform.update(|t| *t = t.zoomed_at_centre(1.0 / 1.25))>"−"</button>
                    <button type="button" class="fp-button" data-testid="topo-zoom-in" aria-label="Zoom in" title="Zoom in"
                        on:click=move |_| transform.update(|t| *t = t.zoomed_at_centre(1.25))>"+"</button>
                    <button type="button" class="fp-button" data-testid="topo-fit" title="Fit the picture to the view"
                        on:click=move |_| fit_request.update(|n| *n += 1)>"Fit"</button>
                    <button type="button" class="fp-button" data-testid="topo-export" title="Save the picture as an SVG file"
                        on:click=move |_| export_error.set(export::export(view_kind.get_untracked()).err())>"Export SVG"</button>
                </div>
            </div>
            {move || export_error.get().map(|e| view! { <p class="fp-topo__error" role="alert">{format!("The picture could not be exported: {e}")}</p> })}
            <For each=notes key=|note| note.clone() let:note>
                <p class="fp-topo__note" data-testid="topo-note">{note}</p>
            </For>
            {move || busy.get().then(|| view! {
                <p class="fp-topo__note" data-testid="topo-busy" role="status">"Laying out the picture…"</p>
            })}
            {move || scene.get().map(|scene| view! {
                <Canvas scene=scene states=states hover=hover transform=transform fit_request=fit_request on_view=chosen />
            })}
            <Tooltip hover=hover />
            <Legend />
        </div>
    }
}

/// The subject's name as the entity view's title says it.
fn subject_name(dataset: &crate::engine::dataset::Dataset, subject: Subject) -> String {
    match subject {
        Subject::Entity(id) => dataset.peer_label(crate::engine::dataset::Peer::Entity(id)),
        Subject::Service(id) => dataset
            .services
            .get(id.index())
            .map(|s| format!("Service/{}/{}", s.namespace, s.name))
            .unwrap_or_default(),
    }
}
