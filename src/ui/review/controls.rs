//! The review bar's own controls beside the general rule: the text filter, and including or
//! excluding every row shown at once.

use leptos::prelude::*;

use crate::engine::model::Direction;

/// The filter of `direction`'s rows: peer, port, DNS name.
#[component]
pub fn FilterField(direction: Direction, filter: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="fp-review__filter">
            <span class="fp-scope__label">"Filter"</span>
            <input
                type="search"
                data-testid=format!("comm-filter-{}", direction.key())
                placeholder="peer, port, DNS name…"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
        </label>
    }
}

/// "Include all shown" and "Exclude all shown"; `set_all` does it.
#[component]
pub fn BulkButtons(set_all: Callback<bool>) -> impl IntoView {
    view! {
        <div class="fp-review__bulk">
            <button type="button" class="fp-button" data-testid="include-all-shown" on:click=move |_| set_all.run(true)>"Include all shown"</button>
            <button type="button" class="fp-button" data-testid="exclude-all-shown" on:click=move |_| set_all.run(false)>"Exclude all shown"</button>
        </div>
    }
}
