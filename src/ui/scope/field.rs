//! One labelled control of the scope bar, the frame every scope field is drawn in.

use leptos::prelude::*;

/// One labelled control of the scope bar.
#[component]
pub fn ScopeField(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <label class="fp-scope__field">
            <span class="fp-scope__label">{label}</span>
            {children()}
        </label>
    }
}
