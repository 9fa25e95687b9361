//! The DNS names the review allows (egress to every address seen with one, on the ports
//! used): each with how many of the data's addresses it matches and a Delete, and a field to
//! add a name or a `*` pattern. Only a CiliumNetworkPolicy can say it (`toFQDNs`); the list
//! says so.

use leptos::prelude::*;

use crate::engine::decisions::{name_matches, parse_allowed_name};
use crate::engine::units::thousands;
use crate::ui::state::AppState;

/// The allowed names, shown once the data has an address seen with a DNS name.
#[component]
pub fn AllowedNames() -> impl IntoView {
    let state = expect_context::<AppState>();
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let named = Memo::new(move |_| {
        state.result.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.dataset.addresses.iter().any(|a| !a.names.is_empty()))
        })
    });
    let add = move || match parse_allowed_name(&draft.get_untracked()) {
        Ok(name) => {
            state.decisions.update(|d| {
                d.allowed_names.insert(name);
            });
            draft.set(String::new());
            error.set(None);
        }
        Err(message) => error.set(Some(message)),
    };
    let rows = move || {
        let result = state.result.get();
        state.decisions.with(|d| {
            d.allowed_names
                .iter()
                .map(|allowed| {
                    let matched = result.as_ref().map_or(0, |r| {
                        r.dataset
                            .addresses
                            .iter()
                            .filter(|a| a.names.iter().any(|n| name_matches(allowed, n)))
                            .count()
                    });
                    let name = allowed.clone();
                    view! {
                        <tr data-testid="allowed-name-row" data-name=allowed.clone()>
                            <td class="fp-comms__mono">{allowed.clone()}</td>
                            <td class="fp-comms__count">{thousands(matched as u64)}</td>
                            <td>
                                <button type="button" class="fp-button fp-button--small" data-testid="allowed-name-delete"
                                    on:click=move |_| state.decisions.update(|d| { d.allowed_names.remove(&name); })>"Delete"</button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        {move || named.get().then(|| view! {
            <div class="fp-aliases" data-testid="allowed-names">
                <h3 class="fp-unresolved__subtitle">"Allowed by name"</h3>
                <p class="fp-review__explain">
                    "Egress to every address seen with one of these DNS names, on the ports used. "
                    "Only a CiliumNetworkPolicy can say it (toFQDNs, with a DNS rule through Cilium's proxy); "
                    "a NetworkPolicy needs an alias for the addresses."
                </p>
                {move || state.decisions.with(|d| !d.allowed_names.is_empty()).then(|| view! {
                    <table class="fp-comms">
                        <thead>
                            <tr>
                                <th scope="col">"Name or pattern"</th>
                                <th scope="col">"Addresses seen with it"</th>
                                <th scope="col"><span class="fp-visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                })}
                <form class="fp-alias" on:submit=move |ev| { ev.prevent_default(); add(); }>
                    <label class="fp-scope__label" for="allowed-name-input">"Allow a name"</label>
                    <input id="allowed-name-input" type="text" data-testid="allowed-name-input"
                        placeholder="api.example.com or *.example.com"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        aria-invalid=move || error.with(Option::is_some).to_string() />
                    <button type="submit" class="fp-button fp-button--small" data-testid="allowed-name-add">"Allow"</button>
                    {move || error.get().map(|e| view! { <p class="fp-policy__error" role="alert">{e}</p> })}
                </form>
            </div>
        })}
    }
}
