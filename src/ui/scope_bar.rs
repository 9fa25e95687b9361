//! The scope bar: cluster, namespace, entity type (Service or a workload kind), entity
//! (searchable, with its number of communications) and time span (from/to within the data's
//! range, with presets), filled from the loaded dataset. Every view follows it.

use leptos::prelude::*;

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::ingest::aggregate::{minute_of, NANOS_PER_MINUTE};
use crate::engine::resolve::owners::EntityKind;
use crate::engine::review::{time_range, Subject};
use crate::engine::units::{datetime_local, parse_datetime_local};

use super::state::{AppState, SERVICE_KIND};

/// One labelled control of the scope bar.
#[component]
fn ScopeField(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <label class="fp-scope__field">
            <span class="fp-scope__label">{label}</span>
            {children()}
        </label>
    }
}

/// The time-span presets: label and length in minutes before the data's last connection.
const PRESETS: [(&str, i64); 4] = [
    ("Last 15 minutes", 15),
    ("Last hour", 60),
    ("Last 6 hours", 360),
    ("Last 24 hours", 1440),
];

/// The options of the entity list: `(value, label)`; workloads by index, Services as `s<i>`.
fn subject_options(
    dataset: &Dataset,
    cluster: &str,
    kind: &str,
    namespace: &str,
) -> Vec<(String, String)> {
    let in_cluster = |id: &usize| {
        cluster.is_empty()
            || dataset.entities[*id]
                .cluster
                .as_deref()
                .is_none_or(|c| c == cluster)
    };
    // Communications per workload, in one pass (a Service's are counted over its backends,
    // once each).
    let mut per_entity = vec![0usize; dataset.entities.len()];
    for c in &dataset.communications {
        if let Peer::Entity(id) = c.client {
            per_entity[id] += 1;
        }
        if let (Peer::Entity(id), true) = (c.server, c.server != c.client) {
            per_entity[id] += 1;
        }
    }
    let count = |subject: Subject| match subject {
        Subject::Entity(id) => per_entity.get(id).copied().unwrap_or(0),
        Subject::Service(_) => {
            let own = subject.entities(dataset);
            let touches = |p: Peer| matches!(p, Peer::Entity(id) if own.contains(&id));
            dataset
                .communications
                .iter()
                .filter(|c| touches(c.client) || touches(c.server))
                .count()
        }
    };
    let mut list: Vec<(String, String)> = if kind == SERVICE_KIND {
        dataset
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| namespace.is_empty() || s.namespace == namespace)
            .filter(|(_, s)| cluster.is_empty() || s.backends.iter().any(in_cluster))
            .map(|(index, s)| {
                let label = format!(
                    "{}/{} ({} communications)",
                    s.namespace,
                    s.name,
                    count(Subject::Service(index))
                );
                (format!("s{index}"), label)
            })
            .collect()
    } else {
        dataset
            .entities
            .iter()
            .enumerate()
            .filter(|(id, e)| e.owner.kind.as_str() == kind && in_cluster(id))
            .filter(|(_, e)| namespace.is_empty() || e.owner.namespace == namespace)
            .map(|(id, e)| {
                let label = format!(
                    "{}/{} ({} communications)",
                    e.owner.namespace,
                    e.owner.name,
                    count(Subject::Entity(id))
                );
                (id.to_string(), label)
            })
            .collect()
    };
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list
}

/// One end of the time span: a `datetime-local` input in UTC, bounded by the data's range.
#[component]
fn TimeInput(
    test_id: &'static str,
    value: RwSignal<Option<i64>>,
    range: Memo<Option<(i64, i64)>>,
) -> impl IntoView {
    let bound = move |end: fn((i64, i64)) -> i64| {
        range
            .get()
            .map(|r| datetime_local(end(r)))
            .unwrap_or_default()
    };
    view! {
        <input
            type="datetime-local"
            data-testid=test_id
            disabled=move || range.get().is_none()
            min=move || bound(|r| r.0)
            max=move || bound(|r| r.1)
            prop:value=move || value.get().map(datetime_local).unwrap_or_default()
            on:change=move |ev| value.set(parse_datetime_local(&event_target_value(&ev)))
        />
    }
}

/// The scope bar.
#[component]
pub fn ScopeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let search = RwSignal::new(String::new());
    let preset = RwSignal::new(String::new());
    let no_data = move || state.result.with(Option::is_none);
    let clusters = move || {
        state
            .result
            .get()
            .map(|r| r.dataset.clusters.iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let namespaces = move || {
        let cluster = state.scope_cluster.get();
        let mut names: Vec<String> = state
            .result
            .get()
            .map(|r| {
                r.dataset
                    .entities
                    .iter()
                    .filter(|e| {
                        cluster.is_empty() || e.cluster.as_deref().is_none_or(|c| c == cluster)
                    })
                    .map(|e| e.owner.namespace.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    };
    // The list is built when the data or the scope changes; typing a search only filters it.
    let all_options = Memo::new(move |_| {
        state.result.with(|result| {
            result.as_ref().map_or_else(Vec::new, |r| {
                subject_options(
                    &r.dataset,
                    &state.scope_cluster.get(),
                    &state.scope_kind.get(),
                    &state.scope_namespace.get(),
                )
            })
        })
    });
    let options = move || {
        let search = search.with(|s| s.trim().to_lowercase());
        all_options.with(|all| {
            all.iter()
                .filter(|(_, label)| search.is_empty() || label.to_lowercase().contains(&search))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let selected = move || match state.subject() {
        Some(Subject::Entity(id)) => id.to_string(),
        Some(Subject::Service(index)) => format!("s{index}"),
        None => String::new(),
    };
    let on_subject = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        state.clear_subject();
        if let Some(service) = value.strip_prefix('s') {
            state.scope_service.set(service.parse().ok());
        } else {
            state.scope_entity.set(value.parse().ok());
        }
    };
    let range = Memo::new(move |_| {
        state
            .result
            .with(|r| r.as_ref().and_then(|r| time_range(&r.dataset)))
    });
    let on_preset = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let Some((_, last)) = range.get_untracked() else {
            return;
        };
        let minutes: Option<i64> = value.parse().ok();
        // The last N whole minutes, the data's last minute included.
        let since = minutes.map(|m| (minute_of(last) - (m - 1)).saturating_mul(NANOS_PER_MINUTE));
        state.scope_since.set(since);
        state.scope_until.set(None);
        preset.set(value);
    };
    // A hand-edited span is no preset.
    Effect::new(move |_| {
        state.scope_until.track();
        let since = state.scope_since.get();
        let matches_preset = preset
            .with_untracked(|p| p.parse::<i64>().ok())
            .is_some_and(|m| {
                range.get_untracked().is_some_and(|(_, last)| {
                    since == Some((minute_of(last) - (m - 1)).saturating_mul(NANOS_PER_MINUTE))
                })
            });
        if !matches_preset || state.scope_until.get_untracked().is_some() {
            preset.set(String::new());
        }
    });
    // New data: the scope keeps the same workload or Service (ids change between loads),
    // and a time span outside the new data's range is dropped.
    let previous =
        StoredValue::new(None::<std::sync::Arc<crate::engine::ingest::session::LoadResult>>);
    Effect::new(move |_| {
        let Some(result) = state.result.get() else {
            return;
        };
        let before = previous.get_value();
        previous.set_value(Some(result.clone()));
        let Some(before) = before else {
            return;
        };
        let dataset = &result.dataset;
        let entity = state.scope_entity.get_untracked().and_then(|id| {
            let owner = &before.dataset.entities.get(id)?.owner;
            dataset.find_entity(owner.kind.as_str(), &owner.namespace, &owner.name)
        });
        let service = state.scope_service.get_untracked().and_then(|index| {
            let old = before.dataset.services.get(index)?;
            dataset
                .services
                .iter()
                .position(|s| s.namespace == old.namespace && s.name == old.name)
        });
        state.scope_entity.set(entity);
        state.scope_service.set(service);
        let bounds = time_range(dataset);
        let outside = |t: Option<i64>| {
            t.is_some_and(|t| {
                bounds.is_none_or(|(first, last)| t > last || t < first - NANOS_PER_MINUTE)
            })
        };
        if outside(state.scope_since.get_untracked()) || outside(state.scope_until.get_untracked())
        {
            state.scope_since.set(None);
            state.scope_until.set(None);
        }
    });
    let hint = move || {
        let backwards = matches!(
            (state.scope_since.get(), state.scope_until.get()),
            (Some(since), Some(until)) if since > until
        );
        if backwards {
            "From is after To: the time span is empty."
        } else if state.result.with(Option::is_some) {
            "Choose a namespace, an entity type and an entity: the views follow the scope. Times are UTC."
        } else if state.has_flows() {
            "Reading the flows…"
        } else {
            "Load flows to choose a scope."
        }
    };
    view! {
        <section class="fp-scope" aria-label="Scope">
            <ScopeField label="Cluster">
                <select
                    data-testid="scope-cluster"
                    disabled=no_data
                    on:change=move |ev| {
                        state.scope_cluster.set(event_target_value(&ev));
                        state.scope_namespace.set(String::new());
                        state.clear_subject();
                    }
                    prop:value=move || state.scope_cluster.get()
                >
                    <option value="">"All clusters"</option>
                    {move || clusters().into_iter().map(|c| {
                        let (here, text) = (c.clone(), c.clone());
                        view! { <option value=c prop:selected=move || state.scope_cluster.with(|s| *s == here)>{text}</option> }
                    }).collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Namespace">
                <select
                    data-testid="scope-namespace"
                    disabled=no_data
                    on:change=move |ev| {
                        state.scope_namespace.set(event_target_value(&ev));
                        state.clear_subject();
                    }
                    prop:value=move || state.scope_namespace.get()
                >
                    <option value="">"All namespaces"</option>
                    {move || namespaces().into_iter().map(|n| {
                        let (here, text) = (n.clone(), n.clone());
                        view! { <option value=n prop:selected=move || state.scope_namespace.with(|s| *s == here)>{text}</option> }
                    }).collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Entity type">
                <select
                    data-testid="scope-kind"
                    on:change=move |ev| {
                        state.scope_kind.set(event_target_value(&ev));
                        state.clear_subject();
                    }
                    prop:value=move || state.scope_kind.get()
                >
                    // The reference product's order: Service, then the workload kinds.
                    {std::iter::once(SERVICE_KIND)
                        .chain(EntityKind::ALL.iter().map(|kind| kind.as_str()))
                        .map(|kind| view! { <option value=kind>{kind}</option> })
                        .collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="Search">
                <input
                    type="search"
                    data-testid="scope-search"
                    placeholder="Filter entities"
                    disabled=no_data
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </ScopeField>
            <ScopeField label="Entity">
                <select
                    data-testid="scope-entity"
                    disabled=no_data
                    on:change=on_subject
                    prop:value=selected
                >
                    <option value="">"Choose an entity"</option>
                    {move || options().into_iter().map(|(value, label)| {
                        let here = value.clone();
                        view! { <option value=value prop:selected=move || selected() == here>{label}</option> }
                    }).collect_view()}
                </select>
            </ScopeField>
            <ScopeField label="From (UTC)">
                <TimeInput test_id="scope-since" value=state.scope_since range=range />
            </ScopeField>
            <ScopeField label="To (UTC)">
                <TimeInput test_id="scope-until" value=state.scope_until range=range />
            </ScopeField>
            <ScopeField label="Span">
                <select data-testid="scope-preset" disabled=no_data on:change=on_preset prop:value=move || preset.get()>
                    <option value="" prop:selected=move || preset.with(String::is_empty)>"Whole capture or as set"</option>
                    {PRESETS.iter().map(|(label, minutes)| {
                        let value = minutes.to_string();
                        let here = value.clone();
                        view! { <option value=value prop:selected=move || preset.with(|p| *p == here)>{*label}</option> }
                    }).collect_view()}
                </select>
            </ScopeField>
            <p class="fp-scope__hint">{hint}</p>
        </section>
    }
}
