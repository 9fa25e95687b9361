//! The rows of the unresolved list: one address with its action (map it to an alias, or remove
//! its alias) and its checkbox for mapping several at once; or one group of addresses with
//! "Map group…"; and the header of either list.

use std::net::IpAddr;

use leptos::prelude::*;

use crate::engine::review::map_request::MapRequest;
use crate::engine::review::wording::class_text;
use crate::engine::review::{AddressGroup, UnresolvedAddress};
use crate::engine::units::thousands;
use crate::ui::state::AppState;

/// The header of the list of addresses, or of groups.
pub fn address_header(grouped: bool) -> impl IntoView {
    let (first, second, third) = if grouped {
        ("Group", "Addresses", "Aliases")
    } else {
        ("IP", "Class", "Alias")
    };
    view! {
        <tr>
            <th scope="col"><span class="fp-visually-hidden">"Select"</span></th>
            <th scope="col">{first}</th>
            <th scope="col">{second}</th>
            <th scope="col">{third}</th>
            <th scope="col">"DNS names"</th>
            <th scope="col">"Ports"</th>
            <th scope="col">"Connections"</th>
            <th scope="col">"Included"</th>
            <th scope="col"><span class="fp-visually-hidden">"Action"</span></th>
        </tr>
    }
}

/// An address's action: "Remove alias" when it has one, else "Map IP".
fn address_action(address: &UnresolvedAddress) -> AnyView {
    let state = expect_context::<AppState>();
    if address.alias.is_some() {
        let ip = address.ip;
        let remove = move |_| {
            state.decisions.update(|d| {
                if let Some(cidr) = d.alias_of(ip).map(|a| a.cidr) {
                    d.remove_alias(&cidr);
                }
            });
        };
        view! { <button type="button" class="fp-button fp-button--small" on:click=remove>"Remove alias"</button> }
            .into_any()
    } else {
        let request = MapRequest::one(address.ip, &address.names);
        let map = move |_| state.mapping.set(Some(request.clone()));
        view! { <button type="button" class="fp-button fp-button--small" data-testid="map-ip-button" on:click=map>"Map IP"</button> }
            .into_any()
    }
}

/// The checkbox that selects an address without an alias for mapping several at once.
fn select_box(ip: IpAddr, selected: RwSignal<Vec<IpAddr>>) -> impl IntoView {
    view! {
        <input
            type="checkbox"
            data-testid="unresolved-select"
            aria-label=format!("Select {ip}")
            prop:checked=move || selected.with(|s| s.contains(&ip))
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                selected.update(|s| {
                    s.retain(|x| *x != ip);
                    if on {
                        s.push(ip);
                    }
                });
            }
        />
    }
}

/// One address, with its action: map it to an alias, or remove its alias; and its checkbox
/// for mapping several at once.
#[component]
pub fn AddressRow(address: UnresolvedAddress, selected: RwSignal<Vec<IpAddr>>) -> impl IntoView {
    let action = address_action(&address);
    let mappable = address.alias.is_none();
    view! {
        <tr data-testid="unresolved-row" data-ip=address.ip.to_string() data-class=address.class.key()>
            <td class="fp-comms__toggle">
                {mappable.then(|| select_box(address.ip, selected))}
            </td>
            <td class="fp-comms__peer">{address.ip.to_string()}</td>
            <td>{class_text(address.class, address.node.as_deref())}</td>
            <td>{address.alias.clone().unwrap_or_default()}</td>
            <td>{address.names.join(", ")}</td>
            <td>{address.ports.join(", ")}</td>
            <td class="fp-comms__count">{thousands(address.connections)}</td>
            <td>{format!("{} of {}", address.included, address.rows)}</td>
            <td>{action}</td>
        </tr>
    }
}

/// A group of addresses, with "Map group…".
#[component]
pub fn GroupRow(group: AddressGroup) -> impl IntoView {
    let state = expect_context::<AppState>();
    let count = group.addresses.len();
    let unmapped = count - group.aliased;
    let request = MapRequest::group(&group);
    let names: Vec<String> = group.names.iter().take(3).cloned().collect();
    view! {
        <tr data-testid="unresolved-group" data-group=group.label.clone()>
            <td></td>
            <td class="fp-comms__peer">{group.label.clone()}</td>
            <td class="fp-comms__count">{thousands(count as u64)}</td>
            <td>{format!("{} with an alias", thousands(group.aliased as u64))}</td>
            <td>{names.join(", ")}</td>
            <td>{group.ports.join(", ")}</td>
            <td class="fp-comms__count">{thousands(group.connections)}</td>
            <td>{format!("{} of {}", thousands(group.included as u64), thousands(group.rows as u64))}</td>
            <td>
                {(unmapped > 0).then(|| view! {
                    <button type="button" class="fp-button fp-button--small" data-testid="map-group"
                        on:click=move |_| state.mapping.set(Some(request.clone()))>"Map group…"</button>
                })}
            </td>
        </tr>
    }
}
