//! The form that maps an unresolved address (or a range) to an alias: the alias applies
//! wherever the address appears and makes its rows includable, as an `ipBlock`.

use leptos::prelude::*;

use crate::ui::state::AppState;

/// The form that maps an IP to an alias.
#[component]
pub fn AliasForm(ip: String, on_done: Callback<()>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let cidr = RwSignal::new(format!("{ip}/{}", if ip.contains(':') { 128 } else { 32 }));
    let error = RwSignal::new(None::<String>);
    let save = move || {
        let mut result = Ok(());
        state
            .decisions
            .update(|d| result = d.add_alias(&name.get_untracked(), &cidr.get_untracked()));
        match result {
            Ok(()) => on_done.run(()),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <form
            class="fp-alias"
            aria-label=format!("Map {ip} to an alias")
            on:submit=move |ev| {
                ev.prevent_default();
                save();
            }
        >
            <label>
                <span class="fp-scope__label">"Alias name"</span>
                <input
                    type="text"
                    data-testid="alias-name"
                    required=true
                    placeholder="e.g. payments-api"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label>
                <span class="fp-scope__label">"CIDR"</span>
                <input
                    type="text"
                    data-testid="alias-cidr"
                    prop:value=move || cidr.get()
                    on:input=move |ev| cidr.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" class="fp-button fp-button--primary" data-testid="alias-save">"Save alias"</button>
            <button type="button" class="fp-button" on:click=move |_| on_done.run(())>"Cancel"</button>
            {move || error.get().map(|e| view! { <p class="fp-alias__error" role="alert">{e}</p> })}
        </form>
    }
}
