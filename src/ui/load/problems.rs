//! The problems a load found, with file, line and reason: all counted, the first hundred
//! listed.

use leptos::prelude::*;

use crate::engine::load::LoadResult;
use crate::engine::units::thousands;

/// The problems found, the first hundred listed.
#[component]
pub fn Problems(result: std::sync::Arc<LoadResult>) -> impl IntoView {
    let count = result.problem_count;
    let listed = result.diagnostics.len() as u64;
    let items = result
        .diagnostics
        .iter()
        .map(|d| view! { <li>{d.to_string()}</li> })
        .collect_view();
    view! {
        <details class="fp-problems" data-testid="load-problems">
            <summary>
                {if count == 1 {
                    "1 problem: that line was skipped, everything else was kept".to_string()
                } else {
                    format!("{} problems: those lines were skipped, everything else was kept", thousands(count))
                }}
                {(count > listed).then(|| format!(" (the first {listed} are listed)"))}
            </summary>
            <ul tabindex="0" aria-label="Problems">{items}</ul>
        </details>
    }
}
