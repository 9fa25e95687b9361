//! Mapping addresses to an alias, in a dialog opened where the address is (its row in the
//! table, the unresolved list, a selection of several, "from anywhere", or an alias to edit):
//! the name field takes the focus, prefilled with the address's DNS name when one is known; a
//! CIDR that does not hold the address it was opened for is warned about; on closing, the
//! focus goes back where it was. An alias applies wherever its addresses appear and makes
//! their rows includable, as an `ipBlock`.

use leptos::html::{Dialog, Input};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::review::map_request::MapRequest;
use crate::ui::state::AppState;

/// The element that has the focus now, to give it back.
fn focused_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into().ok())
}

/// Gives the focus back where it was, once the rows are redrawn; when that is gone (the row's
/// "Map IP…" left with the alias), to the toggle of the row now named after `alias`.
async fn give_focus_back(opener: Option<web_sys::HtmlElement>, alias: String) {
    gloo_timers::future::TimeoutFuture::new(0).await;
    if let Some(element) = opener.filter(|e| e.is_connected()) {
        let _ = element.focus();
        return;
    }
    let alias = alias.replace('"', "\\\"");
    let toggle = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!(
                "[data-testid=\"comm-row\"][data-peer=\"{alias}\"] [data-testid=\"include-toggle\"]"
            ))
            .ok()
            .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(toggle) = toggle {
        let _ = toggle.focus();
    }
}

/// The name field, and the CIDR field unless each address gets an alias of its own.
#[component]
fn AliasFields(
    name: RwSignal<String>,
    cidr: RwSignal<String>,
    several: bool,
    name_field: NodeRef<Input>,
) -> impl IntoView {
    view! {
        <label>
            <span class="fp-scope__label">"Alias name"</span>
            <input
                type="text"
                node_ref=name_field
                data-testid="alias-name"
                required=true
                placeholder="e.g. payments-api"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
        </label>
        {(!several).then(|| view! {
            <label>
                <span class="fp-scope__label">"CIDR"</span>
                <input
                    type="text"
                    data-testid="alias-cidr"
                    prop:value=move || cidr.get()
                    on:input=move |ev| cidr.set(event_target_value(&ev))
                />
            </label>
        })}
    }
}

/// The dialog of `request`; `on_done` closes it.
#[component]
pub fn AliasDialog(request: MapRequest, on_done: Callback<()>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog: NodeRef<Dialog> = NodeRef::new();
    let name_field: NodeRef<Input> = NodeRef::new();
    let name = RwSignal::new(request.initial_name());
    let cidr = RwSignal::new(request.initial_cidr());
    let error = RwSignal::new(None::<String>);
    // Where the focus was, to give it back.
    let opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage> =
        StoredValue::new_local(focused_element());
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
            if let Some(field) = name_field.get() {
                let _ = field.focus();
            }
        }
    });
    let close = move || {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
        on_done.run(());
        leptos::task::spawn_local(give_focus_back(opener.get_value(), name.get_untracked()));
    };
    let for_saving = request.clone();
    let save = move || {
        let mut result = Ok(());
        state.decisions.update(|d| {
            result = for_saving.apply(d, &name.get_untracked(), &cidr.get_untracked());
        });
        match result {
            Ok(()) => close(),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let for_warning = request.clone();
    let warn = move || cidr.with(|c| for_warning.warning(c));
    let (title, label) = (request.title.clone(), request.title.clone());
    view! {
        <dialog
            class="fp-dialog"
            node_ref=dialog
            data-testid="alias-dialog"
            aria-label=label
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                close();
            }
        >
            <form
                class="fp-alias"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <h2 class="fp-dialog__title">{title}</h2>
                {request.explanation.clone().map(|text| view! { <p class="fp-dialog__text">{text}</p> })}
                {request.listed().map(|text| view! { <p class="fp-dialog__text" data-testid="alias-addresses">{text}</p> })}
                <AliasFields name=name cidr=cidr several=request.per_address name_field=name_field />
                {move || warn().map(|text| view! { <p class="fp-alias__warning" data-testid="alias-warning" role="status">{text}</p> })}
                <div class="fp-dialog__actions">
                    <button type="submit" class="fp-button fp-button--primary" data-testid="alias-save">"Save alias"</button>
                    <button type="button" class="fp-button" data-testid="alias-cancel" on:click=move |_| close()>"Cancel"</button>
                </div>
                {move || error.get().map(|e| view! { <p class="fp-alias__error" role="alert">{e}</p> })}
            </form>
        </dialog>
    }
}

/// The dialog of the pending request, if any (one for the whole page).
#[component]
pub fn PendingAliasDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.mapping.get().map(|request| {
            view! { <AliasDialog request=request on_done=Callback::new(move |()| state.mapping.set(None)) /> }
        })
    }
}
