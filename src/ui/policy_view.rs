//! The Generated Policy tab: the YAML of the entity in scope (or, with no entity chosen, of
//! every entity of the namespace in scope), highlighted; Copy, Download, Download the
//! namespace bundle; the DNS option; the verification summary and what the policy cannot
//! express. Everything is computed by the engine (`policy::view`); this file only renders.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::dataset::TimeWindow;
use crate::engine::policy::highlight::{tokens, TokenKind};
use crate::engine::policy::view::{policy_output, PolicyOutput, PolicyTarget};

use super::download::{copy_text, download_text};
use super::state::AppState;

fn token_class(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Plain => "",
        TokenKind::Key => "fp-yaml__key",
        TokenKind::Dash => "fp-yaml__dash",
        TokenKind::Quoted => "fp-yaml__quoted",
        TokenKind::Number => "fp-yaml__number",
        TokenKind::Scalar => "fp-yaml__scalar",
        TokenKind::Separator => "fp-yaml__separator",
    }
}

/// The YAML as text in styled spans (never as HTML).
fn highlighted(yaml: &str) -> impl IntoView {
    yaml.lines()
        .map(|line| {
            let spans = tokens(line)
                .into_iter()
                .map(|(kind, text)| {
                    view! { <span class=token_class(kind)>{text.to_string()}</span> }
                })
                .collect_view();
            view! { {spans}"\n" }
        })
        .collect_view()
}

/// The policy of the entity in scope, or the bundle of the namespace in scope.
#[component]
pub fn PolicyView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let target = Memo::new(move |_| match state.scope_entity.get() {
        Some(entity) => PolicyTarget::Entity(entity),
        None => {
            let namespace = state.scope_namespace.get();
            PolicyTarget::Namespace((!namespace.is_empty()).then_some(namespace))
        }
    });
    let output = Memo::new(move |_| {
        let result = state.result.get();
        let Some(result) = result else {
            return PolicyOutput::default();
        };
        state.decisions.with(|decisions| {
            policy_output(&result.dataset, decisions, &target.get(), TimeWindow::ALL)
        })
    });
    // The namespace bundle: every entity of the chosen entity's namespace.
    let bundle = Memo::new(move |_| {
        let result = state.result.get()?;
        let namespace = match target.get() {
            PolicyTarget::Entity(id) => result
                .dataset
                .entities
                .get(id)
                .map(|e| e.owner.namespace.clone()),
            PolicyTarget::Namespace(namespace) => namespace,
        };
        let output = state.decisions.with(|decisions| {
            policy_output(
                &result.dataset,
                decisions,
                &PolicyTarget::Namespace(namespace.clone()),
                TimeWindow::ALL,
            )
        });
        Some((namespace, output))
    });
    let copied = RwSignal::new(None::<bool>);
    let download_error = RwSignal::new(None::<String>);

    let on_copy = move |_| {
        let yaml = output.with_untracked(|o| o.yaml.clone());
        spawn_local(async move {
            copied.set(Some(copy_text(&yaml).await));
        });
    };
    let on_download = move |_| {
        let result = output.with_untracked(|o| download_text(&o.file_name, &o.yaml));
        download_error.set(result.err());
    };
    let on_bundle = move |_| {
        let result = bundle.with_untracked(|b| match b {
            Some((_, o)) => download_text(&o.file_name, &o.yaml),
            None => Ok(()),
        });
        download_error.set(result.err());
    };
    let on_dns = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        state.decisions.update(|d| d.allow_dns = on);
    };

    let heading = move || {
        let count = output.with(|o| o.policy_count);
        match target.get() {
            PolicyTarget::Entity(_) => output.with(|o| o.file_name.clone()),
            PolicyTarget::Namespace(Some(namespace)) => {
                format!("{count} policies of namespace {namespace}")
            }
            PolicyTarget::Namespace(None) => format!("{count} policies of every namespace"),
        }
    };
    let bundle_label = move || match bundle.get() {
        Some((Some(namespace), o)) => {
            format!(
                "Download namespace {namespace} ({} policies)",
                o.policy_count
            )
        }
        Some((None, o)) => format!("Download all ({} policies)", o.policy_count),
        None => "Download bundle".to_string(),
    };
    let warnings = move || {
        let warnings = output.with(|o| o.warnings.clone());
        (!warnings.is_empty()).then(|| {
            let items = warnings
                .into_iter()
                .map(|w| view! { <li>{w}</li> })
                .collect_view();
            view! {
                <div class="fp-policy__warnings" data-testid="policy-warnings" role="note">
                    <h3 class="fp-policy__warnings-title">"What this policy cannot express, or may break"</h3>
                    <ul>{items}</ul>
                </div>
            }
        })
    };

    view! {
        <div class="fp-policy">
            <div class="fp-policy__bar">
                <h2 class="fp-policy__title">{heading}</h2>
                <label class="fp-policy__dns" title="A default-deny egress policy also blocks name resolution.">
                    <input
                        type="checkbox"
                        data-testid="dns-toggle"
                        prop:checked=move || state.decisions.with(|d| d.allow_dns)
                        on:change=on_dns
                    />
                    " Allow DNS: UDP and TCP 53 to the cluster DNS pods (kube-system, k8s-app=kube-dns)"
                </label>
                <div class="fp-policy__actions">
                    <button type="button" class="fp-button" data-testid="copy-policy" on:click=on_copy>
                        {move || match copied.get() {
                            Some(true) => "Copied",
                            Some(false) => "Copy failed: select the text",
                            None => "Copy",
                        }}
                    </button>
                    <button type="button" class="fp-button" data-testid="download-policy" on:click=on_download>
                        {move || format!("Download {}", output.with(|o| o.file_name.clone()))}
                    </button>
                    <button type="button" class="fp-button" data-testid="download-bundle" on:click=on_bundle>
                        {bundle_label}
                    </button>
                </div>
            </div>
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
            {move || download_error.get().map(|e| view! { <p class="fp-policy__error" role="alert">{e}</p> })}
            {warnings}
            <pre class="fp-yaml" data-testid="policy-yaml" tabindex="0" aria-label="NetworkPolicy YAML">
                <code>{move || output.with(|o| highlighted(&o.yaml).into_any())}</code>
            </pre>
        </div>
    }
}
