//! Whether the capture is long enough, under the dataset's summary: the discovery curve as a
//! small bar chart (new communications per tenth of the capture, its numbers in words for
//! screen readers and on hover), Chao1's estimate of those unseen, and the warnings (keep
//! capturing, workloads with no traffic, controllers with no pod). Every name is text.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::coverage::{Coverage, PARTS};
use crate::engine::load::LoadResult;
use crate::engine::units::utc_time;

/// The chart's size in pixels, and a bar's width.
const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 24.0;
const BAR: f64 = WIDTH / PARTS as f64;

/// The curve, the estimate and the warnings of `result`'s dataset.
#[component]
pub fn CaptureCoverage(result: Arc<LoadResult>) -> impl IntoView {
    let dataset = &result.dataset;
    let coverage = Coverage::of(dataset);
    let warnings = coverage.warnings(dataset);
    let estimate = coverage.estimate_line();
    let curve = coverage.curve.clone().map(|curve| {
        let most = curve.new.iter().copied().max().unwrap_or(0).max(1) as f64;
        let words = format!(
            "New communications per tenth of the capture ({} to {}): {}",
            utc_time(curve.start),
            utc_time(curve.end),
            curve.numbers()
        );
        let bars = curve
            .new
            .iter()
            .enumerate()
            .map(|(tenth, &count)| {
                // A tenth that found nothing still shows a hairline.
                let height = (count as f64 / most * (HEIGHT - 2.0)).max(1.0);
                view! {
                    <rect
                        class="fp-coverage__bar"
                        x=tenth as f64 * BAR + 1.0
                        y=HEIGHT - height
                        width=BAR - 2.0
                        height=height
                    />
                }
            })
            .collect_view();
        let title = words.clone();
        view! {
            <svg
                class="fp-coverage__curve"
                data-testid="discovery-curve"
                data-counts=curve.numbers()
                role="img"
                aria-label=words
                width=WIDTH
                height=HEIGHT
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            >
                <title>{title}</title>
                {bars}
            </svg>
        }
    });
    view! {
        <div class="fp-coverage" data-testid="capture-coverage">
            <div class="fp-coverage__line">
                {curve.is_some().then(|| view! {
                    <span class="fp-coverage__label" aria-hidden="true">"New communications per tenth of the capture"</span>
                })}
                {curve}
                <span class="fp-coverage__estimate" data-testid="capture-estimate">{estimate}</span>
            </div>
            {(!warnings.is_empty()).then(|| view! {
                <ul class="fp-coverage__warnings" data-testid="capture-warnings">
                    {warnings.into_iter().map(|warning| view! { <li>{warning}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
