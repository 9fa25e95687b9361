//! The CiliumNetworkPolicy evaluator against the semantics Cilium's documentation gives, one
//! rule per test, with policies written as YAML the way users write them.

use std::net::IpAddr;

use flowpol::engine::model::cilium_policy::CiliumNetworkPolicy;
use flowpol::engine::model::labels::Labels;
use flowpol::engine::model::network_policy::NetworkPolicy;
use flowpol::engine::model::Protocol;
use flowpol::engine::verify::evaluate::{evaluate_any, AnyPolicy, Endpoint, Verdict};
use flowpol::engine::yaml::from_yaml;

const HEADER: &str = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n";

fn cilium(yaml: &str) -> Vec<CiliumNetworkPolicy> {
    from_yaml(&format!("{HEADER}{yaml}")).unwrap()
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Pod {
    namespace: String,
    labels: Labels,
    namespace_labels: Labels,
    cluster: Option<String>,
}

fn pod(namespace: &str, pod_labels: &[(&str, &str)]) -> Pod {
    Pod {
        namespace: namespace.to_string(),
        labels: labels(pod_labels),
        namespace_labels: labels(&[("kubernetes.io/metadata.name", namespace), ("team", "t")]),
        cluster: None,
    }
}

impl Pod {
    fn endpoint(&self) -> Endpoint<'_> {
        Endpoint::Pod {
            namespace: &self.namespace,
            labels: &self.labels,
            namespace_labels: &self.namespace_labels,
            ports: &[],
            cluster: self.cluster.as_deref(),
            service_account: None,
            addresses: &[],
            remote: false,
        }
    }
}

fn verdict(
    policies: &[CiliumNetworkPolicy],
    client: &Endpoint<'_>,
    server: &Endpoint<'_>,
    protocol: Protocol,
    port: u16,
) -> Verdict {
    let any: Vec<AnyPolicy<'_>> = policies.iter().map(AnyPolicy::Cilium).collect();
    evaluate_any(&any, client, server, protocol, port)
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn a_direction_is_enforced_only_when_listed_and_an_empty_rule_allows_nothing() {
    let (web, db) = (
        pod("shop", &[("app", "web")]),
        pod("shop", &[("app", "db")]),
    );
    let egress_only = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  egress:\n  - {}\n",
    );
    let into_db = verdict(
        &egress_only,
        &web.endpoint(),
        &db.endpoint(),
        Protocol::Tcp,
        5432,
    );
    assert!(into_db.allowed(), "ingress is not listed: not enforced");
    let out_of_db = verdict(
        &egress_only,
        &db.endpoint(),
        &web.endpoint(),
        Protocol::Tcp,
        80,
    );
    assert!(!out_of_db.allowed(), "egress: [{{}}] is default deny");
    let empty_list = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  egress: []\n  ingress: [{}]\n",
    );
    assert!(verdict(
        &empty_list,
        &db.endpoint(),
        &web.endpoint(),
        Protocol::Tcp,
        80
    )
    .allowed());
}

#[test]
fn selectors_read_labels_with_or_without_their_source_and_stay_in_the_namespace() {
    let db = pod("data", &[("app", "db")]);
    let policy = cilium(
        "metadata: {name: p, namespace: data}\nspec:\n  endpointSelector: {matchLabels: {'k8s:app': db}}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: web}\n    - matchLabels: {'k8s:app': api, 'k8s:io.kubernetes.pod.namespace': shop}\n",
    );
    let allowed = |client: &Pod| {
        verdict(
            &policy,
            &client.endpoint(),
            &db.endpoint(),
            Protocol::Tcp,
            5432,
        )
        .allowed()
    };
    assert!(allowed(&pod("data", &[("app", "web")])));
    assert!(
        !allowed(&pod("shop", &[("app", "web")])),
        "no namespace named: the policy's own"
    );
    assert!(allowed(&pod("shop", &[("app", "api")])));
    assert!(!allowed(&pod("data", &[("app", "api")])));
    // `{}` in fromEndpoints: every pod of the policy's namespace, nothing else.
    let namespace = cilium(
        "metadata: {name: p, namespace: data}\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoints: [{}]\n",
    );
    let from = |client: &Endpoint<'_>| {
        verdict(&namespace, client, &db.endpoint(), Protocol::Tcp, 1).allowed()
    };
    assert!(from(&pod("data", &[("app", "x")]).endpoint()));
    assert!(!from(&pod("shop", &[("app", "x")]).endpoint()));
    assert!(!from(&Endpoint::Address(ip("203.0.113.1"))));
}

#[test]
fn the_cluster_label_picks_pods_of_that_cluster() {
    let db = pod("data", &[("app", "db")]);
    let policy = cilium(
        "metadata: {name: p, namespace: data}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: web, io.cilium.k8s.policy.cluster: east}\n",
    );
    let mut east = pod("data", &[("app", "web")]);
    east.cluster = Some("east".into());
    let mut west = pod("data", &[("app", "web")]);
    west.cluster = Some("west".into());
    let addresses = [ip("10.2.0.5")];
    let remote_east = Endpoint::Pod {
        namespace: &east.namespace,
        labels: &east.labels,
        namespace_labels: &east.namespace_labels,
        ports: &[],
        cluster: east.cluster.as_deref(),
        service_account: None,
        addresses: &addresses,
        remote: true,
    };
    for (client, expected) in [
        (east.endpoint(), true),
        (west.endpoint(), false),
        (remote_east, true),
    ] {
        assert_eq!(
            verdict(&policy, &client, &db.endpoint(), Protocol::Tcp, 5432).allowed(),
            expected,
            "{client:?}"
        );
    }
}

#[test]
fn entities_and_cidr_sets() {
    let web = pod("shop", &[("app", "web")]);
    let policy = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress:\n  - toEntities: [kube-apiserver]\n    toPorts: [{ports: [{port: '6443', protocol: TCP}]}]\n  - toCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]\n    toPorts: [{ports: [{port: '443', protocol: TCP}]}]\n  ingress:\n  - fromEntities: [host, remote-node]\n",
    );
    let to = |server: Endpoint<'_>, port: u16| {
        verdict(&policy, &web.endpoint(), &server, Protocol::Tcp, port)
            .egress
            .allows()
    };
    assert!(to(Endpoint::ApiServer(Some(ip("172.20.0.2"))), 6443));
    assert!(
        !to(Endpoint::ApiServer(Some(ip("172.20.0.2"))), 443),
        "CIDR rules do not match the API server"
    );
    assert!(to(Endpoint::Address(ip("203.0.113.9")), 443));
    assert!(!to(Endpoint::Address(ip("10.1.2.3")), 443), "except");
    assert!(!to(Endpoint::Node(ip("172.20.0.11")), 443), "nor nodes");
    assert!(
        !to(pod("shop", &[("app", "api")]).endpoint(), 443),
        "nor pods"
    );
    let from = |client: Endpoint<'_>| {
        verdict(&policy, &client, &web.endpoint(), Protocol::Tcp, 8080)
            .ingress
            .allows()
    };
    assert!(from(Endpoint::Node(ip("172.20.0.11"))));
    assert!(!from(Endpoint::Address(ip("203.0.113.9"))));
    assert!(!from(pod("shop", &[("app", "api")]).endpoint()));
    let world = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEntities: [world]\n",
    );
    assert!(verdict(
        &world,
        &Endpoint::Address(ip("203.0.113.9")),
        &web.endpoint(),
        Protocol::Tcp,
        1
    )
    .allowed());
    assert!(!verdict(
        &world,
        &Endpoint::Node(ip("172.20.0.11")),
        &web.endpoint(),
        Protocol::Tcp,
        1
    )
    .allowed());
}

#[test]
fn ports_any_protocol_ranges_and_rules_without_peers() {
    let (web, db) = (
        pod("shop", &[("app", "web")]),
        pod("shop", &[("app", "db")]),
    );
    let policy = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  ingress:\n  - toPorts: [{ports: [{port: '53', protocol: ANY}]}]\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts: [{ports: [{port: '8000', endPort: 8010, protocol: TCP}]}]\n",
    );
    let allowed = |client: &Endpoint<'_>, protocol, port| {
        verdict(&policy, client, &db.endpoint(), protocol, port).allowed()
    };
    let anyone = Endpoint::Address(ip("203.0.113.9"));
    assert!(
        allowed(&anyone, Protocol::Udp, 53),
        "ports without peers: every peer"
    );
    assert!(allowed(&anyone, Protocol::Tcp, 53), "ANY protocol");
    assert!(!allowed(&anyone, Protocol::Tcp, 8005));
    assert!(allowed(&web.endpoint(), Protocol::Tcp, 8005));
    assert!(!allowed(&web.endpoint(), Protocol::Udp, 8005));
    assert!(!allowed(&web.endpoint(), Protocol::Tcp, 8011));
}

#[test]
fn policies_of_both_kinds_are_one_union() {
    let (web, db) = (
        pod("shop", &[("app", "web")]),
        pod("shop", &[("app", "db")]),
    );
    let network: Vec<NetworkPolicy> = from_yaml(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 5432}]\n",
    )
    .unwrap();
    let deny_all = cilium(
        "metadata: {name: c, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  ingress: [{}]\n",
    );
    let any: Vec<AnyPolicy<'_>> = network
        .iter()
        .map(AnyPolicy::Kubernetes)
        .chain(deny_all.iter().map(AnyPolicy::Cilium))
        .collect();
    let verdict = |port| evaluate_any(&any, &web.endpoint(), &db.endpoint(), Protocol::Tcp, port);
    assert!(
        verdict(5432).allowed(),
        "the NetworkPolicy's rule allows it"
    );
    assert!(
        !verdict(80).allowed(),
        "isolated by both, allowed by neither"
    );
    let only_cilium: Vec<AnyPolicy<'_>> = deny_all.iter().map(AnyPolicy::Cilium).collect();
    assert!(!evaluate_any(
        &only_cilium,
        &web.endpoint(),
        &db.endpoint(),
        Protocol::Tcp,
        5432
    )
    .allowed());
}

#[test]
fn to_fqdns_match_addresses_by_the_names_they_were_seen_with() {
    let web = pod("shop", &[("app", "web")]);
    let policy = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress:\n  - toFQDNs: [{matchName: api.stripe.com}, {matchPattern: '*.mailgun.org'}]\n    toPorts: [{ports: [{port: '443', protocol: TCP}]}]\n",
    );
    let stripe: std::collections::BTreeSet<String> = ["API.stripe.com.".to_string()].into();
    let mailgun: std::collections::BTreeSet<String> = ["smtp.mailgun.org".to_string()].into();
    let deep: std::collections::BTreeSet<String> = ["a.smtp.mailgun.org".to_string()].into();
    let to = |server: Endpoint<'_>| {
        verdict(&policy, &web.endpoint(), &server, Protocol::Tcp, 443).allowed()
    };
    assert!(to(Endpoint::Named(ip("203.0.113.10"), &stripe)));
    assert!(to(Endpoint::Named(ip("198.51.100.7"), &mailgun)));
    assert!(
        !to(Endpoint::Named(ip("198.51.100.8"), &deep)),
        "* within one label"
    );
    assert!(
        !to(Endpoint::Address(ip("203.0.113.10"))),
        "an address seen with no name"
    );
    assert!(!verdict(
        &policy,
        &web.endpoint(),
        &Endpoint::Named(ip("203.0.113.10"), &stripe),
        Protocol::Tcp,
        80
    )
    .allowed());
}

#[test]
fn deny_rules_isolate_and_override_and_default_deny_can_be_off() {
    let (web, db) = (
        pod("shop", &[("app", "web")]),
        pod("shop", &[("app", "db")]),
    );
    let deny_only = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  ingressDeny:\n  - fromEntities: [world]\n",
    );
    let from_web = |set: &[CiliumNetworkPolicy]| {
        verdict(set, &web.endpoint(), &db.endpoint(), Protocol::Tcp, 5432).allowed()
    };
    assert!(
        !from_web(&deny_only),
        "a deny rule alone puts the pod in default deny"
    );
    let allow_and_deny = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]\n  ingressDeny: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: '5432', protocol: TCP}]}]}]\n",
    );
    assert!(!from_web(&allow_and_deny), "deny overrides allow");
    assert!(verdict(
        &allow_and_deny,
        &web.endpoint(),
        &db.endpoint(),
        Protocol::Tcp,
        80
    )
    .allowed());
    let not_default_deny = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: db}}\n  enableDefaultDeny: {ingress: false}\n  ingress: [{fromEntities: [world]}]\n",
    );
    assert!(from_web(&not_default_deny));
}

#[test]
fn plain_cidrs_and_unread_peers() {
    let web = pod("shop", &[("app", "web")]);
    let policy = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress:\n  - toCIDR: [203.0.113.0/24]\n    toPorts: [{ports: [{port: '443', protocol: TCP}]}]\n  - toServices: [{k8sService: {serviceName: x, namespace: y}}]\n    toPorts: [{ports: [{port: '8080', protocol: TCP}]}]\n  - toEntities: [world-ipv4]\n    toPorts: [{ports: [{port: '25', protocol: TCP}]}]\n",
    );
    let to = |ip_text: &str, port| {
        verdict(
            &policy,
            &web.endpoint(),
            &Endpoint::Address(ip(ip_text)),
            Protocol::Tcp,
            port,
        )
        .allowed()
    };
    assert!(to("203.0.113.9", 443));
    assert!(!to("198.51.100.1", 443));
    assert!(
        !to("198.51.100.1", 8080),
        "a rule with peers the evaluator cannot read names nothing"
    );
    assert!(to("198.51.100.1", 25));
    assert!(!to("2001:db8::1", 25), "world-ipv4 is IPv4 only");
}

#[test]
fn the_cluster_entity_is_this_cluster_only() {
    let web = pod("shop", &[("app", "web")]);
    let policy = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEntities: [cluster]}]\n",
    );
    let other = pod("shop", &[("app", "api")]);
    let addresses = [ip("10.2.0.5")];
    let remote = Endpoint::Pod {
        namespace: &other.namespace,
        labels: &other.labels,
        namespace_labels: &other.namespace_labels,
        ports: &[],
        cluster: Some("west"),
        service_account: None,
        addresses: &addresses,
        remote: true,
    };
    assert!(verdict(
        &policy,
        &other.endpoint(),
        &web.endpoint(),
        Protocol::Tcp,
        1
    )
    .allowed());
    assert!(!verdict(&policy, &remote, &web.endpoint(), Protocol::Tcp, 1).allowed());
    assert!(verdict(
        &policy,
        &Endpoint::Node(ip("172.20.0.11")),
        &web.endpoint(),
        Protocol::Tcp,
        1
    )
    .allowed());
    assert!(!verdict(
        &policy,
        &Endpoint::Address(ip("203.0.113.9")),
        &web.endpoint(),
        Protocol::Tcp,
        1
    )
    .allowed());
}

/// Whether the policies let `client` make `request` to `server` on TCP `port`.
fn request_allowed(
    policies: &[CiliumNetworkPolicy],
    (client, server): (&Endpoint<'_>, &Endpoint<'_>),
    port: u16,
    request: &flowpol::engine::model::l7::L7Request,
) -> bool {
    let any: Vec<AnyPolicy<'_>> = policies.iter().map(AnyPolicy::Cilium).collect();
    flowpol::engine::verify::evaluate::evaluate_request(
        &any,
        client,
        server,
        (Protocol::Tcp, port),
        Some(request),
    )
    .allowed()
}

/// L7 rules (docs.cilium.io, "Layer 7 Examples"): an HTTP rule's method and path are regexes
/// matched against all of the request's; a port entry with rules admits only what one admits,
/// one without every request; DNS names as `toFQDNs` reads them; Kafka roles stand for their
/// API keys; a rule naming headers is not something flowpol can check, so it admits nothing.
#[test]
fn l7_rules_admit_only_the_requests_they_name() {
    use flowpol::engine::model::l7::L7Request;
    let (web, api) = (
        pod("shop", &[("app", "web")]),
        pod("shop", &[("app", "api")]),
    );
    let ends = (&web.endpoint(), &api.endpoint());
    let policies = cilium(
        "metadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      rules:\n        http:\n        - {method: GET, path: \"/public/.*\"}\n        - {method: \"PUT|POST\", path: \"/items\"}\n        - {path: \"/open\"}\n        - {method: GET, path: \"/secret\", headers: [\"X-Token: 1\"]}\n    - ports: [{port: \"81\", protocol: TCP}]\n",
    );
    let http = |method: &str, url: &str| L7Request::http(method, url).unwrap();
    let allowed = |port, request: L7Request| request_allowed(&policies, ends, port, &request);
    assert!(allowed(80, http("GET", "/public/a/b")));
    assert!(
        !allowed(80, http("POST", "/public/a")),
        "the method is matched"
    );
    assert!(
        !allowed(80, http("GET", "/publicity")),
        "the path is matched whole"
    );
    assert!(
        !allowed(80, http("GET", "/x/public/a")),
        "anchored at the start"
    );
    assert!(allowed(80, http("PUT", "/items")) && allowed(80, http("POST", "/items")));
    assert!(!allowed(80, http("PUT", "/items/1")), "anchored at the end");
    assert!(
        !allowed(80, http("GET", "/items?page=2")),
        "the query is part of the path"
    );
    assert!(allowed(80, http("DELETE", "/open")), "no method: any");
    assert!(
        !allowed(80, http("GET", "/secret")),
        "headers are not seen: admits none"
    );
    assert!(
        allowed(81, http("DELETE", "/anything")),
        "no rules on the port: every request"
    );
    // A connection (no request) is admitted on the port either way.
    assert!(verdict(&policies, ends.0, ends.1, Protocol::Tcp, 80).allowed());
    let dns = cilium(
        "metadata: {name: d, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress:\n  - toEndpoints: [{matchLabels: {app: api}}]\n    toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      rules:\n        dns: [{matchName: Api.Example.com.}, {matchPattern: \"*.svc.cluster.local\"}]\n",
    );
    let name = |n: &str| L7Request::dns(n).unwrap();
    assert!(request_allowed(&dns, ends, 80, &name("api.example.com")));
    assert!(request_allowed(
        &dns,
        ends,
        80,
        &name("cart.svc.cluster.local.")
    ));
    assert!(!request_allowed(
        &dns,
        ends,
        80,
        &name("a.cart.svc.cluster.local")
    ));
    assert!(
        !request_allowed(&dns, ends, 80, &http("GET", "/")),
        "an HTTP request: no DNS rule names it"
    );
    let kafka = cilium(
        "metadata: {name: k, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n      rules:\n        kafka: [{role: produce, topic: orders}, {apiKey: fetch}]\n",
    );
    let topic = |key: &str, t: &str| L7Request::kafka(key, t).unwrap();
    assert!(request_allowed(
        &kafka,
        ends,
        80,
        &topic("produce", "orders")
    ));
    assert!(request_allowed(
        &kafka,
        ends,
        80,
        &topic("metadata", "orders")
    ));
    assert!(!request_allowed(
        &kafka,
        ends,
        80,
        &topic("produce", "payments")
    ));
    assert!(request_allowed(
        &kafka,
        ends,
        80,
        &topic("fetch", "anything")
    ));
    assert!(!request_allowed(
        &kafka,
        ends,
        80,
        &topic("deletetopics", "orders")
    ));
}
