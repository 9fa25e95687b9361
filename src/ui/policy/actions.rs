//! The Generated Policy tab's bar: the DNS option, Copy, Download, Download the namespace
//! bundle, and Download the GitOps tree as a `.zip` (both written only when asked for, so a
//! decision costs one entity's policy).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::policy::view::{gitops_zip, policy_output, PolicyOutput, PolicyTarget};
use crate::engine::policy::PolicyKind;
use crate::ui::browser::download::{copy_text, download_bytes, download_text};
use crate::ui::state::AppState;

/// The media type of downloaded policies.
const YAML: &str = "application/yaml";

/// The kind of policy written: NetworkPolicy or CiliumNetworkPolicy, with what the choice
/// means.
#[component]
pub fn KindOption() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(kind) = PolicyKind::parse(&event_target_value(&ev)) {
            state.policy_kind.set(kind);
        }
    };
    view! {
        <div class="fp-policy__kind">
            <label class="fp-scope__label" for="policy-kind">"Policy kind"</label>
            <select id="policy-kind" data-testid="policy-kind" on:change=on_change
                prop:value=move || match state.policy_kind.get() {
                    PolicyKind::Kubernetes => "kubernetes",
                    PolicyKind::Cilium => "cilium",
                }>
                <option value="kubernetes">"NetworkPolicy (Kubernetes, every CNI)"</option>
                <option value="cilium">"CiliumNetworkPolicy (Cilium)"</option>
            </select>
            <label class="fp-policy__dns" title="Whether an ipBlock matches a pod's own address is up to the CNI: Cilium never, Calico yes.">
                <input type="checkbox" data-testid="ipblock-reading"
                    prop:checked=move || state.ipblock_matches_pods.get()
                    on:change=move |ev| state.ipblock_matches_pods.set(event_target_checked(&ev)) />
                " Check NetworkPolicies as Calico enforces them (an ipBlock also matches pods' own addresses)"
            </label>
            {move || (state.policy_kind.get() == PolicyKind::Cilium).then(|| view! {
                <label class="fp-policy__dns" title="HTTP methods and paths (ids grouped as [^/]+) and DNS names seen by Cilium's proxy; requests never seen are denied.">
                    <input type="checkbox" data-testid="l7-toggle"
                        prop:checked=move || state.l7_rules.get()
                        on:change=move |ev| state.l7_rules.set(event_target_checked(&ev)) />
                    " L7 rules: allow only the HTTP requests and DNS names seen (as flowpol generate --l7)"
                </label>
            })}
            {move || (state.policy_kind.get() == PolicyKind::Cilium).then(|| view! {
                <p class="fp-policy__note" data-testid="cilium-note">
                    "Cilium denies by default every direction a policy lists: a direction written as [{}] allows nothing. "
                    "The API server, nodes and the internet are Cilium entities (kube-apiserver, host and remote-node, world); "
                    "workloads of other clusters are selected by their cluster (Cluster Mesh)."
                </p>
            })}
        </div>
    }
}

/// The DNS option: UDP and TCP 53 to the cluster DNS pods from every egress policy. When
/// turning it on or off leaves the policy shown as it was, it says so.
#[component]
pub fn DnsOption(output: Memo<PolicyOutput>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let unchanged = RwSignal::new(false);
    let on_dns = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let before = output.with_untracked(|o| o.yaml.clone());
        state.decisions.update(|d| d.allow_dns = on);
        unchanged.set(output.with_untracked(|o| o.yaml == before));
    };
    view! {
        <div class="fp-policy__dns-option">
            <label class="fp-policy__dns" title="A default-deny egress policy also blocks name resolution.">
                <input
                    type="checkbox"
                    data-testid="dns-toggle"
                    prop:checked=move || state.decisions.with(|d| d.allow_dns)
                    on:change=on_dns
                />
                " Allow DNS: UDP and TCP 53 to the cluster DNS pods (kube-system, k8s-app=kube-dns)"
            </label>
            {move || unchanged.get().then(|| view! {
                <p class="fp-policy__note" data-testid="dns-unchanged" role="status">
                    "This policy stays the same: its egress already allows DNS, allows everything, or is not written."
                </p>
            })}
        </div>
    }
}

/// Copy, Download and the bundle's download; `error` says why a download failed.
#[component]
pub fn PolicyActions(
    output: Memo<PolicyOutput>,
    bundle: Memo<PolicyTarget>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let copied = RwSignal::new(None::<bool>);
    let on_copy = move |_| {
        let yaml = output.with_untracked(|o| o.yaml.clone());
        spawn_local(async move {
            copied.set(Some(copy_text(&yaml).await));
        });
    };
    let on_download = move |_| {
        let result = output.with_untracked(|o| download_text(&o.file_name, &o.yaml, YAML));
        error.set(result.err());
    };
    let on_bundle = move |_| {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        let written = state.decisions.with_untracked(|decisions| {
            policy_output(
                &result.dataset,
                decisions,
                &[],
                &bundle.get_untracked(),
                state.window_untracked(),
                state.policy_options_untracked(),
            )
        });
        error.set(download_text(&written.file_name, &written.yaml, YAML).err());
    };
    let on_tree = move |_| {
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        let written = state.decisions.with_untracked(|decisions| {
            gitops_zip(
                &result.dataset,
                decisions,
                state.window_untracked(),
                state.policy_options_untracked(),
            )
        });
        error.set(
            written
                .and_then(|(name, bytes)| download_bytes(&name, &bytes, "application/zip"))
                .err(),
        );
    };
    let bundle_label = move || {
        state.result.with(|r| {
            r.as_ref()
                .map(|r| bundle.with(|b| b.download_label(&r.dataset)))
                .unwrap_or_default()
        })
    };
    view! {
        <div class="fp-policy__actions">
            // Nothing to copy or download when no policy is written for the scope (a workload
            // in its node's network: the warnings say why).
            {move || output.with(|o| !o.yaml.is_empty()).then(|| view! {
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
            })}
            <button type="button" class="fp-button" data-testid="download-bundle" on:click=on_bundle>
                {bundle_label}
            </button>
            <button
                type="button"
                class="fp-button"
                data-testid="download-tree"
                title="Every workload's policy, a file each, with kustomization.yaml files: the tree of flowpol generate --out-dir, for kubectl apply -k, Argo CD or Flux"
                on:click=on_tree
            >
                "Download the GitOps tree (.zip)"
            </button>
        </div>
    }
}
