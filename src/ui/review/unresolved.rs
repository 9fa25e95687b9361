//! The unresolved addresses of one direction: IP, class (Internal, External, Aliased,
//! Unknown), alias, DNS names, ports and connections, filtered by class, each with "Map IP"
//! (or "Remove alias"); several selected and mapped at once, or every address as "anywhere";
//! the aliases with what each covers; the cluster ranges below. Mapping opens the alias
//! dialog (`alias_form`). The rows are drawn by `address_rows`, the aliases by `alias_list`;
//! what the list decides (grouping, classes shown, counts) is `engine::review::unresolved_list`.

use std::net::IpAddr;

use leptos::prelude::*;

use super::address_rows::{address_header, AddressRow, GroupRow};
use super::alias_list::AliasList;
use super::allowed_names::AllowedNames;
use super::cluster_ranges::ClusterRanges;
use super::table::{rows_in_view, ROW_HEIGHT};
use crate::engine::model::Direction;
use crate::engine::review::map_request::MapRequest;
use crate::engine::review::unresolved_list::{
    grouping_of, map_selected_label, of_classes, unresolved_counts,
};
use crate::engine::review::{
    group_addresses, unresolved_addresses, AddressGroup, AddressGrouping, ReviewClass, ReviewRow,
    UnresolvedAddress,
};
use crate::ui::state::{AppState, Reveal};

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

/// "Map selected…" (several addresses to one name) and, on ingress, "Allow from anywhere…".
#[component]
fn UnresolvedActions(
    addresses: Memo<Vec<UnresolvedAddress>>,
    selected: RwSignal<Vec<IpAddr>>,
    direction: Direction,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let map_selected = move |_| {
        let chosen = selected.get_untracked();
        if chosen.is_empty() {
            return;
        }
        let request = addresses.with_untracked(|all| MapRequest::several(chosen, all));
        selected.set(Vec::new());
        state.mapping.set(Some(request));
    };
    let from_anywhere = move |_| state.mapping.set(Some(MapRequest::from_anywhere()));
    view! {
        <div class="fp-unresolved__actions">
            <button
                type="button"
                class="fp-button"
                data-testid="map-selected"
                disabled=move || selected.with(Vec::is_empty)
                on:click=map_selected
            >
                {move || map_selected_label(selected.with(Vec::len))}
            </button>
            {(direction == Direction::Ingress).then(|| view! {
                <button type="button" class="fp-button" data-testid="map-anywhere" on:click=from_anywhere>
                    "Allow from anywhere…"
                </button>
            })}
        </div>
    }
}

/// The grouping select, and how many addresses (in how many groups) are listed; `on_change`
/// follows a new choice.
#[component]
fn GroupingField(
    grouping: Memo<AddressGrouping>,
    shown: Memo<Vec<UnresolvedAddress>>,
    groups: Memo<Option<Vec<AddressGroup>>>,
    on_change: Callback<Option<AddressGrouping>>,
) -> impl IntoView {
    view! {
        <label class="fp-unresolved__group">
            <span class="fp-scope__label">"Group by"</span>
            <select
                data-testid="ip-group-by"
                prop:value=move || grouping.get().key()
                on:change=move |ev| on_change.run(AddressGrouping::from_key(&event_target_value(&ev)))
            >
                {AddressGrouping::ALL.iter().map(|g| view! {
                    <option value=g.key() prop:selected=move || grouping.get() == *g>{g.label()}</option>
                }).collect_view()}
            </select>
            <span class="fp-review__counts" data-testid="unresolved-counts">
                {move || unresolved_counts(shown.with(Vec::len), groups.with(|g| g.as_ref().map(Vec::len)))}
            </span>
        </label>
    }
}

/// The addresses or groups in view of a scrolled list, between two spacers.
#[component]
fn AddressTable(
    shown: Memo<Vec<UnresolvedAddress>>,
    groups: Memo<Option<Vec<AddressGroup>>>,
    selected: RwSignal<Vec<IpAddr>>,
    viewport: NodeRef<leptos::html::Div>,
    scroll: RwSignal<(f64, f64)>,
) -> impl IntoView {
    let total = Memo::new(move |_| match groups.get() {
        Some(groups) => groups.len(),
        None => shown.with(Vec::len),
    });
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
            None => shown.with(|all| {
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
    view! {
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
                <thead>{move || address_header(groups.with(Option::is_some))}</thead>
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
    }
}

/// The unresolved addresses among `rows`.
#[component]
pub fn UnresolvedList(rows: Memo<Vec<ReviewRow>>, direction: Direction) -> impl IntoView {
    let state = expect_context::<AppState>();
    let shown_classes = RwSignal::new(ReviewClass::ALL.to_vec());
    let selected: RwSignal<Vec<IpAddr>> = RwSignal::new(Vec::new());
    // A large new load's unresolved addresses come with its table (see `Reveal`).
    let ready = state.revealed(Reveal::Everything);
    let addresses = Memo::new(move |_| {
        if !ready.get() {
            return Vec::new();
        }
        rows.with(|rows| state.decisions.with(|d| unresolved_addresses(rows, d)))
    });
    // One by one up to a few hundred addresses, else by /24 unless the user chose.
    let chosen_grouping: RwSignal<Option<AddressGrouping>> = RwSignal::new(None);
    let grouping = Memo::new(move |_| grouping_of(chosen_grouping.get(), addresses.with(Vec::len)));
    let shown = Memo::new(move |_| {
        let classes = shown_classes.get();
        addresses.with(|all| of_classes(all, &classes))
    });
    let groups = Memo::new(move |_| {
        let grouping = grouping.get();
        (grouping != AddressGrouping::Each)
            .then(|| shown.with(|all| group_addresses(all, grouping)))
    });
    let viewport = NodeRef::<leptos::html::Div>::new();
    let scroll = RwSignal::new((0.0_f64, 600.0_f64));
    let on_grouping = Callback::new(move |chosen: Option<AddressGrouping>| {
        chosen_grouping.set(chosen);
        scroll.set((0.0, 600.0));
        if let Some(element) = viewport.get_untracked() {
            element.set_scroll_top(0);
        }
    });
    let has_nodes = move || addresses.with(|all| all.iter().any(|a| a.class == ReviewClass::Node));
    view! {
        {move || (!addresses.with(Vec::is_empty)).then(|| view! {
            <section class="fp-unresolved" aria-label=format!("Unresolved IPs ({})", direction.key())>
                <h2 class="fp-unresolved__title">"Unresolved IPs"</h2>
                <p class="fp-review__explain">"Addresses no Kubernetes object explains. They are excluded until mapped to an alias, whose CIDR becomes an ipBlock."</p>
                <ClassFilters shown=shown_classes />
                {move || has_nodes().then(|| view! { <NodeNote /> })}
                <UnresolvedActions addresses=addresses selected=selected direction=direction />
                <GroupingField grouping=grouping shown=shown groups=groups on_change=on_grouping />
                <AddressTable shown=shown groups=groups selected=selected viewport=viewport scroll=scroll />
                <AliasList />
                <AllowedNames />
                <ClusterRanges />
            </section>
        })}
    }
}
