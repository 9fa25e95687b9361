//! The YAML 1.1 reader the tests use (`tests/support/yaml_1_1.rs`) reads as kubectl and
//! PyYAML do, and flowpol's YAML reads back through it as the values it was written from.

use crate::yaml_1_1::{read, resolve_plain};

#[test]
fn plain_scalars_resolve_as_yaml_1_1_readers_do() {
    for text in ["on", "Off", "y", "N", "yes", "TRUE"] {
        assert!(resolve_plain(text).is_boolean(), "{text}");
    }
    for text in ["~", "null", "NULL", ""] {
        assert!(resolve_plain(text).is_null(), "{text}");
    }
    assert_eq!(resolve_plain("8080"), 8080);
    for text in [
        "012",
        "0x1F",
        "1_000",
        "0o17",
        "+1",
        "0b101",
        "1:30",
        "1.10",
        "1e3",
        ".inf",
        ".NaN",
        "1.2.3",
        "2026-11-20",
        "<<",
        "=",
    ] {
        assert!(resolve_plain(text).is_object(), "{text}");
    }
    for text in [
        "web",
        "1.1a",
        "v1.10",
        "a: b",
        "12:30:x",
        "-",
        "0x",
        "-.nan",
        "tab\there",
    ] {
        assert_eq!(resolve_plain(text), text, "{text}");
    }
}

#[test]
fn quoted_scalars_are_strings_and_keys_resolve_too() {
    let documents = read("a: 'on'\nb: on\ny: \"1.10\"\n---\n- 1.10\n- |\n  x\n").unwrap();
    assert_eq!(
        documents,
        vec![
            serde_json::json!({"a": "on", "b": true, "!!true": "1.10"}),
            serde_json::json!([{"!!float": "1.10"}, "x\n"]),
        ]
    );
}
