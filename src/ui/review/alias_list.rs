//! The aliases of the review: name, CIDR, how many of the data's addresses each covers, with
//! Edit and Delete.

use leptos::prelude::*;

use crate::engine::review::map_request::MapRequest;
use crate::engine::review::unresolved_list::{alias_coverage, AliasCoverage};
use crate::engine::units::thousands;
use crate::ui::state::AppState;

/// One alias, with Edit and Delete.
fn alias_row(state: AppState, alias: AliasCoverage) -> impl IntoView {
    let AliasCoverage {
        name,
        cidr,
        covered,
    } = alias;
    let edit = MapRequest::edit(&name, cidr);
    view! {
        <tr data-testid="alias-row" data-alias=name.clone()>
            <td>{name.clone()}</td>
            <td class="fp-comms__mono">{cidr.to_string()}</td>
            <td class="fp-comms__count">{thousands(covered as u64)}</td>
            <td>
                <button type="button" class="fp-button fp-button--small" data-testid="alias-edit"
                    on:click=move |_| state.mapping.set(Some(edit.clone()))>"Edit"</button>
                <button type="button" class="fp-button fp-button--small" data-testid="alias-delete"
                    on:click=move |_| state.decisions.update(|d| d.remove_alias(&cidr))>"Delete"</button>
            </td>
        </tr>
    }
}

/// The aliases, when there are any.
#[component]
pub fn AliasList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = move || {
        let result = state.result.get();
        state
            .decisions
            .with(|d| alias_coverage(result.as_ref().map(|r| &r.dataset), d))
            .into_iter()
            .map(|alias| alias_row(state, alias))
            .collect_view()
    };
    view! {
        {move || state.decisions.with(|d| !d.aliases.is_empty()).then(|| view! {
            <div class="fp-aliases" data-testid="alias-list">
                <h3 class="fp-unresolved__subtitle">"Aliases"</h3>
                <table class="fp-comms">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"CIDR"</th>
                            <th scope="col">"Addresses covered"</th>
                            <th scope="col"><span class="fp-visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
    }
}
