//! The requests an L7 proxy saw on a communication (Hubble's `l7.http`, `l7.dns`, `l7.kafka`
//! records): each distinct request once, with how often and when it was seen.
//!
//! A request is what a CiliumNetworkPolicy's L7 rules decide: an HTTP method and path (the
//! query string apart: [`HttpRequest::query`] says whether one was sent), a DNS name queried
//! (lower case, no trailing dot), a Kafka API key and topic. At most [`MAX_REQUESTS`] distinct
//! requests are kept per communication; past that the communication says it overflowed, and
//! the generator falls back to its port rule rather than allow only part of what was seen.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The most distinct requests kept per communication.
pub const MAX_REQUESTS: usize = 4096;

/// One request, as an L7 rule reads it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum L7Request {
    Http(HttpRequest),
    /// A DNS name queried: lower case, without the trailing dot.
    Dns(String),
    Kafka(KafkaRequest),
}

/// An HTTP request: its method and the path of its URL.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HttpRequest {
    pub method: String,
    /// The path, without query string or fragment; always starts with `/`.
    pub path: String,
    /// Whether the request carried a query string (`?...`), which Envoy's `:path` includes.
    pub query: bool,
}

/// A Kafka request: its API key (`produce`, `fetch`, ...) and topic (empty for requests
/// without one, such as `metadata`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KafkaRequest {
    pub api_key: String,
    pub topic: String,
}

impl L7Request {
    /// The kind of request, as a word: `HTTP`, `DNS`, `Kafka`.
    pub fn kind(&self) -> &'static str {
        match self {
            L7Request::Http(_) => "HTTP",
            L7Request::Dns(_) => "DNS",
            L7Request::Kafka(_) => "Kafka",
        }
    }

    /// An HTTP request from Hubble's method and URL (absolute, `http://host:port/path?q`, or a
    /// path); `None` when no path can be read from it (empty, not starting with `/`, or with
    /// spaces or control characters), or the method is not a token.
    pub fn http(method: &str, url: &str) -> Option<L7Request> {
        let method = method.trim();
        let method_ok = !method.is_empty()
            && method.len() <= 32
            && method.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-');
        if !method_ok {
            return None;
        }
        let rest = match url.split_once("://") {
            Some((_, after_scheme)) => match after_scheme.find('/') {
                Some(start) => &after_scheme[start..],
                None => "/",
            },
            None => url,
        };
        let (path, query) = match rest.find(['?', '#']) {
            Some(end) => (&rest[..end], rest[end..].starts_with('?')),
            None => (rest, false),
        };
        let path_ok = path.starts_with('/')
            && path.len() <= 2048
            && !path.bytes().any(|b| b <= b' ' || b == 0x7f);
        path_ok.then(|| {
            L7Request::Http(HttpRequest {
                method: method.to_ascii_uppercase(),
                path: path.to_string(),
                query,
            })
        })
    }

    /// A DNS query for `name`; `None` for an empty name or one with spaces or control
    /// characters.
    pub fn dns(name: &str) -> Option<L7Request> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let ok = !name.is_empty() && name.len() <= 253 && !name.bytes().any(|b| b <= b' ');
        ok.then_some(L7Request::Dns(name))
    }

    /// A Kafka request; `None` without an API key.
    pub fn kafka(api_key: &str, topic: &str) -> Option<L7Request> {
        let ok = !api_key.is_empty()
            && !api_key.bytes().any(|b| b <= b' ')
            && !topic.bytes().any(|b| b < b' ');
        ok.then(|| {
            L7Request::Kafka(KafkaRequest {
                api_key: api_key.to_ascii_lowercase(),
                topic: topic.to_string(),
            })
        })
    }
}

impl std::fmt::Display for L7Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            L7Request::Http(http) => {
                write!(f, "{} {}", http.method, http.path)?;
                if http.query {
                    f.write_str("?…")?;
                }
                Ok(())
            }
            L7Request::Dns(name) => write!(f, "DNS {name}"),
            L7Request::Kafka(kafka) if kafka.topic.is_empty() => {
                write!(f, "Kafka {}", kafka.api_key)
            }
            L7Request::Kafka(kafka) => write!(f, "Kafka {} {}", kafka.api_key, kafka.topic),
        }
    }
}

/// How often and when one request was seen. A request passes the proxy of each end (egress
/// at the client, ingress at the server): its count is the larger of the two.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSeen {
    pub egress: u64,
    pub ingress: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl RequestSeen {
    /// How many times the request was made.
    pub fn count(&self) -> u64 {
        self.egress.max(self.ingress)
    }

    fn seen_at(&mut self, time: Option<i64>) {
        if let Some(time) = time {
            self.first_seen = Some(self.first_seen.map_or(time, |t| t.min(time)));
            self.last_seen = Some(self.last_seen.map_or(time, |t| t.max(time)));
        }
    }

    fn add(&mut self, other: &RequestSeen) {
        self.egress += other.egress;
        self.ingress += other.ingress;
        self.seen_at(other.first_seen);
        self.seen_at(other.last_seen);
    }
}

/// The requests seen on one communication.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct ObservedRequests {
    /// Each distinct request, in order (a list of pairs: JSON keys are strings).
    #[serde(with = "pairs")]
    pub requests: BTreeMap<L7Request, RequestSeen>,
    /// Requests not kept: past [`MAX_REQUESTS`] distinct ones.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub overflow: u64,
    /// L7 records whose request could not be read (no path, a method that is no token).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unreadable: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ObservedRequests {
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.overflow == 0 && self.unreadable == 0
    }

    /// Records one `request` seen at `time` by the proxy on the `egress` side (else ingress).
    pub fn record(&mut self, request: L7Request, egress: bool, time: Option<i64>) {
        if self.requests.len() >= MAX_REQUESTS && !self.requests.contains_key(&request) {
            self.overflow += 1;
            return;
        }
        let seen = self.requests.entry(request).or_default();
        if egress {
            seen.egress += 1;
        } else {
            seen.ingress += 1;
        }
        seen.seen_at(time);
    }

    /// Folds `other` (the same communication under another key) in.
    pub fn merge(&mut self, other: &ObservedRequests) {
        for (request, seen) in &other.requests {
            let room = self.requests.len() < MAX_REQUESTS;
            match self.requests.get_mut(request) {
                Some(mine) => mine.add(seen),
                None if room => {
                    self.requests.insert(request.clone(), seen.clone());
                }
                None => self.overflow += seen.count(),
            }
        }
        self.overflow += other.overflow;
        self.unreadable += other.unreadable;
    }

    /// The kinds of requests seen, in order.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = self.requests.keys().map(L7Request::kind).collect();
        kinds.dedup();
        kinds
    }
}

/// A map written as a list of `[key, value]` pairs.
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(method: &str, path: &str) -> L7Request {
        L7Request::Http(HttpRequest {
            method: method.into(),
            path: path.into(),
            query: false,
        })
    }

    #[test]
    fn urls_are_read_as_their_path_without_the_query() {
        assert_eq!(
            L7Request::http("GET", "http://10.0.0.1:9080/details/0"),
            Some(http("GET", "/details/0"))
        );
        let Some(L7Request::Http(with_query)) =
            L7Request::http("get", "http://svc/api/items?id=3#top")
        else {
            panic!("a path")
        };
        assert_eq!(
            (with_query.method.as_str(), with_query.path.as_str()),
            ("GET", "/api/items")
        );
        assert!(with_query.query);
        assert_eq!(L7Request::http("GET", "http://svc"), Some(http("GET", "/")));
        assert_eq!(
            L7Request::http("GET", "/health"),
            Some(http("GET", "/health"))
        );
        assert_eq!(L7Request::http("GET", ""), None);
        assert_eq!(L7Request::http("GET", "details"), None);
        assert_eq!(L7Request::http("GET", "/a b"), None);
        assert_eq!(L7Request::http("", "/a"), None);
        assert_eq!(L7Request::http("G ET", "/a"), None);
        assert_eq!(
            L7Request::dns("Zipkin.Istio-System.svc.cluster.local."),
            Some(L7Request::Dns(
                "zipkin.istio-system.svc.cluster.local".into()
            ))
        );
        assert_eq!(L7Request::dns("."), None);
        assert_eq!(L7Request::kafka("", "t"), None);
    }

    #[test]
    fn requests_count_once_per_proxy_and_overflow_past_the_limit() {
        let mut seen = ObservedRequests::default();
        seen.record(http("GET", "/a"), true, Some(5));
        seen.record(http("GET", "/a"), false, Some(3));
        seen.record(http("GET", "/a"), true, Some(9));
        let a = &seen.requests[&http("GET", "/a")];
        assert_eq!(
            (a.count(), a.first_seen, a.last_seen),
            (2, Some(3), Some(9))
        );
        assert_eq!(seen.overflow, 0);
        for n in 0..MAX_REQUESTS + 3 {
            seen.record(http("GET", &format!("/x/{n}")), true, None);
        }
        assert_eq!(seen.requests.len(), MAX_REQUESTS);
        assert_eq!(seen.overflow, 4);
        let text = serde_json::to_string(&seen).unwrap();
        let back: ObservedRequests = serde_json::from_str(&text).unwrap();
        assert_eq!(back, seen);
    }
}
