//! The unresolved addresses of one direction: IP, class (Internal, External, Aliased,
//! Unknown), alias, DNS names, ports and connections, filtered by class, each with "Map IP"
//! (or "Remove alias"); the alias form and the cluster ranges below.

use leptos::prelude::*;

use super::alias_form::AliasForm;
use super::cluster_ranges::ClusterRanges;
use crate::engine::model::Direction;
use crate::engine::review::{unresolved_addresses, ReviewClass, ReviewRow, UnresolvedAddress};
use crate::engine::units::thousands;
use crate::ui::state::AppState;

/// The checkboxes that show or hide each class.
#[component]
fn ClassFilters(shown: RwSignal<Vec<ReviewClass>>) -> impl IntoView {
    let filters = ReviewClass::ALL
        .iter()
        .map(|&class| {
            let on_change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                shown.update(|c| {
                    c.retain(|&x| x != class);
                    if on {
                        c.push(class);
                    }
                });
            };
            view! {
                <label class="fp-unresolved__filter">
                    <input
                        type="checkbox"
                        data-testid=format!("ip-filter-{}", class.key())
                        prop:checked=move || shown.with(|c| c.contains(&class))
                        on:change=on_change
                    />
                    {format!(" {}", class.label())}
                </label>
            }
        })
        .collect_view();
    view! { <div class="fp-unresolved__filters" role="group" aria-label="Classes shown">{filters}</div> }
}

/// What node addresses mean for a policy, and "Map all nodes".
#[component]
fn NodeNote() -> impl IntoView {
    let state = expect_context::<AppState>();
    let map_all = move |_| {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        state.decisions.update(|d| {
            d.map_nodes(&result.dataset);
        });
    };
    view! {
        <div class="fp-unresolved__nodes" data-testid="node-note">
            <p>
                "Node addresses: kubelet probes and host-network pods come from the nodes. Most CNIs "
                "let a pod's own node reach it whatever the policy says; to allow the other nodes, "
                "map their addresses to aliases."
            </p>
            <button type="button" class="fp-button" data-testid="map-all-nodes" on:click=map_all>
                "Map all nodes"
            </button>
        </div>
    }
}

/// One address, with its action: map it to an alias, or remove its alias.
#[component]
fn AddressRow(address: UnresolvedAddress, mapping: RwSignal<Option<String>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let ip = address.ip.clone();
    let action = if address.alias.is_some() {
        let remove = move |_| {
            state.decisions.update(|d| {
                if let Some(cidr) = d.alias_of(&ip).map(|a| a.cidr) {
                    d.remove_alias(&cidr);
                }
            });
        };
        view! { <button type="button" class="fp-button" on:click=remove>"Remove alias"</button> }
            .into_any()
    } else {
        let map = move |_| mapping.set(Some(ip.clone()));
        view! { <button type="button" class="fp-button" data-testid="map-ip-button" on:click=map>"Map IP"</button> }
            .into_any()
    };
    view! {
        <tr data-testid="unresolved-row" data-ip=address.ip.clone() data-class=address.class.key()>
            <td class="fp-comms__peer">{address.ip.clone()}</td>
            <td>{match &address.node {
                Some(node) => format!("{} {node}", address.class.label()),
                None => address.class.label().to_string(),
            }}</td>
            <td>{address.alias.clone().unwrap_or_default()}</td>
            <td>{address.names.join(", ")}</td>
            <td>{address.ports.join(", ")}</td>
            <td class="fp-comms__count">{thousands(address.connections)}</td>
            <td>{format!("{} of {}", address.included, address.rows)}</td>
            <td>{action}</td>
        </tr>
    }
}

/// The unresolved addresses among `rows`.
#[component]
pub fn UnresolvedList(rows: Memo<Vec<ReviewRow>>, direction: Direction) -> impl IntoView {
    let state = expect_context::<AppState>();
    let shown_classes = RwSignal::new(ReviewClass::ALL.to_vec());
    let mapping = RwSignal::new(None::<String>);
    let addresses = Memo::new(move |_| {
        rows.with(|rows| state.decisions.with(|d| unresolved_addresses(rows, d)))
    });
    let body = move || {
        let shown = shown_classes.get();
        addresses
            .get()
            .into_iter()
            .filter(|a| shown.contains(&a.class))
            .map(|address| view! { <AddressRow address=address mapping=mapping /> })
            .collect_view()
    };
    view! {
        {move || (!addresses.with(Vec::is_empty)).then(|| view! {
            <section class="fp-unresolved" aria-label=format!("Unresolved IPs ({})", direction.key())>
                <h3 class="fp-unresolved__title">"Unresolved IPs"</h3>
                <p class="fp-review__explain">"Addresses no Kubernetes object explains. They are excluded until mapped to an alias, whose CIDR becomes an ipBlock."</p>
                <ClassFilters shown=shown_classes />
                {move || addresses.with(|all| all.iter().any(|a| a.class == ReviewClass::Node)).then(|| view! { <NodeNote /> })}
                {move || mapping.get().map(|ip| view! { <AliasForm ip=ip on_done=Callback::new(move |()| mapping.set(None)) /> })}
                <table class="fp-comms">
                    <thead>
                        <tr>
                            <th scope="col">"IP"</th>
                            <th scope="col">"Class"</th>
                            <th scope="col">"Alias"</th>
                            <th scope="col">"DNS names"</th>
                            <th scope="col">"Ports"</th>
                            <th scope="col">"Connections"</th>
                            <th scope="col">"Included"</th>
                            <th scope="col"><span class="fp-visually-hidden">"Action"</span></th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
                <ClusterRanges />
            </section>
        })}
    }
}
