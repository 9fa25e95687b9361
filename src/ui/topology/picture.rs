//! The picture's scene, laid out again only when what it depends on changes: the data, the
//! scope, the view, and the names the decisions give addresses (aliases, cluster ranges). The
//! entity view is laid out at once; the namespace view in slices ([`in_slices`]), the newest
//! request only, so the page never freezes.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::graph::topology_tab::drawn_namespace;
use crate::engine::graph::{entity_view, namespace_job, NamespaceScope, Scene};
use crate::ui::state::AppState;

use super::slices::in_slices;
use super::topo_view::TopoView;

/// The namespace the namespace view draws (see [`drawn_namespace`]), following the scope.
pub fn namespace_drawn(state: &AppState) -> NamespaceScope {
    state.scope.with(|scope| {
        state
            .result
            .with_untracked(|r| drawn_namespace(scope, r.as_ref().map(|r| &r.dataset)))
    })
}

/// The scene of `view_kind`, and whether it is being laid out.
pub fn laid_out(
    state: AppState,
    view_kind: Memo<TopoView>,
) -> (RwSignal<Option<Arc<Scene>>>, RwSignal<bool>) {
    // What the layout reads of the decisions: how addresses are named and classed.
    let naming = Memo::new(move |_| {
        state
            .decisions
            .with(|d| (d.aliases.clone(), d.cluster_ranges.clone()))
    });
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
        let namespace = namespace_drawn(&state);
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
                    let current = || generation.get_value() == mine;
                    // The tab draws first; the graph is built on the next turn.
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    if !current() {
                        return;
                    }
                    let mut job = state
                        .decisions
                        .with_untracked(|d| namespace_job(&result.dataset, d, &namespace, window));
                    if let Some(picture) = in_slices(|| job.step(), current).await {
                        busy.set(false);
                        scene.set(Some(Arc::new(picture)));
                    }
                });
            }
        }
    });
    (scene, busy)
}
