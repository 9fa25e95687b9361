//! What the review says above a subject's rows about how its policies select its pods: with
//! no inventory for it, the labels the flows showed (and those that may change at the next
//! rollout); with flows alone, a kind inferred or a selector that picks more than the workload.

use crate::engine::dataset::{Dataset, SelectorSource};
use crate::engine::graph::describe::labels_text;
use crate::engine::model::EntityKind;
use crate::engine::resolve::reach::selection_notes;
use crate::engine::review::changeable_labels;
use crate::engine::scope::Subject;

/// The note on the first of `subject`'s entities that no inventory describes, if any: its
/// pods are selected by the labels the flows show.
pub fn inventory_note(dataset: &Dataset, subject: Subject) -> Option<String> {
    let id = subject
        .entities(dataset)
        .into_iter()
        .find(|&id| dataset.entities[id].selector_source == SelectorSource::ObservedPods)?;
    let selector = labels_text(&dataset.entities[id].selector);
    let changeable = changeable_labels(dataset, id);
    let risky = if changeable.is_empty() {
        String::new()
    } else {
        format!(
            " Labels that may change at the next rollout or injection: {}.",
            changeable.join(", ")
        )
    };
    // Argo Rollouts' objects are a custom resource, listed only when asked for.
    let rollouts = match dataset.entities[id].owner.kind {
        EntityKind::Rollout => ",rollouts.argoproj.io",
        _ => "",
    };
    Some(format!(
        "No inventory for this workload: its pods are selected by the labels the flows show ({selector}).{risky} Add a kubectl get pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,services,namespaces,nodes{rollouts} -A -o json snapshot for its exact selector."
    ))
}

/// What flows alone leave open about how each of `subject`'s entities is selected, in order.
pub fn subject_selection_notes(dataset: &Dataset, subject: Subject) -> Vec<String> {
    subject
        .entities(dataset)
        .into_iter()
        .flat_map(|id| selection_notes(dataset, id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;
    use crate::engine::scope::busiest_entity;

    const FLOWS: &[u8] = include_bytes!("../../../public/demo/flows.jsonl");
    const INVENTORY: &[u8] = include_bytes!("../../../public/demo/inventory.json");

    #[test]
    fn without_an_inventory_the_note_names_the_labels_the_flows_show() {
        let dataset = load_files(&[("flows.jsonl", FLOWS)], &[]).dataset;
        let subject = Subject::Entity(busiest_entity(&dataset).unwrap());
        let note = inventory_note(&dataset, subject).unwrap();
        let selector = labels_text(&dataset.entities[subject.entities(&dataset)[0]].selector);
        assert!(
            note.starts_with(&format!(
                "No inventory for this workload: its pods are selected by the labels the flows show ({selector})."
            )),
            "{note}"
        );
        assert!(
            note.ends_with("-A -o json snapshot for its exact selector."),
            "{note}"
        );
    }

    #[test]
    fn with_the_inventory_there_is_no_note() {
        let dataset = load_files(
            &[("inventory.json", INVENTORY), ("flows.jsonl", FLOWS)],
            &[],
        )
        .dataset;
        let subject = Subject::Entity(busiest_entity(&dataset).unwrap());
        assert_eq!(inventory_note(&dataset, subject), None);
    }

    /// The GKE HTTP capture (hubble-otel, Apache-2.0), flows alone: a DaemonSet inferred.
    #[test]
    fn an_inferred_kind_is_noted() {
        let capture = include_bytes!(
            "../../../tests/fixtures/real/hubble-otel_basic-sample-348-http-flows.jsonl"
        );
        let dataset = load_files(&[("http.jsonl", capture)], &[]).dataset;
        let id = dataset
            .entity_ids()
            .find(|&id| dataset.entities[id].kind_inferred)
            .expect("an inferred kind");
        let owner = &dataset.entities[id].owner;
        let notes = subject_selection_notes(&dataset, Subject::Entity(id));
        assert!(
            notes[0].starts_with(&format!(
                "{} is a {} by inference (",
                owner.name, owner.kind
            )),
            "{notes:?}"
        );
    }
}
