//! The Generated Policy tab: the YAML of the entity in scope (or, with no entity chosen, of
//! every entity of the namespace in scope), highlighted, as NetworkPolicies or
//! CiliumNetworkPolicies; Copy, Download, Download the namespace bundle; the DNS option; a
//! banner listing the included communications the policies deny; the verification summary,
//! what the cluster's loaded policies deny and what applying the generated ones over them
//! would change; what the policy cannot express. Everything is computed by the engine (`policy::view`);
//! these files only render.

mod actions;
mod checks;
mod compare;
mod yaml_view;

use leptos::prelude::*;

use crate::engine::policy::view::{policy_output, PolicyOutput, PolicyTarget};
use crate::engine::verify::evaluate::AnyPolicy;

use super::state::AppState;
use actions::{DnsOption, KindOption, PolicyActions};
use checks::{DeniedBanner, ExistingSummary, VerifySummary, Warnings};
use compare::ClusterCompare;
use yaml_view::YamlView;

/// The policy of the entity in scope, or the bundle of the namespace in scope.
#[component]
pub fn PolicyView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let target = Memo::new(move |_| state.scope.with(PolicyTarget::of_scope));
    let output = Memo::new(move |_| {
        let Some(result) = state.result.get() else {
            return PolicyOutput::default();
        };
        state.decisions.with(|decisions| {
            policy_output(
                &result.dataset,
                decisions,
                &AnyPolicy::both(&result.policies, &result.cilium_policies),
                &target.get(),
                state.window(),
                state.policy_options(),
            )
        })
    });
    let bundle = Memo::new(move |_| {
        let target = target.get();
        state.result.with(|r| match r {
            Some(r) => target.bundle(&r.dataset),
            None => target,
        })
    });
    let download_error = RwSignal::new(None::<String>);
    let heading = move || output.with(|o| target.with(|t| t.heading(o)));
    let yaml = Memo::new(move |_| output.with(|o| o.yaml.clone()));
    view! {
        <div class="fp-policy">
            <div class="fp-policy__bar">
                <h2 class="fp-policy__title">{heading}</h2>
                <KindOption />
                <DnsOption output=output />
                <PolicyActions output=output bundle=bundle error=download_error />
            </div>
            <DeniedBanner output=output />
            <VerifySummary output=output />
            <ExistingSummary output=output />
            <ClusterCompare output=output />
            {move || download_error.get().map(|e| view! { <p class="fp-policy__error" role="alert">{e}</p> })}
            <Warnings output=output />
            <YamlView yaml=yaml />
        </div>
    }
}
