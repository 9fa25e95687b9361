//! The review as data (`engine::review`) on the demo and a real capture: rows per direction
//! under decisions, unresolved addresses and their classes, aliases, cluster ranges, filters,
//! sorting, Services as subjects, time spans, and the data's fingerprint.

use flowpol::engine::dataset::Dataset;
use flowpol::engine::decisions::{parse_cidr, Decisions, GeneralRule};
use flowpol::engine::load::load_files;
use flowpol::engine::model::time::minute_of;
use flowpol::engine::model::{Direction, EntityKind, OwnerKey, TimeWindow};
use flowpol::engine::review::{
    fingerprint, matches_filter, review_rows, shown_order, unresolved_addresses, ReviewClass,
    SortKey,
};
use flowpol::engine::scope::{time_range, Subject};

use crate::support_demo::demo;

fn load(files: &[(&str, &[u8])]) -> Dataset {
    load_files(files, &[]).dataset
}

/// The rows of `subject` in `direction` over the whole capture.
fn rows_of(
    dataset: &Dataset,
    decisions: &Decisions,
    subject: Subject,
    direction: Direction,
) -> Vec<flowpol::engine::review::ReviewRow> {
    review_rows(dataset, decisions, subject, direction, TimeWindow::ALL)
}

fn frontend(dataset: &Dataset) -> Subject {
    Subject::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "shop", "frontend")
            .unwrap(),
    )
}

#[test]
fn rows_follow_the_decisions() {
    let dataset = demo();
    let mut decisions = Decisions::default();
    let rows = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Ingress);
    let prometheus = rows
        .iter()
        .find(|r| r.peer_label == "Deployment/monitoring/prometheus")
        .unwrap();
    assert!(prometheus.row_included && prometheus.allowed && prometheus.includable);
    assert_eq!(prometheus.port, 9090);
    let internet: Vec<_> = rows.iter().filter(|r| r.address.is_some()).collect();
    assert!(internet.len() > 3, "internet clients reach the frontend");
    assert!(
        internet.iter().all(|r| !r.allowed && !r.includable),
        "excluded by default"
    );

    // Exclude one row: only it changes.
    let communication = &dataset.communications[prometheus.communication];
    decisions.set_included(&dataset, communication, false);
    let rows = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Ingress);
    let prometheus = rows
        .iter()
        .find(|r| r.peer_label == "Deployment/monitoring/prometheus")
        .unwrap();
    assert!(!prometheus.row_included && !prometheus.allowed);

    // A general rule overrides the rows, and says so through `allowed`.
    let owner = dataset.entities[dataset
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap()]
    .owner
    .clone();
    decisions.set_general_rule(
        &OwnerKey::of(&owner),
        Direction::Ingress,
        GeneralRule::AllowAll,
    );
    let rows = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Ingress);
    assert!(rows.iter().all(|r| r.allowed));
    assert!(
        !rows
            .iter()
            .find(|r| r.peer_label == "Deployment/monitoring/prometheus")
            .unwrap()
            .row_included
    );
}

#[test]
fn an_alias_names_covers_and_includes_its_addresses() {
    let dataset = demo();
    let mut decisions = Decisions::default();
    let rows = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Ingress);
    let before = unresolved_addresses(&rows, &decisions);
    assert!(before.iter().all(|a| a.alias.is_none() && a.included == 0));
    // Internet clients, and a node (kubelet probes) inside the cluster.
    let external = before
        .iter()
        .filter(|a| a.class == ReviewClass::External)
        .count();
    assert!(external > 3);
    assert!(before.iter().any(|a| a.class == ReviewClass::Node));
    let first = before
        .iter()
        .find(|a| a.class == ReviewClass::External)
        .unwrap()
        .ip;
    decisions
        .add_alias("clients", &format!("{first}/32"))
        .unwrap();
    let rows = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Ingress);
    let aliased: Vec<_> = rows.iter().filter(|r| r.peer_label == "clients").collect();
    assert!(!aliased.is_empty());
    assert!(aliased.iter().all(|r| r.allowed && r.includable));
    assert_eq!(aliased[0].address.as_ref().unwrap().1, ReviewClass::Aliased);
    let after = unresolved_addresses(&rows, &decisions);
    let named = after.iter().find(|a| a.ip == first).unwrap();
    assert_eq!(
        (named.class, named.alias.as_deref()),
        (ReviewClass::Aliased, Some("clients"))
    );
    assert_eq!(named.included, named.rows);
    assert_eq!(
        after
            .iter()
            .filter(|a| a.class == ReviewClass::External)
            .count(),
        external - 1,
        "the others stay external and excluded"
    );
}

#[test]
fn cluster_ranges_entered_reclassify_unknown_addresses() {
    // No inventory: a private address is Unknown until the user says where the cluster is.
    let flows = br#"{"src": {"namespace": "a", "workload": "Deployment/app", "labels": {"app": "app"}}, "dst": {"ip": "10.1.2.3"}, "port": 5432}
{"src": {"namespace": "a", "workload": "Deployment/app", "labels": {"app": "app"}}, "dst": {"ip": "8.8.8.8"}, "port": 53, "protocol": "UDP"}
"#;
    let dataset = load(&[("flows.flowpol.jsonl", flows)]);
    let app = Subject::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "a", "app")
            .unwrap(),
    );
    let classes = |decisions: &Decisions| -> Vec<(String, ReviewClass)> {
        let rows = review_rows(&dataset, decisions, app, Direction::Egress, TimeWindow::ALL);
        unresolved_addresses(&rows, decisions)
            .into_iter()
            .map(|a| (a.ip.to_string(), a.class))
            .collect()
    };
    let mut decisions = Decisions::default();
    // In address order: 8.8.8.8 before 10.1.2.3, as numbers (not as text).
    assert_eq!(
        classes(&decisions),
        [
            ("8.8.8.8".to_string(), ReviewClass::External),
            ("10.1.2.3".to_string(), ReviewClass::Unknown)
        ]
    );
    decisions
        .cluster_ranges
        .push(parse_cidr("10.0.0.0/8").unwrap());
    assert_eq!(
        classes(&decisions),
        [
            ("8.8.8.8".to_string(), ReviewClass::External),
            ("10.1.2.3".to_string(), ReviewClass::Internal)
        ]
    );
    decisions.add_alias("dns", "8.8.8.8").unwrap();
    assert_eq!(classes(&decisions)[0].1, ReviewClass::Aliased);
}

#[test]
fn filters_and_sorting() {
    let dataset = demo();
    let decisions = Decisions::default();
    let gateway = Subject::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "payments", "payment-gateway")
            .unwrap(),
    );
    let calls = rows_of(&dataset, &decisions, gateway, Direction::Egress);
    assert!(
        calls.iter().any(|r| matches_filter(r, "stripe")),
        "DNS names are searched"
    );
    let rows = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Egress);
    assert!(
        rows.iter()
            .filter(|r| matches_filter(r, "CATALOG 3550"))
            .count()
            == 1
    );
    assert!(!rows.iter().any(|r| matches_filter(r, "no-such-thing")));
    let by_connections = shown_order(&rows, "", SortKey::Connections, true);
    assert_eq!(
        by_connections.len(),
        rows.len(),
        "no filter shows every row"
    );
    assert!(by_connections
        .windows(2)
        .all(|w| rows[w[0]].connections >= rows[w[1]].connections));
    let by_port = shown_order(&rows, "  ", SortKey::Port, false);
    assert_eq!(by_port.len(), rows.len(), "a blank filter shows every row");
    assert!(by_port
        .windows(2)
        .all(|w| rows[w[0]].port <= rows[w[1]].port));
    let catalog = shown_order(&rows, "catalog", SortKey::Peer, false);
    assert!(!catalog.is_empty() && catalog.len() < rows.len());
    assert!(catalog.iter().all(|&i| matches_filter(&rows[i], "catalog")));
    // Review rows come in peer order: sorting them by peer keeps them as they are.
    let by_peer = shown_order(&rows, "", SortKey::Peer, false);
    assert_eq!(by_peer, (0..rows.len()).collect::<Vec<_>>());
}

#[test]
fn a_service_is_the_pods_behind_it() {
    let dataset = demo();
    let catalog = dataset
        .services_with_ids()
        .find(|(_, s)| s.name == "catalog")
        .map(|(id, _)| id)
        .unwrap();
    let decisions = Decisions::default();
    let via_service = rows_of(
        &dataset,
        &decisions,
        Subject::Service(catalog),
        Direction::Ingress,
    );
    let entity = dataset
        .find_entity(EntityKind::Deployment, "shop", "catalog")
        .unwrap();
    let direct = rows_of(
        &dataset,
        &decisions,
        Subject::Entity(entity),
        Direction::Ingress,
    );
    assert!(!direct.is_empty());
    assert_eq!(via_service, direct);
}

#[test]
fn a_time_span_keeps_the_connections_inside_it() {
    let dataset = demo();
    let decisions = Decisions::default();
    let (first, last) = time_range(&dataset).unwrap();
    assert!(first < last);
    let all = rows_of(&dataset, &decisions, frontend(&dataset), Direction::Egress);
    let whole = TimeWindow::between(Some(first), Some(last));
    let same = review_rows(
        &dataset,
        &decisions,
        frontend(&dataset),
        Direction::Egress,
        whole,
    );
    assert_eq!(all.len(), same.len());
    let first_minute = TimeWindow {
        from_minute: minute_of(first),
        to_minute: minute_of(first),
    };
    let early = review_rows(
        &dataset,
        &decisions,
        frontend(&dataset),
        Direction::Egress,
        first_minute,
    );
    // First and last seen are those inside the span.
    assert!(
        !early.is_empty(),
        "the frontend calls out in the capture's first minute"
    );
    assert!(early.iter().all(|r| r
        .first_seen
        .is_some_and(|t| minute_of(t) == minute_of(first))
        && r.last_seen
            .is_some_and(|t| minute_of(t) == minute_of(first))));
    let total = |rows: &[flowpol::engine::review::ReviewRow]| {
        rows.iter().map(|r| r.connections).sum::<u64>()
    };
    assert!(
        total(&early) < total(&all),
        "{} < {}",
        total(&early),
        total(&all)
    );
}

#[test]
fn the_fingerprint_names_the_data_not_the_file_order() {
    let flows: &[u8] = include_bytes!("../../public/demo/flows.jsonl");
    let inventory: &[u8] = include_bytes!("../../public/demo/inventory.json");
    let one = load(&[("a", flows), ("b", inventory)]);
    let other = load(&[("b", inventory), ("a", flows)]);
    assert_eq!(fingerprint(&one), fingerprint(&other));
    let less = load(&[("a", &flows[..flows.len() / 2]), ("b", inventory)]);
    assert_ne!(fingerprint(&one), fingerprint(&less));
    assert_eq!(
        fingerprint(&one).len(),
        16,
        "64 bits in hex, on every platform"
    );
}

/// Adding a capture of another cluster to the demo's: the workload in scope and the review's
/// decisions follow their workloads, now named with their cluster, and taking that capture
/// away again names them as before.
#[test]
fn the_review_follows_its_workloads_when_another_cluster_is_added() {
    use flowpol::engine::model::{PeerKey, RowKey};
    use flowpol::engine::scope::Scope;
    let one = demo();
    let two = load(&[
        (
            "flows.jsonl",
            include_bytes!("../../public/demo/flows.jsonl"),
        ),
        (
            "inventory.json",
            include_bytes!("../../public/demo/inventory.json"),
        ),
        (
            "other.jsonl",
            include_bytes!("../fixtures/clusters/cronjob-chain/flows.jsonl"),
        ),
    ]);
    assert!(!one.spans_clusters() && two.spans_clusters());
    let prometheus = "Deployment/monitoring/prometheus";
    let frontend_key: OwnerKey = "Deployment/shop/frontend".parse().unwrap();
    let mut decisions = Decisions::default();
    decisions.set_general_rule(&frontend_key, Direction::Egress, GeneralRule::AllowAll);
    let excluded = rows_of(&one, &decisions, frontend(&one), Direction::Ingress)
        .into_iter()
        .find(|r| r.peer_label == prometheus)
        .unwrap();
    decisions.set_included(&one, &one.communications[excluded.communication], false);
    let scope = Scope {
        subject: Some(frontend(&one)),
        ..Scope::default()
    };

    let carried = scope.carry_over(&one, &two);
    let Some(Subject::Entity(id)) = carried.subject else {
        panic!("the frontend is no longer in scope: {:?}", carried.subject);
    };
    assert_eq!(
        two.owner_key(id).to_string(),
        "shop-prod/Deployment/shop/frontend"
    );
    let moved = decisions.carry_over(&one, &two);
    let in_shop_prod: OwnerKey = "shop-prod/Deployment/shop/frontend".parse().unwrap();
    assert_eq!(
        moved.general_rule(&in_shop_prod, Direction::Egress),
        GeneralRule::AllowAll
    );
    let row = rows_of(&two, &moved, Subject::Entity(id), Direction::Ingress)
        .into_iter()
        .find(|r| r.peer_label == format!("shop-prod/{prometheus}"))
        .unwrap();
    assert!(!row.row_included, "the excluded row stays excluded");
    assert_eq!(
        moved
            .excluded
            .iter()
            .next()
            .map(|k: &RowKey| k.client.clone()),
        Some(PeerKey::Workload(
            format!("shop-prod/{prometheus}").parse().unwrap()
        ))
    );

    // And back: the other cluster's capture taken away.
    assert_eq!(moved.carry_over(&two, &one), decisions);
    let back = carried.carry_over(&two, &one);
    assert_eq!(back.subject, Some(frontend(&one)));
}

/// Thousands of clients of a public frontend, grouped: by prefix (one CIDR each, what one
/// alias can map), by class, by DNS name; every address in exactly one group, counts kept.
#[test]
fn unresolved_addresses_in_groups() {
    use flowpol::engine::review::{group_addresses, AddressGrouping};
    let mut lines = String::new();
    for i in 0..3000u32 {
        let ip = format!("198.{}.{}.{}", 18 + i % 2, (i / 200) % 256, i % 200 + 1);
        let port = if i % 1000 == 0 { 10443 } else { 8080 };
        lines.push_str(&format!(
            r#"{{"src":{{"ip":"{ip}"}},"dst":{{"namespace":"shop","workload":"Deployment/web","labels":{{"app":"web"}}}},"port":{port},"protocol":"TCP","count":1,"time":"2026-11-20T09:00:00Z"}}"#
        ));
        lines.push('\n');
    }
    let dataset = load(&[("clients.jsonl", lines.as_bytes())]);
    let web = Subject::Entity(
        dataset
            .find_entity(EntityKind::Deployment, "shop", "web")
            .unwrap(),
    );
    let decisions = Decisions::default();
    let rows = rows_of(&dataset, &decisions, web, Direction::Ingress);
    let addresses = unresolved_addresses(&rows, &decisions);
    assert_eq!(addresses.len(), 3000);
    let each = group_addresses(&addresses, AddressGrouping::Each);
    assert_eq!(each.len(), 3000);
    let narrow = group_addresses(&addresses, AddressGrouping::Narrow);
    let total: usize = narrow.iter().map(|g| g.addresses.len()).sum();
    assert_eq!(total, 3000, "every address in one group");
    for group in &narrow {
        let cidr = group.cidr.unwrap();
        assert_eq!(cidr.prefix_len(), 24);
        assert!(group.addresses.iter().all(|ip| cidr.contains(ip)));
        assert_eq!(group.rows, group.addresses.len());
        assert_eq!(group.included, 0, "addresses are excluded until mapped");
    }
    assert!(narrow.len() < 40, "{} groups", narrow.len());
    let wide = group_addresses(&addresses, AddressGrouping::Wide);
    assert_eq!(
        wide.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(),
        ["198.18.0.0/16", "198.19.0.0/16"]
    );
    let class = group_addresses(&addresses, AddressGrouping::Class);
    assert_eq!(class.len(), 1);
    assert_eq!(class[0].connections, 3000);
    assert_eq!(class[0].ports, ["TCP/8080", "TCP/10443"], "by port number");
    let named = group_addresses(&addresses, AddressGrouping::DnsName);
    assert_eq!(named[0].label, "(no DNS name)");
}

/// Without an inventory, a selector is what the flows showed: labels that change at the next
/// rollout or injection are named.
#[test]
fn changeable_labels_are_named() {
    use flowpol::engine::dataset::SelectorSource;
    use flowpol::engine::review::changeable_labels;
    let line = r#"{"src":{"namespace":"shop","workload":"Deployment/web","labels":{"app":"web","version":"v2","security.istio.io/tlsMode":"istio","pod-template-hash":"6d4cf56db6"}},"dst":{"ip":"203.0.113.7"},"port":443,"protocol":"TCP","count":1}"#;
    let dataset = load(&[("flows.jsonl", line.as_bytes())]);
    let web = dataset
        .find_entity(EntityKind::Deployment, "shop", "web")
        .unwrap();
    assert_eq!(
        dataset.entities[web].selector_source,
        SelectorSource::ObservedPods
    );
    let mut changeable = changeable_labels(&dataset, web);
    changeable.sort();
    assert!(
        changeable.contains(&"version".to_string()),
        "{changeable:?}"
    );
    assert!(changeable.contains(&"security.istio.io/tlsMode".to_string()));
    assert!(!changeable.contains(&"app".to_string()));
    // With the inventory, the demo's selectors are the workloads' own.
    let demo = demo();
    let frontend = demo
        .find_entity(EntityKind::Deployment, "shop", "frontend")
        .unwrap();
    assert_eq!(changeable_labels(&demo, frontend), Vec::<String>::new());
}
