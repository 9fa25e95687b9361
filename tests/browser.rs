//! Components in headless Chromium (wasm-bindgen-test): the app mounts, shows its empty states,
//! switches tabs by mouse and keyboard, reports a loaded file with its format; the Generated
//! Policy tab and a review table over ingested fixtures.
#![cfg(target_arch = "wasm32")]

use flowpol::ui::browser::file_reading::load_files;
use flowpol::ui::browser::pending_file::PendingFile;
use flowpol::ui::state::{AppState, FileOrigin};
use flowpol::ui::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh app in its own container and returns the container.
fn mount_app() -> HtmlElement {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    leptos::mount::mount_to(container.clone(), App).forget();
    container
}

fn find(root: &Element, test_id: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={test_id}"))
}

/// Waits until `condition` holds, letting effects and reactive updates run meanwhile (every
/// 10 ms, for up to 5 s); fails naming `what` when it never does.
async fn until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("waited 5 s for: {what}");
}

fn attribute(root: &Element, test_id: &str, name: &str) -> Option<String> {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]"))
        .ok()
        .flatten()
        .and_then(|element| element.get_attribute(name))
}

#[wasm_bindgen_test]
fn shell_has_every_stable_hook() {
    let app = mount_app();
    for id in [
        "file-input",
        "drop-zone",
        "demo-button",
        "load-status",
        "scope-cluster",
        "scope-namespace",
        "scope-kind",
        "scope-entity",
        "scope-since",
        "scope-until",
        "tab-ingress",
        "tab-egress",
        "tab-topology",
        "tab-policy",
    ] {
        find(&app, id);
    }
    app.remove();
}

#[wasm_bindgen_test]
fn empty_states_say_what_to_do() {
    let app = mount_app();
    let status = find(&app, "load-status").text_content().unwrap();
    assert!(status.contains("No files loaded yet"), "{status}");
    let empty = find(&app, "empty-state").text_content().unwrap();
    assert!(empty.contains("No flows loaded"), "{empty}");
    assert!(empty.contains("load the demo data"), "{empty}");
    assert_eq!(
        find(&app, "tab-ingress")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    // Scope controls wait for flows.
    let namespace: web_sys::HtmlSelectElement = find(&app, "scope-namespace").unchecked_into();
    assert!(namespace.disabled());
    app.remove();
}

#[wasm_bindgen_test]
async fn tabs_switch_by_click_and_arrow_keys() {
    let app = mount_app();
    find(&app, "tab-policy")
        .unchecked_into::<HtmlElement>()
        .click();
    until("the Policy tab selected", || {
        attribute(&app, "tab-policy", "aria-selected").as_deref() == Some("true")
    })
    .await;
    assert_eq!(
        find(&app, "tab-policy")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
    let empty = find(&app, "empty-state").text_content().unwrap();
    assert!(empty.contains("NetworkPolicy"), "{empty}");

    let init = web_sys::KeyboardEventInit::new();
    init.set_key("ArrowRight");
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    find(&app, "tab-policy").dispatch_event(&event).unwrap();
    until("the Ingress tab selected", || {
        attribute(&app, "tab-ingress", "aria-selected").as_deref() == Some("true")
    })
    .await;
    assert_eq!(
        find(&app, "tab-ingress")
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true"),
        "ArrowRight on the last tab wraps to the first"
    );
    app.remove();
}

#[wasm_bindgen_test]
async fn a_loaded_file_is_reported_with_size_and_format() {
    let owner = Owner::new();
    owner.set();
    let state = AppState::new();
    let line = r#"{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"}},"node_name":"n","time":"t"}"#;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(line));
    let file = web_sys::File::new_with_str_sequence(&parts, "capture.jsonl").unwrap();
    let unknown_parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str("hello"));
    let unknown = web_sys::File::new_with_str_sequence(&unknown_parts, "notes.txt").unwrap();
    load_files(
        state,
        vec![PendingFile::from(file), PendingFile::from(unknown)],
        FileOrigin::Dropped,
    )
    .await;
    let files = state.files.get_untracked();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].name, "capture.jsonl");
    assert_eq!(files[0].size, line.len() as u64);
    assert_eq!(files[0].format.label(), "Hubble flows");
    assert_eq!(files[1].format.label(), "unknown format");
    assert!(state.has_flows());
}

#[wasm_bindgen_test]
fn a_finished_load_crosses_from_the_worker_intact_in_pieces() {
    use flowpol::engine::ingest::session::Ingest;
    use flowpol::engine::load::pieces::{split, Assembly};
    use flowpol::ui::browser::worker_protocol::FromWorker;
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", include_bytes!("../public/demo/flows.jsonl"));
    ingest.add_file(
        "inventory.json",
        include_bytes!("../public/demo/inventory.json"),
    );
    let sent = flowpol::engine::load::load(ingest.finish(), &[]);
    let fingerprint = flowpol::engine::review::fingerprint(&sent.dataset);
    // As the worker sends it and the page takes it: pieces of 7 rows, then the rest.
    let through_json = |message: &FromWorker| -> FromWorker {
        serde_json::from_str(&serde_json::to_string(message).unwrap()).unwrap()
    };
    let (rest, pieces) = split(sent.clone(), 7);
    let mut assembly = Assembly::default();
    let mut piece_count = 0;
    for piece in pieces {
        let FromWorker::Piece { piece } = through_json(&FromWorker::Piece { piece }) else {
            panic!("not a Piece message");
        };
        assembly.add(piece);
        piece_count += 1;
    }
    let FromWorker::Done {
        result,
        fingerprint: received,
    } = through_json(&FromWorker::Done {
        result: Box::new(rest),
        fingerprint: fingerprint.clone(),
    })
    else {
        panic!("not a Done message");
    };
    let result = assembly.finish(*result);
    assert!(piece_count > 5, "the demo is sent in several pieces");
    assert_eq!(received, fingerprint);
    assert_eq!(
        flowpol::engine::review::fingerprint(&result.dataset),
        fingerprint
    );
    assert_eq!(result.files, sent.files);
    assert_eq!(
        serde_json::to_value(&result.dataset).unwrap(),
        serde_json::to_value(&sent.dataset).unwrap()
    );
    assert!(result.dataset.communications.len() > 30);
}

/// Mounts the Generated Policy tab alone over a state holding `files` already ingested, with
/// `entity` (`Kind/namespace/name`) in scope.
fn mount_policy_view(files: &[(&str, &[u8])], entity: &str) -> (HtmlElement, AppState) {
    use flowpol::engine::ingest::session::Ingest;
    use flowpol::ui::policy::PolicyView;
    let mut ingest = Ingest::new();
    for (name, bytes) in files {
        ingest.add_file(name, bytes);
    }
    let result = flowpol::engine::load::load(ingest.finish(), &[]);
    let parts: Vec<&str> = entity.split('/').collect();
    let kind = flowpol::engine::model::EntityKind::parse(parts[0]).unwrap();
    let id = result
        .dataset
        .find_entity(kind, parts[1], parts[2])
        .unwrap();
    let state = AppState::new();
    state.result.set(Some(std::sync::Arc::new(result)));
    state.scope.update(|s| {
        s.subject = Some(flowpol::engine::scope::Subject::Entity(id));
    });
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let provided = state;
    leptos::mount::mount_to(container.clone(), move || {
        provide_context(provided);
        view! { <PolicyView /> }
    })
    .forget();
    (container, state)
}

#[wasm_bindgen_test]
async fn policy_view_renders_the_yaml_as_text_and_follows_the_dns_option() {
    let flows = include_bytes!("fixtures/clusters/cronjob-chain/flows.jsonl");
    let inventory = include_bytes!("fixtures/clusters/cronjob-chain/inventory.json");
    let (view, state) = mount_policy_view(
        &[("flows.jsonl", flows), ("inventory.json", inventory)],
        "CronJob/data/report",
    );
    until("the YAML shown", || {
        view.query_selector("[data-testid=\"policy-yaml\"]")
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
            .is_some_and(|yaml| yaml.starts_with("apiVersion"))
    })
    .await;
    let yaml = find(&view, "policy-yaml").text_content().unwrap();
    assert!(
        yaml.starts_with("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"),
        "{yaml}"
    );
    assert!(yaml.contains("  name: report-cronjob\n"), "{yaml}");
    // Highlighting wraps tokens in spans; no markup comes from the data.
    let first_key = view.query_selector(".fp-yaml__key").unwrap().unwrap();
    assert_eq!(first_key.text_content().unwrap(), "apiVersion");
    let summary = find(&view, "verify-summary").text_content().unwrap();
    assert!(summary.contains("Verified"), "{summary}");
    assert!(find(&view, "policy-warnings")
        .text_content()
        .unwrap()
        .contains("DNS"));
    let toggle: web_sys::HtmlInputElement = find(&view, "dns-toggle").unchecked_into();
    assert!(!toggle.checked());
    toggle.click();
    until("the DNS rule in the YAML", || {
        find(&view, "policy-yaml")
            .text_content()
            .is_some_and(|yaml| yaml.contains("k8s-app: kube-dns"))
    })
    .await;
    assert!(state.decisions.with_untracked(|d| d.allow_dns));
    let with_dns = find(&view, "policy-yaml").text_content().unwrap();
    assert!(with_dns.contains("k8s-app: kube-dns"), "{with_dns}");
    assert!(view
        .query_selector("[data-testid=\"policy-warnings\"]")
        .unwrap()
        .is_none());
    view.remove();
}

/// The cross-namespace cluster's flows and inventory loaded, and its `web/sessions`
/// Deployment, the server the review tests look at.
fn cross_namespace_sessions() -> (
    std::sync::Arc<flowpol::engine::load::LoadResult>,
    flowpol::engine::model::EntityId,
) {
    use flowpol::engine::ingest::session::Ingest;
    use flowpol::engine::model::EntityKind;
    let mut ingest = Ingest::new();
    ingest.add_file(
        "flows.jsonl",
        include_bytes!("fixtures/clusters/cross-namespace/flows.jsonl"),
    );
    ingest.add_file(
        "inventory.json",
        include_bytes!("fixtures/clusters/cross-namespace/inventory.json"),
    );
    let result = std::sync::Arc::new(flowpol::engine::load::load(ingest.finish(), &[]));
    let server = result
        .dataset
        .find_entity(EntityKind::Deployment, "web", "sessions")
        .unwrap();
    (result, server)
}

/// Mounts the review's rows of `subject` in `direction` alone, over a state holding `result`.
fn mount_review(
    result: std::sync::Arc<flowpol::engine::load::LoadResult>,
    subject: flowpol::engine::scope::Subject,
    direction: flowpol::engine::model::Direction,
) -> (HtmlElement, AppState) {
    use flowpol::ui::review::CommunicationList;
    let state = AppState::new();
    state.result.set(Some(result.clone()));
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    leptos::mount::mount_to(container.clone(), move || {
        provide_context(state);
        view! { <CommunicationList result=result.clone() subject=subject direction=direction /> }
    })
    .forget();
    (container, state)
}

#[wasm_bindgen_test]
async fn review_rows_toggle_decisions() {
    use flowpol::engine::model::Direction;
    use flowpol::engine::scope::Subject;
    let (result, server) = cross_namespace_sessions();
    let (container, state) = mount_review(result, Subject::Entity(server), Direction::Ingress);
    until("frontend's row", || {
        container
            .query_selector("[data-testid=\"comm-row\"][data-peer=\"Deployment/web/frontend\"]")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let row = container
        .query_selector("[data-testid=\"comm-row\"][data-peer=\"Deployment/web/frontend\"]")
        .unwrap()
        .expect("frontend calls sessions");
    assert_eq!(row.get_attribute("data-included").as_deref(), Some("true"));
    assert_eq!(row.get_attribute("data-port").as_deref(), Some("6379"));
    let toggle: web_sys::HtmlInputElement = row
        .query_selector("[data-testid=\"include-toggle\"]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    toggle.click();
    until("the row excluded", || {
        container
            .query_selector("[data-testid=\"comm-row\"][data-peer=\"Deployment/web/frontend\"]")
            .ok()
            .flatten()
            .and_then(|row| row.get_attribute("data-included"))
            .as_deref()
            == Some("false")
    })
    .await;
    assert_eq!(state.decisions.with_untracked(|d| d.excluded.len()), 1);
    let row = container
        .query_selector("[data-testid=\"comm-row\"][data-peer=\"Deployment/web/frontend\"]")
        .unwrap()
        .unwrap();
    assert_eq!(row.get_attribute("data-included").as_deref(), Some("false"));
    let rule: web_sys::HtmlSelectElement =
        find(&container, "general-rule-ingress").unchecked_into();
    assert_eq!(rule.value(), "per-row");
    container.remove();
}

/// A row with L7 evidence lists its requests by pattern, hostile text as text, and a
/// pattern's toggle excludes it in the decisions (by row and pattern key).
#[wasm_bindgen_test]
async fn a_rows_request_patterns_toggle_in_the_decisions() {
    use flowpol::engine::ingest::session::Ingest;
    use flowpol::engine::model::{Direction, EntityKind};
    use flowpol::engine::scope::Subject;
    let record = |id: u32, path: &str| {
        format!(
            r#"{{"flow":{{"time":"2025-03-01T10:00:00Z","IP":{{"source":"10.0.1.5","destination":"10.0.2.7"}},"l4":{{"TCP":{{"source_port":40000,"destination_port":80}}}},"source":{{"namespace":"shop","labels":["k8s:app=web"],"pod_name":"web-5d8f7b9c6d-bcdfg"}},"destination":{{"namespace":"shop","labels":["k8s:app=api"],"pod_name":"api-5d8f7b9c6d-bcdfg"}},"Type":"L7","l7":{{"type":"REQUEST","http":{{"method":"GET","url":"http://10.0.2.7/{path}{id}"}}}},"event_type":{{"type":129}},"traffic_direction":"EGRESS","is_reply":false}}}}"#
        )
    };
    let mut lines: String = (0..30).map(|id| record(id, "orders/") + "\n").collect();
    lines.push_str(&(record(0, "<i>x") + "\n"));
    let mut ingest = Ingest::new();
    ingest.add_file("l7.jsonl", lines.as_bytes());
    let result = std::sync::Arc::new(flowpol::engine::load::load(ingest.finish(), &[]));
    let web = result
        .dataset
        .find_entity(EntityKind::Deployment, "shop", "web")
        .unwrap();
    let (container, state) = mount_review(result, Subject::Entity(web), Direction::Egress);
    let pattern = |key: &str| {
        container
            .query_selector(&format!("[data-testid=\"l7-pattern\"][data-key=\"{key}\"]"))
            .ok()
            .flatten()
    };
    until("the request patterns", || pattern("/orders/{id}").is_some()).await;
    let summary = find(&container, "l7-patterns").text_content().unwrap();
    assert!(summary.starts_with("2 request patterns"), "{summary}");
    assert!(
        container.query_selector("i").unwrap().is_none(),
        "a path is text, never markup"
    );
    assert!(find(&container, "l7-patterns")
        .text_content()
        .unwrap()
        .contains("GET /<i>x0"));
    let toggle: web_sys::HtmlInputElement = pattern("/orders/{id}")
        .unwrap()
        .query_selector("[data-testid=\"l7-pattern-toggle\"]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    toggle.click();
    until("the pattern excluded", || {
        pattern("/orders/{id}")
            .and_then(|p| p.get_attribute("data-included"))
            .as_deref()
            == Some("false")
    })
    .await;
    let excluded = state
        .decisions
        .with_untracked(|d| d.excluded_requests.clone());
    assert_eq!(excluded.len(), 1);
    assert!(excluded.values().next().unwrap().contains("/orders/{id}"));
    container.remove();
}

/// A large new load is drawn in stages, a task each (`Reveal`): the entity list waits for
/// the summary, the review's rows for the list, and the table for the rows; each stage shows
/// what it adds, and the table says it is preparing until the last.
#[wasm_bindgen_test]
async fn a_large_load_is_drawn_in_stages() {
    use flowpol::engine::model::Direction;
    use flowpol::engine::scope::Subject;
    use flowpol::ui::review::CommunicationList;
    use flowpol::ui::scope::ScopeBar;
    use flowpol::ui::state::Reveal;
    let (result, server) = cross_namespace_sessions();
    let state = AppState::new();
    state.reveal.set(Reveal::Summary);
    state.result.set(Some(result.clone()));
    state
        .scope
        .update(|s| s.subject = Some(Subject::Entity(server)));
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    leptos::mount::mount_to(container.clone(), move || {
        provide_context(state);
        view! {
            <ScopeBar />
            <CommunicationList result=result.clone() subject=Subject::Entity(server) direction=Direction::Ingress />
        }
    })
    .forget();
    let options = || {
        find(&container, "scope-entity")
            .query_selector_all("option")
            .unwrap()
            .length()
    };
    let present = |test_id: &str| {
        container
            .query_selector(&format!("[data-testid=\"{test_id}\"]"))
            .unwrap()
            .is_some()
    };
    until("the table preparing", || present("comm-preparing")).await;
    assert_eq!(options(), 1, "the entity list waits for the summary");
    let empty_choice = find(&container, "scope-entity").text_content().unwrap();
    assert!(
        empty_choice.contains("Choose an entity"),
        "a list not drawn yet is not an empty scope: {empty_choice}"
    );
    state.reveal.set(Reveal::Lists);
    until("the entity list", || options() > 1).await;
    assert!(present("comm-preparing") && !present("comm-row"));
    state.reveal.set(Reveal::Rows);
    // A task later, every effect of the change has run (they run as microtasks).
    gloo_timers::future::TimeoutFuture::new(0).await;
    assert!(
        present("comm-preparing") && !present("comm-row"),
        "the rows are worked out before the table shows them"
    );
    state.reveal.set(Reveal::Everything);
    until("the rows", || present("comm-row")).await;
    assert!(!present("comm-preparing"));
    container.remove();
}

/// The browser build walks JSON with wasm's SIMD, sixteen bytes at a time: every member of
/// objects whose strings hide brackets, quotes and escapes at every offset of a block is found
/// whole, and the real capture reads exactly as natively (its line count and starts).
#[wasm_bindgen_test]
fn the_simd_json_walk_finds_every_member_whole() {
    use flowpol::engine::ingest::scan::json_scan::{for_each_member, ScanError};
    for pad in 0..20 {
        let padding = "x".repeat(pad);
        let nested = serde_json::json!({
            "a": format!("{padding}]}}[{{\"\\"),
            "b": [[{"c": format!("{padding}\"q\"")}, "{", "]"], {"d": null}],
            "e": {"f": format!("\\{padding}\\\\"), "g": [1, 2.5e3, true, false]},
        });
        let text = serde_json::to_string(&nested).unwrap();
        let mut read = serde_json::Map::new();
        for_each_member::<ScanError>(text.as_bytes(), |key, value| {
            let key: String = serde_json::from_slice(&[b"\"", key, b"\""].concat()).unwrap();
            read.insert(key, serde_json::from_slice(value).unwrap());
            Ok(())
        })
        .unwrap();
        assert_eq!(serde_json::Value::Object(read), nested, "padding {pad}");
        let truncated = &text.as_bytes()[..text.len() - 2];
        assert!(for_each_member::<ScanError>(truncated, |_, _| Ok(())).is_err());
    }
    let capture =
        include_bytes!("fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl");
    let mut ingest = flowpol::engine::ingest::session::Ingest::new();
    ingest.add_file("capture.jsonl", capture);
    assert_eq!(ingest.files[0].flows, 129);
    assert_eq!(ingest.files[0].problems, 0);
}

/// Whether flows were loaded is known from a file's head, and, for gzip files, from what the
/// load found inside: flowpol's own flow format counts as flows as Hubble's does.
#[wasm_bindgen_test]
fn a_gzip_file_of_flowpol_flows_counts_as_flows() {
    use flowpol::engine::ingest::formats::detect::InputFormat;
    use flowpol::ui::state::LoadedFile;
    let owner = Owner::new();
    owner.set();
    let state = AppState::new();
    let record = br#"{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"port":80}"#;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, record).unwrap();
    let compressed = encoder.finish().unwrap();
    state.files.set(vec![LoadedFile {
        id: 0,
        name: "flows.json.gz".into(),
        size: compressed.len() as u64,
        format: InputFormat::Gzip,
        origin: FileOrigin::Picked,
        key: 1,
    }]);
    assert!(!state.has_flows(), "a gzip head says nothing yet");
    let result = flowpol::engine::load::load_files(&[("flows.json.gz", &compressed)], &[]);
    assert_eq!(result.files[0].format, Some(InputFormat::FlowpolJson));
    state.result.set(Some(std::sync::Arc::new(result)));
    assert!(state.has_flows());
}

/// The Topology tab alone over the demo with `Deployment/shop/frontend` in scope: the SVG,
/// the subject drawn as selected, an edge per row, and an edge that follows a decision.
#[wasm_bindgen_test]
async fn the_topology_draws_the_scope_and_follows_decisions() {
    use flowpol::engine::ingest::session::Ingest;
    use flowpol::ui::topology::TopologyView;
    let mut ingest = Ingest::new();
    ingest.add_file("flows.jsonl", include_bytes!("../public/demo/flows.jsonl"));
    ingest.add_file(
        "inventory.json",
        include_bytes!("../public/demo/inventory.json"),
    );
    let result = flowpol::engine::load::load(ingest.finish(), &[]);
    let frontend = result
        .dataset
        .find_entity(
            flowpol::engine::model::EntityKind::Deployment,
            "shop",
            "frontend",
        )
        .unwrap();
    let state = AppState::new();
    state.result.set(Some(std::sync::Arc::new(result)));
    state.scope.update(|s| {
        s.subject = Some(flowpol::engine::scope::Subject::Entity(frontend));
    });
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let provided = state;
    leptos::mount::mount_to(container.clone(), move || {
        provide_context(provided);
        view! { <TopologyView /> }
    })
    .forget();
    let scrape = "[data-testid=\"topo-edge\"][data-from=\"Deployment/monitoring/prometheus\"][data-port=\"9090\"]";
    until("the picture", || {
        container.query_selector(scrape).ok().flatten().is_some()
    })
    .await;
    find(&container, "topology-svg");
    find(&container, "topo-legend");
    let selected = container
        .query_selector("[data-testid=\"topo-node\"][data-role=\"selected\"]")
        .unwrap()
        .unwrap();
    assert_eq!(
        selected.get_attribute("data-entity").as_deref(),
        Some("Deployment/shop/frontend")
    );
    let edge = container.query_selector(scrape).unwrap().unwrap();
    assert_eq!(
        edge.get_attribute("data-state").as_deref(),
        Some("included")
    );
    // A click on the edge excludes its row: the decision and the edge follow.
    edge.dispatch_event(&web_sys::MouseEvent::new("click").unwrap())
        .unwrap();
    until("the edge excluded", || {
        container
            .query_selector(scrape)
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref()
            == Some("excluded")
    })
    .await;
    assert_eq!(state.decisions.with_untracked(|d| d.excluded.len()), 1);
    container.remove();
}
