//! How a policy names its pods and its peers, on small flowpol-JSON captures: a selector that
//! picks another workload's pods too (a canary, a rollout half done) is still written
//! (availability first), and the policy says what else it picks; the
//! cluster DNS is picked by its own pods' selector; an alias inside a cluster range is warned
//! about; a workload of another cluster is named by the aliases covering its pods.

use flowpol::engine::dataset::Dataset;
use flowpol::engine::decisions::Decisions;
use flowpol::engine::load::load_files;
use flowpol::engine::model::network_policy::{NetworkPolicy, PolicyPeer};
use flowpol::engine::model::{EntityKind, TimeWindow};
use flowpol::engine::policy::generate_policies;

/// One flow from `pod` of `workload` (labels as given) to the database.
fn flow(workload: &str, pod: &str, labels: &str) -> String {
    format!(
        r#"{{"src": {{"namespace": "shop", "pod": "{pod}", "workload": "Deployment/{workload}", "labels": {labels}}}, "dst": {{"namespace": "shop", "pod": "db-0", "workload": "StatefulSet/db", "labels": {{"app": "db"}}}}, "port": 5432, "protocol": "TCP", "count": 1, "time": "2026-11-20T09:00:00Z"}}"#
    )
}

fn load(lines: &[String]) -> Dataset {
    let text = lines.join("\n");
    let loaded = load_files(&[("flows.jsonl", text.as_bytes())], &[]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert!(
        loaded
            .dataset
            .entities
            .iter()
            .all(|e| e.addresses.iter().all(|ip| !ip.is_unspecified())),
        "a pod named without its address has no address"
    );
    loaded.dataset
}

/// The warnings of `workload`'s policy, whether it got one, and the workloads its selector
/// picks besides its own.
fn policy_of(dataset: &Dataset, workload: &str) -> (bool, Vec<String>, Vec<String>) {
    let id = dataset
        .find_entity(EntityKind::Deployment, "shop", workload)
        .unwrap();
    let generated = generate_policies(dataset, &Decisions::default(), &[id], TimeWindow::ALL);
    let also: Vec<String> = generated[0]
        .also_selects()
        .map(|other| dataset.owner_key(other).to_string())
        .collect();
    (
        generated[0].policy.is_some(),
        generated[0].warnings.clone(),
        also,
    )
}

#[test]
fn a_selector_that_picks_some_pods_of_another_workload_is_written_and_says_so() {
    // `web` is selected by app=web; one of `web-canary`'s two pods carries app=web as well, the
    // other does not, so the canary's common labels (track=canary) do not match app=web.
    let dataset = load(&[
        flow("web", "web-1", r#"{"app": "web"}"#),
        flow(
            "web-canary",
            "web-canary-1",
            r#"{"app": "web", "track": "canary"}"#,
        ),
        flow(
            "web-canary",
            "web-canary-2",
            r#"{"app": "web-next", "track": "canary"}"#,
        ),
    ]);
    let (has_policy, warnings, also) = policy_of(&dataset, "web");
    assert!(has_policy, "availability first: {warnings:?}");
    assert_eq!(also, ["Deployment/shop/web-canary"]);
    assert_eq!(
        warnings[0],
        "The policy of Deployment/shop/web selects more than its pods: its selector app=web also \
         picks the pods of Deployment/shop/web-canary; it carries their rules too, so that \
         applied alone it denies them nothing, and its pods get them as well (give its pods a \
         label of their own and run again)",
    );
    let (has_policy, warnings, also) = policy_of(&dataset, "web-canary");
    assert!(
        has_policy && also.is_empty(),
        "track=canary picks only the canary: {warnings:?}"
    );
}

#[test]
fn a_selector_that_picks_every_pod_of_another_workload_is_written_and_says_so() {
    let dataset = load(&[
        flow("web", "web-1", r#"{"app": "web"}"#),
        flow(
            "web-canary",
            "web-canary-1",
            r#"{"app": "web", "track": "canary"}"#,
        ),
    ]);
    let (has_policy, warnings, also) = policy_of(&dataset, "web");
    assert!(has_policy);
    assert_eq!(also, ["Deployment/shop/web-canary"]);
    assert!(
        warnings[0].contains("also picks the pods of Deployment/shop/web-canary;"),
        "{warnings:?}"
    );
}

#[test]
fn distinct_selectors_give_policies() {
    let dataset = load(&[
        flow("web", "web-1", r#"{"app": "web"}"#),
        flow("api", "api-1", r#"{"app": "api"}"#),
    ]);
    for workload in ["web", "api"] {
        let (has_policy, warnings, also) = policy_of(&dataset, workload);
        assert!(has_policy && also.is_empty(), "{workload}: {warnings:?}");
        assert!(
            !warnings.iter().any(|w| w.contains("also picks")),
            "{workload}: {warnings:?}"
        );
    }
}

/// The policy `generate_policies` writes for `kind/namespace/name` (of `cluster`) under
/// `decisions`, and its warnings.
fn generated(
    dataset: &Dataset,
    decisions: &Decisions,
    cluster: Option<&str>,
    kind: EntityKind,
    name: &str,
) -> (NetworkPolicy, Vec<String>) {
    let id = dataset
        .entity_ids()
        .find(|&id| {
            let entity = &dataset.entities[id];
            entity.owner.kind == kind
                && entity.owner.name == name
                && entity.cluster.as_deref() == cluster
        })
        .unwrap_or_else(|| panic!("{kind}/{name} in {cluster:?}"));
    let mut generated = generate_policies(dataset, decisions, &[id], TimeWindow::ALL);
    let generated = generated.remove(0);
    let policy = generated
        .policy
        .unwrap_or_else(|| panic!("no policy: {:?}", generated.warnings));
    (policy, generated.warnings)
}

fn egress_peers(policy: &NetworkPolicy) -> Vec<PolicyPeer> {
    policy
        .spec
        .egress
        .iter()
        .flatten()
        .flat_map(|rule| rule.to.iter().flatten().cloned())
        .collect()
}

#[test]
fn the_dns_option_picks_the_cluster_dns_by_its_own_selector() {
    let lines = [
        flow("web", "web-1", r#"{"app": "web"}"#),
        r#"{"src": {"namespace": "shop", "pod": "web-1", "workload": "Deployment/web", "labels": {"app": "web"}}, "dst": {"namespace": "kube-system", "pod": "coredns-1", "workload": "Deployment/coredns", "labels": {"k8s-app": "kube-dns", "app.kubernetes.io/name": "coredns"}}, "port": 53, "protocol": "UDP", "count": 1, "time": "2026-11-20T09:00:00Z"}"#.to_string(),
    ];
    let dataset = load(&lines);
    let decisions = Decisions {
        allow_dns: true,
        ..Decisions::default()
    };
    let (policy, _) = generated(&dataset, &decisions, None, EntityKind::Deployment, "web");
    let dns: Vec<_> = egress_peers(&policy)
        .into_iter()
        .filter_map(|peer| peer.pod_selector)
        .filter(|selector| {
            selector.match_labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
        })
        .collect();
    assert_eq!(dns.len(), 1, "{policy:?}");
    assert_eq!(
        dns[0]
            .match_labels
            .get("app.kubernetes.io/name")
            .map(String::as_str),
        Some("coredns"),
        "the DNS pods' own selector, not only the conventional label: {:?}",
        dns[0]
    );
}

/// `web` of cluster east reaches `db` of cluster west, whose pods have the given addresses.
fn across_clusters(db_addresses: &[&str]) -> Dataset {
    let lines: Vec<String> = db_addresses
        .iter()
        .enumerate()
        .map(|(i, ip)| {
            format!(
                r#"{{"src": {{"cluster": "east", "ip": "10.1.0.9", "namespace": "shop", "pod": "web-1", "workload": "Deployment/web", "labels": {{"app": "web"}}}}, "dst": {{"cluster": "west", "ip": "{ip}", "namespace": "shop", "pod": "db-{i}", "workload": "StatefulSet/db", "labels": {{"app": "db"}}}}, "port": 5432, "protocol": "TCP", "count": 1, "time": "2026-11-20T09:00:00Z"}}"#
            )
        })
        .collect();
    load(&lines)
}

fn blocks(policy: &NetworkPolicy) -> Vec<String> {
    egress_peers(policy)
        .into_iter()
        .filter_map(|peer| peer.ip_block.map(|block| block.cidr))
        .collect()
}

#[test]
fn a_workload_of_another_cluster_is_named_by_the_aliases_of_its_pods() {
    let mut decisions = Decisions::default();
    decisions.add_alias("east", "10.1.0.0/16").unwrap();
    decisions.add_alias("west-a", "10.2.0.0/16").unwrap();
    decisions.add_alias("west-b", "10.3.0.0/16").unwrap();
    let dataset = across_clusters(&["10.2.0.5", "10.2.0.6", "10.3.0.5"]);
    let (policy, _) = generated(
        &dataset,
        &decisions,
        Some("east"),
        EntityKind::Deployment,
        "web",
    );
    assert_eq!(
        blocks(&policy),
        ["10.2.0.0/16", "10.3.0.0/16"],
        "{policy:?}"
    );

    let dataset = across_clusters(&["10.2.0.5", "10.2.0.6"]);
    let (policy, _) = generated(
        &dataset,
        &decisions,
        Some("east"),
        EntityKind::Deployment,
        "web",
    );
    assert_eq!(
        blocks(&policy),
        ["10.2.0.0/16"],
        "one block per alias: {policy:?}"
    );

    let dataset = across_clusters(&["10.2.0.5", "10.4.0.5"]);
    let (policy, warnings) = generated(
        &dataset,
        &decisions,
        Some("east"),
        EntityKind::Deployment,
        "web",
    );
    assert!(
        blocks(&policy).is_empty(),
        "a pod no alias covers: {policy:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("is in another cluster")),
        "{warnings:?}"
    );
}

#[test]
fn an_alias_inside_a_cluster_range_is_warned_about_once() {
    let line = |ip: &str, port: u16| {
        format!(
            r#"{{"src": {{"namespace": "shop", "pod": "web-1", "workload": "Deployment/web", "labels": {{"app": "web"}}}}, "dst": {{"ip": "{ip}"}}, "port": {port}, "protocol": "TCP", "count": 1, "time": "2026-11-20T09:00:00Z"}}"#
        )
    };
    let from_legacy = r#"{"src": {"ip": "10.9.0.7"}, "dst": {"namespace": "shop", "pod": "web-1", "workload": "Deployment/web", "labels": {"app": "web"}}, "port": 8080, "protocol": "TCP", "count": 1, "time": "2026-11-20T09:00:00Z"}"#;
    let text = [
        line("10.9.0.5", 443),
        line("10.9.0.6", 8443),
        from_legacy.to_string(),
    ]
    .join("\n");
    let dataset = load_files(&[("flows.jsonl", text.as_bytes())], &[]).dataset;
    let mut decisions = Decisions::default();
    decisions.add_alias("legacy", "10.9.0.0/24").unwrap();
    decisions.cluster_ranges = vec!["10.0.0.0/8".parse().unwrap()];
    let (policy, warnings) = generated(&dataset, &decisions, None, EntityKind::Deployment, "web");
    assert_eq!(blocks(&policy), ["10.9.0.0/24"], "{policy:?}");
    let ingress_blocks: Vec<_> = policy
        .spec
        .ingress
        .iter()
        .flatten()
        .flat_map(|rule| rule.from.iter().flatten())
        .filter_map(|peer| peer.ip_block.as_ref().map(|block| block.cidr.as_str()))
        .collect();
    assert_eq!(ingress_blocks, ["10.9.0.0/24"], "{policy:?}");
    let inside: Vec<_> = warnings
        .iter()
        .filter(|w| w.contains("lies inside the cluster range 10.0.0.0/8"))
        .collect();
    assert_eq!(inside.len(), 1, "{warnings:?}");
    assert!(
        inside[0].starts_with("The alias legacy (10.9.0.0/24)"),
        "{inside:?}"
    );
}
