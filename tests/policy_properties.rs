//! Properties of the generated policies over random clusters, flows and decisions: replayed
//! through the evaluator they allow exactly what the review decided, and every probe (any
//! client, server, protocol and port, observed or not) is allowed exactly when a decision
//! allows it: no cross-product of peers and ports, nothing wider than the review.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use flowpol::engine::dataset::{Address, Communication, Dataset, Entity, Peer, SelectorSource};
use flowpol::engine::decisions::{Decisions, GeneralRule};
use flowpol::engine::model::labels::Labels;
use flowpol::engine::model::observed::ObservedCommunication;
use flowpol::engine::model::ports::ContainerPort;
use flowpol::engine::model::{
    AddressClass, AddressId, Direction, EntityId, EntityKind, Owner, OwnerKey, Protocol, TimeWindow,
};
use flowpol::engine::policy::generate_policies;
use flowpol::engine::verify::replay::{probe, verify_generated, ProbeEnd};
use proptest::prelude::*;

const PORTS: [u16; 4] = [53, 80, 443, 8080];
const PROTOCOLS: [Protocol; 2] = [Protocol::Tcp, Protocol::Udp];
const HOSTILE_VALUES: [&str; 5] = ["on", "yes", "1.10", "~", "a: b # c"];

#[derive(Debug, Clone)]
struct World {
    dataset: Dataset,
    decisions: Decisions,
}

fn entity(index: usize, namespace: usize, kind: usize, extra: usize) -> Entity {
    let name = format!("e{index}");
    let selector = Labels::from([("app".to_string(), name.clone())]);
    let mut labels = selector.clone();
    labels.insert(
        "x".into(),
        HOSTILE_VALUES[extra % HOSTILE_VALUES.len()].into(),
    );
    Entity {
        owner: Owner {
            kind: EntityKind::ALL[kind % EntityKind::ALL.len()],
            namespace: format!("n{namespace}"),
            name,
        },
        cluster: None,
        selector,
        selector_source: SelectorSource::Workload,
        pods: BTreeSet::new(),
        addresses: Default::default(),
        label_sets: vec![labels.clone()],
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
        prop::collection::vec((0..3usize, 0..6usize, 0..5usize), 1..6),
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
                prop::collection::vec(0..7usize, 12),
                // Which addresses get an alias.
                prop::collection::vec(any::<bool>(), 3),
            )
        })
        .prop_map(
            |(entity_specs, addresses, communications, exclusions, rules, aliased)| {
                let mut dataset = Dataset::default();
                for (index, &(namespace, kind, extra)) in entity_specs.iter().enumerate() {
                    dataset.entities.push(entity(index, namespace, kind, extra));
                }
                for index in 0..addresses {
                    dataset.addresses.push(Address {
                        ip: format!("203.0.113.{}", index + 1),
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
                for (client, server, protocol, port) in communications {
                    let (client, server) = (peer(client), peer(server));
                    let both_addresses =
                        matches!((client, server), (Peer::Address(_), Peer::Address(_)));
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
                let mut decisions = Decisions::default();
                for (index, address) in dataset.addresses.iter().enumerate() {
                    if aliased[index] {
                        decisions
                            .add_alias(&format!("alias-{index}"), &address.ip)
                            .unwrap();
                    }
                }
                for (index, communication) in dataset.communications.iter().enumerate() {
                    if exclusions[index] == 1 {
                        decisions.set_included(&dataset, communication, false);
                    }
                }
                for (index, entity) in dataset.entities.iter().enumerate() {
                    for (d, direction) in Direction::BOTH.into_iter().enumerate() {
                        let rule = GeneralRule::ALL.get(rules[index * 2 + d]).copied();
                        decisions.set_general_rule(
                            &OwnerKey::of(&entity.owner),
                            direction,
                            rule.unwrap_or(GeneralRule::PerRow),
                        );
                    }
                }
                World { dataset, decisions }
            },
        )
}

/// What the review allows on one side, from the decisions alone (no policy involved).
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
    match world
        .decisions
        .general_rule(&OwnerKey::of(owner), direction)
    {
        GeneralRule::BlockAll => false,
        GeneralRule::AllowAll => true,
        GeneralRule::AllowNamespace => {
            matches!(other, Peer::Entity(o) if dataset.entities[o].owner.namespace == owner.namespace)
        }
        GeneralRule::PerRow => dataset.communications.iter().any(|c| {
            let (this, that) = match direction {
                Direction::Ingress => (c.server, c.client),
                Direction::Egress => (c.client, c.server),
            };
            this == Peer::Entity(own)
                && that == other
                && c.protocol == protocol
                && c.port == port
                && world.decisions.is_included(dataset, c)
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_policies_allow_exactly_the_review(world in world()) {
        let dataset = &world.dataset;
        let scope: Vec<EntityId> = dataset.entity_ids().collect();
        let generated = generate_policies(dataset, &world.decisions, &scope, TimeWindow::ALL);
        let unexpected = |w: &String| !w.contains("may not resolve names");
        prop_assert!(!generated.iter().flat_map(|g| &g.warnings).any(unexpected), "{:?}", generated);
        let policies: Vec<_> = generated.into_iter().filter_map(|g| g.policy).collect();
        prop_assert_eq!(policies.len(), scope.len());

        let report = verify_generated(dataset, &world.decisions, &policies, &scope, TimeWindow::ALL);
        prop_assert!(report.all_agree(), "{}", report.summary());

        let peers: Vec<Peer> = dataset
            .entity_ids()
            .map(Peer::Entity)
            .chain((0..dataset.addresses.len()).map(|i| Peer::Address(AddressId::new(i))))
            .collect();
        for &client in &peers {
            for &server in &peers {
                for protocol in PROTOCOLS {
                    for port in PORTS.into_iter().chain([9999]) {
                        let verdict = probe(
                            dataset, &policies, ProbeEnd::Peer(client), ProbeEnd::Peer(server),
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
                            "{:?} -> {:?} {}/{}", client, server, protocol, port
                        );
                    }
                }
            }
        }
    }
}
