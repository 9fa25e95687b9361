//! Whether an L7 rule admits a request, as Cilium's proxy decides: an HTTP method and path are
//! regexes matched against the whole method and `:path` (anchored at both ends; the path with
//! its query string), DNS names case-insensitively without the final dot (`*` within one
//! label, `*` alone every name), Kafka API keys and topics exactly. Regexes are compiled once
//! per text and kept.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::engine::l7::pattern::PatternRule;
use crate::engine::model::l7::{HttpRequest, L7Request};

/// How many compiled regexes are kept before the cache starts again.
const CACHED_REGEXES: usize = 4096;

thread_local! {
    static REGEXES: RefCell<HashMap<String, Option<regex_lite::Regex>>> = RefCell::new(HashMap::new());
}

/// Whether the regex `pattern` matches all of `text`; an invalid regex matches nothing.
pub fn full_match(pattern: &str, text: &str) -> bool {
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            if cache.len() >= CACHED_REGEXES {
                cache.clear();
            }
            let anchored = regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok();
            cache.insert(pattern.to_string(), anchored);
        }
        cache[pattern]
            .as_ref()
            .is_some_and(|regex| regex.is_match(text))
    })
}

/// The `:path` a request was sent with, as far as a rule can tell: its path, and a query
/// string when it had one.
pub fn sent_path(request: &HttpRequest) -> String {
    if request.query {
        format!("{}?q", request.path)
    } else {
        request.path.clone()
    }
}

/// Whether `rule` (one pattern's) admits `request`.
pub fn rule_admits(rule: &PatternRule, request: &L7Request) -> bool {
    match (rule, request) {
        (PatternRule::Http { methods, path }, L7Request::Http(http)) => {
            methods.contains(&http.method) && full_match(path, &sent_path(http))
        }
        (PatternRule::Dns { name, .. }, L7Request::Dns(queried)) => name_matches(name, queried),
        (PatternRule::Kafka { api_key, topic }, L7Request::Kafka(kafka)) => {
            *api_key == kafka.api_key && *topic == kafka.topic
        }
        _ => false,
    }
}

/// Whether the DNS name `name` matches `allowed`: a name, equal but for case and a final dot,
/// or a pattern whose `*` stands for any run of characters within one label (Cilium's
/// `matchPattern`; `*` alone matches every name).
pub fn name_matches(allowed: &str, name: &str) -> bool {
    let normal = |text: &str| text.trim_end_matches('.').to_ascii_lowercase();
    let (allowed, name) = (normal(allowed), normal(name));
    if allowed == "*" {
        return true;
    }
    let (patterns, labels): (Vec<&str>, Vec<&str>) =
        (allowed.split('.').collect(), name.split('.').collect());
    patterns.len() == labels.len()
        && patterns
            .iter()
            .zip(&labels)
            .all(|(pattern, label)| label_matches(pattern.as_bytes(), label.as_bytes()))
}

/// Whether one DNS label matches a pattern label whose `*` stands for any run of characters:
/// the greedy two-pointer glob match, linear in practice whatever the stars.
fn label_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] != b'*' && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_match_whole_texts_and_names_match_by_label() {
        assert!(full_match("/details/[^/]+", "/details/7"));
        assert!(!full_match("/details/[^/]+", "/details/7/reviews"));
        assert!(!full_match("/details", "/details/7"), "anchored at the end");
        assert!(!full_match("details", "/details"), "anchored at the start");
        assert!(full_match("^/a(\\?.*)?$", "/a?x=1"));
        assert!(!full_match("(", "("), "an invalid regex matches nothing");
        assert!(name_matches(
            "*.svc.cluster.local",
            "Zipkin.svc.cluster.local."
        ));
        assert!(!name_matches("*.cluster.local", "a.svc.cluster.local"));
        assert!(name_matches("*", "anything.at.all"));
    }
}
