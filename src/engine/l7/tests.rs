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
