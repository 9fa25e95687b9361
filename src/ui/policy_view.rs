//! The Generated Policy tab: the YAML of the entity in scope (or, with no entity chosen, of
//! every entity of the namespace in scope), highlighted; Copy, Download, Download the
//! namespace bundle; the DNS option; the verification summary and what the policy cannot
//! express. Everything is computed by the engine (`policy::view`); this file only renders.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::policy::highlight::{tokens, TokenKind};
use crate::engine::policy::view::{policy_output, target_entities, PolicyOutput, PolicyTarget};
use crate::engine::review::Subject;

use super::download::{copy_text, download_text};
use super::state::AppState;

/// Up to how many lines the YAML is highlighted (beyond, it is plain text).
const HIGHLIGHTED_LINES: usize = 1500;

/// The media type of downloaded policies.
const YAML: &str = "application/yaml";

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

/// One line of the YAML, keyed by its text and how many equal lines came before it, so a
/// change re-renders only the lines it touched.
#[derive(Clone, PartialEq)]
struct YamlLine {
    key: (String, usize),
}

fn yaml_lines(yaml: &str) -> Vec<YamlLine> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    yaml.lines()
        .map(|line| {
            let count = seen.entry(line).or_insert(0);
            *count += 1;
            YamlLine {
                key: (line.to_string(), *count),
            }
        })
        .collect()
}

/// One line as text in styled spans (never as HTML).
fn highlighted_line(line: &str) -> impl IntoView {
    let spans = tokens(line)
        .into_iter()
        .map(|(kind, text)| view! { <span class=token_class(kind)>{text.to_string()}</span> })
        .collect_view();
    view! { <span class="fp-yaml__line">{spans}"\n"</span> }
}

/// The policy of the entity in scope, or the bundle of the namespace in scope.
#[component]
pub fn PolicyView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let target = Memo::new(move |_| match state.subject() {
        Some(Subject::Entity(entity)) => PolicyTarget::Entity(entity),
        Some(Subject::Service(service)) => PolicyTarget::Service(service),
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
            policy_output(
                &result.dataset,
                decisions,
                &result.policies,
                &target.get(),
                state.window(),
            )
        })
    });
    // The namespace of the bundle (the chosen entity's), and how many policies it holds; the
    // bundle itself is only written when asked for, so a decision costs one entity's policy.
    let bundle_target = Memo::new(move |_| match target.get() {
        PolicyTarget::Namespace(namespace) => PolicyTarget::Namespace(namespace),
        subject => PolicyTarget::Namespace(state.result.with(|r| {
            r.as_ref().and_then(|r| {
                let entities = target_entities(&r.dataset, &subject);
                entities
                    .first()
                    .map(|&id| r.dataset.entities[id].owner.namespace.clone())
            })
        })),
    });
    let bundle_size = Memo::new(move |_| {
        state.result.with(|r| {
            r.as_ref().map_or(0, |r| {
                target_entities(&r.dataset, &bundle_target.get()).len()
            })
        })
    });
    let long = Memo::new(move |_| output.with(|o| o.yaml.lines().count() > HIGHLIGHTED_LINES));
    let copied = RwSignal::new(None::<bool>);
    let download_error = RwSignal::new(None::<String>);

    let on_copy = move |_| {
        let yaml = output.with_untracked(|o| o.yaml.clone());
        spawn_local(async move {
            copied.set(Some(copy_text(&yaml).await));
        });
    };
    let on_download = move |_| {
        let result = output.with_untracked(|o| download_text(&o.file_name, &o.yaml, YAML));
        download_error.set(result.err());
    };
    let on_bundle = move |_| {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        let bundle = state.decisions.with_untracked(|decisions| {
            policy_output(
                &result.dataset,
                decisions,
                &[],
                &bundle_target.get_untracked(),
                state.window_untracked(),
            )
        });
        download_error.set(download_text(&bundle.file_name, &bundle.yaml, YAML).err());
    };
    let on_dns = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        state.decisions.update(|d| d.allow_dns = on);
    };

    let heading = move || {
        let count = output.with(|o| o.policy_count);
        match target.get() {
            PolicyTarget::Entity(_) | PolicyTarget::Service(_) => {
                output.with(|o| o.file_name.clone())
            }
            PolicyTarget::Namespace(Some(namespace)) => {
                format!("{count} policies of namespace {namespace}")
            }
            PolicyTarget::Namespace(None) => format!("{count} policies of every namespace"),
        }
    };
    let bundle_label = move || match bundle_target.get() {
        PolicyTarget::Namespace(Some(namespace)) => {
            format!(
                "Download namespace {namespace} ({} workloads)",
                bundle_size.get()
            )
        }
        _ => format!("Download all ({} workloads)", bundle_size.get()),
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
            {move || output.with(|o| o.existing.clone()).map(|existing| {
                let denied = existing
                    .denied
                    .into_iter()
                    .map(|d| view! { <li>{d}</li> })
                    .collect_view();
                view! {
                    <div
                        class="fp-policy__existing"
                        class:fp-policy__existing--ok=move || output.with(|o| o.existing.as_ref().is_some_and(|e| e.denied.is_empty()))
                        data-testid="existing-policies-summary"
                    >
                        <p>{format!("The cluster's {} loaded NetworkPolicies: {}.", existing.policies, existing.summary)}</p>
                        <ul>{denied}</ul>
                    </div>
                }
            })}
            {move || download_error.get().map(|e| view! { <p class="fp-policy__error" role="alert">{e}</p> })}
            {warnings}
            <pre class="fp-yaml" data-testid="policy-yaml" tabindex="0" aria-label="NetworkPolicy YAML">
                {move || if long.get() {
                    // Thousands of lines: one text node, so an update is one replacement.
                    view! { <code>{move || output.with(|o| o.yaml.clone())}</code> }.into_any()
                } else {
                    view! {
                        <code>
                            <For
                                each=move || output.with(|o| yaml_lines(&o.yaml))
                                key=|line| line.key.clone()
                                children=|line| highlighted_line(&line.key.0)
                            />
                        </code>
                    }
                    .into_any()
                }}
            </pre>
        </div>
    }
}
