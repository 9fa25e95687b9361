//! The general rule of one direction of the subject (per row, block all, allow the namespace,
//! allow all), with a sentence on what it does. A Service whose workloads have different rules
//! shows "mixed" until one is chosen for all.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::decisions::GeneralRule;
use crate::engine::load::LoadResult;
use crate::engine::model::{Direction, OwnerKey};
use crate::engine::scope::Subject;
use crate::ui::state::AppState;

/// The general-rule select's value when a Service's workloads have different rules.
const MIXED: &str = "mixed";

fn label(rule: GeneralRule) -> &'static str {
    match rule {
        GeneralRule::PerRow => "Per row (default)",
        GeneralRule::BlockAll => "Block all",
        GeneralRule::AllowNamespace => "Allow all inside the namespace",
        GeneralRule::AllowAll => "Allow all",
    }
}

/// The general-rule chooser of one direction, with its explanation.
#[component]
pub fn GeneralRuleChooser(
    direction: Direction,
    subject: Subject,
    result: Arc<LoadResult>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let keys: Arc<Vec<OwnerKey>> = Arc::new(
        subject
            .entities(&result.dataset)
            .into_iter()
            .map(|id| result.dataset.owner_key(id))
            .collect(),
    );
    let all_keys = keys.clone();
    // The rule of every workload in scope, or `None` when a Service's backends differ.
    let current = Memo::new(move |_| {
        state.decisions.with(|d| {
            let mut rules = all_keys.iter().map(|key| d.general_rule(key, direction));
            let first = rules.next().unwrap_or_default();
            rules.all(|rule| rule == first).then_some(first)
        })
    });
    let on_change = move |ev: leptos::ev::Event| {
        let Some(rule) = GeneralRule::parse(&event_target_value(&ev)) else {
            return;
        };
        state.decisions.update(|d| {
            for key in keys.iter() {
                d.set_general_rule(key, direction, rule);
            }
        });
    };
    view! {
        <label class="fp-review__rule">
            <span class="fp-scope__label">{format!("General rule ({})", direction.key())}</span>
            <select
                data-testid=format!("general-rule-{}", direction.key())
                prop:value=move || current.get().map_or(MIXED, GeneralRule::as_str)
                on:change=on_change
            >
                {move || current.get().is_none().then(|| view! {
                    <option value=MIXED disabled=true>"Mixed (the Service's workloads differ)"</option>
                })}
                {GeneralRule::ALL
                    .iter()
                    .map(|&rule| view! { <option value=rule.as_str()>{label(rule)}</option> })
                    .collect_view()}
            </select>
            <span class="fp-review__explain">
                {move || current.get().map_or(
                    "The workloads behind this Service have different rules; choosing one sets it for all.",
                    |rule| rule.explanation(direction),
                )}
            </span>
        </label>
    }
}
