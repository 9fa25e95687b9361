//! The scope bar's time span: From and To in UTC, bounded by the data's range, and presets
//! (the last minutes of the data). Which preset is shown is derived from the span.

use leptos::prelude::*;

use super::field::ScopeField;
use crate::engine::scope::{time_range, PRESETS};
use crate::engine::units::{datetime_local, parse_datetime_local};
use crate::ui::state::AppState;

/// One end of the time span: a text field in UTC (`2026-11-20T09:30`, or with a space),
/// one stop for the keyboard (a `datetime-local` input takes one per part), with the data's
/// range as its hint; a value that is no time is marked and changes nothing.
#[component]
fn TimeInput(
    test_id: &'static str,
    #[prop(into)] value: Signal<Option<i64>>,
    on_change: Callback<Option<i64>>,
    range: Memo<Option<(i64, i64)>>,
) -> impl IntoView {
    let invalid = RwSignal::new(false);
    let hint = move || {
        range
            .get()
            .map(|(first, last)| {
                format!(
                    "UTC, from {} to {}",
                    datetime_local(first),
                    datetime_local(last)
                )
            })
            .unwrap_or_default()
    };
    view! {
        <input
            type="text"
            inputmode="numeric"
            data-testid=test_id
            placeholder="YYYY-MM-DDTHH:MM"
            class:fp-scope__input--invalid=move || invalid.get()
            aria-invalid=move || invalid.get().to_string()
            title=hint
            disabled=move || range.get().is_none()
            prop:value=move || value.get().map(datetime_local).unwrap_or_default()
            on:change=move |ev| {
                let text = event_target_value(&ev);
                let parsed = parse_datetime_local(&text);
                invalid.set(!text.trim().is_empty() && parsed.is_none());
                if parsed.is_some() || text.trim().is_empty() {
                    on_change.run(parsed);
                }
            }
        />
    }
}

/// From, To and the presets.
#[component]
pub fn SpanFields() -> impl IntoView {
    let state = expect_context::<AppState>();
    let range = Memo::new(move |_| {
        state
            .result
            .with(|r| r.as_ref().and_then(|r| time_range(&r.dataset)))
    });
    let since = Signal::derive(move || state.scope.with(|s| s.since));
    let until = Signal::derive(move || state.scope.with(|s| s.until));
    let set_since = Callback::new(move |since| {
        state.scope.update(|s| *s = s.with_span(since, s.until));
    });
    let set_until = Callback::new(move |until| {
        state.scope.update(|s| *s = s.with_span(s.since, until));
    });
    // The preset the span is, if it is one: `minutes` as the select's value.
    let preset = Memo::new(move |_| {
        let scope = state.scope.get();
        state.result.with(|r| {
            r.as_ref()
                .and_then(|r| scope.preset(&r.dataset))
                .map(|p| p.minutes.to_string())
                .unwrap_or_default()
        })
    });
    let on_preset = move |ev: leptos::ev::Event| {
        let minutes: Option<i64> = event_target_value(&ev).parse().ok();
        let chosen = PRESETS.into_iter().find(|p| Some(p.minutes) == minutes);
        let Some(result) = state.result.get_untracked() else {
            return;
        };
        state
            .scope
            .update(|s| *s = s.with_preset(&result.dataset, chosen));
    };
    view! {
        <ScopeField label="From (UTC)">
            <TimeInput test_id="scope-since" value=since on_change=set_since range=range />
        </ScopeField>
        <ScopeField label="To (UTC)">
            <TimeInput test_id="scope-until" value=until on_change=set_until range=range />
        </ScopeField>
        <ScopeField label="Time span">
            <select
                data-testid="scope-preset"
                disabled=move || state.result.with(Option::is_none)
                on:change=on_preset
                prop:value=move || preset.get()
            >
                <option value="" prop:selected=move || preset.with(String::is_empty)>
                    {move || if state.scope.with(|s| s.since.is_some() || s.until.is_some()) {
                        "From and To as set"
                    } else {
                        "The whole capture"
                    }}
                </option>
                {PRESETS.iter().map(|p| {
                    let value = p.minutes.to_string();
                    let here = value.clone();
                    view! { <option value=value prop:selected=move || preset.with(|v| *v == here)>{p.label}</option> }
                }).collect_view()}
            </select>
        </ScopeField>
    }
}
