//! The scope of the review as one plain value: cluster → namespace → entity type → entity (or
//! Service) → time span. Every view follows it. What the scope bar offers
//! ([`Scope::options`]), how a choice narrows it, and how it carries over to a newly loaded
//! dataset ([`Scope::carry_over`]) are decided here, where native tests reach them; the page
//! only renders and forwards choices.

use crate::engine::dataset::{Dataset, Peer};
use crate::engine::model::time::{minute_of, start_of_minute, NANOS_PER_MINUTE};
use crate::engine::model::{EntityId, EntityKind, ServiceId, TimeWindow};

/// What the scope names.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Entity(EntityId),
    /// The pods behind a Service.
    Service(ServiceId),
}

impl Subject {
    /// The entities the subject covers.
    pub fn entities(self, dataset: &Dataset) -> Vec<EntityId> {
        match self {
            Subject::Entity(id) if id.index() < dataset.entities.len() => vec![id],
            Subject::Service(id) => dataset
                .services
                .get(id.index())
                .map(|s| s.backends.clone())
                .unwrap_or_default(),
            Subject::Entity(_) => Vec::new(),
        }
    }
}

/// The entity types the scope bar offers: Services (the pods their selector picks), then the
/// workload kinds.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Service,
    Workload(EntityKind),
}

impl SubjectKind {
    /// Every type, in the reference product's order: Service, then the workload kinds.
    pub fn all() -> impl Iterator<Item = SubjectKind> {
        std::iter::once(SubjectKind::Service).chain(EntityKind::ALL.map(SubjectKind::Workload))
    }

    /// The name shown (and used as the select's value).
    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Service => "Service",
            SubjectKind::Workload(kind) => kind.as_str(),
        }
    }

    /// The type named `label`.
    pub fn from_label(label: &str) -> Option<SubjectKind> {
        SubjectKind::all().find(|kind| kind.label() == label)
    }

    /// The type a person typed (`service`, `deployment`, `CronJob`...), ignoring case.
    pub fn parse(text: &str) -> Result<SubjectKind, String> {
        SubjectKind::all()
            .find(|kind| kind.label().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                let mut kinds: Vec<String> = SubjectKind::all()
                    .map(|kind| kind.label().to_ascii_lowercase())
                    .collect();
                let last = kinds.pop().unwrap_or_default();
                format!("unknown kind {text}: use {} or {last}", kinds.join(", "))
            })
    }
}

/// A preset time span: the last `minutes` whole minutes of the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    pub label: &'static str,
    pub minutes: i64,
}

/// The presets the scope bar offers.
pub const PRESETS: [Preset; 4] = [
    Preset {
        label: "Last 15 minutes",
        minutes: 15,
    },
    Preset {
        label: "Last hour",
        minutes: 60,
    },
    Preset {
        label: "Last 6 hours",
        minutes: 360,
    },
    Preset {
        label: "Last 24 hours",
        minutes: 1440,
    },
];

/// The scope: everything the views follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Only this cluster's workloads, when the data names clusters.
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub kind: SubjectKind,
    pub subject: Option<Subject>,
    /// The time span, nanoseconds since the epoch; open ends when `None`.
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            cluster: None,
            namespace: None,
            kind: SubjectKind::Workload(EntityKind::Deployment),
            subject: None,
            since: None,
            until: None,
        }
    }
}

/// One entry of the entity list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectOption {
    pub subject: Subject,
    /// `namespace/name (N communications)`, with the cluster in front when the data spans
    /// several and the list is not of one.
    pub label: String,
}

/// The first and last instant with a connection, for the time span's bounds.
pub fn time_range(dataset: &Dataset) -> Option<(i64, i64)> {
    let first = dataset
        .communications
        .iter()
        .filter_map(|c| c.observed.first_seen)
        .min()?;
    let last = dataset
        .communications
        .iter()
        .filter_map(|c| c.observed.last_seen)
        .max()?;
    Some((first, last))
}

impl Scope {
    /// The time span as a window of whole minutes.
    pub fn window(&self) -> TimeWindow {
        TimeWindow::between(self.since, self.until)
    }

    /// Whether the span runs backwards (From after To), so nothing is in it.
    pub fn is_backwards(&self) -> bool {
        matches!((self.since, self.until), (Some(since), Some(until)) if since > until)
    }

    /// Another cluster: the namespace and the subject are chosen anew.
    pub fn with_cluster(&self, cluster: Option<String>) -> Scope {
        Scope {
            cluster,
            namespace: None,
            subject: None,
            ..self.clone()
        }
    }

    /// Another namespace: the subject is chosen anew.
    pub fn with_namespace(&self, namespace: Option<String>) -> Scope {
        Scope {
            namespace,
            subject: None,
            ..self.clone()
        }
    }

    /// Another entity type: the subject is chosen anew.
    pub fn with_kind(&self, kind: SubjectKind) -> Scope {
        Scope {
            kind,
            subject: None,
            ..self.clone()
        }
    }

    /// Another subject, of the type in scope.
    pub fn with_subject(&self, subject: Option<Subject>) -> Scope {
        Scope {
            subject,
            ..self.clone()
        }
    }

    /// The scope of workload `id` (from the topology: a click on a peer): its cluster, when
    /// the data spans several, its namespace and kind; the time span stays.
    pub fn focused_on(&self, dataset: &Dataset, id: EntityId) -> Scope {
        let entity = &dataset.entities[id];
        Scope {
            cluster: entity.cluster.clone().filter(|_| dataset.spans_clusters()),
            namespace: Some(entity.owner.namespace.clone()),
            kind: SubjectKind::Workload(entity.owner.kind),
            subject: Some(Subject::Entity(id)),
            ..self.clone()
        }
    }

    /// Another time span.
    pub fn with_span(&self, since: Option<i64>, until: Option<i64>) -> Scope {
        Scope {
            since,
            until,
            ..self.clone()
        }
    }

    /// The span a preset gives (the whole capture for `None`): the last whole minutes up to
    /// the data's last connection, that minute included.
    pub fn with_preset(&self, dataset: &Dataset, preset: Option<Preset>) -> Scope {
        let since = preset
            .zip(time_range(dataset))
            .map(|(preset, (_, last))| start_of_minute(minute_of(last) - (preset.minutes - 1)));
        self.with_span(since, None)
    }

    /// The preset the span is, if it is one.
    pub fn preset(&self, dataset: &Dataset) -> Option<Preset> {
        let (_, last) = time_range(dataset)?;
        if self.until.is_some() {
            return None;
        }
        PRESETS.into_iter().find(|preset| {
            self.since == Some(start_of_minute(minute_of(last) - (preset.minutes - 1)))
        })
    }

    /// Whether `entity` is in the scope's cluster.
    fn in_cluster(&self, dataset: &Dataset, entity: EntityId) -> bool {
        in_cluster(dataset, entity, self.cluster.as_deref())
    }

    /// The clusters the data names.
    pub fn clusters(dataset: &Dataset) -> Vec<String> {
        dataset.clusters.iter().cloned().collect()
    }

    /// The namespaces of `cluster` (of every cluster when `None`), sorted.
    pub fn namespaces(dataset: &Dataset, cluster: Option<&str>) -> Vec<String> {
        let mut names: Vec<String> = dataset
            .entity_ids()
            .filter(|&id| in_cluster(dataset, id, cluster))
            .map(|id| dataset.entities[id].owner.namespace.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The entity list: the subjects of the scope's type in its cluster and namespace, each
    /// with how many communications it has, sorted by label.
    pub fn subject_options(&self, dataset: &Dataset) -> Vec<SubjectOption> {
        let in_namespace =
            |namespace: &str| self.namespace.as_deref().is_none_or(|n| n == namespace);
        let per_entity = communications_per_entity(dataset);
        let mut list: Vec<SubjectOption> = match self.kind {
            SubjectKind::Service => dataset
                .services_with_ids()
                .filter(|(_, s)| in_namespace(&s.namespace))
                .filter(|(_, s)| {
                    self.cluster.is_none()
                        || s.backends.iter().any(|&id| self.in_cluster(dataset, id))
                })
                .map(|(id, s)| SubjectOption {
                    subject: Subject::Service(id),
                    label: format!(
                        "{}/{} ({} communications)",
                        s.namespace,
                        s.name,
                        service_communications(dataset, Subject::Service(id))
                    ),
                })
                .collect(),
            SubjectKind::Workload(kind) => dataset
                .entity_ids()
                .filter(|&id| {
                    let owner = &dataset.entities[id].owner;
                    owner.kind == kind
                        && self.in_cluster(dataset, id)
                        && in_namespace(&owner.namespace)
                })
                .map(|id| {
                    let entity = &dataset.entities[id];
                    // Two clusters' `shop/web` are told apart unless one cluster is chosen.
                    let cluster = match &entity.cluster {
                        Some(cluster) if dataset.spans_clusters() && self.cluster.is_none() => {
                            format!("{cluster}/")
                        }
                        _ => String::new(),
                    };
                    SubjectOption {
                        subject: Subject::Entity(id),
                        label: format!(
                            "{cluster}{}/{} ({} communications)",
                            entity.owner.namespace,
                            entity.owner.name,
                            per_entity[id.index()]
                        ),
                    }
                })
                .collect(),
        };
        list.sort_by(|a, b| a.label.cmp(&b.label));
        list
    }

    /// The same scope over `new` data, loaded after `old`: the same workload or Service (ids
    /// change between loads), and no time span outside the new data's range.
    pub fn carry_over(&self, old: &Dataset, new: &Dataset) -> Scope {
        let subject = self.subject.and_then(|subject| match subject {
            Subject::Entity(id) => {
                let key = old.carry_key(&old.owner_key(id), new);
                new.find_owner(&key).map(Subject::Entity)
            }
            Subject::Service(id) => {
                let was = old.services.get(id.index())?;
                new.services_with_ids()
                    .find(|(_, s)| s.namespace == was.namespace && s.name == was.name)
                    .map(|(id, _)| Subject::Service(id))
            }
        });
        let bounds = time_range(new);
        let outside = |t: Option<i64>| {
            t.is_some_and(|t| {
                bounds.is_none_or(|(first, last)| {
                    t > last || t < first.saturating_sub(NANOS_PER_MINUTE)
                })
            })
        };
        let (since, until) = if outside(self.since) || outside(self.until) {
            (None, None)
        } else {
            (self.since, self.until)
        };
        Scope {
            subject,
            since,
            until,
            ..self.clone()
        }
    }
}

/// The workload with the most communications (as client or server), the first by name among
/// equals: what a review lands on when nothing is chosen. The cluster's own (in `kube-*`
/// namespaces: DNS, which every workload calls) only when no other has any. `None` without
/// communications.
pub fn busiest_entity(dataset: &Dataset) -> Option<EntityId> {
    let mut count = vec![0usize; dataset.entities.len()];
    for communication in &dataset.communications {
        for peer in [communication.client, communication.server] {
            if let Peer::Entity(id) = peer {
                count[id.index()] += 1;
            }
        }
    }
    let system = |id: EntityId| dataset.entities[id].owner.namespace.starts_with("kube-");
    dataset
        .entity_ids()
        .filter(|id| count[id.index()] > 0)
        .max_by(|&a, &b| {
            (!system(a), count[a.index()])
                .cmp(&(!system(b), count[b.index()]))
                .then_with(|| {
                    // Equal counts: the first by name wins (max_by keeps the last maximum).
                    dataset
                        .peer_label(Peer::Entity(b))
                        .cmp(&dataset.peer_label(Peer::Entity(a)))
                })
        })
}

/// Whether `entity` is in `cluster` (an entity without a cluster is in every one).
fn in_cluster(dataset: &Dataset, entity: EntityId, cluster: Option<&str>) -> bool {
    match (cluster, &dataset.entities[entity].cluster) {
        (Some(wanted), Some(cluster)) => wanted == cluster,
        _ => true,
    }
}

/// Communications per entity, as client or server (once when it is both), in one pass.
fn communications_per_entity(dataset: &Dataset) -> Vec<usize> {
    let mut per_entity = vec![0usize; dataset.entities.len()];
    for c in &dataset.communications {
        if let Peer::Entity(id) = c.client {
            per_entity[id.index()] += 1;
        }
        if let (Peer::Entity(id), true) = (c.server, c.server != c.client) {
            per_entity[id.index()] += 1;
        }
    }
    per_entity
}

/// The communications of a Service's backends, each counted once.
fn service_communications(dataset: &Dataset, subject: Subject) -> usize {
    let own = subject.entities(dataset);
    let touches = |p: Peer| matches!(p, Peer::Entity(id) if own.contains(&id));
    dataset
        .communications
        .iter()
        .filter(|c| touches(c.client) || touches(c.server))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;

    fn demo() -> Dataset {
        load_files(
            &[
                (
                    "inventory.json",
                    include_bytes!("../../public/demo/inventory.json"),
                ),
                (
                    "flows.jsonl",
                    include_bytes!("../../public/demo/flows.jsonl"),
                ),
            ],
            &[],
        )
        .dataset
    }

    #[test]
    fn a_review_lands_on_the_busiest_workload() {
        let dataset = demo();
        let busiest = busiest_entity(&dataset).unwrap();
        let count = |id: EntityId| {
            dataset
                .communications
                .iter()
                .filter(|c| c.client == Peer::Entity(id) || c.server == Peer::Entity(id))
                .count()
        };
        let system = |id: EntityId| dataset.entities[id].owner.namespace.starts_with("kube-");
        assert!(dataset
            .entity_ids()
            .filter(|&id| !system(id))
            .all(|id| count(id) <= count(busiest)));
        assert_eq!(
            dataset.peer_label(Peer::Entity(busiest)),
            "Deployment/shop/frontend"
        );
        let scope = Scope::default().focused_on(&dataset, busiest);
        assert_eq!(scope.namespace.as_deref(), Some("shop"));
        assert_eq!(scope.subject, Some(Subject::Entity(busiest)));
        assert_eq!(busiest_entity(&Dataset::default()), None);
    }

    fn labels(options: &[SubjectOption]) -> Vec<&str> {
        options
            .iter()
            .map(|o| o.label.split(' ').next().unwrap_or(""))
            .collect()
    }

    #[test]
    fn the_entity_list_follows_cluster_namespace_and_type() {
        let dataset = demo();
        let scope = Scope::default().with_namespace(Some("shop".into()));
        assert_eq!(
            labels(&scope.subject_options(&dataset)),
            ["shop/cart", "shop/catalog", "shop/frontend"]
        );
        let services = scope.with_kind(SubjectKind::Service);
        assert!(labels(&services.subject_options(&dataset)).contains(&"shop/catalog"));
        let jobs = Scope::default().with_kind(SubjectKind::Workload(EntityKind::CronJob));
        assert_eq!(labels(&jobs.subject_options(&dataset)), ["data/db-backup"]);
        let elsewhere = Scope::default().with_cluster(Some("another".into()));
        assert!(elsewhere.subject_options(&dataset).is_empty());
        assert!(Scope::namespaces(&dataset, Some("another")).is_empty());
        assert!(Scope::namespaces(&dataset, None).contains(&"shop".to_string()));
        let frontend = scope.subject_options(&dataset)[2].clone();
        assert!(
            frontend.label.ends_with(" communications)"),
            "{}",
            frontend.label
        );
    }

    #[test]
    fn narrowing_the_scope_clears_what_depends_on_it() {
        let dataset = demo();
        let frontend = dataset
            .find_entity(EntityKind::Deployment, "shop", "frontend")
            .unwrap();
        let scope = Scope::default()
            .with_namespace(Some("shop".into()))
            .with_subject(Some(Subject::Entity(frontend)));
        assert_eq!(scope.with_namespace(None).subject, None);
        assert_eq!(scope.with_kind(SubjectKind::Service).subject, None);
        let other_cluster = scope.with_cluster(Some("x".into()));
        assert_eq!(
            (other_cluster.namespace, other_cluster.subject),
            (None, None)
        );
        assert_eq!(scope.with_span(Some(1), None).subject, scope.subject);
    }

    #[test]
    fn presets_are_whole_minutes_up_to_the_last_connection() {
        let dataset = demo();
        let (_, last) = time_range(&dataset).unwrap();
        let scope = Scope::default().with_preset(&dataset, Some(PRESETS[0]));
        assert_eq!(scope.since, Some(start_of_minute(minute_of(last) - 14)));
        assert_eq!(scope.until, None);
        assert_eq!(scope.preset(&dataset), Some(PRESETS[0]));
        assert_eq!(
            scope.with_span(scope.since, Some(last)).preset(&dataset),
            None
        );
        assert_eq!(Scope::default().with_preset(&dataset, None).since, None);
        assert!(Scope::default().with_span(Some(2), Some(1)).is_backwards());
    }

    #[test]
    fn the_scope_carries_over_to_new_data_by_name() {
        let old = demo();
        let mut new = demo();
        // The same data in another order: every id differs.
        new.entities.reverse();
        new.services.reverse();
        let count = new.entities.len();
        let flip = |id: EntityId| EntityId::new(count - 1 - id.index());
        for c in &mut new.communications {
            for peer in [&mut c.client, &mut c.server] {
                if let Peer::Entity(id) = peer {
                    *id = flip(*id);
                }
            }
        }
        let frontend = old
            .find_entity(EntityKind::Deployment, "shop", "frontend")
            .unwrap();
        let (_, last) = time_range(&old).unwrap();
        let scope = Scope::default().with_subject(Some(Subject::Entity(frontend)));
        let carried = scope.with_span(Some(last), None).carry_over(&old, &new);
        assert_eq!(carried.subject, Some(Subject::Entity(flip(frontend))));
        assert_eq!(new.entities[flip(frontend)].owner.name, "frontend");
        assert_eq!(carried.since, Some(last), "inside the new data's range");
        let catalog = old
            .services_with_ids()
            .find(|(_, s)| s.name == "catalog")
            .map(|(id, _)| id)
            .unwrap();
        let carried = Scope::default()
            .with_kind(SubjectKind::Service)
            .with_subject(Some(Subject::Service(catalog)))
            .with_span(Some(last + 3 * NANOS_PER_MINUTE), None)
            .carry_over(&old, &new);
        let Some(Subject::Service(id)) = carried.subject else {
            panic!("the Service is kept: {carried:?}");
        };
        assert_eq!(new.services[id].name, "catalog");
        assert_eq!(carried.since, None, "a span after the data is dropped");
        let gone = Scope::default()
            .with_subject(Some(Subject::Entity(frontend)))
            .carry_over(&old, &Dataset::default());
        assert_eq!(gone.subject, None);
    }
}
