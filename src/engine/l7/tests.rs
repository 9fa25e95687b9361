//! Tests of the patterns of a communication and what its rules allow once patterns are
//! excluded.

use super::*;
use crate::engine::model::l7::HttpRequest;

fn get(path: &str) -> L7Request {
    L7Request::Http(HttpRequest {
        method: "GET".into(),
        path: path.into(),
        query: false,
    })
}

fn observed(requests: &[L7Request]) -> ObservedRequests {
    let mut observed = ObservedRequests::default();
    for request in requests {
        observed.record(request.clone(), true, Some(1));
    }
    observed
}

fn admitted(allowance: &Allowance, request: &L7Request) -> bool {
    match allowance {
        Allowance::Rules(rules) => rules.iter().any(|r| matching::rule_admits(r, request)),
        Allowance::NoEvidence | Allowance::PortRule(_) => true,
        Allowance::Nothing => false,
    }
}

#[test]
fn an_excluded_pattern_is_denied_and_never_comes_back_through_a_wider_one() {
    let mut requests: Vec<L7Request> = (0..30).map(|n| get(&format!("/items/{n}"))).collect();
    requests.push(get("/health"));
    let seen = observed(&requests);
    let all = allowance(&seen, None, L7Options::default());
    assert!(requests.iter().all(|r| admitted(&all, r)));
    assert!(!admitted(&all, &get("/admin")));
    let excluded = BTreeSet::from(["/health".to_string()]);
    let without = allowance(&seen, Some(&excluded), L7Options::default());
    assert!(!admitted(&without, &get("/health")));
    assert!(admitted(&without, &get("/items/3")));
    // An exact path excluded under a pattern: the rest is written exactly.
    let excluded = BTreeSet::from(["/items/7".to_string()]);
    let without = allowance(&seen, Some(&excluded), L7Options::default());
    assert!(!admitted(&without, &get("/items/7")), "{without:?}");
    assert!(admitted(&without, &get("/items/8")));
    let everything = BTreeSet::from(["/items/{id}".to_string(), "/health".to_string()]);
    assert_eq!(
        allowance(&seen, Some(&everything), L7Options::default()),
        Allowance::Nothing
    );
}

#[test]
fn evidence_rules_cannot_hold_whole_falls_back_to_the_port() {
    let mut mixed = observed(&[get("/a")]);
    mixed.record(L7Request::Dns("x.example.com".into()), true, None);
    assert!(matches!(
        allowance(&mixed, None, L7Options::default()),
        Allowance::PortRule(_)
    ));
    let mut unreadable = observed(&[get("/a")]);
    unreadable.unreadable = 1;
    assert!(matches!(
        allowance(&unreadable, None, L7Options::default()),
        Allowance::PortRule(_)
    ));
    assert_eq!(
        allowance(&ObservedRequests::default(), None, L7Options::default()),
        Allowance::NoEvidence
    );
}

#[test]
fn patterns_say_what_they_stand_for() {
    let mut requests: Vec<L7Request> = (0..3).map(|n| get(&format!("/details/{n}"))).collect();
    requests.push(L7Request::Http(HttpRequest {
        method: "POST".into(),
        path: "/details/1".into(),
        query: true,
    }));
    let patterns = request_patterns(&observed(&requests), L7Options::default());
    assert_eq!(patterns.len(), 1);
    assert_eq!(patterns[0].describe(), "GET, POST /details/{id}");
    assert_eq!(patterns[0].count, 4);
    assert_eq!(patterns[0].requests, 3);
    let exact = request_patterns(
        &observed(&requests),
        L7Options {
            exact: true,
            ..L7Options::default()
        },
    );
    assert_eq!(exact.len(), 3);
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A path segment: any printable text without `/`, `?`, `#` or spaces, ids and regex
    /// characters among them.
    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,4}",
            "[a-z]{1,6}",
            "[a-f0-9]{8,12}",
            "[!-~&&[^/?#]]{1,8}",
        ]
    }

    fn request() -> impl Strategy<Value = L7Request> {
        (
            prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
            prop::collection::vec(segment(), 0..4),
            any::<bool>(),
        )
            .prop_map(|(method, segments, query)| {
                L7Request::Http(HttpRequest {
                    method: method.to_string(),
                    path: format!("/{}", segments.join("/")),
                    query,
                })
            })
    }

    proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// Reading a URL never panics, and a path read starts with `/` and holds no query,
        /// fragment or space.
        #[test]
        fn any_url_reads_as_a_clean_path_or_nothing(method in ".{0,8}", url in ".{0,40}") {
            if let Some(L7Request::Http(http)) = L7Request::http(&method, &url) {
                prop_assert!(http.path.starts_with('/'));
                prop_assert!(!http.path.contains(['?', '#', ' ']));
                prop_assert!(!http.method.is_empty());
            }
        }

        /// Whatever the paths and the mode, every request seen is admitted by the rules of
        /// its communication (availability), and in exact mode nothing else with another
        /// method or path is.
        #[test]
        fn every_request_seen_is_admitted_and_exact_mode_admits_nothing_else(
            requests in prop::collection::vec(request(), 1..40),
            threshold in 1usize..6,
            probe in request(),
        ) {
            let seen = observed(&requests);
            for exact in [false, true] {
                let options = L7Options { exact, threshold, ..L7Options::default() };
                let allowance = allowance(&seen, None, options);
                for request in &requests {
                    prop_assert!(admitted(&allowance, request), "{request} denied: {allowance:?}");
                }
                if exact && !seen.requests.contains_key(&probe) {
                    let L7Request::Http(http) = &probe else { unreachable!() };
                    // The query string is not part of the request's path: a method and path
                    // seen, with or without a query, is the same request.
                    let same_path = seen.requests.keys().any(|r| matches!(r,
                        L7Request::Http(h) if h.method == http.method && h.path == http.path));
                    if !same_path {
                        prop_assert!(!admitted(&allowance, &probe), "{probe} admitted: {allowance:?}");
                    }
                }
            }
        }
    }
}
