//! The notes above a subject's rows on how its policies select its pods: no inventory for it
//! (its selector is what the flows showed), a kind inferred, a selector wider than the
//! workload. The words are `engine::policy::selection_notes`'.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::load::LoadResult;
use crate::engine::policy::selection_notes::{inventory_note, subject_selection_notes};
use crate::engine::scope::Subject;

/// The notes on `subject`, when there are any.
#[component]
pub fn SelectionNotes(result: Arc<LoadResult>, subject: Subject) -> impl IntoView {
    // Without an inventory for the subject, its selector is what the flows showed.
    let inventory = inventory_note(&result.dataset, subject).map(|note| {
        view! { <p class="fp-review__note" data-testid="inventory-note" role="note">{note}</p> }
    });
    // Flows alone: a kind inferred, a selector wider than the workload.
    let notes = subject_selection_notes(&result.dataset, subject);
    let selection = (!notes.is_empty()).then(|| {
        let notes = notes
            .into_iter()
            .map(|note| view! { <li>{note}</li> })
            .collect_view();
        view! {
            <ul class="fp-review__note fp-review__selection" data-testid="selection-notes" role="note">
                {notes}
            </ul>
        }
    });
    view! { {inventory} {selection} }
}
