//! The decisions' tests: aliases, general rules, rows, the DNS option, the file's round trip.

use std::collections::BTreeSet;

use super::*;
use crate::engine::dataset::{Communication, Dataset, Peer};
use crate::engine::model::{Direction, OwnerKey, PeerKey, Protocol, RowKey};

#[test]
fn allowed_names_are_kept_in_one_spelling() {
    assert_eq!(
        parse_allowed_name(" API.Stripe.com. ").unwrap(),
        "api.stripe.com"
    );
    assert_eq!(parse_allowed_name("*.stripe.com").unwrap(), "*.stripe.com");
    for bad in [
        "",
        "a b",
        "a..b",
        "<script>",
        ".",
        "**.example.com",
        "x".repeat(254).as_str(),
    ] {
        assert!(parse_allowed_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn names_and_patterns_match_as_cilium_reads_them() {
    assert!(name_matches("api.stripe.com", "API.Stripe.com."));
    assert!(!name_matches("api.stripe.com", "stripe.com"));
    assert!(name_matches("*.stripe.com", "api.stripe.com"));
    assert!(
        !name_matches("*.stripe.com", "a.b.stripe.com"),
        "* stays in one label"
    );
    assert!(!name_matches("*.stripe.com", "stripe.com"));
    assert!(name_matches(
        "s3.*.amazonaws.com",
        "s3.eu-west-1.amazonaws.com"
    ));
    assert!(name_matches("*", "anything.example"));
    assert!(name_matches("api-*.example.com", "api-v2.example.com"));
    assert!(name_matches("a*b*c", "aXXbYYc") && !name_matches("a*b*c", "aXXbYY"));
    // Many stars stay fast.
    let label = "a".repeat(63);
    assert!(!name_matches(&format!("{}b", "*a".repeat(30)), &label));
}
use crate::engine::dataset::{Address, Entity, SelectorSource};
use crate::engine::model::labels::Labels;
use crate::engine::model::observed::ObservedCommunication;
use crate::engine::model::{AddressClass, AddressId, EntityId, EntityKind, Owner};

fn entity_peer(index: usize) -> Peer {
    Peer::Entity(EntityId::new(index))
}

/// `web` (shop) calls `api` (shop) on 80, `db` (data) on 5432 and 203.0.113.7 on 443;
/// kube-system's `coredns` answers on UDP 53.
fn dataset() -> Dataset {
    let entity = |namespace: &str, name: &str, extra: &[(&str, &str)]| {
        let mut labels = Labels::from([("app".to_string(), name.to_string())]);
        for (k, v) in extra {
            labels.insert(k.to_string(), v.to_string());
        }
        Entity {
            owner: Owner {
                kind: EntityKind::Deployment,
                namespace: namespace.into(),
                name: name.into(),
            },
            cluster: None,
            selector: labels.clone(),
            selector_source: SelectorSource::Workload,
            pods: Default::default(),
            addresses: Default::default(),
            label_sets: vec![labels.clone()],
            service_accounts: BTreeSet::new(),
            labels,
            ports: Vec::new(),
            kind_inferred: false,
            host_network: false,
        }
    };
    let communication = |client, server, protocol, port| Communication {
        client,
        server,
        protocol,
        port,
        observed: ObservedCommunication::default(),
    };
    Dataset {
        entities: vec![
            entity("shop", "web", &[]),
            entity("shop", "api", &[]),
            entity("data", "db", &[]),
            entity("kube-system", "coredns", &[("k8s-app", "kube-dns")]),
        ],
        addresses: vec![Address {
            ip: "203.0.113.7".parse().unwrap(),
            class: AddressClass::External,
            node: None,
            names: Default::default(),
            reserved: Vec::new(),
        }],
        communications: vec![
            communication(entity_peer(0), entity_peer(1), Protocol::Tcp, 80),
            communication(entity_peer(0), entity_peer(2), Protocol::Tcp, 5432),
            communication(
                entity_peer(0),
                Peer::Address(AddressId::new(0)),
                Protocol::Tcp,
                443,
            ),
            communication(entity_peer(0), entity_peer(3), Protocol::Udp, 53),
        ],
        ..Dataset::default()
    }
}

#[test]
fn an_alias_form_suggests_and_warns() {
    let ip = vec!["203.0.113.10".parse().unwrap()];
    assert_eq!(cidr_warning("203.0.113.0/24", &ip), None);
    assert_eq!(
        cidr_warning("198.51.100.0/24", &ip).as_deref(),
        Some("198.51.100.0/24 does not contain 203.0.113.10: this alias would not apply to it.")
    );
    assert_eq!(cidr_warning("not a cidr", &ip), None);
    assert_eq!(host_cidr("2001:db8::1".parse().unwrap()), "2001:db8::1/128");
    assert_eq!(
        host_cidr("203.0.113.10".parse().unwrap()),
        "203.0.113.10/32"
    );
    assert_eq!(
        alias_name_from(&["api.stripe.com.".into()]),
        "api.stripe.com"
    );
    assert_eq!(alias_name_from(&[]), "");
}

#[test]
fn a_row_says_what_decides_it_when_its_own_decision_does_not() {
    let data = dataset();
    let row = |i: usize| &data.communications[i];
    let mut decisions = Decisions::default();
    let egress = Direction::Egress;
    assert_eq!(decisions.side_reason(&data, row(0), egress), None);
    assert_eq!(
        decisions.side_reason(&data, row(2), egress),
        Some(RowReason::NeedsAlias)
    );
    decisions.allow_dns = true;
    assert_eq!(
        decisions.side_reason(&data, row(3), egress),
        Some(RowReason::DnsOption)
    );
    assert_eq!(decisions.side_reason(&data, row(0), egress), None);
    let web = OwnerKey::of(&data.entities[EntityId::new(0)].owner);
    decisions.set_general_rule(&web, egress, GeneralRule::BlockAll);
    assert_eq!(
        decisions.side_reason(&data, row(0), egress),
        Some(RowReason::Rule(GeneralRule::BlockAll))
    );
    assert_eq!(
        RowReason::Rule(GeneralRule::BlockAll).text(false),
        "blocked by the general rule (block all)"
    );
    // An address has no side of its own: nothing decides there.
    assert_eq!(
        decisions.side_reason(&data, row(2), Direction::Ingress),
        None
    );
}

#[test]
fn mapping_nodes_names_each_node_and_keeps_the_users_aliases() {
    let mut data = dataset();
    let node = |ip: &str, name: Option<&str>| Address {
        ip: ip.parse().unwrap(),
        class: AddressClass::Node,
        node: name.map(str::to_string),
        names: Default::default(),
        reserved: Vec::new(),
    };
    data.addresses.extend([
        node("172.20.0.11", Some("worker-1")),
        node("172.20.0.12", None),
        node("172.20.0.13", Some("worker-3")),
    ]);
    let mut decisions = Decisions::default();
    decisions.add_alias("bastion", "172.20.0.13/32").unwrap();
    assert_eq!(decisions.map_nodes(&data), 2);
    let names: Vec<(String, String)> = decisions
        .aliases
        .iter()
        .map(|a| (a.cidr.to_string(), a.name.clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("172.20.0.11/32".to_string(), "worker-1".to_string()),
            ("172.20.0.12/32".to_string(), "nodes".to_string()),
            ("172.20.0.13/32".to_string(), "bastion".to_string()),
        ]
    );
    assert_eq!(decisions.map_nodes(&data), 0, "mapped already");
}

#[test]
fn defaults_include_resolved_rows_and_exclude_addresses() {
    let data = dataset();
    let decisions = Decisions::default();
    let included: Vec<bool> = data
        .communications
        .iter()
        .map(|c| decisions.is_included(&data, c))
        .collect();
    assert_eq!(included, [true, true, false, true]);
    assert_eq!(
        data.row_key(&data.communications[2]).to_string(),
        "Deployment/shop/web -> 203.0.113.7 TCP/443"
    );
}

#[test]
fn excluding_and_including_rows() {
    let data = dataset();
    let mut decisions = Decisions::default();
    assert!(decisions.set_included(&data, &data.communications[0], false));
    assert!(!decisions.is_included(&data, &data.communications[0]));
    assert_eq!(decisions.excluded.len(), 1);
    assert!(decisions.set_included(&data, &data.communications[0], true));
    assert_eq!(decisions, Decisions::default(), "back to the default");
    assert!(
        !decisions.set_included(&data, &data.communications[2], true),
        "an address without alias cannot be included"
    );
    decisions.set_all_included(&data, &data.communications, false);
    assert!(data
        .communications
        .iter()
        .all(|c| !decisions.is_included(&data, c)));
}

#[test]
fn aliases_validate_cover_ranges_and_make_rows_includable() {
    let data = dataset();
    let mut decisions = Decisions::default();
    assert_eq!(
        decisions.add_alias(" ", "1.2.3.4"),
        Err(AliasError::EmptyName)
    );
    assert!(matches!(
        decisions.add_alias("x", "1.2.3.400/32"),
        Err(AliasError::BadCidr(_))
    ));
    decisions.add_alias("docs", "203.0.113.0/24").unwrap();
    decisions.add_alias("stripe", "203.0.113.7").unwrap();
    assert_eq!(
        decisions
            .alias_of("203.0.113.7".parse().unwrap())
            .unwrap()
            .name,
        "stripe"
    );
    assert_eq!(
        decisions
            .alias_of("203.0.113.8".parse().unwrap())
            .unwrap()
            .name,
        "docs"
    );
    assert!(decisions
        .alias_of("198.51.100.1".parse().unwrap())
        .is_none());
    assert!(decisions.is_included(&data, &data.communications[2]));
    decisions.add_alias("renamed", "203.0.113.7/32").unwrap();
    assert_eq!(decisions.aliases.len(), 2, "same CIDR replaces");
    decisions.remove_alias(&parse_cidr("203.0.113.7").unwrap());
    assert_eq!(
        decisions
            .alias_of("203.0.113.7".parse().unwrap())
            .unwrap()
            .name,
        "docs"
    );
    assert_eq!(
        parse_cidr("10.1.2.3/8").unwrap().to_string(),
        "10.0.0.0/8",
        "host bits cleared"
    );
    let list = parse_cidr_list("10.244.0.0/16,10.96.0.0/12\n fd00::/8 ").unwrap();
    assert_eq!(
        CidrList(&list).to_string(),
        "10.244.0.0/16, 10.96.0.0/12, fd00::/8"
    );
    assert!(parse_cidr_list("10.0.0.0/8, nonsense").is_err());
    assert_eq!(parse_cidr_list(" ").unwrap(), vec![]);
}

#[test]
fn general_rules_decide_a_side() {
    let data = dataset();
    let web = OwnerKey::of(&data.entities[0].owner);
    let mut decisions = Decisions::default();
    let egress =
        |d: &Decisions, i: usize| d.side_allows(&data, &data.communications[i], Direction::Egress);
    decisions.set_general_rule(&web, Direction::Egress, GeneralRule::AllowNamespace);
    assert_eq!(
        [0, 1, 2].map(|i| egress(&decisions, i)),
        [true, false, false]
    );
    decisions.set_general_rule(&web, Direction::Egress, GeneralRule::AllowAll);
    assert_eq!([0, 1, 2].map(|i| egress(&decisions, i)), [true; 3]);
    decisions.set_general_rule(&web, Direction::Egress, GeneralRule::BlockAll);
    assert_eq!([0, 1, 2, 3].map(|i| egress(&decisions, i)), [false; 4]);
    assert!(
        decisions.side_allows(&data, &data.communications[0], Direction::Ingress),
        "the server's side is api's"
    );
    decisions.set_general_rule(&web, Direction::Egress, GeneralRule::PerRow);
    assert!(
        decisions.general.is_empty(),
        "per-row is the default, not stored"
    );
}

#[test]
fn the_dns_option_allows_dns_even_when_excluded() {
    let data = dataset();
    let mut decisions = Decisions::default();
    decisions.set_included(&data, &data.communications[3], false);
    let dns = &data.communications[3];
    assert!(!decisions.side_allows(&data, dns, Direction::Egress));
    decisions.allow_dns = true;
    assert!(decisions.side_allows(&data, dns, Direction::Egress));
    decisions.set_general_rule(
        &OwnerKey::of(&data.entities[0].owner),
        Direction::Egress,
        GeneralRule::BlockAll,
    );
    assert!(
        !decisions.side_allows(&data, dns, Direction::Egress),
        "block all is all"
    );
}

#[test]
fn exported_json_round_trips_and_rejects_typos() {
    let data = dataset();
    let mut decisions = Decisions::default();
    decisions.add_alias("stripe", "203.0.113.7").unwrap();
    decisions.set_included(&data, &data.communications[1], false);
    decisions.set_general_rule(
        &OwnerKey::of(&data.entities[1].owner),
        Direction::Ingress,
        GeneralRule::AllowAll,
    );
    decisions.allow_dns = true;
    decisions
        .cluster_ranges
        .push(parse_cidr("10.0.0.0/8").unwrap());
    assert_eq!(
        decisions.count(),
        5,
        "an alias, a row, a rule, a range, DNS"
    );
    let json = decisions.to_json();
    assert!(json.contains("\"allow-all\""), "{json}");
    assert_eq!(Decisions::from_json(&json).unwrap(), decisions);
    assert!(Decisions::from_json("{\"exclude\": []}").is_err());
}

#[test]
fn keys_that_name_nothing_flowpol_writes_are_kept_and_decide_nothing() {
    let data = dataset();
    let text = r#"{
  "excluded": [
    "Deployment/shop/web -> Deployment/shop/api TCP/80",
    "deployment/shop/web -> Deployment/shop/api TCP/80"
  ],
  "general": {
    "Deployment/shop/web": {
      "Egress": "block-all"
    },
    "ReplicaSet/shop/web": {
      "Ingress": "allow-all"
    }
  },
  "aliases": [],
  "cluster_ranges": [],
  "allow_dns": false
}"#;
    let decisions = Decisions::from_json(text).unwrap();
    assert_eq!(decisions.to_json(), text, "written back unchanged");
    assert_eq!(decisions.excluded.len(), 1);
    assert_eq!(decisions.unreadable.excluded.len(), 1);
    assert!(!decisions.is_included(&data, &data.communications[0]));
    assert_eq!(
        decisions.general_rule(&OwnerKey::of(&data.entities[0].owner), Direction::Ingress),
        GeneralRule::PerRow
    );
    assert_eq!(
        decisions.unreadable.general["ReplicaSet/shop/web"][&Direction::Ingress],
        GeneralRule::AllowAll
    );
}

#[test]
fn every_reason_has_its_badge_and_its_words() {
    let rule = RowReason::Rule;
    let table = [
        (
            RowReason::DnsOption,
            "DNS option",
            "allowed by the DNS option",
        ),
        (
            rule(GeneralRule::AllowAll),
            "rule: allow all",
            "allowed by the general rule (allow all)",
        ),
        (
            rule(GeneralRule::AllowNamespace),
            "rule: namespace",
            "allowed by the general rule (its namespace)",
        ),
        (
            rule(GeneralRule::BlockAll),
            "rule: block all",
            "blocked by the general rule (block all)",
        ),
        (
            RowReason::NeedsAlias,
            "needs an alias",
            "excluded until its address is mapped to an alias",
        ),
    ];
    for (reason, badge, text) in table {
        assert_eq!(reason.badge(), badge);
        assert_eq!(reason.text(true), text);
    }
    assert_eq!(RowReason::ByName.badge(), "by name");
    assert!(RowReason::ByName.text(true).contains("toFQDNs"));
    assert_eq!(
        rule(GeneralRule::AllowNamespace).text(false),
        "blocked by the general rule (its namespace only)"
    );
}

#[test]
fn only_kube_dns_in_kube_system_is_the_cluster_dns() {
    let mut data = dataset();
    assert!(is_dns_server(&data, entity_peer(3)));
    assert!(!is_dns_server(&data, entity_peer(1)));
    // The label in another namespace, or kube-system without the label: not the DNS.
    data.entities[3].owner.namespace = "shop".into();
    assert!(!is_dns_server(&data, entity_peer(3)));
    data.entities[3].owner.namespace = DNS_NAMESPACE.into();
    data.entities[3].labels.remove(DNS_LABEL.0);
    assert!(!is_dns_server(&data, entity_peer(3)));
    assert!(!is_dns_server(&data, Peer::Address(AddressId::new(0))));
    assert!(!is_dns_server(&data, Peer::ApiServer));
}

#[test]
fn workloads_of_two_clusters_need_aliases_covering_both() {
    let mut data = dataset();
    data.clusters = ["east".to_string(), "west".to_string()].into();
    data.entities[0].cluster = Some("east".into());
    data.entities[1].cluster = Some("west".into());
    data.entities[0].addresses = ["10.1.0.5".parse().unwrap()].into();
    data.entities[1].addresses = ["10.2.0.9".parse().unwrap()].into();
    let across = data.communications[0].clone();
    let mut decisions = Decisions::default();
    assert!(!decisions.can_include(&data, &across), "no alias yet");
    decisions.add_alias("east-web", "10.1.0.0/16").unwrap();
    assert!(!decisions.can_include(&data, &across), "one side covered");
    decisions.add_alias("west-api", "10.2.0.0/16").unwrap();
    assert!(decisions.can_include(&data, &across));
    // A workload whose addresses nobody saw cannot be covered.
    data.entities[1].addresses.clear();
    assert!(!decisions.can_include(&data, &across));
}

#[test]
fn an_address_allowed_by_name_says_so_on_the_clients_side_only() {
    let mut data = dataset();
    data.addresses[0].names = ["api.stripe.com".to_string()].into();
    let external = data.communications[2].clone();
    let mut decisions = Decisions::default();
    decisions.allowed_names.insert("*.stripe.com".into());
    assert_eq!(
        decisions.side_reason(&data, &external, Direction::Egress),
        Some(RowReason::ByName)
    );
    assert_eq!(
        decisions.side_reason(&data, &external, Direction::Ingress),
        None
    );
    // A row to an entity is never "by name".
    assert_eq!(
        decisions.side_reason(&data, &data.communications[0], Direction::Egress),
        None
    );
    // Once an alias covers the address, the alias decides, not the name.
    decisions.add_alias("stripe", "203.0.113.0/24").unwrap();
    assert_eq!(
        decisions.side_reason(&data, &external, Direction::Egress),
        None
    );
    // An address no allowed name matches, and no alias: it needs one.
    decisions.remove_alias(&"203.0.113.0/24".parse().unwrap());
    decisions.allowed_names.clear();
    assert_eq!(
        decisions.side_reason(&data, &external, Direction::Egress),
        Some(RowReason::NeedsAlias)
    );
}

#[test]
fn excluded_request_patterns_round_trip_and_an_empty_set_is_not_written() {
    let data = dataset();
    let row = data.row_key(&data.communications[0]);
    let mut decisions = Decisions::default();
    decisions.set_request_included(&row, "GET /admin", false);
    let json = decisions.to_json();
    assert!(json.contains("GET /admin"), "{json}");
    assert_eq!(Decisions::from_json(&json).unwrap(), decisions);
    // Including it again leaves nothing behind.
    decisions.set_request_included(&row, "GET /admin", true);
    assert!(decisions.excluded_requests.is_empty());
    // A row whose set is empty (as a caller may leave it) writes nothing.
    decisions.excluded_requests.insert(row, BTreeSet::new());
    let json = decisions.to_json();
    assert!(
        !json.contains("GET /admin") && !json.contains("shop"),
        "{json}"
    );
}

#[test]
fn a_general_rule_reads_back_from_its_form_value() {
    let values = GeneralRule::ALL.map(GeneralRule::as_str);
    assert_eq!(
        values,
        ["per-row", "block-all", "allow-namespace", "allow-all"]
    );
    for rule in GeneralRule::ALL {
        assert_eq!(GeneralRule::parse(rule.as_str()), Some(rule));
    }
    assert_eq!(GeneralRule::parse("allow-everything"), None);
    assert_eq!(GeneralRule::parse(""), None);
    assert_eq!(GeneralRule::AllowNamespace.to_string(), "allow-namespace");
}

#[test]
fn each_general_rule_explains_itself_for_each_direction() {
    let mut seen = BTreeSet::new();
    for rule in GeneralRule::ALL {
        for direction in Direction::BOTH {
            let words = rule.explanation(direction);
            assert!(words.ends_with('.'), "{rule} {direction:?}: {words}");
            seen.insert(words);
        }
    }
    // Per row reads the same both ways; every other rule says which way it goes.
    assert_eq!(seen.len(), 7);
    assert_eq!(
        GeneralRule::BlockAll.explanation(Direction::Egress),
        "This entity may connect nowhere, DNS included (Egress listed with no rule)."
    );
}

#[test]
fn every_kind_of_decision_counts_once_readable_or_not() {
    let text = r#"{
  "excluded_requests": {
    "Deployment/shop/web -> Deployment/shop/api TCP/80": ["GET /admin", "POST /orders"],
    "deployment/shop/web -> Deployment/shop/api TCP/80": ["GET /x"]
  },
  "excluded": ["deployment/shop/web -> Deployment/shop/api TCP/80"],
  "general": {
    "Deployment/shop/web": { "Egress": "block-all" },
    "ReplicaSet/shop/web": { "Ingress": "allow-all", "Egress": "block-all" }
  },
  "aliases": [],
  "cluster_ranges": [],
  "allow_dns": false,
  "allow_names": ["api.stripe.com"]
}"#;
    let decisions = Decisions::from_json(text).unwrap();
    assert_eq!(decisions.unreadable.excluded_requests.len(), 1);
    // Two patterns, one unreadable pattern, one unreadable row, one rule, two unreadable
    // rules, one name.
    assert_eq!(decisions.count(), 8);
}

#[test]
fn decisions_follow_their_workloads_when_a_second_cluster_is_loaded() {
    let mut old = dataset();
    old.clusters = ["east".to_string()].into();
    let mut new = old.clone();
    new.clusters.insert("west".to_string());
    let row = old.row_key(&old.communications[0]);
    let web = OwnerKey::of(&old.entities[0].owner);
    let mut decisions = Decisions::default();
    decisions.excluded.insert(row.clone());
    decisions.set_request_included(&row, "GET /admin", false);
    decisions.set_general_rule(&web, Direction::Egress, GeneralRule::AllowNamespace);
    let carried = decisions.carry_over(&old, &new);
    let east = |peer: &PeerKey| match peer {
        PeerKey::Workload(key) => PeerKey::Workload(OwnerKey {
            cluster: Some("east".into()),
            owner: key.owner.clone(),
        }),
        other => other.clone(),
    };
    let moved = RowKey {
        client: east(&row.client),
        server: east(&row.server),
        ..row.clone()
    };
    assert_ne!(moved, row);
    assert_eq!(carried.excluded, [moved.clone()].into());
    assert_eq!(
        carried.excluded_requests,
        [(moved, ["GET /admin".to_string()].into())].into()
    );
    let PeerKey::Workload(east_web) = east(&PeerKey::Workload(web)) else {
        unreachable!()
    };
    assert_eq!(
        carried.general_rule(&east_web, Direction::Egress),
        GeneralRule::AllowNamespace
    );
}

#[test]
fn an_alias_that_cannot_be_added_says_why() {
    let mut decisions = Decisions::default();
    assert_eq!(
        decisions
            .add_alias("", "203.0.113.0/24")
            .unwrap_err()
            .to_string(),
        "the alias needs a name"
    );
    assert_eq!(
        decisions
            .add_alias("stripe", "203.0.113.0/33")
            .unwrap_err()
            .to_string(),
        "`203.0.113.0/33` is not an address or a CIDR (e.g. 203.0.113.10/32 or 2001:db8::/64)"
    );
}
