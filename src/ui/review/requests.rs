//! Under a row with L7 evidence, its requests grouped by the patterns the L7 rules would be
//! written with (pattern, methods, count, first and last seen, a few examples), each with its
//! own include toggle, like a row's: an excluded pattern's requests are left out of the rules
//! (`flowpol generate --l7` reads the same decisions).

use leptos::prelude::*;

use crate::engine::l7::L7Options;
use crate::engine::model::CommunicationId;
use crate::engine::review::requests::pattern_rows;
use crate::engine::units::utc_time;
use crate::ui::state::AppState;

/// The request patterns of `communication`, folded into a `<details>`; nothing without L7
/// evidence.
#[component]
pub fn RequestPatterns(communication: CommunicationId) -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = Memo::new(move |_| {
        let result = state.result.get()?;
        let rows = state.decisions.with(|decisions| {
            pattern_rows(
                &result.dataset,
                decisions,
                communication,
                L7Options::default(),
            )
        });
        (!rows.is_empty()).then_some(rows)
    });
    move || {
        rows.get().map(|rows| {
            let excluded = rows.iter().filter(|r| !r.included).count();
            let summary = match (rows.len(), excluded) {
                (1, 0) => "1 request pattern".to_string(),
                (n, 0) => format!("{n} request patterns"),
                (n, e) => format!("{n} request patterns, {e} excluded"),
            };
            view! {
                <details class="fp-l7" data-testid="l7-patterns">
                    <summary>{summary}</summary>
                    <ul class="fp-l7__list">
                        {rows.into_iter().map(|row| {
                            let key = row.pattern.key.clone();
                            let toggle = move |ev: leptos::ev::Event| {
                                let on = event_target_checked(&ev);
                                let Some(result) = state.result.get_untracked() else {
                                    return;
                                };
                                let dataset = &result.dataset;
                                let row_key = dataset.row_key(&dataset.communications[communication]);
                                state.decisions.update(|d| d.set_request_included(&row_key, &key, on));
                            };
                            let seen = match (row.pattern.first_seen, row.pattern.last_seen) {
                                (Some(first), Some(last)) => format!(", {} – {}", utc_time(first), utc_time(last)),
                                _ => String::new(),
                            };
                            // A fixed path is its own example: none shown.
                            let examples = if row.pattern.requests > row.pattern.examples.len() {
                                format!("e.g. {} … ({} distinct)", row.pattern.examples.join(", "), row.pattern.requests)
                            } else if row.pattern.examples == [row.pattern.key.clone()] {
                                String::new()
                            } else {
                                row.pattern.examples.join(", ")
                            };
                            view! {
                                <li
                                    class="fp-l7__pattern"
                                    data-testid="l7-pattern"
                                    data-key=row.pattern.key.clone()
                                    data-included=row.included.to_string()
                                >
                                    <label>
                                        <input
                                            type="checkbox"
                                            data-testid="l7-pattern-toggle"
                                            aria-label=format!("Include the requests {}", row.text)
                                            prop:checked=row.included
                                            on:change=toggle
                                        />
                                        " "
                                        <code>{row.text.clone()}</code>
                                    </label>
                                    <span class="fp-l7__seen">{format!(" ×{}{seen}", row.pattern.count)}</span>
                                    <span class="fp-l7__examples">{examples}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            }
        })
    }
}
