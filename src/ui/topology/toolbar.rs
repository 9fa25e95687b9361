//! The Topology tab's toolbar: the view switch, the title of what is drawn, zoom, fit and
//! export.

use leptos::prelude::*;

use crate::engine::graph::pan_zoom::Transform;
use crate::engine::graph::topology_tab::topology_title;
use crate::ui::state::AppState;

use super::export;
use super::picture::namespace_drawn;
use super::topo_view::TopoView;

/// The buttons that switch between the entity and the namespace view.
#[component]
fn ViewSwitch(view_kind: Memo<TopoView>, chosen: RwSignal<Option<TopoView>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let entity_disabled = move || state.subject().is_none();
    view! {
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
    }
}

/// Zoom out, zoom in, fit, and export the picture (saying why when it cannot).
#[component]
fn ZoomButtons(
    view_kind: Memo<TopoView>,
    transform: RwSignal<Transform>,
    fit_request: RwSignal<u32>,
    export_error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
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
    }
}

/// The toolbar above the picture.
#[component]
pub fn Toolbar(
    view_kind: Memo<TopoView>,
    chosen: RwSignal<Option<TopoView>>,
    transform: RwSignal<Transform>,
    fit_request: RwSignal<u32>,
    export_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let title = move || {
        let subject = state
            .subject()
            .filter(|_| view_kind.get() == TopoView::Entity);
        let namespace = namespace_drawn(&state).namespace;
        state.result.with(|result| {
            topology_title(
                result.as_ref().map(|r| &r.dataset),
                subject,
                namespace.as_deref(),
            )
        })
    };
    view! {
        <div class="fp-topo__toolbar" role="toolbar" aria-label="Topology">
            <ViewSwitch view_kind=view_kind chosen=chosen />
            <h2 class="fp-topo__title">{title}</h2>
            <ZoomButtons view_kind=view_kind transform=transform fit_request=fit_request export_error=export_error />
        </div>
    }
}
