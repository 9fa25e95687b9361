//! Mapping addresses to an alias, in a dialog opened where the address is (its row in the
//! table, the unresolved list, a selection of several, "from anywhere", or an alias to edit):
//! the name field takes the focus, prefilled with the address's DNS name when one is known; a
//! CIDR that does not hold the address it was opened for is warned about; on closing, the
//! focus goes back where it was. An alias applies wherever its addresses appear and makes
//! their rows includable, as an `ipBlock`.

use leptos::html::{Dialog, Input};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::decisions::{alias_name_from, cidr_warning, host_cidr};
use crate::ui::state::{AppState, MapRequest};

/// The dialog of `request`; `on_done` closes it.
#[component]
pub fn AliasDialog(request: MapRequest, on_done: Callback<()>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog: NodeRef<Dialog> = NodeRef::new();
    let name_field: NodeRef<Input> = NodeRef::new();
    let several = request.per_address;
    let name = RwSignal::new(
        request
            .name
            .clone()
            .unwrap_or_else(|| alias_name_from(&request.names)),
    );
    let cidr = RwSignal::new(request.cidr.clone().unwrap_or_else(|| {
        request
            .addresses
            .first()
            .map(|ip| host_cidr(ip))
            .unwrap_or_default()
    }));
    let error = RwSignal::new(None::<String>);
    // Where the focus was, to give it back.
    let opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage> = StoredValue::new_local(
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into().ok()),
    );
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
    // Closing gives the focus back where it was, once the rows are redrawn; when that is
    // gone (the row's "Map IP…" left with the alias), to the toggle of the row now named
    // after the alias.
    let close = move || {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
        on_done.run(());
        let opener = opener.get_value();
        let alias = name.get_untracked().replace('"', "\\\"");
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            if let Some(element) = opener.filter(|e| e.is_connected()) {
                let _ = element.focus();
                return;
            }
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
        });
    };
    let addresses = request.addresses.clone();
    let replacing = request.replacing;
    let save = move || {
        let name = name.get_untracked();
        let mut result = Ok(());
        state.decisions.update(|d| {
            if let Some(old) = replacing {
                d.remove_alias(&old);
            }
            if several {
                // One alias per address, all under one name.
                for ip in &addresses {
                    if let Err(e) = d.add_alias(&name, &host_cidr(ip)) {
                        result = Err(e);
                    }
                }
            } else {
                result = d.add_alias(&name, &cidr.get_untracked());
            }
        });
        match result {
            Ok(()) => close(),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let for_addresses = request.addresses.clone();
    let warn = move || {
        cidr.with(|c| cidr_warning(c, &for_addresses))
            .filter(|_| !several)
    };
    let title = request.title.clone();
    let label = title.clone();
    let listed = several.then(|| request.addresses.join(", "));
    let explanation = request.explanation.clone();
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
                {explanation.map(|text| view! { <p class="fp-dialog__text">{text}</p> })}
                {listed.map(|text| view! { <p class="fp-dialog__text" data-testid="alias-addresses">{text}</p> })}
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
