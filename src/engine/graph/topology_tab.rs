//! What the Topology tab says besides the picture: the namespace its namespace view draws
//! (the scope's, else the subject's, else every namespace) and the title above the picture.

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::scope::{Scope, Subject};

use super::namespace_view::NamespaceScope;

/// The namespace the namespace view draws for `scope`: its namespace, else its subject's in
/// `dataset` (the first entity's), else none (the overview); in its cluster.
pub fn drawn_namespace(scope: &Scope, dataset: Option<&Dataset>) -> NamespaceScope {
    let from_subject = || {
        let dataset = dataset?;
        let entities = scope.subject?.entities(dataset);
        let first = entities.first()?;
        Some(dataset.entities[*first].owner.namespace.clone())
    };
    NamespaceScope {
        namespace: scope.namespace.clone().or_else(from_subject),
        cluster: scope.cluster.clone(),
    }
}

/// The subject's name as the entity view's title says it.
pub fn subject_name(dataset: &Dataset, subject: Subject) -> String {
    match subject {
        Subject::Entity(id) => dataset.peer_label(Peer::Entity(id)),
        Subject::Service(id) => dataset
            .services
            .get(id.index())
            .map(|s| format!("Service/{}/{}", s.namespace, s.name))
            .unwrap_or_default(),
    }
}

/// The title above the picture: the entity view's `subject` (when it draws one of data
/// shown), else the namespace drawn.
pub fn topology_title(
    dataset: Option<&Dataset>,
    entity_view_of: Option<Subject>,
    namespace: Option<&str>,
) -> String {
    match (entity_view_of, dataset, namespace) {
        (Some(subject), Some(dataset), _) => {
            format!("Entity view: {}", subject_name(dataset, subject))
        }
        (_, _, Some(namespace)) => format!("Namespace view: {namespace}"),
        (_, _, None) => "Namespace view: every namespace".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;
    use crate::engine::model::ServiceId;
    use crate::engine::scope::busiest_entity;

    fn demo() -> Dataset {
        load_files(
            &[
                (
                    "inventory.json",
                    include_bytes!("../../../public/demo/inventory.json"),
                ),
                (
                    "flows.jsonl",
                    include_bytes!("../../../public/demo/flows.jsonl"),
                ),
            ],
            &[],
        )
        .dataset
    }

    #[test]
    fn the_namespace_drawn_is_the_scopes_else_the_subjects() {
        let dataset = demo();
        let busiest = busiest_entity(&dataset).unwrap();
        let own = dataset.entities[busiest].owner.namespace.clone();
        let scope = Scope::default();
        assert_eq!(
            drawn_namespace(&scope, Some(&dataset)),
            NamespaceScope {
                namespace: None,
                cluster: None
            }
        );
        let focused = scope.focused_on(&dataset, busiest);
        let drawn = drawn_namespace(
            &Scope {
                namespace: None,
                ..focused.clone()
            },
            Some(&dataset),
        );
        assert_eq!(drawn.namespace, Some(own.clone()));
        assert_eq!(
            drawn_namespace(
                &Scope {
                    namespace: None,
                    ..focused
                },
                None
            )
            .namespace,
            None
        );
        let chosen = scope.with_namespace(Some("elsewhere".into()));
        assert_eq!(
            drawn_namespace(&chosen, Some(&dataset))
                .namespace
                .as_deref(),
            Some("elsewhere")
        );
    }

    #[test]
    fn the_title_names_the_subject_or_the_namespace() {
        let dataset = demo();
        let busiest = busiest_entity(&dataset).unwrap();
        let label = dataset.peer_label(Peer::Entity(busiest));
        let subject = Some(Subject::Entity(busiest));
        let shown = Some(&dataset);
        assert_eq!(
            topology_title(shown, subject, Some("shop")),
            format!("Entity view: {label}")
        );
        assert_eq!(
            topology_title(shown, None, Some("shop")),
            "Namespace view: shop"
        );
        assert_eq!(
            topology_title(None, subject, Some("shop")),
            "Namespace view: shop"
        );
        assert_eq!(
            topology_title(shown, None, None),
            "Namespace view: every namespace"
        );
        let service = &dataset.services[0];
        assert_eq!(
            subject_name(&dataset, Subject::Service(ServiceId::new(0))),
            format!("Service/{}/{}", service.namespace, service.name)
        );
        assert_eq!(
            subject_name(
                &dataset,
                Subject::Service(ServiceId::new(dataset.services.len()))
            ),
            ""
        );
    }
}
