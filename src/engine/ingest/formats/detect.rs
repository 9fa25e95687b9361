//! Recognising what a dropped file holds from its first bytes, never from its name.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;

/// The kinds of input flowpol recognises.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Hubble flows: `hubble observe -o json|jsonpb` lines, bare flow objects, or an array.
    Hubble,
    /// A Kubernetes object or `v1 List`, as `kubectl get ... -o json` prints it.
    KubernetesInventory,
    /// flowpol's own flow format (`src`, `dst`, `port`, ...), for other tools' data.
    FlowpolJson,
    /// NetworkPolicies in YAML (`kubectl get networkpolicies -o yaml`, or manifests); in JSON
    /// they are read as a Kubernetes inventory.
    NetworkPoliciesYaml,
    /// A gzip stream (its content is recognised once decompressed).
    Gzip,
    /// Nothing flowpol understands.
    Unknown,
}

impl InputFormat {
    /// Whether files of this format hold flows.
    pub fn holds_flows(self) -> bool {
        matches!(self, InputFormat::Hubble | InputFormat::FlowpolJson)
    }

    /// A short human-readable name.
    pub fn label(self) -> &'static str {
        match self {
            InputFormat::Hubble => "Hubble flows",
            InputFormat::KubernetesInventory => "Kubernetes inventory",
            InputFormat::FlowpolJson => "flowpol flows",
            InputFormat::NetworkPoliciesYaml => "NetworkPolicies (YAML)",
            InputFormat::Gzip => "gzip-compressed",
            InputFormat::Unknown => "unknown format",
        }
    }
}

/// What flowpol says when it does not understand a file.
pub const UNDERSTOOD_FORMATS: &str = "Hubble flows (hubble observe -o json, one JSON object \
     per line, or a JSON array), flowpol's own flow format (see flowpol-flows.schema.json), \
     Kubernetes inventories (kubectl get ... -o json) and NetworkPolicies (YAML or JSON, to \
     verify), plain or gzip-compressed";

/// How many leading bytes [`detect_format`] looks at, at most.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Keys that only a Hubble flow object has at its top level.
const FLOW_KEYS: &[&str] = &[
    "IP",
    "l4",
    "verdict",
    "event_type",
    "trace_observation_point",
    "traffic_direction",
    "is_reply",
];

/// Recognises the format of a file from its first bytes (up to [`SNIFF_BYTES`]).
pub fn detect_format(head: &[u8]) -> InputFormat {
    if head.starts_with(&[0x1f, 0x8b]) {
        return InputFormat::Gzip;
    }
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let text = trim_start(head);
    let object = match text.first() {
        Some(b'[') => trim_start(&text[1..]),
        Some(b'{') => text,
        _ if names_network_policies(text) => return InputFormat::NetworkPoliciesYaml,
        _ => return InputFormat::Unknown,
    };
    match classify(&first_object_keys(object)) {
        // A damaged first line does not make the file unknown: the next whole lines tell.
        InputFormat::Unknown if text.first() == Some(&b'{') => later_lines_format(text),
        format => format,
    }
}

/// How many lines after a damaged first one [`detect_format`] reads, at most.
const LINES_AFTER_DAMAGE: usize = 100;

/// The format the first recognisable whole line after the first tells, if any.
fn later_lines_format(text: &[u8]) -> InputFormat {
    text.split(|&b| b == b'\n')
        .skip(1)
        .take(LINES_AFTER_DAMAGE)
        .filter_map(|line| serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(line).ok())
        .map(|map| classify(&map.into_keys().collect::<Vec<_>>()))
        .find(|&format| format != InputFormat::Unknown)
        .unwrap_or(InputFormat::Unknown)
}

/// Whether a YAML text names NetworkPolicies or CiliumNetworkPolicies: a `kind:
/// NetworkPolicy` (or `...List`, or Cilium's) line, possibly as a list item.
fn names_network_policies(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').any(|line| {
        let line = trim_start(line);
        let line = line.strip_prefix(b"- ").map_or(line, trim_start);
        line.strip_prefix(b"kind:").is_some_and(|kind| {
            let kind = trim_start(kind);
            let kind = kind.strip_prefix(b"\"").unwrap_or(kind);
            kind.starts_with(b"NetworkPolicy") || kind.starts_with(b"CiliumNetworkPolicy")
        })
    })
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The top-level keys of the object `bytes` starts with: all of them when its first line is a
/// whole object, else the keys that can be read before the sniffed bytes end.
fn first_object_keys(bytes: &[u8]) -> Vec<String> {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(bytes);
    if let Ok(map) = serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(first_line) {
        return map.into_keys().collect();
    }
    if let Some(Ok(map)) = serde_json::Deserializer::from_slice(bytes)
        .into_iter::<BTreeMap<String, IgnoredAny>>()
        .next()
    {
        return map.into_keys().collect();
    }
    leading_keys(bytes)
}

/// The keys at the top level of a truncated, pretty-printed object, read until a nested value
/// that does not end within `bytes`.
fn leading_keys(bytes: &[u8]) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = trim_start(bytes.strip_prefix(b"{").unwrap_or(bytes));
    while let Some(after_quote) = rest.strip_prefix(b"\"") {
        let Some(end) = after_quote.iter().position(|&b| b == b'"' || b == b'\\') else {
            break;
        };
        if after_quote[end] == b'\\' {
            break;
        }
        keys.push(String::from_utf8_lossy(&after_quote[..end]).into_owned());
        let after_key = trim_start(&after_quote[end + 1..]);
        let Some(value) = after_key.strip_prefix(b":") else {
            break;
        };
        let mut values = serde_json::Deserializer::from_slice(value).into_iter::<IgnoredAny>();
        match values.next() {
            Some(Ok(_)) => {
                let consumed = values.byte_offset();
                rest = trim_start(&value[consumed..]);
                rest = trim_start(rest.strip_prefix(b",").unwrap_or(rest));
            }
            _ => break,
        }
    }
    keys
}

fn classify(keys: &[String]) -> InputFormat {
    let has = |key: &str| keys.iter().any(|k| k == key);
    if has("flow") || keys.iter().any(|k| FLOW_KEYS.contains(&k.as_str())) {
        InputFormat::Hubble
    } else if has("src") && has("dst") {
        InputFormat::FlowpolJson
    } else if (has("apiVersion") && (has("kind") || has("items") || has("metadata")))
        || keys.first().is_some_and(|k| k == "apiVersion")
    {
        // A whole object names its kind; a cut-short pretty-printed one starts with apiVersion.
        InputFormat::KubernetesInventory
    } else {
        InputFormat::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubble_envelope_lines() {
        let line = br#"{"flow":{"time":"2021-11-10T10:40:56Z","verdict":"FORWARDED"},"node_name":"n","time":"t"}
{"flow":{}}"#;
        assert_eq!(detect_format(line), InputFormat::Hubble);
    }

    #[test]
    fn bare_flow_objects_and_arrays() {
        assert_eq!(
            detect_format(br#"{"time":"t","verdict":"DROPPED","IP":{}}"#),
            InputFormat::Hubble
        );
        assert_eq!(
            detect_format(b"[\n  {\"flow\": {\"verdict\": \"FORWARDED\"}}\n]"),
            InputFormat::Hubble
        );
    }

    #[test]
    fn pretty_printed_inventory_cut_short() {
        let text = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n            \"kind\": \"Pod\",";
        assert_eq!(
            detect_format(text.as_bytes()),
            InputFormat::KubernetesInventory
        );
    }

    #[test]
    fn single_object_inventory() {
        let text = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}"#;
        assert_eq!(detect_format(text), InputFormat::KubernetesInventory);
    }

    #[test]
    fn flowpol_flows() {
        assert_eq!(
            detect_format(br#"{"src":{"ip":"a"},"dst":{"ip":"b"},"port":80}"#),
            InputFormat::FlowpolJson
        );
    }

    #[test]
    fn gzip_magic() {
        assert_eq!(detect_format(&[0x1f, 0x8b, 8, 0]), InputFormat::Gzip);
    }

    #[test]
    fn unknown_inputs() {
        for input in [
            &b""[..],
            b"hello",
            b"{\"name\": 1}",
            b"[1, 2]",
            b"\xff\xfe{",
        ] {
            assert_eq!(detect_format(input), InputFormat::Unknown, "{input:?}");
        }
    }

    #[test]
    fn network_policies_in_yaml() {
        let manifest = b"# ours\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: a\n";
        assert_eq!(detect_format(manifest), InputFormat::NetworkPoliciesYaml);
        let list = b"apiVersion: v1\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\nkind: List\n";
        assert_eq!(detect_format(list), InputFormat::NetworkPoliciesYaml);
        assert_eq!(detect_format(b"kind: ConfigMap\n"), InputFormat::Unknown);
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        assert_eq!(
            detect_format(b"\xef\xbb\xbf{\"flow\":{}}"),
            InputFormat::Hubble
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// Any bytes: gzip exactly when they start with its magic, and nothing but gzip,
        /// unknown or YAML NetworkPolicies unless they start with a JSON object or array.
        #[test]
        fn arbitrary_bytes_are_recognised_only_by_their_start(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let format = detect_format(&bytes);
            proptest::prop_assert_eq!(format == InputFormat::Gzip, bytes.starts_with(&[0x1f, 0x8b]));
            let text = trim_start(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes));
            if format != InputFormat::Gzip && !matches!(text.first(), Some(b'{' | b'[')) {
                proptest::prop_assert!(matches!(format, InputFormat::Unknown | InputFormat::NetworkPoliciesYaml));
            }
        }

        /// Hubble lines, the first cut short anywhere (a capture stopped mid-write, or a
        /// file's head cut off): still Hubble, so the whole lines are read.
        #[test]
        fn a_damaged_first_line_does_not_hide_the_format(cut in 0usize..400) {
            static LINES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                let cluster = crate::engine::demo::DemoCluster::new(1);
                let options = crate::engine::demo::FlowOptions { lines: 5, ..Default::default() };
                crate::engine::demo::FlowLines::new(&cluster, options).collect::<Vec<_>>().join("\n")
            });
            let first_end = LINES.find('\n').unwrap();
            let text = format!("{{{}", &LINES[cut.min(first_end)..]);
            proptest::prop_assert_eq!(detect_format(text.as_bytes()), InputFormat::Hubble, "{}", text);
        }

        #[test]
        fn a_cut_short_inventory_is_still_an_inventory(extra in 0usize..400) {
            static INVENTORY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                crate::engine::demo::inventory_json(&crate::engine::demo::DemoCluster::new(1))
            });
            let text = INVENTORY.as_str();
            let first_key_end = text.find("\"apiVersion\"").unwrap_or(0) + "\"apiVersion\"".len();
            let cut = &text.as_bytes()[..first_key_end + extra];
            proptest::prop_assert_eq!(detect_format(cut), InputFormat::KubernetesInventory);
        }

        #[test]
        fn a_cut_short_hubble_line_is_still_hubble(extra in 0usize..600) {
            let line = r#"{"flow":{"time":"2021-11-10T10:40:56Z","verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":1,"destination_port":2}}},"node_name":"n","time":"t"}"#;
            let cut = &line.as_bytes()[..(r#"{"flow""#.len() + extra).min(line.len())];
            proptest::prop_assert_eq!(detect_format(cut), InputFormat::Hubble);
        }

        #[test]
        fn never_panics_on_json_like_text(text in "[{}\\[\\]\":, a-z0-9\\\\\n]{0,200}") {
            let _ = detect_format(text.as_bytes());
        }
    }
}
