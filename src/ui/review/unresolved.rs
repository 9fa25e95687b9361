//! The unresolved addresses of one direction: IP, class (Internal, External, Aliased,
//! Unknown), alias, DNS names, ports and connections, filtered by class, each with "Map IP"
//! (or "Remove alias"); several selected and mapped at once, or every address as "anywhere";
//! the aliases with what each covers; the cluster ranges below. Mapping opens the alias
//! dialog (`alias_form`).

use leptos::prelude::*;

use super::cluster_ranges::ClusterRanges;
use super::table::{rows_in_view, ROW_HEIGHT};

/// From how many addresses the list starts grouped by /24.
const GROUP_FROM: usize = 200;
use crate::engine::model::Direction;
use crate::engine::review::{
    group_addresses, unresolved_addresses, AddressGroup, AddressGrouping, ReviewClass, ReviewRow,
    UnresolvedAddress,
};
use crate::engine::units::thousands;
use crate::ui::state::{AppState, MapRequest};

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

/// The request to map one address.
fn map_one(address: &UnresolvedAddress) -> MapRequest {
    MapRequest {
        title: format!("Map {} to an alias", address.ip),
        explanation: None,
        addresses: vec![address.ip.clone()],
        per_address: false,
        names: address.names.clone(),
        name: None,
        cidr: None,
        replacing: None,
    }
}

/// One address, with its action: map it to an alias, or remove its alias; and its checkbox
/// for mapping several at once.
#[component]
fn AddressRow(address: UnresolvedAddress, selected: RwSignal<Vec<String>>) -> impl IntoView {
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
        view! { <button type="button" class="fp-button fp-button--small" on:click=remove>"Remove alias"</button> }
            .into_any()
    } else {
        let request = map_one(&address);
        let map = move |_| state.mapping.set(Some(request.clone()));
        view! { <button type="button" class="fp-button fp-button--small" data-testid="map-ip-button" on:click=map>"Map IP"</button> }
            .into_any()
    };
    let mappable = address.alias.is_none();
    let this = address.ip.clone();
    let here = address.ip.clone();
    view! {
        <tr data-testid="unresolved-row" data-ip=address.ip.clone() data-class=address.class.key()>
            <td class="fp-comms__toggle">
                {mappable.then(|| view! {
                    <input
                        type="checkbox"
                        data-testid="unresolved-select"
                        aria-label=format!("Select {}", address.ip)
                        prop:checked=move || selected.with(|s| s.contains(&here))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|x| x != &this);
                                if on {
                                    s.push(this.clone());
                                }
                            });
                        }
                    />
                })}
            </td>
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

/// A group of addresses, with "Map group…".
#[component]
fn GroupRow(group: AddressGroup) -> impl IntoView {
    let state = expect_context::<AppState>();
    let count = group.addresses.len();
    let unmapped = count - group.aliased;
    let request = MapRequest {
        title: format!("Map {} ({count} addresses) to an alias", group.label),
        explanation: group
            .cidr
            .is_none()
            .then(|| "Each address gets an alias of its own under this one name.".to_string()),
        per_address: group.cidr.is_none(),
        addresses: group.addresses.clone(),
        names: group.names.clone(),
        name: None,
        cidr: group.cidr.clone(),
        replacing: None,
    };
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

/// The aliases of the review: name, CIDR, how many of the data's addresses each covers, with
/// Edit and Delete.
#[component]
fn AliasList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = move || {
        let result = state.result.get();
        state.decisions.with(|d| {
            d.aliases
                .iter()
                .map(|alias| {
                    let covered = result.as_ref().map_or(0, |r| {
                        r.dataset
                            .addresses
                            .iter()
                            .filter(|a| d.alias_of(a.ip).is_some_and(|x| x.cidr == alias.cidr))
                            .count()
                    });
                    let (name, cidr) = (alias.name.clone(), alias.cidr);
                    let edit = MapRequest {
                        title: format!("Edit the alias {name}"),
                        explanation: None,
                        addresses: Vec::new(),
                        per_address: false,
                        names: Vec::new(),
                        name: Some(name.clone()),
                        cidr: Some(cidr.to_string()),
                        replacing: Some(cidr),
                    };
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
                })
                .collect_view()
        })
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

/// The unresolved addresses among `rows`.
#[component]
pub fn UnresolvedList(rows: Memo<Vec<ReviewRow>>, direction: Direction) -> impl IntoView {
    let state = expect_context::<AppState>();
    let shown_classes = RwSignal::new(ReviewClass::ALL.to_vec());
    let selected: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let addresses = Memo::new(move |_| {
        rows.with(|rows| state.decisions.with(|d| unresolved_addresses(rows, d)))
    });
    // One by one up to a few hundred addresses, else by /24 unless the user chose.
    let chosen_grouping: RwSignal<Option<AddressGrouping>> = RwSignal::new(None);
    let grouping = Memo::new(move |_| {
        chosen_grouping.get().unwrap_or_else(|| {
            if addresses.with(Vec::len) > GROUP_FROM {
                AddressGrouping::Narrow
            } else {
                AddressGrouping::Each
            }
        })
    });
    let shown_addresses = Memo::new(move |_| {
        let shown = shown_classes.get();
        addresses.with(|all| {
            all.iter()
                .filter(|a| shown.contains(&a.class))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let groups = Memo::new(move |_| {
        let grouping = grouping.get();
        (grouping != AddressGrouping::Each)
            .then(|| shown_addresses.with(|all| group_addresses(all, grouping)))
    });
    let total = Memo::new(move |_| match groups.get() {
        Some(groups) => groups.len(),
        None => shown_addresses.with(Vec::len),
    });
    let viewport = NodeRef::<leptos::html::Div>::new();
    let scroll = RwSignal::new((0.0_f64, 600.0_f64));
    let window = Memo::new(move |_| rows_in_view(total.get(), scroll.get()));
    let body = move || {
        let (start, end) = window.get();
        match groups.get() {
            Some(groups) => groups[start.min(groups.len())..end.min(groups.len())]
                .iter()
                .cloned()
                .map(|group| view! { <GroupRow group=group /> })
                .collect_view()
                .into_any(),
            None => shown_addresses.with(|all| {
                all[start.min(all.len())..end.min(all.len())]
                    .iter()
                    .cloned()
                    .map(|address| view! { <AddressRow address=address selected=selected /> })
                    .collect_view()
                    .into_any()
            }),
        }
    };
    let spacer = move |rows: usize| format!("{}px", rows as f64 * ROW_HEIGHT);
    let on_grouping = move |ev: leptos::ev::Event| {
        chosen_grouping.set(AddressGrouping::from_key(&event_target_value(&ev)));
        scroll.set((0.0, 600.0));
        if let Some(element) = viewport.get_untracked() {
            element.set_scroll_top(0);
        }
    };
    let map_selected = move |_| {
        let chosen = selected.get_untracked();
        if chosen.is_empty() {
            return;
        }
        let names: Vec<String> = addresses.with_untracked(|all| {
            all.iter()
                .filter(|a| chosen.contains(&a.ip))
                .flat_map(|a| a.names.iter().cloned())
                .collect()
        });
        selected.set(Vec::new());
        state.mapping.set(Some(MapRequest {
            title: format!("Map {} addresses to one alias", chosen.len()),
            explanation: Some(
                "Each address gets an alias of its own under this one name: their rows become \
                 includable together."
                    .into(),
            ),
            addresses: chosen,
            per_address: true,
            names,
            name: None,
            cidr: None,
            replacing: None,
        }));
    };
    let from_anywhere = move |_| {
        state.mapping.set(Some(MapRequest {
            title: "Allow from anywhere".into(),
            explanation: Some(
                "An alias of 0.0.0.0/0: every address outside the cluster's pod and Service \
                 ranges (which are left out of it). Include the rows of a public service with it: \
                 anyone on the internet may then connect on the ports observed, and only on those."
                    .into(),
            ),
            addresses: Vec::new(),
            per_address: false,
            names: Vec::new(),
            name: Some("anywhere".into()),
            cidr: Some("0.0.0.0/0".into()),
            replacing: None,
        }));
    };
    view! {
        {move || (!addresses.with(Vec::is_empty)).then(|| view! {
            <section class="fp-unresolved" aria-label=format!("Unresolved IPs ({})", direction.key())>
                <h2 class="fp-unresolved__title">"Unresolved IPs"</h2>
                <p class="fp-review__explain">"Addresses no Kubernetes object explains. They are excluded until mapped to an alias, whose CIDR becomes an ipBlock."</p>
                <ClassFilters shown=shown_classes />
                {move || addresses.with(|all| all.iter().any(|a| a.class == ReviewClass::Node)).then(|| view! { <NodeNote /> })}
                <div class="fp-unresolved__actions">
                    <button
                        type="button"
                        class="fp-button"
                        data-testid="map-selected"
                        disabled=move || selected.with(Vec::is_empty)
                        on:click=map_selected
                    >
                        {move || match selected.with(Vec::len) {
                            0 => "Map selected…".to_string(),
                            n => format!("Map {n} selected…"),
                        }}
                    </button>
                    {(direction == Direction::Ingress).then(|| view! {
                        <button type="button" class="fp-button" data-testid="map-anywhere" on:click=from_anywhere>
                            "Allow from anywhere…"
                        </button>
                    })}
                </div>
                <label class="fp-unresolved__group">
                    <span class="fp-scope__label">"Group by"</span>
                    <select data-testid="ip-group-by" prop:value=move || grouping.get().key() on:change=on_grouping>
                        {AddressGrouping::ALL.iter().map(|g| view! {
                            <option value=g.key() prop:selected=move || grouping.get() == *g>{g.label()}</option>
                        }).collect_view()}
                    </select>
                    <span class="fp-review__counts" data-testid="unresolved-counts">
                        {move || format!(
                            "{} addresses{}",
                            thousands(shown_addresses.with(Vec::len) as u64),
                            groups.with(|g| g.as_ref().map(|g| format!(" in {} groups", thousands(g.len() as u64))).unwrap_or_default())
                        )}
                    </span>
                </label>
                <div
                    class="fp-comms__viewport fp-unresolved__viewport"
                    node_ref=viewport
                    on:scroll=move |_| {
                        if let Some(element) = viewport.get_untracked() {
                            scroll.set((element.scroll_top().max(0) as f64, element.client_height() as f64));
                        }
                    }
                >
                    <table class="fp-comms">
                        <thead>
                            {move || if groups.with(Option::is_some) {
                                view! {
                                    <tr>
                                        <th scope="col"><span class="fp-visually-hidden">"Select"</span></th>
                                        <th scope="col">"Group"</th>
                                        <th scope="col">"Addresses"</th>
                                        <th scope="col">"Aliases"</th>
                                        <th scope="col">"DNS names"</th>
                                        <th scope="col">"Ports"</th>
                                        <th scope="col">"Connections"</th>
                                        <th scope="col">"Included"</th>
                                        <th scope="col"><span class="fp-visually-hidden">"Action"</span></th>
                                    </tr>
                                }.into_any()
                            } else {
                                view! {
                                    <tr>
                                        <th scope="col"><span class="fp-visually-hidden">"Select"</span></th>
                                        <th scope="col">"IP"</th>
                                        <th scope="col">"Class"</th>
                                        <th scope="col">"Alias"</th>
                                        <th scope="col">"DNS names"</th>
                                        <th scope="col">"Ports"</th>
                                        <th scope="col">"Connections"</th>
                                        <th scope="col">"Included"</th>
                                        <th scope="col"><span class="fp-visually-hidden">"Action"</span></th>
                                    </tr>
                                }.into_any()
                            }}
                        </thead>
                        <tbody>
                            <tr aria-hidden="true" class="fp-comms__spacer">
                                <td colspan="9" style:height=move || spacer(window.get().0)></td>
                            </tr>
                            {body}
                            <tr aria-hidden="true" class="fp-comms__spacer">
                                <td colspan="9" style:height=move || spacer(total.get().saturating_sub(window.get().1))></td>
                            </tr>
                        </tbody>
                    </table>
                </div>
                <AliasList />
                <super::allowed_names::AllowedNames />
                <ClusterRanges />
            </section>
        })}
    }
}
