//! The unresolved addresses of one direction: IP, class (Internal, External, Aliased,
//! Unknown), alias, DNS names, ports and connections, filtered by class; "Map IP" names an
//! address or range (the alias applies wherever it appears and makes its rows includable);
//! cluster ranges entered here reclassify Unknown addresses.

use leptos::prelude::*;

use crate::engine::decisions::{parse_cidr, Direction};
use crate::engine::review::{unresolved_addresses, ReviewClass, ReviewRow};
use crate::engine::units::thousands;

use super::communications::direction_key;
use super::state::AppState;

/// The form that maps an IP to an alias.
#[component]
fn AliasForm(ip: String, on_done: Callback<()>) -> impl IntoView {
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

/// The cluster ranges the user enters when the inventory does not give them.
#[component]
fn ClusterRanges() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The field shows the decisions' ranges, and follows them when they change (an import).
    let ranges = Memo::new(move |_| state.decisions.with(|d| d.cluster_ranges.clone()));
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        text.set(ranges.with(|r| {
            r.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }));
    });
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let parsed: Result<Vec<_>, _> = text
            .get_untracked()
            .split([',', ' ', '\n'])
            .filter(|s| !s.trim().is_empty())
            .map(parse_cidr)
            .collect();
        match parsed {
            Ok(ranges) => {
                error.set(None);
                state.decisions.update(|d| d.cluster_ranges = ranges);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <div class="fp-ranges">
            <label>
                <span class="fp-scope__label">"Cluster ranges (pod and Service CIDRs, when the inventory does not give them)"</span>
                <input
                    type="text"
                    data-testid="cluster-ranges"
                    placeholder="10.244.0.0/16, 10.96.0.0/12"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <button type="button" class="fp-button" data-testid="cluster-ranges-apply" on:click=apply>"Apply"</button>
            {move || error.get().map(|e| view! { <p class="fp-alias__error" role="alert">{e}</p> })}
        </div>
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
    let filters = ReviewClass::ALL
        .iter()
        .map(|&class| {
            view! {
                <label class="fp-unresolved__filter">
                    <input
                        type="checkbox"
                        data-testid=format!("ip-filter-{}", class.key())
                        prop:checked=move || shown_classes.with(|c| c.contains(&class))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            shown_classes.update(|c| {
                                c.retain(|&x| x != class);
                                if on {
                                    c.push(class);
                                }
                            });
                        }
                    />
                    {format!(" {}", class.label())}
                </label>
            }
        })
        .collect_view();
    let body = move || {
        let shown = shown_classes.get();
        addresses
            .get()
            .into_iter()
            .filter(|a| shown.contains(&a.class))
            .map(|address| {
                let ip = address.ip.clone();
                let ip_for_map = ip.clone();
                let aliased = address.alias.is_some();
                let remove = {
                    let ip = ip.clone();
                    move |_| {
                        state.decisions.update(|d| {
                            if let Some(cidr) = d.alias_of(&ip).map(|a| a.cidr) {
                                d.remove_alias(&cidr);
                            }
                        });
                    }
                };
                view! {
                    <tr data-testid="unresolved-row" data-ip=ip.clone() data-class=address.class.key()>
                        <td class="fp-comms__peer">{ip.clone()}</td>
                        <td>{address.class.label()}</td>
                        <td>{address.alias.clone().unwrap_or_default()}</td>
                        <td>{address.names.join(", ")}</td>
                        <td>{address.ports.join(", ")}</td>
                        <td class="fp-comms__count">{thousands(address.connections)}</td>
                        <td>{format!("{} of {}", address.included, address.rows)}</td>
                        <td>
                            {if aliased {
                                view! { <button type="button" class="fp-button" on:click=remove>"Remove alias"</button> }.into_any()
                            } else {
                                view! {
                                    <button
                                        type="button"
                                        class="fp-button"
                                        data-testid="map-ip-button"
                                        on:click=move |_| mapping.set(Some(ip_for_map.clone()))
                                    >
                                        "Map IP"
                                    </button>
                                }
                                .into_any()
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        {move || (!addresses.with(Vec::is_empty)).then(|| view! {
            <section class="fp-unresolved" aria-label=format!("Unresolved IPs ({})", direction_key(direction))>
                <h3 class="fp-unresolved__title">"Unresolved IPs"</h3>
                <p class="fp-review__explain">"Addresses no Kubernetes object explains. They are excluded until mapped to an alias, whose CIDR becomes an ipBlock."</p>
                <div class="fp-unresolved__filters" role="group" aria-label="Classes shown">{filters.clone()}</div>
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
