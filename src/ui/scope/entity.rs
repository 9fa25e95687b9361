//! The scope bar's entity search and entity list. The list's values are positions in the
//! engine's options (`Scope::subject_options`), so a choice maps back without parsing.

use leptos::prelude::*;

use super::field::ScopeField;
use crate::engine::scope::{Scope, SubjectOption};
use crate::engine::units::thousands;
use crate::ui::state::{AppState, Reveal};

/// Most options the entity list holds at once.
const LISTED: usize = 1_000;

/// The search that filters the entity list.
#[component]
pub fn SearchField(search: RwSignal<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <ScopeField label="Search">
            <input
                type="search"
                data-testid="scope-search"
                placeholder="Filter entities"
                disabled=move || state.result.with(Option::is_none)
                prop:value=move || search.get()
                on:input=move |ev| search.set(event_target_value(&ev))
            />
        </ScopeField>
    }
}

/// The entity (or Service) list of the scope's cluster, namespace and type.
#[component]
pub fn EntityField(search: RwSignal<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Built when the data or what narrows the list changes; a subject chosen or a search typed
    // only reads it.
    let narrowing = Memo::new(move |_| {
        state
            .scope
            .with(|s| (s.cluster.clone(), s.namespace.clone(), s.kind))
    });
    let list_ready = state.revealed(Reveal::Lists);
    let all_options: Memo<Vec<SubjectOption>> = Memo::new(move |_| {
        let (cluster, namespace, kind) = narrowing.get();
        let scope = Scope {
            cluster,
            namespace,
            kind,
            ..Scope::default()
        };
        // A large new load's list comes a task after its summary (see `Reveal`).
        if !list_ready.get() {
            return Vec::new();
        }
        state.result.with(|result| {
            result
                .as_ref()
                .map_or_else(Vec::new, |r| scope.subject_options(&r.dataset))
        })
    });
    let selected = Memo::new(move |_| {
        let subject = state.subject();
        all_options.with(|all| {
            all.iter()
                .position(|o| Some(o.subject) == subject)
                .map(|index| index.to_string())
                .unwrap_or_default()
        })
    });
    // At most LISTED options (and the chosen one): a list of 50,000 pods would hold the page
    // for seconds; the search narrows it. Also how many matched and are not listed.
    let shown = move || {
        let search = search.with(|s| s.trim().to_lowercase());
        let chosen = selected.get();
        all_options.with(|all| {
            let mut more = 0;
            let mut listed = Vec::new();
            for (index, option) in all.iter().enumerate() {
                if !search.is_empty() && !option.label.to_lowercase().contains(&search) {
                    continue;
                }
                let value = index.to_string();
                if listed.len() < LISTED || value == chosen {
                    listed.push((value, option.label.clone()));
                } else {
                    more += 1;
                }
            }
            (listed, more)
        })
    };
    let on_change = move |ev: leptos::ev::Event| {
        let subject = event_target_value(&ev)
            .parse::<usize>()
            .ok()
            .and_then(|index| all_options.with_untracked(|all| all.get(index).map(|o| o.subject)));
        state.scope.update(|s| *s = s.with_subject(subject));
    };
    view! {
        <ScopeField label="Entity">
            <select
                data-testid="scope-entity"
                disabled=move || state.result.with(Option::is_none)
                on:change=on_change
                prop:value=move || selected.get()
            >
                <option value="">
                    {move || if state.result.with(Option::is_some) && list_ready.get() && all_options.with(Vec::is_empty) {
                        let kind = narrowing.with(|(_, _, kind)| kind.label());
                        format!("No {kind} in this scope")
                    } else {
                        "Choose an entity".to_string()
                    }}
                </option>
                {move || {
                    let (listed, more) = shown();
                    let options = listed.into_iter().map(|(value, label)| {
                        let here = value.clone();
                        view! { <option value=value prop:selected=move || selected.get() == here>{label}</option> }
                    }).collect_view();
                    view! {
                        {options}
                        {(more > 0).then(|| view! {
                            <option value="more" disabled=true data-testid="scope-entity-more">
                                {format!("… and {} more: narrow them with Search", thousands(more as u64))}
                            </option>
                        })}
                    }
                }}
            </select>
        </ScopeField>
    }
}
