//! The coverage's tests: Chao1 worked by hand, the tenths of the curve at their edges, the
//! warnings' wording and when they are given.

use super::*;
use crate::engine::dataset::{Communication, Dataset, Entity, Peer, SelectorSource};
use crate::engine::model::observed::ObservedCommunication;
use crate::engine::model::{EntityId, EntityKind, Protocol};

const MINUTE: i64 = 60_000_000_000;

/// A communication of `connections` connections, first seen at `minute` (0 when it has none:
/// already open), between entities `client` and `server`.
fn communication(client: usize, server: usize, minute: i64, connections: u32) -> Communication {
    let mut observed = ObservedCommunication::default();
    if connections > 0 {
        observed.add_starts(0, minute, connections);
    } else {
        observed.ongoing_minutes.insert(minute);
    }
    observed.first_seen = Some(minute * MINUTE);
    observed.last_seen = Some(minute * MINUTE);
    Communication {
        client: Peer::Entity(EntityId::new(client)),
        server: Peer::Entity(EntityId::new(server)),
        protocol: Protocol::Tcp,
        port: 8080 + server as u16,
        observed,
    }
}

fn entity(name: &str, pods: usize) -> Entity {
    Entity {
        owner: Owner::new(EntityKind::Deployment, "shop", name),
        cluster: None,
        selector: Default::default(),
        selector_source: SelectorSource::Workload,
        pods: (0..pods).map(|i| format!("{name}-{i}")).collect(),
        addresses: Default::default(),
        label_sets: Vec::new(),
        service_accounts: Default::default(),
        labels: Default::default(),
        ports: Vec::new(),
        kind_inferred: false,
        host_network: false,
    }
}

fn dataset(communications: Vec<Communication>) -> Dataset {
    Dataset {
        entities: (0..12).map(|i| entity(&format!("w{i}"), 1)).collect(),
        communications,
        ..Dataset::default()
    }
}

#[test]
fn chao1_is_worked_as_chao_wrote_it() {
    // 6 seen once, 2 twice, 40 connections: 39/40 · 6·5 / (2·3) = 4.875.
    assert_eq!(chao1_unseen(6, 2, 40), 39.0 / 40.0 * 30.0 / 6.0);
    // None seen twice: still finite, f1(f1-1)/2 scaled.
    assert_eq!(chao1_unseen(3, 0, 10), 9.0 / 10.0 * 6.0 / 2.0);
    // One singleton or none: nothing is estimated unseen.
    assert_eq!(chao1_unseen(1, 0, 5), 0.0);
    assert_eq!(chao1_unseen(0, 4, 8), 0.0);
    assert_eq!(chao1_unseen(0, 0, 0), 0.0);
}

#[test]
fn the_curve_counts_first_sightings_per_tenth_of_the_capture() {
    // Minutes 0 .. 100: a tenth is 10 minutes; the end belongs to the last tenth.
    let data = dataset(vec![
        communication(0, 1, 0, 5),
        communication(0, 2, 9, 5),
        communication(1, 2, 10, 5),
        communication(2, 3, 55, 5),
        communication(3, 4, 99, 5),
        communication(4, 5, 100, 5),
    ]);
    let curve = DiscoveryCurve::of(&data).unwrap();
    assert_eq!(curve.new, [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    assert_eq!(curve.numbers(), "2 1 0 0 0 1 0 0 0 2");
    assert_eq!(curve.last(), 2);
    assert_eq!(curve.part_length(), 10 * MINUTE);
    assert_eq!((curve.start, curve.end), (0, 100 * MINUTE));
    // A capture of one instant has no length: everything counts in its first tenth.
    let instant = dataset(vec![communication(0, 1, 7, 1), communication(1, 2, 7, 1)]);
    assert_eq!(DiscoveryCurve::of(&instant).unwrap().new[0], 2);
    // No time at all: no curve.
    let mut timeless = communication(0, 1, 0, 1);
    timeless.observed.first_seen = None;
    assert_eq!(DiscoveryCurve::of(&dataset(vec![timeless])), None);
}

#[test]
fn a_capture_still_finding_communications_at_its_end_is_told_to_go_on() {
    // Seen once: four, the last of them in the last tenth; twice: one.
    let rising = dataset(vec![
        communication(0, 1, 0, 9),
        communication(0, 2, 10, 1),
        communication(1, 3, 40, 1),
        communication(2, 4, 70, 2),
        communication(3, 5, 95, 1),
        communication(4, 6, 100, 1),
    ]);
    let coverage = Coverage::of(&rising);
    assert_eq!(coverage.richness.once, 4);
    assert_eq!(coverage.richness.twice, 1);
    assert_eq!(coverage.richness.connections, 15);
    // 14/15 · 4·3 / (2·2) = 2.8.
    assert!((coverage.richness.unseen - 2.8).abs() < 1e-9);
    assert!(coverage.still_rising());
    let warning = coverage.keep_capturing().unwrap();
    assert!(
        warning.starts_with(
            "Keep capturing: the last tenth of the capture (1970-01-01 01:30:00 to \
             1970-01-01 01:40:00) still found 2 new communications, and about 3 more are \
             likely unseen (Chao1 from 4 communications seen in one connection and 1 in two)."
        ),
        "{warning}"
    );
    // The same communications seen often: nothing is likely unseen.
    let mut steady = rising.clone();
    for c in &mut steady.communications {
        c.observed = communication(0, 1, c.observed.first_seen.unwrap() / MINUTE, 7).observed;
    }
    assert!(!Coverage::of(&steady).still_rising());
    // Something new in the last tenth, but seen three times: two singletons leave Chao1 under
    // one unseen, so no warning.
    let mut seen_often = dataset(rising.communications[..4].to_vec());
    seen_often.communications.push(communication(5, 6, 200, 3));
    let seen_often = Coverage::of(&seen_often);
    assert_eq!(seen_often.curve.as_ref().unwrap().last(), 1);
    assert!(seen_often.richness.unseen < 1.0);
    assert!(!seen_often.still_rising());
    // Singletons, but nothing new in the last tenth: the curve has flattened.
    let mut early = rising.clone();
    early.communications.truncate(4);
    early.communications[0].observed.last_seen = Some(300 * MINUTE);
    let early = Coverage::of(&early);
    assert_eq!(early.curve.as_ref().unwrap().last(), 0);
    assert!(!early.still_rising());
    assert_eq!(early.keep_capturing(), None);
}

#[test]
fn workloads_with_no_traffic_and_controllers_with_no_pod_are_named() {
    let mut data = dataset(vec![communication(0, 1, 0, 3)]);
    data.entities.truncate(4);
    // w3 has no pod (a workload only a flow named would have some): not silent.
    data.entities[3].pods.clear();
    data.entities[2].host_network = true;
    data.podless = vec![Owner::new(EntityKind::CronJob, "shop", "report")];
    let coverage = Coverage::of(&data);
    // w2 runs in its node's network: its traffic is its node's, never silent.
    assert_eq!(coverage.silent, Vec::<EntityId>::new());
    data.entities[2].host_network = false;
    let coverage = Coverage::of(&data);
    assert_eq!(coverage.silent, [EntityId::new(2)]);
    assert_eq!(
        coverage.warnings(&data),
        [
            "1 workload had no traffic in the capture, so its policy denies everything, written \
             without evidence: Deployment/shop/w2",
            "1 controller is in the inventory with no pod (a CronJob that did not fire, replicas \
             at zero), so nothing of its traffic is in the capture and no policy is written: \
             CronJob/shop/report",
        ]
    );
}
