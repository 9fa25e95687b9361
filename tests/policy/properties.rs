//! Properties of the generated policies over random clusters, flows and decisions: replayed
//! through the evaluator they allow what the review decided, and every probe (any client,
//! server, protocol and port, observed or not) is allowed exactly when the model says so: no
//! cross-product of peers and ports, nothing wider than the review. The worlds have
//! overlapping selectors (entities sharing an `app` value, or one's selector picking the
//! pods of another that carry one more label), canary pods with labels of their own,
//! several namespaces, and workloads of two clusters (each cluster's policies apply to its
//! own pods; a workload of the other cluster is only an address to them), and workloads whose
//! pods share no label at all. Both kinds are checked: the NetworkPolicies under Kubernetes'
//! semantics and the CiliumNetworkPolicies of the same review under Cilium's.
//!
//! Two properties: where every workload can be selected exactly, every probe is allowed
//! exactly as the model says; in every world, availability comes first (every workload gets a
//! policy, every included communication is allowed, also with each policy applied alone) and
//! the workloads each policy says it also selects are exactly those its selector picks beyond
//! its own, by the model's own reading of the labels.

use std::collections::BTreeSet;

use flowpol::engine::dataset::{Address, Communication, Dataset, Entity, Peer, SelectorSource};
use flowpol::engine::decisions::{Decisions, GeneralRule};
use flowpol::engine::model::labels::Labels;
use flowpol::engine::model::observed::ObservedCommunication;
use flowpol::engine::model::ports::ContainerPort;
use flowpol::engine::model::{
    AddressClass, AddressId, Direction, EntityId, EntityKind, Owner, Protocol, TimeWindow,
};
use flowpol::engine::policy::{cilium_documents, generate_policies, placed, placed_cilium};
use flowpol::engine::verify::replay::{probe_placed, verify_placed, ProbeEnd};
use proptest::prelude::*;

const PORTS: [u16; 4] = [53, 80, 443, 8080];
const PROTOCOLS: [Protocol; 2] = [Protocol::Tcp, Protocol::Udp];
const HOSTILE_VALUES: [&str; 5] = ["on", "yes", "1.10", "~", "a: b # c"];

#[derive(Debug, Clone)]
struct World {
    dataset: Dataset,
    decisions: Decisions,
    /// What the decisions were made from, for the test's own reading of them: the
    /// communications excluded (client, server, protocol, port), and the addresses aliased.
    excluded: std::collections::BTreeSet<(Peer, Peer, Protocol, u16)>,
    aliased: Vec<bool>,
}

/// How a random entity is made: namespace, kind, hostile label, cluster, `app` value,
/// whether it also has a `tier` label, and whether some of its pods are canaries.
type EntitySpec = (usize, usize, usize, usize, usize, bool, bool);

/// The `app` value of an entity whose pods share no label.
const NO_SHARED_LABEL: usize = 4;

/// An entity whose selector is `app` (from a small pool, so that selectors overlap: two
/// entities share one, or one's picks the other's pods that also carry `tier`), with a
/// hostile extra label, and canary pods with one more label when asked; or, for `app`
/// [`NO_SHARED_LABEL`], one whose two pods share no label (its selector is empty).
fn entity(
    index: usize,
    (namespace, kind, extra, cluster, app, tier, canary): EntitySpec,
) -> Entity {
    let mut selector = Labels::from([("app".to_string(), format!("a{app}"))]);
    if tier {
        selector.insert("tier".into(), "web".into());
    }
    let mut labels = selector.clone();
    labels.insert(
        "x".into(),
        HOSTILE_VALUES[extra % HOSTILE_VALUES.len()].into(),
    );
    let mut label_sets = vec![labels.clone()];
    if app == NO_SHARED_LABEL {
        selector = Labels::new();
        labels = Labels::new();
        label_sets = vec![
            Labels::from([("pod".to_string(), format!("e{index}-a"))]),
            Labels::from([("pod".to_string(), format!("e{index}-b"))]),
        ];
    }
    if canary {
        let mut canary = labels.clone();
        canary.insert("track".into(), "canary".into());
        label_sets.push(canary);
    }
    Entity {
        service_accounts: Default::default(),
        kind_inferred: false,
        host_network: false,
        owner: Owner {
            kind: EntityKind::ALL[kind % EntityKind::ALL.len()],
            namespace: format!("n{namespace}"),
            name: format!("e{index}"),
        },
        cluster: Some(format!("c{cluster}")),
        selector,
        selector_source: SelectorSource::Workload,
        pods: BTreeSet::new(),
        addresses: Default::default(),
        label_sets,
        labels,
        ports: vec![ContainerPort {
            name: Some("http".into()),
            port: 8080,
            protocol: Protocol::Tcp,
        }],
    }
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(
            (
                0..2usize,
                0..6usize,
                0..5usize,
                prop_oneof![4 => Just(0usize), 1 => Just(1usize)],
                prop_oneof![8 => 0..4usize, 1 => Just(NO_SHARED_LABEL)],
                any::<bool>(),
                prop::bool::weighted(0.2),
            ),
            1..7,
        ),
        0..3usize,
    )
        .prop_flat_map(|(entities, addresses)| {
            let peers = entities.len() + addresses;
            let communication = (0..peers, 0..peers, 0..2usize, 0..PORTS.len());
            (
                Just(entities),
                Just(addresses),
                prop::collection::vec(communication, 0..14),
                // Per communication: 0 keep, 1 exclude.
                prop::collection::vec(0..3u8, 14),
                // Per entity and direction: a general rule, mostly per-row.
                prop::collection::vec(0..7usize, 14),
                // Which addresses get an alias.
                prop::collection::vec(any::<bool>(), 3),
            )
        })
        .prop_map(
            |(entity_specs, addresses, communications, exclusions, rules, aliased)| {
                let dataset = world_dataset(&entity_specs, addresses, &communications);
                let decisions = world_decisions(&dataset, &exclusions, &rules, &aliased);
                let excluded = dataset
                    .communications
                    .iter()
                    .zip(&exclusions)
                    .filter(|(_, &mark)| mark == 1)
                    .map(|(c, _)| (c.client, c.server, c.protocol, c.port))
                    .collect();
                World {
                    dataset,
                    decisions,
                    excluded,
                    aliased,
                }
            },
        )
}

/// A communication drawn by its indexes: client and server (the entities, then the
/// addresses), protocol and port.
type CommunicationSpec = (usize, usize, usize, usize);

/// A world's dataset: the entities `entity_specs`, `addresses` addresses outside the cluster,
/// and the communications drawn between them (none between two addresses, none twice).
fn world_dataset(
    entity_specs: &[EntitySpec],
    addresses: usize,
    communications: &[CommunicationSpec],
) -> Dataset {
    let mut dataset = Dataset::default();
    for (index, &spec) in entity_specs.iter().enumerate() {
        dataset.entities.push(entity(index, spec));
    }
    dataset.clusters = dataset
        .entities
        .iter()
        .filter_map(|e| e.cluster.clone())
        .collect();
    for index in 0..addresses {
        dataset.addresses.push(Address {
            ip: std::net::IpAddr::from([203, 0, 113, index as u8 + 1]),
            class: AddressClass::External,
            node: None,
            names: BTreeSet::new(),
            reserved: Vec::new(),
        });
    }
    let peer = |i: usize| {
        if i < entity_specs.len() {
            Peer::Entity(EntityId::new(i))
        } else {
            Peer::Address(AddressId::new(i - entity_specs.len()))
        }
    };
    let mut seen = BTreeSet::new();
    for &(client, server, protocol, port) in communications {
        let (client, server) = (peer(client), peer(server));
        let both_addresses = matches!((client, server), (Peer::Address(_), Peer::Address(_)));
        if both_addresses || !seen.insert((client, server, protocol, port)) {
            continue;
        }
        dataset.communications.push(Communication {
            client,
            server,
            protocol: PROTOCOLS[protocol],
            port: PORTS[port],
            observed: ObservedCommunication::default(),
        });
    }
    dataset
}

/// A world's decisions: an alias for each address `aliased` marks, the communications
/// `exclusions` marks 1 excluded, and per entity and direction the general rule `rules` draws
/// (per-row when it draws past the rules).
fn world_decisions(
    dataset: &Dataset,
    exclusions: &[u8],
    rules: &[usize],
    aliased: &[bool],
) -> Decisions {
    let mut decisions = Decisions::default();
    for (index, address) in dataset.addresses.iter().enumerate() {
        if aliased[index] {
            decisions
                .add_alias(&format!("alias-{index}"), &address.ip.to_string())
                .unwrap();
        }
    }
    for (index, communication) in dataset.communications.iter().enumerate() {
        if exclusions[index] == 1 {
            decisions.set_included(dataset, communication, false);
        }
    }
    for id in dataset.entity_ids() {
        for (d, direction) in Direction::BOTH.into_iter().enumerate() {
            let rule = GeneralRule::ALL.get(rules[id.index() * 2 + d]).copied();
            decisions.set_general_rule(
                &dataset.owner_key(id),
                direction,
                rule.unwrap_or(GeneralRule::PerRow),
            );
        }
    }
    decisions
}

/// Whether `entity`'s pods can be picked by a selector that picks no other workload's pods
/// in its namespace and cluster (a pod of a canary counts): the model's own reading of the
/// labels, not the generator's.
fn selectable(dataset: &Dataset, entity: EntityId) -> bool {
    let own = &dataset.entities[entity];
    dataset.entity_ids().all(|other_id| {
        let other = &dataset.entities[other_id];
        other_id == entity
            || other.owner.namespace != own.owner.namespace
            || other.cluster != own.cluster
            || !other
                .label_sets
                .iter()
                .any(|pod| own.selector.iter().all(|(k, v)| pod.get(k) == Some(v)))
    })
}

/// The other workloads of `entity`'s namespace and cluster whose pods its selector picks
/// (every one, for an empty selector): the model's own reading of the labels.
fn picked_beyond(dataset: &Dataset, entity: EntityId) -> Vec<EntityId> {
    let own = &dataset.entities[entity];
    dataset
        .entity_ids()
        .filter(|&other_id| {
            let other = &dataset.entities[other_id];
            other_id != entity
                && other.owner.namespace == own.owner.namespace
                && other.cluster == own.cluster
                && other
                    .label_sets
                    .iter()
                    .any(|pod| own.selector.iter().all(|(k, v)| pod.get(k) == Some(v)))
        })
        .collect()
}

/// What the review allows on one side, in a world where every entity can be selected
/// exactly, from the decisions and labels alone (no policy involved); a workload of another
/// cluster is an address to a policy, which only a rule allowing everything lets through.
fn side_expected(
    world: &World,
    own: EntityId,
    other: Peer,
    direction: Direction,
    protocol: Protocol,
    port: u16,
) -> bool {
    let dataset = &world.dataset;
    let owner = &dataset.entities[own].owner;
    let across = matches!(other, Peer::Entity(o) if dataset.across_clusters(own, o));
    match world
        .decisions
        .general_rule(&dataset.owner_key(own), direction)
    {
        GeneralRule::BlockAll => false,
        GeneralRule::AllowAll => true,
        GeneralRule::AllowNamespace => {
            !across
                && matches!(other, Peer::Entity(o) if dataset.entities[o].owner.namespace == owner.namespace)
        }
        GeneralRule::PerRow => dataset.communications.iter().any(|c| {
            let (this, that) = match direction {
                Direction::Ingress => (c.server, c.client),
                Direction::Egress => (c.client, c.server),
            };
            // Included, read from what the decisions were made of (not the engine's
            // inclusion rule): not excluded, and an address only through its alias.
            let includable = match that {
                Peer::Address(id) => world.aliased[id.index()],
                Peer::Entity(o) => !dataset.across_clusters(own, o),
                Peer::ApiServer => true,
            };
            this == Peer::Entity(own)
                && that == other
                && c.protocol == protocol
                && c.port == port
                && includable
                && !world
                    .excluded
                    .contains(&(c.client, c.server, c.protocol, c.port))
        }),
    }
}

proptest! {
    #![proptest_config(crate::regressions::beside_the_source(ProptestConfig::with_cases(300)))]

    #[test]
    fn availability_first_and_the_overreach_listed_exactly(world in world()) {
        let dataset = &world.dataset;
        let scope: Vec<EntityId> = dataset.entity_ids().collect();
        let generated = generate_policies(dataset, &world.decisions, &scope, TimeWindow::ALL);
        prop_assert!(generated.iter().all(|g| g.policy.is_some()), "{:?}", generated);
        for g in &generated {
            let expected = picked_beyond(dataset, g.entity);
            let also: Vec<EntityId> = g.also_selects().collect();
            prop_assert_eq!(&also, &expected, "{:?}", g);
            // The YAML's warnings name each of them.
            let warning = g.warnings.iter().find(|w| w.contains("selects more than its pods"));
            let empty_selector = dataset.entities[g.entity].selector.is_empty();
            prop_assert_eq!(warning.is_some(), !expected.is_empty() || empty_selector, "{:?}", g);
            for other in &expected {
                let named = dataset.owner_key(*other).to_string();
                prop_assert!(warning.is_some_and(|w| w.contains(&named)), "{} in {:?}", named, g);
            }
        }
        let network = placed(dataset, &generated);
        let documents = cilium_documents(&generated);
        let cilium = placed_cilium(dataset, &documents);
        for (kind, placed) in [("NetworkPolicy", &network), ("CiliumNetworkPolicy", &cilium)] {
            let report = verify_placed(dataset, &world.decisions, placed, &scope, TimeWindow::ALL);
            prop_assert_eq!(report.included_denied().count(), 0, "{}: {}", kind, report.summary());
        }
        // Each policy applied alone denies nothing the review included to any workload it
        // selects, its own or another's.
        for g in &generated {
            let alone = placed(dataset, std::slice::from_ref(g));
            let mut selected = vec![g.entity];
            selected.extend(g.also_selects());
            let report = verify_placed(dataset, &world.decisions, &alone, &selected, TimeWindow::ALL);
            prop_assert_eq!(report.included_denied().count(), 0, "{:?} alone: {}", g.entity, report.summary());
        }
    }

    #[test]
    fn generated_policies_allow_exactly_the_review(world in world()) {
        let dataset = &world.dataset;
        let scope: Vec<EntityId> = dataset.entity_ids().collect();
        // Exactness holds where selectors are exact; the property above covers the rest.
        if !scope.iter().all(|&id| selectable(dataset, id)) {
            return Ok(());
        }
        let generated = generate_policies(dataset, &world.decisions, &scope, TimeWindow::ALL);
        prop_assert!(generated.iter().all(|g| g.policy.is_some()), "{:?}", generated);
        let network = placed(dataset, &generated);
        let documents = cilium_documents(&generated);
        let cilium = placed_cilium(dataset, &documents);
        // The same review as NetworkPolicies and as CiliumNetworkPolicies, each under its
        // own semantics.
        for (kind, placed) in [("NetworkPolicy", &network), ("CiliumNetworkPolicy", &cilium)] {
        let report = verify_placed(dataset, &world.decisions, placed, &scope, TimeWindow::ALL);
        prop_assert!(report.all_agree(), "{}: {}", kind, report.summary());

        let peers: Vec<Peer> = dataset
            .entity_ids()
            .map(Peer::Entity)
            .chain((0..dataset.addresses.len()).map(|i| Peer::Address(AddressId::new(i))))
            .collect();
        for &client in &peers {
            for &server in &peers {
                for protocol in PROTOCOLS {
                    for port in PORTS.into_iter().chain([9999]) {
                        let verdict = probe_placed(
                            dataset, placed, ProbeEnd::Peer(client), ProbeEnd::Peer(server),
                            protocol, port,
                        );
                        let egress = match client {
                            Peer::Entity(c) => side_expected(&world, c, server, Direction::Egress, protocol, port),
                            Peer::Address(_) | Peer::ApiServer => true,
                        };
                        let ingress = match server {
                            Peer::Entity(s) => side_expected(&world, s, client, Direction::Ingress, protocol, port),
                            Peer::Address(_) | Peer::ApiServer => true,
                        };
                        prop_assert_eq!(
                            (verdict.egress.allows(), verdict.ingress.allows()),
                            (egress, ingress),
                            "{}: {:?} -> {:?} {}/{}", kind, client, server, protocol, port
                        );
                    }
                }
            }
        }
        }
    }
}
