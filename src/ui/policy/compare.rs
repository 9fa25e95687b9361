//! "Compare with the cluster": when the cluster's own policies were loaded with the flows,
//! what applying the generated ones over them would break and open, each with why, and which
//! policies it adds or replaces (`engine::policy::compare`, the same as `flowpol diff`).

use leptos::prelude::*;

use crate::engine::policy::compare::ComparedCommunication;
use crate::engine::policy::view::PolicyOutput;

/// Most rows a list shows; the others are counted.
const LISTED: usize = 200;

/// One list of changed communications, open when it holds any.
fn changed_list(
    title: &'static str,
    test_id: &'static str,
    rows: Vec<ComparedCommunication>,
) -> impl IntoView {
    let count = rows.len();
    let open = count > 0;
    let more = count.saturating_sub(LISTED);
    let items = rows
        .into_iter()
        .take(LISTED)
        .map(|row| {
            view! {
                <li data-testid=test_id data-communication=row.communication.to_string()>
                    <span class="fp-policy__denied-what">{row.what}</span>
                    {": "}
                    <span class="fp-policy__denied-why">{row.why}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="fp-policy__compare-list" open=open>
            <summary>{format!("{title} ({count})")}</summary>
            <ul tabindex="0" aria-label=title.to_string()>{items}</ul>
            {(more > 0).then(|| view! { <p>{format!("… and {more} more")}</p> })}
        </details>
    }
}

/// The comparison, when the cluster's policies were loaded.
#[component]
pub fn ClusterCompare(output: Memo<PolicyOutput>) -> impl IntoView {
    move || {
        output.with(|o| {
            let comparison = o.comparison.clone()?;
            let cluster_policies = o.existing.as_ref().map_or(0, |e| e.policies);
            let breaks = !comparison.breaks.is_empty();
            let policies = (!comparison.added.is_empty() || !comparison.changed.is_empty()).then(|| {
                let line = |word: &str, names: &[String]| {
                    (!names.is_empty()).then(|| view! { <li>{format!("{word}: {}", names.join(", "))}</li> })
                };
                view! {
                    <ul class="fp-policy__compare-policies" data-testid="compare-policies">
                        {line("added", &comparison.added)}
                        {line("replaced", &comparison.changed)}
                    </ul>
                }
            });
            Some(view! {
                <section
                    class="fp-policy__compare"
                    class:fp-policy__compare--breaks=breaks
                    data-testid="cluster-compare"
                    aria-label="Compare with the cluster"
                >
                    <h3 class="fp-policy__compare-title">"Compare with the cluster"</h3>
                    <p data-testid="compare-summary" role="status">{comparison.summary(cluster_policies)}</p>
                    {changed_list("Would break", "compare-break", comparison.breaks)}
                    {changed_list("Would open", "compare-open", comparison.opens)}
                    {policies}
                </section>
            })
        })
    }
}
