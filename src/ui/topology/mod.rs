//! The Topology tab: the entity view of the scope's subject, or the namespace view (the
//! scope's namespace, or every namespace as one box when none is chosen), laid out by
//! `engine::graph` ([`picture`]) and drawn as SVG ([`canvas`]: its [`node`]s and [`edge`]s).
//! A [`toolbar`] switches views, zooms, fits and exports the picture ([`export`]); a legend
//! says what colours and lines mean ([`legend`]); hovering or focusing a node or an edge shows
//! its details ([`tooltip`]).
//!
//! The layout is recomputed only when what it depends on changes: the data, the scope, the
//! view, and the names the decisions give addresses (aliases, cluster ranges). A row included
//! or excluded changes an edge's colour and nothing else. An edge the review includes but the
//! generated policies deny (the verifier's finding, `policy::view::denied_communications`) is
//! drawn in a state of its own, worked out after each decision an entity's policy at a time
//! ([`denied`]), in slices like the layout ([`slices`]), so a click repaints first and the page
//! keeps answering. With the cluster's policies loaded, an edge whose communications applying
//! the generated policies over them would break is drawn thick and dotted
//! (`policy::compare::would_break`).

mod canvas;
mod denied;
mod edge;
mod export;
mod item;
mod legend;
mod node;
mod picture;
mod slices;
mod toolbar;
mod tooltip;
mod topo_view;

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::graph::pan_zoom::Transform;
use crate::engine::graph::{edge_state, with_breaks, EdgeState};
use crate::engine::model::CommunicationId;
use crate::engine::policy::compare::would_break;
use crate::engine::policy::view::PolicyTarget;
use crate::engine::scope::Subject;
use crate::engine::verify::evaluate::AnyPolicy;
use crate::ui::state::AppState;

use canvas::Canvas;
use denied::denied_by_policies;
use legend::Legend;
use picture::{laid_out, namespace_drawn};
use toolbar::Toolbar;
use tooltip::{Hover, Tooltip};
use topo_view::TopoView;

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
    let (scene, busy) = laid_out(state, view_kind);
    // The policies the picture is checked against: the subject's in the entity view, the
    // namespace's (or every namespace's) in the namespace view.
    let target = Memo::new(move |_| match (view_kind.get(), state.subject()) {
        (TopoView::Entity, Some(Subject::Entity(id))) => PolicyTarget::Entity(id),
        (TopoView::Entity, Some(Subject::Service(id))) => PolicyTarget::Service(id),
        _ => PolicyTarget::Namespace(namespace_drawn(&state).namespace),
    });
    let denied = denied_by_policies(state, target);
    // With the cluster's policies loaded: what applying the generated ones over them breaks.
    let breaking: Memo<Arc<BTreeMap<CommunicationId, String>>> = Memo::new(move |_| {
        let Some(result) = state.result.get() else {
            return Arc::default();
        };
        let cluster = AnyPolicy::both(&result.policies, &result.cilium_policies);
        let target = target.get();
        let (window, options) = (state.window(), state.policy_options());
        state.decisions.with(|decisions| {
            Arc::new(would_break(
                &result.dataset,
                decisions,
                &cluster,
                &target,
                window,
                options,
            ))
        })
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
                    breaking.with(|breaking| {
                        scene.as_ref().map_or_else(Vec::new, |scene| {
                            scene
                                .edges
                                .iter()
                                .map(|edge| edge_state(&result.dataset, decisions, edge, denied))
                                .zip(scene.edges.iter())
                                .map(|(state, edge)| with_breaks(state, edge, breaking))
                                .collect()
                        })
                    })
                })
            })
        })
    });
    let hover: RwSignal<Option<Hover>> = RwSignal::new(None);
    let transform = RwSignal::new(Transform::default());
    let fit_request = RwSignal::new(0u32);
    let export_error: RwSignal<Option<String>> = RwSignal::new(None);
    let notes = move || scene.with(|s| s.as_ref().map(|s| s.notes.clone()).unwrap_or_default());
    view! {
        <div class="fp-topo">
            <Toolbar view_kind=view_kind chosen=chosen transform=transform fit_request=fit_request export_error=export_error />
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
