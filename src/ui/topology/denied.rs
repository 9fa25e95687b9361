//! The included communications the generated policies deny, and why (the verifier's
//! finding, `policy::view::DeniedJob`), for the edges: worked out after each decision from the
//! task after the next frame, an entity's policy a step, in slices ([`in_slices`]), the newest
//! request only, so a click repaints first and the page keeps answering.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::model::CommunicationId;
use crate::engine::policy::view::{DeniedJob, PolicyTarget};
use crate::ui::state::AppState;

use super::slices::in_slices;

/// The communications the policies of `target` deny though the review includes them, by
/// communication, with why.
pub fn denied_by_policies(
    state: AppState,
    target: Memo<PolicyTarget>,
) -> RwSignal<Arc<BTreeMap<CommunicationId, String>>> {
    let denied: RwSignal<Arc<BTreeMap<CommunicationId, String>>> = RwSignal::new(Arc::default());
    let checking = StoredValue::new(0u64);
    Effect::new(move |_| {
        let result = state.result.get();
        let decisions = state.decisions.get();
        let target = target.get();
        let (window, options) = (state.window(), state.policy_options());
        checking.update_value(|g| *g += 1);
        let mine = checking.get_value();
        let Some(result) = result else {
            denied.set(Arc::default());
            return;
        };
        // From the task after the next frame: the decision's own repaint comes first.
        request_animation_frame(move || {
            leptos::task::spawn_local(async move {
                let current = || checking.try_get_value() == Some(mine);
                gloo_timers::future::TimeoutFuture::new(0).await;
                if !current() {
                    return;
                }
                let mut job = DeniedJob::new(&result.dataset, &decisions, &target, window, options);
                if let Some(found) = in_slices(|| job.step(), current).await {
                    let found = found.into_iter().map(|d| (d.communication, d.reason));
                    let _ = denied.try_set(Arc::new(found.collect()));
                }
            })
        });
    });
    denied
}
