//! The topology's geometry on the demo, a real capture and synthetic namespaces: the entity
//! view never crosses an edge; no box overlaps another and no edge runs through a box; edges
//! point down the layers but for the ones that break a cycle; a decision moves nothing and
//! adding a workload moves few; the same data gives the same picture; crossings stay at or
//! below the values recorded here (the test fails when a change makes them grow); an edge the
//! review includes but the generated policies deny is drawn in a state of its own.

use flowpol::engine::dataset::{Dataset, Peer};
use flowpol::engine::decisions::{Decisions, GeneralRule};
use flowpol::engine::demo::namespace::namespace_flows;
use flowpol::engine::graph::{
    entity_view, namespace_view, namespaces, NamespaceScope, NodeRole, Scene,
};
use flowpol::engine::load::load_files;
use flowpol::engine::model::{Direction, EntityKind, TimeWindow};
use flowpol::engine::review::review_rows;
use flowpol::engine::scope::Subject;

use crate::support_demo::demo;

fn bench(workloads: usize, communications: usize, seed: u64) -> Dataset {
    let text = namespace_flows(workloads, communications, seed);
    load_files(&[("bench.jsonl", text.as_bytes())], &[]).dataset
}

/// Every subject the scope bar offers: each workload and each Service.
fn subjects(dataset: &Dataset) -> Vec<Subject> {
    dataset
        .entity_ids()
        .map(Subject::Entity)
        .chain(
            dataset
                .services_with_ids()
                .map(|(id, _)| Subject::Service(id)),
        )
        .collect()
}

/// The geometry every picture must have.
fn assert_clean(scene: &Scene, what: &str) {
    assert!(
        scene.overlapping_nodes().is_empty(),
        "{what}: boxes overlap: {:?}",
        scene.overlapping_nodes()
    );
    let through: Vec<(String, &str)> = scene
        .edges_through_nodes()
        .iter()
        .map(|(e, n)| (format!("{} -> {}", e.from, e.to), *n))
        .collect();
    assert!(
        through.is_empty(),
        "{what}: edges through boxes: {through:?}"
    );
    let labels = scene.overlapping_labels();
    assert!(
        labels.is_empty(),
        "{what}: labels over labels or boxes: {labels:?}"
    );
    for edge in &scene.edges {
        assert!(edge.points.len() >= 2, "{what}: {edge:?}");
        if let Some(label) = edge.label_rect() {
            assert!(
                label.x >= -0.01
                    && label.y >= -0.01
                    && label.right() <= scene.width + 0.01
                    && label.bottom() <= scene.height + 0.01,
                "{what}: the label of {} -> {} outside the picture",
                edge.from,
                edge.to
            );
        }
        let (from, to) = (scene.node(&edge.from), scene.node(&edge.to));
        assert!(
            from.is_some() && to.is_some(),
            "{what}: an edge's ends are drawn"
        );
    }
    for node in &scene.nodes {
        assert!(
            node.rect.right() <= scene.width + 0.01 && node.rect.bottom() <= scene.height + 0.01,
            "{what}: {} outside the picture",
            node.key
        );
    }
}

#[test]
fn the_entity_view_never_crosses_and_draws_every_row() {
    let dataset = demo();
    let decisions = Decisions::default();
    for subject in subjects(&dataset) {
        let scene = entity_view(&dataset, &decisions, subject, TimeWindow::ALL);
        let what = format!("{subject:?}");
        assert_clean(&scene, &what);
        assert_eq!(scene.crossings(), 0, "{what}");
        // One edge per peer and port of the review's rows, each of them on an edge.
        for direction in Direction::BOTH {
            let rows = review_rows(&dataset, &decisions, subject, direction, TimeWindow::ALL);
            let edges: Vec<_> = scene
                .edges
                .iter()
                .filter(|e| e.direction == Some(direction))
                .collect();
            for row in &rows {
                assert!(
                    edges.iter().any(
                        |e| e.communications.contains(&row.communication) && e.port == row.port
                    ),
                    "{what}: no edge for row {} {}",
                    row.peer_label,
                    row.port
                );
            }
        }
        // Each peer sits inside its group's box.
        for node in scene.nodes.iter().filter(|n| n.role != NodeRole::Selected) {
            assert!(
                scene.groups.iter().any(|g| g.rect.contains(&node.rect)),
                "{what}: {} outside every group",
                node.key
            );
        }
        assert_eq!(
            scene
                .nodes
                .iter()
                .filter(|n| n.role == NodeRole::Selected)
                .count(),
            1
        );
    }
}

#[test]
fn the_frontends_entity_view_groups_its_peers() {
    let dataset = demo();
    let frontend = dataset
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap();
    let scene = entity_view(
        &dataset,
        &Decisions::default(),
        Subject::Entity(frontend),
        TimeWindow::ALL,
    );
    let labels: Vec<&str> = scene.groups.iter().map(|g| g.label.as_str()).collect();
    // Ingress: Prometheus's namespace, the nodes' probes, the internet; egress: the shop
    // first (its own namespace), then payments and kube-system.
    assert_eq!(
        labels,
        [
            "namespace monitoring",
            "control plane and nodes",
            "outside the cluster",
            "namespace shop",
            "namespace kube-system",
            "namespace payments",
        ]
    );
    let subject = scene.node("Deployment/shop/frontend").unwrap();
    assert_eq!(subject.role, NodeRole::Selected);
    assert!(subject.ports.contains(&"TCP/8080".to_string()));
    let catalog = scene.node("Deployment/shop/catalog").unwrap();
    assert_eq!(catalog.side, Some("egress"));
    assert!(catalog.rect.x > subject.rect.right());
    // Twelve internet clients: past five addresses of a kind, one box.
    let internet = scene.node("addresses/external").unwrap();
    assert_eq!(internet.role, NodeRole::Unresolved);
    assert_eq!(internet.title, "12 addresses");
    assert!(internet.rect.right() < subject.rect.x);
    let from_internet = scene
        .edges
        .iter()
        .find(|e| e.from == "addresses/external")
        .unwrap();
    assert_eq!(
        from_internet.communications.len(),
        12,
        "one edge for the twelve rows"
    );
    // Two node addresses stay one by one.
    assert!(scene.node("172.20.0.11").is_some());
}

/// Decisions that change what is included but not what is there: rows excluded, general
/// rules, the DNS option.
fn other_decisions(dataset: &Dataset) -> Decisions {
    let mut decisions = Decisions {
        allow_dns: true,
        ..Decisions::default()
    };
    for (index, communication) in dataset.communications.iter().enumerate() {
        if index % 3 == 0 {
            decisions.set_included(dataset, communication, false);
        }
    }
    for id in dataset.entity_ids().step_by(2) {
        decisions.set_general_rule(
            &dataset.owner_key(id),
            Direction::Ingress,
            GeneralRule::BlockAll,
        );
    }
    decisions
}

#[test]
fn a_decision_moves_nothing() {
    let dataset = demo();
    let before = Decisions::default();
    let after = other_decisions(&dataset);
    for subject in subjects(&dataset) {
        assert_eq!(
            entity_view(&dataset, &before, subject, TimeWindow::ALL),
            entity_view(&dataset, &after, subject, TimeWindow::ALL),
            "{subject:?}"
        );
    }
    for scope in namespaces(&dataset) {
        assert_eq!(
            namespace_view(&dataset, &before, &scope, TimeWindow::ALL),
            namespace_view(&dataset, &after, &scope, TimeWindow::ALL),
            "{scope:?}"
        );
    }
}

#[test]
fn the_namespace_views_of_the_demo() {
    let dataset = demo();
    let decisions = Decisions::default();
    let mut crossings = Vec::new();
    for scope in namespaces(&dataset) {
        let scene = namespace_view(&dataset, &decisions, &scope, TimeWindow::ALL);
        let name = scope.namespace.clone().unwrap_or_default();
        assert_clean(&scene, &name);
        assert_down_the_layers(&scene, &name);
        assert_eq!(
            scene,
            namespace_view(&dataset, &decisions, &scope, TimeWindow::ALL),
            "the same picture twice"
        );
        crossings.push((name, scene.crossings()));
    }
    // Recorded 2026-11-30.
    let recorded = |namespace: &str| match namespace {
        "data" => 5,
        "payments" => 1,
        "shop" => 6,
        _ => 0,
    };
    for (namespace, count) in &crossings {
        assert!(*count <= recorded(namespace), "{namespace}: {crossings:?}");
    }
    // The shop: its three workloads, the other namespaces as boxes, the internet as one box.
    let shop = namespace_view(
        &dataset,
        &decisions,
        &NamespaceScope::of("shop"),
        TimeWindow::ALL,
    );
    let keys: Vec<&str> = shop.nodes.iter().map(|n| n.key.as_str()).collect();
    for key in [
        "Deployment/shop/frontend",
        "Deployment/shop/cart",
        "Deployment/shop/catalog",
        "namespace/payments",
        "namespace/kube-system",
        "addresses/external",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    let frontend = shop.node("Deployment/shop/frontend").unwrap();
    let catalog = shop.node("Deployment/shop/catalog").unwrap();
    assert!(
        frontend.rect.bottom() < catalog.rect.y,
        "the client above its server"
    );
}

/// Every edge that does not close a cycle leaves its source's box downwards.
fn assert_down_the_layers(scene: &Scene, what: &str) {
    for edge in scene.edges.iter().filter(|e| e.from != e.to) {
        let (from, to) = (
            scene.node(&edge.from).unwrap().rect,
            scene.node(&edge.to).unwrap().rect,
        );
        if edge.reversed {
            assert!(
                to.bottom() < from.y,
                "{what}: {} -> {} turned",
                edge.from,
                edge.to
            );
        } else {
            assert!(
                from.bottom() < to.y,
                "{what}: {} -> {} down",
                edge.from,
                edge.to
            );
        }
    }
}

#[test]
fn synthetic_namespaces_stay_clean_and_crossings_stay_at_the_recorded_values() {
    let decisions = Decisions::default();
    // (workloads, communications, seed, crossings recorded 2026-11-30)
    for (workloads, communications, seed, recorded) in [
        (12, 20, 1, 2),
        (30, 60, 2, 28),
        (60, 150, 3, 187),
        (120, 400, 4, 3104),
    ] {
        let dataset = bench(workloads, communications, seed);
        let scope = NamespaceScope::of("bench");
        let scene = namespace_view(&dataset, &decisions, &scope, TimeWindow::ALL);
        let what = format!("{workloads}/{communications}");
        assert_clean(&scene, &what);
        assert_down_the_layers(&scene, &what);
        assert!(
            scene.crossings() <= recorded,
            "{what}: {} crossings, recorded {recorded}",
            scene.crossings()
        );
    }
}

#[test]
fn a_hub_becomes_badges() {
    // w000 calls a quarter of everything: past eight peers and a third of the boxes, a hub.
    let dataset = bench(20, 60, 5);
    let scene = namespace_view(
        &dataset,
        &Decisions::default(),
        &NamespaceScope::of("bench"),
        TimeWindow::ALL,
    );
    let hub = scene.node("Deployment/bench/w000").unwrap();
    assert!(
        hub.badges.iter().any(|b| b.starts_with("hub: ")),
        "{:?}",
        hub.badges
    );
    assert!(scene
        .edges
        .iter()
        .all(|e| e.from != hub.key && e.to != hub.key));
    assert!(scene.nodes.iter().any(|n| n
        .badges
        .iter()
        .any(|b| b.starts_with("← Deployment/bench/w000 "))));
    assert!(scene.notes.iter().any(|n| n.contains("as badges")));
}

/// How many of the boxes of `before` changed layer (counted from the bottom, where servers
/// are) or order against another box of their layer in `after`.
fn moved(before: &Scene, after: &Scene) -> usize {
    // Boxes of a layer share their middle line; a taller box in a layer moves the others
    // without changing anyone's layer.
    let layer = |scene: &Scene, key: &str| {
        let middle = |y: f64| y.round() as i64;
        let mut lines: Vec<i64> = scene
            .nodes
            .iter()
            .map(|n| middle(n.rect.center().y))
            .collect();
        lines.sort();
        lines.dedup();
        lines.reverse();
        let own = middle(scene.node(key).unwrap().rect.center().y);
        lines.iter().position(|&l| l == own).unwrap()
    };
    let x = |scene: &Scene, key: &str| scene.node(key).unwrap().rect.x;
    let (a, b) = (before, after);
    a.nodes
        .iter()
        .filter(|n| {
            layer(a, &n.key) != layer(b, &n.key)
                || a.nodes.iter().any(|m| {
                    m.key != n.key
                        && layer(a, &m.key) == layer(a, &n.key)
                        && layer(b, &m.key) == layer(b, &n.key)
                        && (x(a, &m.key) < x(a, &n.key)) != (x(b, &m.key) < x(b, &n.key))
                })
        })
        .count()
}

#[test]
fn adding_a_workload_moves_few_others() {
    let decisions = Decisions::default();
    let scope = NamespaceScope::of("bench");
    let text = namespace_flows(30, 60, 7);
    let picture = |extra: &[String]| {
        let with = format!("{text}{}\n", extra.join("\n"));
        let dataset = load_files(&[("a.jsonl", with.as_bytes())], &[]).dataset;
        namespace_view(&dataset, &decisions, &scope, TimeWindow::ALL)
    };
    let line = |src: &str, dst: &str| {
        format!(
            r#"{{"src":{{"namespace":"bench","workload":"Deployment/{src}","labels":{{"app":"{src}","tier":"web"}}}},"dst":{{"namespace":"bench","workload":"Deployment/{dst}","labels":{{"app":"{dst}","tier":"data"}}}},"port":8080,"protocol":"TCP","count":1,"time":"2026-11-20T09:30:00Z"}}"#
        )
    };
    let before = picture(&[]);
    assert_eq!(before.nodes.len(), 31);
    // Recorded 2026-11-30 (of 31 boxes). A new client of two workloads: layers are counted
    // from the servers up, so none changes layer; the ordering moves a few.
    let client = picture(&[line("w999", "w005"), line("w999", "w012")]);
    assert!(client.node("Deployment/bench/w999").is_some());
    assert!(
        moved(&before, &client) <= 5,
        "{} moved",
        moved(&before, &client)
    );
    // A new workload in the middle (a caller above it): the caller's chain rises a layer.
    let middle = picture(&[
        line("w999", "w005"),
        line("w999", "w012"),
        line("w020", "w999"),
    ]);
    assert!(
        moved(&before, &middle) <= 15,
        "{} moved",
        moved(&before, &middle)
    );
}

#[test]
fn a_peer_on_both_sides_and_a_service_subject() {
    let dataset = demo();
    // The database replicates to itself: its own node on both sides, besides the subject.
    let db = dataset
        .find_entity(EntityKind::StatefulSet, "data", "orders-db")
        .unwrap();
    let scene = entity_view(
        &dataset,
        &Decisions::default(),
        Subject::Entity(db),
        TimeWindow::ALL,
    );
    let own: Vec<_> = scene
        .nodes
        .iter()
        .filter(|n| n.key == "StatefulSet/data/orders-db")
        .collect();
    assert_eq!(own.len(), 3, "subject, and peer on each side");
    assert_eq!(scene.crossings(), 0);
    let (id, _) = dataset
        .services_with_ids()
        .find(|(_, s)| s.name == "catalog")
        .unwrap();
    let service = entity_view(
        &dataset,
        &Decisions::default(),
        Subject::Service(id),
        TimeWindow::ALL,
    );
    assert_eq!(
        service.node("Service/shop/catalog").unwrap().role,
        NodeRole::Selected
    );
    assert!(service
        .edges
        .iter()
        .any(|e| e.from == "Deployment/shop/frontend" && e.to == "Service/shop/catalog"));
    let _ = Peer::ApiServer;
}

#[test]
fn the_overview_draws_every_namespace_as_one_box() {
    let dataset = demo();
    let decisions = Decisions::default();
    let overview = NamespaceScope {
        namespace: None,
        cluster: None,
    };
    let scene = namespace_view(&dataset, &decisions, &overview, TimeWindow::ALL);
    assert_clean(&scene, "overview");
    let boxes: Vec<&str> = scene
        .nodes
        .iter()
        .filter(|n| n.kind == "Namespace")
        .map(|n| n.key.as_str())
        .collect();
    assert_eq!(
        boxes,
        [
            "namespace/data",
            "namespace/default",
            "namespace/kube-system",
            "namespace/monitoring",
            "namespace/payments",
            "namespace/shop",
        ]
    );
    // The shop calls itself (frontend to catalog): a loop beside its box.
    assert!(scene
        .edges
        .iter()
        .any(|e| e.from == "namespace/shop" && e.to == "namespace/shop" && e.port == 3550));
    assert!(scene
        .nodes
        .iter()
        .all(|n| n.namespace.is_some() || n.kind != "Namespace"));
}

#[test]
fn the_namespace_view_in_steps_is_the_same_picture() {
    use flowpol::engine::graph::namespace_job;
    let dataset = bench(60, 150, 3);
    let decisions = Decisions::default();
    let scope = NamespaceScope::of("bench");
    let whole = namespace_view(&dataset, &decisions, &scope, TimeWindow::ALL);
    let mut job = namespace_job(&dataset, &decisions, &scope, TimeWindow::ALL);
    let mut steps = 1;
    let stepped = loop {
        if let Some(scene) = job.step() {
            break scene;
        }
        steps += 1;
    };
    assert!(steps > 2, "the ordering takes several steps: {steps}");
    assert_eq!(stepped, whole);
}

#[test]
fn past_the_limits_a_note_instead_of_a_picture() {
    let dataset = bench(450, 900, 6);
    let scene = namespace_view(
        &dataset,
        &Decisions::default(),
        &NamespaceScope::of("bench"),
        TimeWindow::ALL,
    );
    assert!(scene.nodes.is_empty() && scene.edges.is_empty());
    assert!(
        scene
            .notes
            .iter()
            .any(|n| n.contains("more than the picture shows readably")),
        "{:?}",
        scene.notes
    );
}

/// The verifier's denials for `target`, worked out as the Topology tab does (a step per
/// entity) and handed to `edge_state`.
fn denials(
    dataset: &Dataset,
    decisions: &Decisions,
    target: &flowpol::engine::policy::view::PolicyTarget,
    kind: flowpol::engine::policy::PolicyKind,
) -> std::collections::BTreeMap<flowpol::engine::model::CommunicationId, String> {
    use flowpol::engine::policy::view::{DeniedJob, PolicyOptions};
    let options = PolicyOptions {
        kind,
        ..PolicyOptions::default()
    };
    DeniedJob::new(dataset, decisions, target, TimeWindow::ALL, options)
        .run()
        .into_iter()
        .map(|d| (d.communication, d.reason))
        .collect()
}

/// Each edge of `scene` (`from -> to port`) in the state the Topology tab draws it in, with
/// the denials of the policies of `kind` generated for `target`.
fn edge_states(
    dataset: &Dataset,
    decisions: &Decisions,
    scene: &Scene,
    target: &flowpol::engine::policy::view::PolicyTarget,
    kind: flowpol::engine::policy::PolicyKind,
) -> Vec<(String, flowpol::engine::graph::EdgeState)> {
    use flowpol::engine::graph::edge_state;
    let denied = denials(dataset, decisions, target, kind);
    scene
        .edges
        .iter()
        .map(|edge| {
            let state = edge_state(dataset, decisions, edge, &denied);
            (
                format!("{} -> {} {}", edge.from, edge.to, edge.port_label()),
                state,
            )
        })
        .collect()
}

/// The demo's review as it is: no edge denied in any entity's or namespace's view.
fn assert_no_edge_is_denied_in_any_view(dataset: &Dataset) {
    use flowpol::engine::policy::view::PolicyTarget;
    use flowpol::engine::policy::PolicyKind;
    let states = |decisions: &Decisions, scene: &Scene, target: &PolicyTarget| {
        edge_states(dataset, decisions, scene, target, PolicyKind::Kubernetes)
    };
    let decisions = Decisions::default();
    for subject in subjects(dataset) {
        let scene = entity_view(dataset, &decisions, subject, TimeWindow::ALL);
        let target = match subject {
            Subject::Entity(id) => PolicyTarget::Entity(id),
            Subject::Service(id) => PolicyTarget::Service(id),
        };
        for (edge, state) in states(&decisions, &scene, &target) {
            assert_ne!(state.key(), "denied", "{edge}: {state:?}");
        }
    }
    for scope in namespaces(dataset) {
        let scene = namespace_view(dataset, &decisions, &scope, TimeWindow::ALL);
        let target = PolicyTarget::Namespace(scope.namespace.clone());
        for (edge, state) in states(&decisions, &scene, &target) {
            assert_eq!(state.denied, None, "{edge}");
        }
    }
}

#[test]
fn an_included_edge_the_policy_denies_is_drawn_as_denied_with_why() {
    use flowpol::engine::policy::view::PolicyTarget;
    use flowpol::engine::policy::PolicyKind;
    let dataset = demo();
    let gateway = dataset
        .find_entity(EntityKind::Deployment, "payments", "payment-gateway")
        .unwrap();
    let states = |decisions: &Decisions, scene: &Scene, target: &PolicyTarget, kind| {
        edge_states(&dataset, decisions, scene, target, kind)
    };
    assert_no_edge_is_denied_in_any_view(&dataset);

    // api.stripe.com allowed by name: included, and a NetworkPolicy cannot say it.
    let mut decisions = Decisions::default();
    decisions.allowed_names.insert("api.stripe.com".into());
    let scene = entity_view(
        &dataset,
        &decisions,
        Subject::Entity(gateway),
        TimeWindow::ALL,
    );
    let target = PolicyTarget::Entity(gateway);
    let drawn = states(&decisions, &scene, &target, PolicyKind::Kubernetes);
    let denied: Vec<&String> = drawn
        .iter()
        .filter(|(_, s)| s.key() == "denied")
        .map(|(edge, _)| edge)
        .collect();
    assert_eq!(
        denied,
        [
            "Deployment/payments/payment-gateway -> 203.0.113.10 TCP/443",
            "Deployment/payments/payment-gateway -> 203.0.113.11 TCP/443"
        ]
    );
    let (_, state) = &drawn
        .iter()
        .find(|(edge, _)| edge.contains("203.0.113.10"))
        .unwrap();
    assert!(state.included, "the review includes it");
    assert_eq!(
        state.spoken(),
        "included, but the generated policy denies it: egress at the client: a NetworkPolicy \
         cannot name 203.0.113.10 by its DNS name api.stripe.com; map the address to an alias, \
         or write CiliumNetworkPolicies"
    );
    assert!(drawn
        .iter()
        .filter(|(edge, _)| !edge.contains("203.0.113.1"))
        .all(|(_, s)| s.key() != "denied"));
    // Written as CiliumNetworkPolicies (toFQDNs), the same edges are allowed.
    let cilium = states(&decisions, &scene, &target, PolicyKind::Cilium);
    assert!(cilium.iter().all(|(_, s)| s.denied.is_none()), "{cilium:?}");
    // Excluded again: an excluded edge, not a denied one.
    let mut excluded = decisions.clone();
    excluded.allowed_names.clear();
    let back = states(&excluded, &scene, &target, PolicyKind::Kubernetes);
    let (_, state) = back
        .iter()
        .find(|(e, _)| e.contains("203.0.113.10"))
        .unwrap();
    assert_eq!(state.key(), "excluded");

    // The namespace view folds both addresses into one edge: it says how many are denied.
    let scene = namespace_view(
        &dataset,
        &decisions,
        &NamespaceScope::of("payments"),
        TimeWindow::ALL,
    );
    let target = PolicyTarget::Namespace(Some("payments".into()));
    let drawn = states(&decisions, &scene, &target, PolicyKind::Kubernetes);
    let denied: Vec<_> = drawn.iter().filter(|(_, s)| s.key() == "denied").collect();
    assert_eq!(denied.len(), 1, "{drawn:?}");
    let reason = denied[0].1.denied.as_deref().unwrap();
    assert!(
        reason.starts_with("2 of its ")
            && reason.contains("; the first: egress at the client: a NetworkPolicy cannot"),
        "{reason}"
    );
}

/// Every view of `dataset`: the namespace view of each namespace and the entity view of each
/// workload and Service, each checked by [`assert_clean`].
fn assert_every_view_clean(dataset: &Dataset, what: &str) {
    let decisions = Decisions::default();
    for scope in namespaces(dataset) {
        let scene = namespace_view(dataset, &decisions, &scope, TimeWindow::ALL);
        assert_clean(&scene, &format!("{what}: namespace {:?}", scope.namespace));
    }
    for subject in subjects(dataset) {
        let scene = entity_view(dataset, &decisions, subject, TimeWindow::ALL);
        assert_clean(&scene, &format!("{what}: {subject:?}"));
    }
}

#[test]
fn every_view_of_the_real_and_hostile_captures_is_clean() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut captures: Vec<std::path::PathBuf> = std::fs::read_dir(format!("{fixtures}/real"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    captures.sort();
    for path in &captures {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let dataset = load_files(&[(name.as_str(), &bytes[..])], &[]).dataset;
        assert_every_view_clean(&dataset, &name);
    }
    let flows = std::fs::read(format!("{fixtures}/hostile/hostile-flows.jsonl")).unwrap();
    let inventory = std::fs::read(format!("{fixtures}/hostile/hostile-inventory.json")).unwrap();
    let dataset = load_files(
        &[
            ("hostile-flows.jsonl", &flows[..]),
            ("hostile-inventory.json", &inventory[..]),
        ],
        &[],
    )
    .dataset;
    assert_every_view_clean(&dataset, "hostile");
}

proptest::proptest! {
    #![proptest_config(crate::regressions::beside_the_source(
        proptest::prelude::ProptestConfig::with_cases(48)
    ))]

    /// Any namespace, in both views: no box over another, no edge through a box it does not
    /// end at, no label over another label or a box, everything inside the picture.
    #[test]
    fn any_namespace_is_drawn_clean_in_both_views(
        workloads in 2usize..36,
        communications in 1usize..90,
        seed in proptest::prelude::any::<u64>(),
    ) {
        let dataset = bench(workloads, communications, seed);
        assert_every_view_clean(&dataset, &format!("{workloads}/{communications}/{seed}"));
    }
}
