//! L7 rules proved on requests, with an evaluator of the test's own (not `verify`'s): the
//! capture read by this file's own JSON walk, the rules read from the YAML as plain JSON, a
//! path regex anchored at both ends (the `regex` crate, not the engine's), the method exact, DNS
//! names case-insensitive with the final dot ignored. On a generated family (hundreds of ids,
//! UUIDs, a fixed path beside them, a POST-only path, DNS names past the threshold, Kafka
//! topics) and on the real captures with L7 records: every request seen is allowed, requests
//! never seen (another method, another fixed path, another name, another topic) are denied,
//! and the rules stay few and readable (a snapshot reviewed by eye, validated against Cilium's
//! CRD by `tools/cilium/validate.py` from `target/generated-cilium-policies/`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use flowpol::engine::decisions::Decisions;
use flowpol::engine::l7::L7Options;
use flowpol::engine::load::load_files;
use flowpol::engine::model::TimeWindow;
use flowpol::engine::policy::pipeline::{run, PolicyOptions, PolicyRequest, Workloads};
use flowpol::engine::policy::{PolicyKind, Selection};
use flowpol::engine::yaml::from_yaml;
use serde_json::{json, Value};

use crate::snapshot;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// A pod as this test reads it from a Hubble endpoint: its namespace and `k8s:` labels.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pod {
    namespace: String,
    labels: BTreeMap<String, String>,
}

/// The `k8s:` labels one Hubble endpoint prints.
fn labels_of(endpoint: &Value) -> BTreeMap<String, String> {
    endpoint["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str()?.strip_prefix("k8s:")?.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Each pod's labels, from every record that prints them (an L7 record may print a pod with
/// `reserved:` labels only).
type PodLabels = BTreeMap<(String, String), BTreeMap<String, String>>;

fn pod_of(endpoint: &Value, known: &PodLabels) -> Pod {
    let namespace = endpoint["namespace"].as_str().unwrap_or("").to_string();
    let name = endpoint["pod_name"].as_str().unwrap_or("").to_string();
    let mut labels = labels_of(endpoint);
    if let Some(more) = known.get(&(namespace.clone(), name.clone())) {
        labels.extend(more.clone());
    }
    if labels.is_empty() {
        // A pod no record labels: a DaemonSet's or ReplicaSet's pods share a name stem
        // (`node-local-dns-6jnx9`) and their template's labels.
        let stem = name.rsplit_once('-').map_or("", |(stem, _)| stem);
        let sibling = known.iter().find(|((ns, other), labels)| {
            *ns == namespace
                && !labels.is_empty()
                && other.rsplit_once('-').is_some_and(|(s, _)| s == stem)
        });
        if let Some((_, sibling)) = sibling {
            labels = sibling.clone();
        }
    }
    Pod { namespace, labels }
}

/// A request with its client and server.
type Seen = (Pod, Pod, Request);

/// A request as this test reads it: the server port, and what a rule decides.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Request {
    Http(u16, String, String),
    Dns(String),
    Kafka(u16, String, String),
}

/// The requests of a Hubble capture the review includes by default, read by this test: L7
/// `REQUEST` records to pods (one to a bare address is excluded until it gets an alias).
fn requests_in(capture: &str) -> BTreeSet<Seen> {
    let records: Vec<Value> = capture
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let mut known = PodLabels::new();
    for value in &records {
        let flow = value.get("flow").unwrap_or(value);
        for side in ["source", "destination"] {
            let endpoint = &flow[side];
            if let (Some(namespace), Some(name)) = (
                endpoint["namespace"].as_str(),
                endpoint["pod_name"].as_str(),
            ) {
                known
                    .entry((namespace.to_string(), name.to_string()))
                    .or_default()
                    .extend(labels_of(endpoint));
            }
        }
    }
    let mut requests = BTreeSet::new();
    for value in &records {
        let flow = value.get("flow").unwrap_or(value);
        let l7 = &flow["l7"];
        if l7["type"] != "REQUEST" || flow["destination"]["pod_name"].as_str().is_none() {
            continue;
        }
        let ends = |request| {
            let (client, server) = (&flow["source"], &flow["destination"]);
            (pod_of(client, &known), pod_of(server, &known), request)
        };
        let port = ["TCP", "UDP"]
            .iter()
            .find_map(|p| flow["l4"][p]["destination_port"].as_u64())
            .unwrap_or(0) as u16;
        if let Some(url) = l7["http"]["url"].as_str() {
            let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
            let path = match after_scheme.find('/') {
                Some(start) if url.contains("://") => &after_scheme[start..],
                _ if url.contains("://") => "/",
                _ => url,
            };
            let path = path.split(['?', '#']).next().unwrap().to_string();
            let method = l7["http"]["method"].as_str().unwrap().to_string();
            requests.insert(ends(Request::Http(port, method, path)));
        } else if let Some(query) = l7["dns"]["query"].as_str() {
            requests.insert(ends(Request::Dns(query.to_string())));
        } else if let Some(key) = l7["kafka"]["api_key"].as_str() {
            let topic = l7["kafka"]["topic"].as_str().unwrap_or("").to_string();
            requests.insert(ends(Request::Kafka(port, key.to_string(), topic)));
        }
    }
    requests
}

thread_local! {
    static COMPILED: std::cell::RefCell<BTreeMap<String, regex::Regex>> = Default::default();
}

/// Whether the regex `pattern` matches all of `text` (compiled once per pattern).
fn full_match(pattern: &str, text: &str) -> bool {
    COMPILED.with(|compiled| {
        compiled
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| regex::Regex::new(&format!("^(?:{pattern})$")).unwrap())
            .is_match(text)
    })
}

fn dns_matches(selector: &Value, name: &str) -> bool {
    let normal = |s: &str| s.trim_end_matches('.').to_lowercase();
    let name = normal(name);
    if let Some(exact) = selector["matchName"].as_str() {
        return normal(exact) == name;
    }
    let Some(pattern) = selector["matchPattern"].as_str() else {
        return false;
    };
    if pattern == "*" {
        return true;
    }
    // `*` within one label.
    let regex = normal(pattern)
        .split('.')
        .map(|label| regex::escape(label).replace("\\*", "[-a-z0-9_]*"))
        .collect::<Vec<_>>()
        .join("\\.");
    full_match(&regex, &name)
}

/// What the entry's rules make of `request`: `None` when the entry has no L7 rule (every
/// request on its port passes), else whether one of its rules admits it.
fn entry_admits(entry: &Value, request: &Request) -> Option<bool> {
    let rules = entry.get("rules")?;
    Some(match request {
        Request::Http(_, method, path) => rules["http"].as_array().into_iter().flatten().any(|r| {
            r["method"].as_str().is_none_or(|m| m == method)
                && r["path"].as_str().is_none_or(|p| full_match(p, path))
        }),
        Request::Dns(name) => rules["dns"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| dns_matches(s, name)),
        Request::Kafka(_, key, topic) => rules["kafka"].as_array().into_iter().flatten().any(|r| {
            r["apiKey"].as_str() == Some(key) && r["topic"].as_str().unwrap_or("") == topic
        }),
    })
}

fn port_of(request: &Request) -> u16 {
    match request {
        Request::Http(port, ..) | Request::Kafka(port, ..) => *port,
        Request::Dns(_) => 53,
    }
}

/// Whether an endpoint selector of a policy in `namespace` picks `pod`: its `matchLabels`
/// (without the `k8s:` source) among the pod's labels, the namespace the selector names or
/// else the policy's.
fn selector_picks(selector: &Value, namespace: &str, pod: &Pod) -> bool {
    let mut wanted_namespace = namespace.to_string();
    for (key, value) in selector["matchLabels"].as_object().into_iter().flatten() {
        let key = key.strip_prefix("k8s:").unwrap_or(key);
        let value = value.as_str().unwrap();
        if key == "io.kubernetes.pod.namespace" {
            wanted_namespace = value.to_string();
        } else if pod.labels.get(key).map(String::as_str) != Some(value) {
            return false;
        }
    }
    selector.get("matchExpressions").is_none() && pod.namespace == wanted_namespace
}

/// What one side (the server's ingress or the client's egress) makes of `request`: not
/// isolated (no policy selects the pod with rules in that direction), or whether a rule
/// naming the peer has an entry on the port that lets the request through.
fn side_admits(
    documents: &[Value],
    (client, server): (&Pod, &Pod),
    ingress: bool,
    request: &Request,
) -> bool {
    let (own, peer, direction, peers_field) = if ingress {
        (server, client, "ingress", "fromEndpoints")
    } else {
        (client, server, "egress", "toEndpoints")
    };
    let mut isolated = false;
    for document in documents {
        let namespace = document["metadata"]["namespace"].as_str().unwrap();
        if !selector_picks(&document["spec"]["endpointSelector"], namespace, own) {
            continue;
        }
        let Some(rules) = document["spec"][direction].as_array() else {
            continue;
        };
        isolated = true;
        for rule in rules {
            let names_peer = rule[peers_field].as_array().is_some_and(|selectors| {
                selectors.iter().any(|s| selector_picks(s, namespace, peer))
            });
            if !names_peer {
                continue;
            }
            for entry in rule["toPorts"].as_array().into_iter().flatten() {
                let on_port = entry["ports"].as_array().into_iter().flatten().any(|p| {
                    p["port"].as_str().and_then(|n| n.parse::<u16>().ok()) == Some(port_of(request))
                });
                if on_port && entry_admits(entry, request).unwrap_or(true) {
                    return true;
                }
            }
        }
    }
    !isolated
}

/// Whether the policies let the client make `request` to the server: egress at the client
/// and ingress at the server.
fn admitted(documents: &[Value], (client, server, request): &Seen) -> bool {
    side_admits(documents, (client, server), false, request)
        && side_admits(documents, (client, server), true, request)
}

/// Generates CiliumNetworkPolicies with L7 rules for `capture` (no inventory), and checks
/// that the engine's own replay agrees: every request seen allowed.
fn l7_policies(name: &str, capture: &str, options: L7Options) -> (String, Vec<Value>) {
    let loaded = load_files(&[(name, capture.as_bytes())], &[]);
    let dataset = &loaded.dataset;
    let decisions = Decisions::default();
    let request = PolicyRequest {
        decisions: &decisions,
        workloads: Workloads::Selection(Selection::default()),
        window: TimeWindow::ALL,
        options: PolicyOptions {
            kind: PolicyKind::Cilium,
            ipblock_matches_pods: false,
            l7: Some(options),
        },
        map_nodes: false,
    };
    let run = run(dataset, &request).unwrap();
    let requests = run.requests.as_ref().unwrap();
    assert_eq!(
        requests.included_denied().count(),
        0,
        "{}",
        requests.summary()
    );
    let yaml = run.yaml().unwrap();
    let documents: Vec<Value> = from_yaml(&yaml).unwrap();
    // Kafka rules are for Cilium 1.19 and earlier: the vendored CRD (1.20) has none.
    if !options.kafka {
        let dir = Path::new(MANIFEST).join("target/generated-cilium-policies");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("l7-{name}.yaml")), &yaml).unwrap();
    }
    (yaml, documents)
}

/// A pod name's random suffix as Kubernetes writes one (five of its consonants and digits),
/// made from the pod's address.
fn pod_suffix(ip: &str) -> String {
    let alphabet = b"bcdfghjklmnpqrstvwxz2456789";
    let n: usize = ip.rsplit('.').next().unwrap().parse().unwrap();
    (0..5)
        .map(|i| alphabet[(n * 7 + i * 11) % alphabet.len()] as char)
        .collect()
}

/// One Hubble L7 request record from pod `from` to pod `to`.
fn record(from: (&str, &str, &str), to: (&str, &str, &str), port: u16, l7: Value) -> String {
    let endpoint = |(namespace, app, ip): (&str, &str, &str)| {
        json!({
            "namespace": namespace,
            "labels": [format!("k8s:app={app}"), format!("k8s:io.kubernetes.pod.namespace={namespace}")],
            "pod_name": format!("{app}-5d8f7b9c6d-{}", pod_suffix(ip)),
        })
    };
    let protocol = if port == 53 { "UDP" } else { "TCP" };
    let flow = json!({
        "time": "2025-03-01T10:00:00Z",
        "verdict": "FORWARDED",
        "IP": {"source": from.2, "destination": to.2, "ipVersion": "IPv4"},
        "l4": {protocol: {"source_port": 40000, "destination_port": port}},
        "source": endpoint(from),
        "destination": endpoint(to),
        "Type": "L7",
        "l7": l7,
        "event_type": {"type": 129},
        "traffic_direction": "EGRESS",
        "is_reply": false,
        "node_name": "node-a",
    });
    json!({ "flow": flow }).to_string()
}

/// A family of requests like a real API's: 450 order ids, their items, UUID carts, a fixed
/// health check beside the ids, a POST-only path, a query string, 30 shard names under one
/// domain, and Kafka topics.
fn generated_family() -> String {
    let web = ("shop", "web", "10.0.1.5");
    let api = ("shop", "api", "10.0.2.7");
    let dns = ("kube-system", "kube-dns", "10.0.9.2");
    let billing = ("billing", "invoicer", "10.0.3.4");
    let kafka = ("billing", "kafka", "10.0.4.4");
    let http = |method: &str, url: String| json!({"type": "REQUEST", "http": {"method": method, "url": url}});
    let mut lines = Vec::new();
    for id in 0..450 {
        lines.push(record(
            web,
            api,
            8080,
            http("GET", format!("http://10.0.2.7:8080/api/v1/orders/{id}")),
        ));
    }
    for id in (0..450).step_by(7) {
        lines.push(record(
            web,
            api,
            8080,
            http(
                "GET",
                format!("http://10.0.2.7:8080/api/v1/orders/{id}/items"),
            ),
        ));
    }
    for n in 0..40u32 {
        let uuid = format!(
            "{:08x}-1b2c-4d3e-8f40-{:012x}",
            n.wrapping_mul(2_654_435_761),
            n
        );
        lines.push(record(
            web,
            api,
            8080,
            http("PUT", format!("http://10.0.2.7:8080/api/v1/carts/{uuid}")),
        ));
    }
    lines.push(record(
        web,
        api,
        8080,
        http("GET", "http://10.0.2.7:8080/health".into()),
    ));
    lines.push(record(
        web,
        api,
        8080,
        http("POST", "http://10.0.2.7:8080/api/v1/orders".into()),
    ));
    lines.push(record(
        web,
        api,
        8080,
        http("GET", "http://10.0.2.7:8080/api/v1/search?q=shoes".into()),
    ));
    for shard in 0..30 {
        let query = format!("shard{shard}.cache.example.com.");
        lines.push(record(
            web,
            dns,
            53,
            json!({"type": "REQUEST", "dns": {"query": query, "qtypes": ["A"]}}),
        ));
    }
    lines.push(record(web, dns, 53, json!({"type": "REQUEST", "dns": {"query": "api.shop.svc.cluster.local.", "qtypes": ["A"]}})));
    for (key, topic) in [
        ("produce", "invoices"),
        ("fetch", "payments"),
        ("metadata", ""),
    ] {
        lines.push(record(
            billing,
            kafka,
            9092,
            json!({"type": "REQUEST", "kafka": {"api_key": key, "topic": topic}}),
        ));
    }
    lines.join("\n") + "\n"
}

/// `request` between the ends of a request seen on `port`.
fn like(seen: &BTreeSet<Seen>, port: u16, request: Request) -> Option<Seen> {
    seen.iter()
        .find(|(_, _, r)| port_of(r) == port)
        .map(|(client, server, _)| (client.clone(), server.clone(), request))
}

/// Requests never seen between ends that were, each of which the rules must deny.
fn unseen(seen: &BTreeSet<Seen>) -> Vec<Seen> {
    let http = |method: &str, path: &str| Request::Http(8080, method.into(), path.into());
    let requests = vec![
        http("DELETE", "/api/v1/orders/3"),
        http("POST", "/api/v1/orders/3"),
        http("GET", "/admin"),
        http("GET", "/api/v1/orders/3/refunds"),
        http("GET", "/api/v1/orders/3/items/9"),
        http("GET", "/health/deep"),
        http("DELETE", "/api/v1/orders"),
        http("GET", "/api/v2/orders/3"),
        http("GET", "/api/v1/carts/0b4f7c1e-9a2d-4c3b-8e5f-1a2b3c4d5e6f"),
        Request::Dns("evil.example.net".into()),
        Request::Dns("shard1.cache.example.org".into()),
        Request::Dns("a.b.cache.example.com".into()),
    ];
    requests
        .into_iter()
        .map(|request| like(seen, port_of(&request), request).unwrap())
        .collect()
}

#[test]
fn a_family_of_ids_gets_few_readable_rules_that_allow_what_was_seen_and_nothing_else() {
    let capture = generated_family();
    let seen = requests_in(&capture);
    let (yaml, documents) = l7_policies("generated-family", &capture, L7Options::default());
    for seen in &seen {
        assert!(
            admitted(&documents, seen),
            "{seen:?} was seen and is denied:\n{yaml}"
        );
    }
    for probe in unseen(&seen) {
        assert!(
            !admitted(&documents, &probe),
            "{probe:?} was never seen and is allowed:\n{yaml}"
        );
    }
    let http_rules = yaml.matches("- method: ").count();
    // Ingress of the api and egress of web, each: orders/{id} GET, its items GET, carts PUT,
    // health GET, orders POST, search GET.
    assert_eq!(http_rules, 2 * 6, "{yaml}");
    assert!(yaml.contains("path: ^/api/v1/orders/[^/]+$"), "{yaml}");
    assert!(yaml.contains(r"path: ^/api/v1/search(\?.*)?$"), "{yaml}");
    assert!(
        yaml.contains("matchPattern: '*.cache.example.com'")
            || yaml.contains("matchPattern: \"*.cache.example.com\""),
        "{yaml}"
    );
    let snapshot_path =
        Path::new(MANIFEST).join("tests/fixtures/l7/generated-family.cilium-l7.yaml");
    if let Some(problem) = snapshot::check(&snapshot_path, &yaml) {
        panic!("{problem}");
    }
}

#[test]
fn exact_mode_writes_every_path_and_name_seen_and_nothing_else() {
    let capture = generated_family();
    let seen = requests_in(&capture);
    let exact = L7Options {
        exact: true,
        ..L7Options::default()
    };
    let (yaml, documents) = l7_policies("generated-family-exact", &capture, exact);
    for seen in &seen {
        assert!(admitted(&documents, seen), "{seen:?}");
    }
    // Exact: another id of an observed shape is denied too.
    let mut probes = unseen(&seen);
    probes.extend(like(
        &seen,
        8080,
        Request::Http(8080, "GET".into(), "/api/v1/orders/451".into()),
    ));
    probes.extend(like(
        &seen,
        53,
        Request::Dns("shard99.cache.example.com".into()),
    ));
    for probe in probes {
        assert!(!admitted(&documents, &probe), "{probe:?}:\n{yaml}");
    }
    let http_paths: BTreeSet<(String, String)> = seen
        .iter()
        .filter_map(|(_, _, r)| match r {
            Request::Http(_, method, path) => Some((method.clone(), path.clone())),
            _ => None,
        })
        .collect();
    let written = yaml.matches("- method: ").count();
    assert_eq!(
        written,
        2 * http_paths.len(),
        "one rule per method and path, both ends"
    );
}

/// Kafka rules only when asked (Cilium 1.20 removed them): by default the broker's port
/// stays a port rule, and every topic passes; with `kafka`, only the API keys and topics
/// seen.
#[test]
fn kafka_rules_are_written_for_older_cilium_only() {
    let capture = generated_family();
    let seen = requests_in(&capture);
    let kafka_probes = [
        Request::Kafka(9092, "produce".into(), "payments".into()),
        Request::Kafka(9092, "fetch".into(), "invoices".into()),
        Request::Kafka(9092, "deletetopics".into(), "invoices".into()),
    ];
    let (today, documents) = l7_policies("generated-family", &capture, L7Options::default());
    assert!(!today.contains("kafka:"), "{today}");
    for probe in kafka_probes.clone() {
        let probe = like(&seen, 9092, probe).unwrap();
        assert!(
            admitted(&documents, &probe),
            "the port rule lets {probe:?} through"
        );
    }
    let older = L7Options {
        kafka: true,
        ..L7Options::default()
    };
    let (yaml, documents) = l7_policies("generated-family-kafka", &capture, older);
    assert!(yaml.contains("apiKey: produce"), "{yaml}");
    for one in &seen {
        assert!(admitted(&documents, one), "{one:?}:\n{yaml}");
    }
    for probe in kafka_probes {
        let probe = like(&seen, 9092, probe).unwrap();
        assert!(!admitted(&documents, &probe), "{probe:?}:\n{yaml}");
    }
}

/// A lower threshold turns a handful of plain values into one wildcard.
#[test]
fn the_threshold_decides_when_plain_values_become_a_wildcard() {
    let web = ("shop", "web", "10.0.1.5");
    let api = ("shop", "api", "10.0.2.7");
    let capture: String = ["red", "green", "blue", "black", "white"]
        .iter()
        .map(|colour| {
            let url = format!("http://10.0.2.7:8080/colours/{colour}");
            record(
                web,
                api,
                8080,
                json!({"type": "REQUEST", "http": {"method": "GET", "url": url}}),
            ) + "\n"
        })
        .collect();
    let options = |threshold| L7Options {
        threshold,
        ..L7Options::default()
    };
    let (wide, _) = l7_policies("colours-threshold-3", &capture, options(3));
    assert!(wide.contains("path: ^/colours/[^/]+$"), "{wide}");
    let (narrow, documents) = l7_policies("colours-threshold-20", &capture, options(20));
    assert!(narrow.contains("path: ^/colours/green$"), "{narrow}");
    let pink = Request::Http(8080, "GET".into(), "/colours/pink".into());
    let probe = like(&requests_in(&capture), 8080, pink).unwrap();
    assert!(!admitted(&documents, &probe));
}

#[test]
fn real_captures_allow_every_request_seen_and_deny_the_unseen() {
    let real = Path::new(MANIFEST).join("tests/fixtures/real");
    let mut checked = BTreeMap::new();
    for name in [
        "hubble-otel_basic-sample-348-http-flows",
        "hubble-otel_basic-sample-5-http-flows",
        "hubble-otel_basic-sample-330-dns-flows",
        "hubble-otel_basic-sample-5-dns-flows",
        "hubble-otel_basic-sample-400-tcp-flows",
    ] {
        let capture = fs::read_to_string(real.join(format!("{name}.jsonl"))).unwrap();
        let seen = requests_in(&capture);
        assert!(!seen.is_empty(), "{name} has L7 requests");
        let (yaml, documents) = l7_policies(name, &capture, L7Options::default());
        for one in &seen {
            assert!(
                admitted(&documents, one),
                "{name}: {one:?} seen and denied:\n{yaml}"
            );
        }
        // Another method on each path seen, a path never seen on each port, a name never
        // asked, between the same ends.
        for (client, server, request) in &seen {
            let probes = match request {
                Request::Http(port, _, path) => vec![
                    Request::Http(*port, "DELETE".into(), path.clone()),
                    Request::Http(*port, "GET".into(), "/admin/never-seen".into()),
                ],
                Request::Dns(_) => vec![Request::Dns("exfiltrate.attacker.example".into())],
                Request::Kafka(..) => Vec::new(),
            };
            for probe in probes {
                let probe = (client.clone(), server.clone(), probe);
                assert!(
                    !admitted(&documents, &probe),
                    "{name}: {probe:?} never seen and allowed"
                );
            }
        }
        checked.insert(name, seen.len());
    }
    assert_eq!(checked.len(), 5, "{checked:?}");
}
