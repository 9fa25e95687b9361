//! HTTP paths grouped into the patterns an L7 rule names. Paths are cut into segments and laid
//! in a tree; under one prefix, a segment that varies like an id (digits, a UUID, a hash) or
//! one of more than `threshold` distinct values becomes `[^/]+`, and what lies below the
//! segments it stands for is merged, so `/details/0` … `/details/449` is one pattern,
//! `/details/{id}/reviews` another, and a fixed `/health` stays exact. Each pattern allows the
//! methods seen on its paths only. In exact mode every path is its own pattern.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::model::l7::{HttpRequest, RequestSeen};

/// A segment of a pattern: a fixed text, or any one segment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    Fixed(String),
    Any,
}

/// A group of paths one rule allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    pub segments: Vec<Segment>,
    /// Whether a request with a query string was seen on its paths: the regex then admits
    /// one (`(\?.*)?`), since Envoy matches the path with its query.
    pub query: bool,
    pub methods: BTreeSet<String>,
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// Up to [`EXAMPLES`] paths it stands for, in order.
    pub examples: Vec<String>,
    /// How many distinct paths it stands for.
    pub paths: usize,
}

/// How many example paths a pattern keeps.
pub const EXAMPLES: usize = 3;

impl PathPattern {
    /// The pattern as people read it: `/details/{id}/reviews`.
    pub fn shape(&self) -> String {
        let mut shape = String::new();
        for segment in &self.segments {
            shape.push('/');
            match segment {
                Segment::Fixed(text) => shape.push_str(text),
                Segment::Any => shape.push_str("{id}"),
            }
        }
        if shape.is_empty() {
            shape.push('/');
        }
        shape
    }

    /// The extended POSIX regex Cilium matches the request's path with, anchored at both
    /// ends: `^/details/[^/]+$`.
    pub fn regex(&self) -> String {
        let mut regex = String::from("^");
        for segment in &self.segments {
            regex.push('/');
            match segment {
                Segment::Fixed(text) => regex.push_str(&escape(text)),
                Segment::Any => regex.push_str("[^/]+"),
            }
        }
        if self.segments.is_empty() {
            regex.push('/');
        }
        if self.query {
            regex.push_str("(\\?.*)?");
        }
        regex.push('$');
        regex
    }
}

/// `text` with every character a regex gives a meaning to escaped.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Whether a path segment looks like an id: digits, a UUID, a hex hash of 8 or more
/// characters with a digit, or a token of 20 or more letters and digits mixed.
pub fn is_id_like(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    if digits == bytes.len() {
        return true;
    }
    let uuid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let hash = bytes.len() >= 8 && digits > 0 && bytes.iter().all(u8::is_ascii_hexdigit);
    let token = bytes.len() >= 20
        && digits > 0
        && bytes.iter().any(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    uuid || hash || token
}

/// A tree of path segments; each node holds the requests whose path ends there.
#[derive(Default)]
struct Node<'a> {
    fixed: BTreeMap<String, Node<'a>>,
    any: Option<Box<Node<'a>>>,
    ends: Vec<(&'a HttpRequest, &'a RequestSeen)>,
}

impl<'a> Node<'a> {
    fn insert(&mut self, segments: &[&str], request: (&'a HttpRequest, &'a RequestSeen)) {
        match segments.split_first() {
            None => self.ends.push(request),
            Some((first, rest)) => self
                .fixed
                .entry((*first).to_string())
                .or_default()
                .insert(rest, request),
        }
    }

    fn absorb(&mut self, other: Node<'a>) {
        self.ends.extend(other.ends);
        for (segment, child) in other.fixed {
            match self.fixed.get_mut(&segment) {
                Some(mine) => mine.absorb(child),
                None => {
                    self.fixed.insert(segment, child);
                }
            }
        }
        if let Some(any) = other.any {
            self.any.get_or_insert_with(Box::default).absorb(*any);
        }
    }

    /// Turns id-like segments, or all of them past `threshold` distinct ones, into `Any`,
    /// then does the same below.
    fn generalise(&mut self, threshold: usize) {
        let fixed = std::mem::take(&mut self.fixed);
        let plain = fixed.keys().filter(|s| !is_id_like(s)).count();
        for (segment, child) in fixed {
            if plain > threshold || is_id_like(&segment) {
                self.any.get_or_insert_with(Box::default).absorb(child);
            } else {
                self.fixed.insert(segment, child);
            }
        }
        for child in self.fixed.values_mut() {
            child.generalise(threshold);
        }
        if let Some(any) = &mut self.any {
            any.generalise(threshold);
        }
    }

    fn patterns(&self, prefix: &mut Vec<Segment>, out: &mut Vec<PathPattern>) {
        if !self.ends.is_empty() {
            out.push(pattern(prefix.clone(), &self.ends));
        }
        for (segment, child) in &self.fixed {
            prefix.push(Segment::Fixed(segment.clone()));
            child.patterns(prefix, out);
            prefix.pop();
        }
        if let Some(any) = &self.any {
            prefix.push(Segment::Any);
            any.patterns(prefix, out);
            prefix.pop();
        }
    }
}

fn pattern(segments: Vec<Segment>, ends: &[(&HttpRequest, &RequestSeen)]) -> PathPattern {
    let paths: BTreeSet<&str> = ends.iter().map(|(r, _)| r.path.as_str()).collect();
    let min = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let max = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    PathPattern {
        segments,
        query: ends.iter().any(|(r, _)| r.query),
        methods: ends.iter().map(|(r, _)| r.method.clone()).collect(),
        count: ends.iter().map(|(_, s)| s.count()).sum(),
        first_seen: ends.iter().fold(None, |t, (_, s)| min(t, s.first_seen)),
        last_seen: ends.iter().fold(None, |t, (_, s)| max(t, s.last_seen)),
        examples: paths.iter().take(EXAMPLES).map(|p| p.to_string()).collect(),
        paths: paths.len(),
    }
}

/// The patterns of `requests`: generalised past `threshold` distinct segments (`None`:
/// exact, one per path), in path order.
pub fn path_patterns<'a>(
    requests: impl Iterator<Item = (&'a HttpRequest, &'a RequestSeen)>,
    threshold: Option<usize>,
) -> Vec<PathPattern> {
    let mut root = Node::default();
    for (request, seen) in requests {
        let segments: Vec<&str> = request.path[1..].split('/').collect();
        let segments = if request.path == "/" {
            &[][..]
        } else {
            &segments[..]
        };
        root.insert(segments, (request, seen));
    }
    if let Some(threshold) = threshold {
        root.generalise(threshold);
    }
    let mut out = Vec::new();
    root.patterns(&mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests(paths: &[(&str, &str)]) -> Vec<(HttpRequest, RequestSeen)> {
        paths
            .iter()
            .map(|(method, path)| {
                (
                    HttpRequest {
                        method: method.to_string(),
                        path: path.to_string(),
                        query: false,
                    },
                    RequestSeen {
                        egress: 1,
                        ..RequestSeen::default()
                    },
                )
            })
            .collect()
    }

    fn shapes(requests: &[(HttpRequest, RequestSeen)], threshold: Option<usize>) -> Vec<String> {
        path_patterns(requests.iter().map(|(r, s)| (r, s)), threshold)
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p.methods.iter().cloned().collect::<Vec<_>>().join(","),
                    p.shape()
                )
            })
            .collect()
    }

    #[test]
    fn ids_become_one_segment_and_fixed_paths_stay() {
        let mut paths: Vec<(String, String)> = (0..450)
            .map(|n| ("GET".to_string(), format!("/details/{n}")))
            .collect();
        paths.extend((0..3).map(|n| ("POST".to_string(), format!("/details/{n}/reviews"))));
        paths.push(("GET".into(), "/health".into()));
        paths.push(("GET".into(), "/".into()));
        let borrowed: Vec<(&str, &str)> = paths
            .iter()
            .map(|(m, p)| (m.as_str(), p.as_str()))
            .collect();
        let requests = requests(&borrowed);
        assert_eq!(
            shapes(&requests, Some(20)),
            [
                "GET /",
                "GET /details/{id}",
                "POST /details/{id}/reviews",
                "GET /health"
            ]
        );
        let patterns = path_patterns(requests.iter().map(|(r, s)| (r, s)), Some(20));
        assert_eq!(patterns[1].regex(), "^/details/[^/]+$");
        assert_eq!(patterns[1].paths, 450);
        assert_eq!(
            patterns[1].examples,
            ["/details/0", "/details/1", "/details/10"]
        );
        assert_eq!(patterns[0].regex(), "^/$");
        assert_eq!(shapes(&requests, None).len(), 455, "exact: one per path");
    }

    #[test]
    fn many_plain_values_under_one_prefix_become_one_segment() {
        let names: Vec<(String, String)> = (0..25)
            .map(|n| {
                (
                    "GET".to_string(),
                    format!("/products/item-{}", (b'a' + n) as char),
                )
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = names
            .iter()
            .map(|(m, p)| (m.as_str(), p.as_str()))
            .collect();
        assert_eq!(
            shapes(&requests(&borrowed), Some(20)),
            ["GET /products/{id}"]
        );
        assert_eq!(shapes(&requests(&borrowed[..20]), Some(20)).len(), 20);
    }

    #[test]
    fn ids_and_escapes() {
        for id in [
            "0",
            "42",
            "0b4f7c1e-9a2d-4c3b-8e5f-1a2b3c4d5e6f",
            "9f86d081884c7d65",
            "eyJhbGciOiJIUzI1NiJ9abc",
        ] {
            assert!(is_id_like(id), "{id}");
        }
        for word in ["reviews", "v1", "health", "deadbeef", "api", ""] {
            assert!(!is_id_like(word), "{word}");
        }
        let pattern = PathPattern {
            segments: vec![Segment::Fixed("a.b+(c)".into()), Segment::Any],
            query: true,
            methods: BTreeSet::new(),
            count: 0,
            first_seen: None,
            last_seen: None,
            examples: Vec::new(),
            paths: 0,
        };
        assert_eq!(pattern.regex(), "^/a\\.b\\+\\(c\\)/[^/]+(\\?.*)?$");
    }
}
