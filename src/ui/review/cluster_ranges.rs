//! The cluster's ranges (pod and Service CIDRs) entered by hand when no inventory gives them:
//! they reclassify Unknown addresses as Internal or External.

use leptos::prelude::*;

use crate::engine::decisions::{parse_cidr_list, CidrList};
use crate::ui::state::AppState;

/// The cluster ranges the user enters when the inventory does not give them.
#[component]
pub fn ClusterRanges() -> impl IntoView {
    let state = expect_context::<AppState>();
    // What is typed and not applied yet; otherwise the field shows the decisions' ranges (and
    // so follows an import).
    let draft = RwSignal::new(None::<String>);
    let shown = move || {
        draft.get().unwrap_or_else(|| {
            state
                .decisions
                .with(|d| CidrList(&d.cluster_ranges).to_string())
        })
    };
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let Some(text) = draft.get_untracked() else {
            return;
        };
        match parse_cidr_list(&text) {
            Ok(ranges) => {
                error.set(None);
                draft.set(None);
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
                    prop:value=shown
                    on:input=move |ev| draft.set(Some(event_target_value(&ev)))
                />
            </label>
            <button type="button" class="fp-button" data-testid="cluster-ranges-apply" on:click=apply>"Apply"</button>
            {move || error.get().map(|e| view! { <p class="fp-alias__error" role="alert">{e}</p> })}
        </div>
    }
}
