//! One row of the Ingress or Egress table: peer, port, protocol, connections in the time span,
//! first and last seen, DNS names, and its include toggle, its requests by pattern when an L7
//! proxy saw them; and, when the review includes it
//! but the generated policy denies it, a mark that says so and why. What changes with the
//! decisions is looked up by communication, so a decision updates rows in place (and keeps the
//! keyboard focus where it was).

use std::net::IpAddr;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::decisions::RowReason;
use crate::engine::model::CommunicationId;
use crate::engine::review::map_request::MapRequest;
use crate::engine::review::wording::{name_to_allow, row_detail};
use crate::engine::review::ReviewRow;
use crate::engine::units::{thousands, utc_time};
use crate::ui::state::AppState;

use super::requests::RequestPatterns;

/// What an already-open row's marker says on hover.
const ALREADY_OPEN_HINT: &str = "Already open when the capture began: packets of its \
     connections were seen, never their start (SYN). Long-lived connections (pools, streams) \
     look like this; the policy allows them like any other row.";

/// What of a row changes with the decisions: its toggle, whether it is allowed, its peer's
/// alias.
#[derive(Clone, PartialEq)]
pub struct RowState {
    peer_label: String,
    detail: String,
    row_included: bool,
    includable: bool,
    allowed: bool,
    /// What decides the row instead of its toggle: its badge and its sentence.
    reason: Option<(&'static str, &'static str)>,
    /// Whether it is an address that needs an alias (its row offers "Map IP…").
    needs_alias: bool,
    /// Whether its toggle decides it (no DNS option or general rule does).
    decides: bool,
}

impl RowState {
    pub fn of(row: &ReviewRow) -> RowState {
        RowState {
            peer_label: row.peer_label.clone(),
            detail: row_detail(row),
            row_included: row.row_included,
            includable: row.includable,
            allowed: row.allowed,
            reason: row.reason.map(|r| (r.badge(), r.text(row.allowed))),
            needs_alias: row.reason == Some(RowReason::NeedsAlias),
            decides: matches!(row.reason, None | Some(RowReason::ByName)),
        }
    }
}

/// The states of every row, by communication.
pub type RowStates = Memo<HashMap<CommunicationId, RowState>>;

/// The rows the generated policy denies, by communication, with why.
pub type DeniedRows = Memo<Arc<HashMap<CommunicationId, String>>>;

/// The mark's words (the reason follows, in its title and for screen readers).
const DENIED_MARK: &str = "✗ denied by the policy";

/// The row's include toggle: disabled when the row cannot be included or something else
/// decides it (then its title says what).
#[component]
fn IncludeToggle(row: ReviewRow, current: Memo<RowState>, label: Signal<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let communication = row.communication;
    let on_toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        state.decisions.update(|d| {
            d.set_included(
                &result.dataset,
                &result.dataset.communications[communication],
                on,
            );
        });
    };
    view! {
        <td class="fp-comms__toggle">
            <input
                type="checkbox"
                data-testid="include-toggle"
                aria-label=move || format!("Include {} {}/{}", label.get(), row.protocol, row.port)
                title=move || current.with(|c| c.reason.map_or("Include in the policy", |(_, text)| text))
                prop:checked=move || current.with(|c| c.allowed)
                disabled=move || current.with(|c| !c.includable || !c.decides)
                on:change=on_toggle
            />
        </td>
    }
}

/// What the row of peer address `ip`, when it needs an alias, offers: "Map IP…", and on egress with a DNS name seen, "Allow
/// by name".
#[component]
fn AliasActions(ip: IpAddr, row: ReviewRow, current: Memo<RowState>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let request = MapRequest::one(ip, &row.names);
    let by_name = name_to_allow(&row);
    let needs_alias = move || current.with(|c| c.needs_alias);
    view! {
        {move || needs_alias().then(|| {
            let request = request.clone();
            view! {
                <button
                    type="button"
                    class="fp-button fp-button--small"
                    data-testid="row-map-ip"
                    on:click=move |_| state.mapping.set(Some(request.clone()))
                >
                    "Map IP…"
                </button>
            }
        })}
        {move || by_name.clone().filter(|_| needs_alias()).map(|name| {
            view! {
                <button
                    type="button"
                    class="fp-button fp-button--small"
                    data-testid="row-allow-name"
                    title=format!("Allow every address seen as {name}, on the ports used (CiliumNetworkPolicy: toFQDNs)")
                    on:click=move |_| state.decisions.update(|d| {
                        d.allowed_names.insert(name.clone());
                    })
                >
                    "Allow by name"
                </button>
            }
        })}
    }
}

/// The peer's cell: the denied mark when the policy denies the included row, the peer, its
/// detail, what decides it, and what it offers when it needs an alias.
#[component]
fn PeerCell(
    row: ReviewRow,
    current: Memo<RowState>,
    denial: Memo<Option<String>>,
    label: Signal<String>,
) -> impl IntoView {
    view! {
        <td class="fp-comms__peer">
            {move || denial.get().map(|reason| view! {
                <span class="fp-comms__denied" data-testid="row-denied" title=format!("Included, but the generated policy denies it: {reason}")>
                    {DENIED_MARK}
                    <span class="fp-visually-hidden">{format!(": {reason}. ")}</span>
                </span>
            })}
            {label}
            <span class="fp-comms__detail">{move || current.with(|c| c.detail.clone())}</span>
            {move || current.with(|c| c.reason).map(|(badge, text)| view! {
                <span class="fp-comms__reason" data-testid="row-reason" title=text aria-label=text>{badge}</span>
            })}
            // Only a peer address's row can need an alias.
            {row.address.map(|(ip, _)| view! { <AliasActions ip=ip row=row.clone() current=current /> })}
            <RequestPatterns communication=row.communication />
        </td>
    }
}

/// One communication.
#[component]
pub fn Row(row: ReviewRow, states: RowStates, denied: DeniedRows) -> impl IntoView {
    let communication = row.communication;
    let initial = RowState::of(&row);
    let current = Memo::new(move |_| {
        states
            .with(|s| s.get(&communication).cloned())
            .unwrap_or_else(|| initial.clone())
    });
    // Why the policy denies it, while the review includes it.
    let denial = Memo::new(move |_| {
        current
            .with(|c| c.allowed)
            .then(|| denied.with(|d| d.get(&communication).cloned()))
            .flatten()
    });
    let label = Signal::derive(move || current.with(|c| c.peer_label.clone()));
    view! {
        <tr
            data-testid="comm-row"
            data-direction=row.direction.key()
            data-peer=label
            data-port=row.port.to_string()
            data-protocol=row.protocol.to_string()
            data-included=move || current.with(|c| c.allowed.to_string())
            data-already-open=row.already_open.to_string()
            class:fp-comms__row--excluded=move || current.with(|c| !c.allowed)
            class:fp-comms__row--denied=move || denial.with(Option::is_some)
        >
            <IncludeToggle row=row.clone() current=current label=label />
            <PeerCell row=row.clone() current=current denial=denial label=label />
            <td>{row.port}</td>
            <td>{row.protocol.to_string()}</td>
            <td class="fp-comms__count">
                {if row.already_open {
                    view! {
                        <span class="fp-comms__open" data-testid="already-open" title=ALREADY_OPEN_HINT>"open before capture"</span>
                    }
                    .into_any()
                } else {
                    thousands(row.connections).into_any()
                }}
            </td>
            <td>{row.first_seen.map(utc_time).unwrap_or_default()}</td>
            <td>{row.last_seen.map(utc_time).unwrap_or_default()}</td>
            <td>{row.names.join(", ")}</td>
        </tr>
    }
}
