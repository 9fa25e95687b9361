//! Reads YAML the way a YAML 1.1 reader does, for tests: kubectl (go-yaml v2, through
//! sigs.k8s.io/yaml) and PyYAML resolve a plain (unquoted) scalar by its text, so `on`, `y`
//! and `no` are booleans, `~` is null, `012` and `0x1F` integers, `1.10` and `1e3` floats,
//! `2026-11-20` a timestamp. A value that was meant as a string reads back as something else
//! unless it is quoted.
//!
//! The events come from granit-parser (the parser under serde-saphyr, which writes the YAML);
//! only the resolution of plain scalars is here: the regular expressions of the YAML 1.1 type
//! repository (<https://yaml.org/type/>), plus the floats and integers go-yaml v2 also reads
//! (`1e3`, `0o17`, Go's integer syntax). A scalar that resolves to something JSON has no
//! type for (a float, a timestamp, a merge key) becomes `{"!!tag": "text"}`, so comparing with
//! the intended JSON value fails on it.

use std::sync::LazyLock;

use granit_parser::{Event, Parser, ScalarStyle};
use regex::Regex;
use serde_json::{Map, Value};

/// YAML 1.1 booleans (yaml.org/type/bool.html).
static BOOL_TRUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$").unwrap());
static BOOL_FALSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$").unwrap());
/// YAML 1.1 null (yaml.org/type/null.html).
static NULL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:~|null|Null|NULL|)$").unwrap());
/// YAML 1.1 integers (yaml.org/type/int.html) and Go's `ParseInt(text, 0, 64)` syntax.
static INT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?0b[0-1_]+",
        r"|[-+]?0[0-7_]+",
        r"|[-+]?(?:0|[1-9][0-9_]*)",
        r"|[-+]?0x[0-9a-fA-F_]+",
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
        r"|[-+]?0[xXoObB][0-9a-fA-F_]+)$"
    ))
    .unwrap()
});
/// An integer as JSON writes it.
static DECIMAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^-?(?:0|[1-9][0-9]*)$").unwrap());
/// YAML 1.1 floats (yaml.org/type/float.html) and go-yaml v2's own float syntax.
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?",
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*",
        r"|[-+]?\.(?:inf|Inf|INF)",
        r"|\.(?:nan|NaN|NAN)",
        r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$"
    ))
    .unwrap()
});
/// YAML 1.1 timestamps (yaml.org/type/timestamp.html).
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}",
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}",
        r"(?:\.[0-9]*)?(?:[ \t]*Z|[-+][0-9]{1,2}(?::[0-9]{2})?)?)$"
    ))
    .unwrap()
});

/// What a YAML 1.1 reader makes of a plain scalar.
pub fn resolve_plain(text: &str) -> Value {
    if NULL.is_match(text) {
        Value::Null
    } else if BOOL_TRUE.is_match(text) {
        Value::Bool(true)
    } else if BOOL_FALSE.is_match(text) {
        Value::Bool(false)
    } else if INT.is_match(text) {
        // Decimal integers compare with JSON numbers; other notations are tagged.
        match text.parse::<i64>() {
            Ok(number) if DECIMAL.is_match(text) => number.into(),
            _ => tagged("int", text),
        }
    } else if FLOAT.is_match(text) {
        tagged("float", text)
    } else if TIMESTAMP.is_match(text) {
        tagged("timestamp", text)
    } else if text == "<<" {
        tagged("merge", text)
    } else if text == "=" {
        tagged("value", text)
    } else {
        Value::String(text.to_string())
    }
}

fn tagged(tag: &str, text: &str) -> Value {
    Value::Object(Map::from_iter([(
        format!("!!{tag}"),
        Value::String(text.to_string()),
    )]))
}

/// A resolved mapping key: JSON keys are strings, so a key read as anything else is written
/// with its tag (`!!bool y`) and no longer equals the intended key.
fn key_text(value: Value) -> String {
    match value {
        Value::String(text) => text,
        other => format!("!!{other}"),
    }
}

/// Every document of `text`, each as a YAML 1.1 reader reads it.
pub fn read(text: &str) -> Result<Vec<Value>, String> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut documents = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let value = match event {
            Event::Scalar(text, style, _, tag) => {
                if tag.is_some() {
                    return Err(format!("an explicit tag at {span:?}"));
                }
                match style {
                    ScalarStyle::Plain => resolve_plain(&text),
                    _ => Value::String(text.into_owned()),
                }
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Sequence(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Mapping(Map::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Sequence(items)) => Value::Array(items),
                Some(Frame::Mapping(map, _)) => Value::Object(map),
                None => return Err("unbalanced collection".into()),
            },
            Event::Alias(_) => return Err(format!("an alias at {span:?}")),
            _ => continue,
        };
        match stack.last_mut() {
            None => documents.push(value),
            Some(Frame::Sequence(items)) => items.push(value),
            Some(Frame::Mapping(map, key)) => match key.take() {
                None => *key = Some(key_text(value)),
                Some(name) => {
                    if map.insert(name.clone(), value).is_some() {
                        return Err(format!("key {name} twice"));
                    }
                }
            },
        }
    }
    Ok(documents)
}

enum Frame {
    Sequence(Vec<Value>),
    Mapping(Map<String, Value>, Option<String>),
}
