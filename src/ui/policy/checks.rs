//! What the Generated Policy tab says about the policies: the communications the review
//! includes that they would deny (a banner above everything else), the verifier's summary,
//! what the cluster's own loaded policies would deny, and what the policies cannot express.

use leptos::prelude::*;

use crate::engine::policy::view::PolicyOutput;

/// The included communications the generated policies deny, each with why: nothing when
/// they allow everything the review includes.
#[component]
pub fn DeniedBanner(output: Memo<PolicyOutput>) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    move || {
        let kind = state.policy_kind.get();
        output.with(|o| {
            let title = o.denied_title(kind)?;
            let items = o
                .denied
                .iter()
                .map(|d| {
                    view! {
                        <li data-testid="denied-item" data-communication=d.communication.to_string()>
                            <span class="fp-policy__denied-what">{d.heading()}</span>
                            {": "}
                            <span class="fp-policy__denied-why">{d.reason.clone()}</span>
                        </li>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="fp-policy__denied" data-testid="denied-banner" role="alert">
                    <h3 class="fp-policy__denied-title">{format!("✗ {title}")}</h3>
                    <p class="fp-policy__denied-text">
                        "Applied as written, they would block these communications; the rows and the topology mark them too."
                    </p>
                    <ul tabindex="0" aria-label="Denied communications">{items}</ul>
                </div>
            })
        })
    }
}

/// "✓ Verified: all 42 included communications allowed, all 3 excluded denied."
#[component]
pub fn VerifySummary(output: Memo<PolicyOutput>) -> impl IntoView {
    view! {
        <p
            class="fp-policy__verify"
            class:fp-policy__verify--ok=move || output.with(|o| o.verified)
            data-testid="verify-summary"
            role="status"
        >
            {move || {
                output.with(|o| {
                    let mark = if o.verified { "✓ Verified" } else { "✗ Mismatch" };
                    format!("{mark}: {}.", o.verification)
                })
            }}
        </p>
        {move || output.with(|o| o.reading.clone()).map(|reading| view! {
            <p class="fp-policy__note" data-testid="ipblock-reading-note">{format!("{reading}.")}</p>
        })}
    }
}

/// What the cluster's existing policies (loaded with the flows) would deny, when any were
/// loaded.
#[component]
pub fn ExistingSummary(output: Memo<PolicyOutput>) -> impl IntoView {
    move || {
        output.with(|o| o.existing.clone()).map(|existing| {
            let all_allowed = existing.denied.is_empty();
            let denied = existing
                .denied
                .into_iter()
                .map(|d| view! { <li>{d}</li> })
                .collect_view();
            view! {
                <div
                    class="fp-policy__existing"
                    class:fp-policy__existing--ok=all_allowed
                    data-testid="existing-policies-summary"
                >
                    <p>{format!("The cluster's {} loaded {}: {}.", existing.policies, existing.kinds, existing.summary)}</p>
                    <ul tabindex="0" aria-label="Communications they would deny">{denied}</ul>
                </div>
            }
        })
    }
}

/// What the policies cannot express, or may break.
#[component]
pub fn Warnings(output: Memo<PolicyOutput>) -> impl IntoView {
    move || {
        let warnings = output.with(|o| o.warnings.clone());
        (!warnings.is_empty()).then(|| {
            let items = warnings
                .into_iter()
                .map(|w| view! { <li>{w}</li> })
                .collect_view();
            view! {
                <div class="fp-policy__warnings" data-testid="policy-warnings" role="note">
                    <h3 class="fp-policy__warnings-title">"What this policy cannot express, or may break"</h3>
                    // It scrolls when long: a keyboard reaches it (axe's
                    // scrollable-region-focusable).
                    <ul tabindex="0" aria-label="Warnings">{items}</ul>
                </div>
            }
        })
    }
}
