//! The page header: what flowpol is and the promise that nothing leaves the tab.

use leptos::prelude::*;

use crate::ui::state::AppState;

/// The title bar; once data is shown, the title and the promise only.
#[component]
pub fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <header class="fp-header" class:fp-header--compact=move || state.result.with(Option::is_some)>
            <div class="fp-header__brand">
                <span class="fp-header__logo" aria-hidden="true">"⇄"</span>
                <h1 class="fp-header__title">"flowpol"</h1>
            </div>
            <p class="fp-header__tagline">
                "Turns observed Kubernetes network flows into least-privilege NetworkPolicies. "
                "Drop Hubble flow logs and a kubectl inventory, review every ingress and egress "
                "communication, and download the policy YAML."
            </p>
            <p class="fp-header__privacy" data-testid="privacy-note">
                "Everything runs in this tab: no file is uploaded, and the page makes no network request."
            </p>
        </header>
    }
}
