//! A fast walk over the members of a JSON object that finds each value's bytes without
//! parsing it. Flow lines are mostly endpoint labels flowpol needs only for connection
//! starts; walking past them at memchr speed, and parsing (with serde_json, validated) only
//! the values that are read, is what lets ingest run at several hundred MB/s.
//!
//! The walk checks the structure (balanced brackets, terminated strings, `:` and `,` in
//! place); the grammar inside values it skips is checked only when they are parsed.

use memchr::memchr2;

/// Why bytes are not a JSON object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    /// Byte offset of the problem.
    pub offset: usize,
    pub expected: &'static str,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid JSON: expected {} at byte {}",
            self.expected,
            self.offset + 1
        )
    }
}

/// How deeply values may nest (flows nest four levels).
const MAX_DEPTH: usize = 64;

fn error(offset: usize, expected: &'static str) -> ScanError {
    ScanError { offset, expected }
}

pub fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// How many bytes of a string are looked at one by one before handing over to memchr, which
/// is faster on long strings but slower to start.
const SHORT_STRING: usize = 24;

/// `at` is just after an opening quote; returns the offset just after the closing one.
fn skip_string(bytes: &[u8], mut at: usize) -> Result<usize, ScanError> {
    for (offset, &byte) in bytes.iter().enumerate().skip(at).take(SHORT_STRING) {
        match byte {
            b'"' => return Ok(offset + 1),
            b'\\' => break,
            _ => at = offset + 1,
        }
    }
    loop {
        match memchr2(b'"', b'\\', &bytes[at.min(bytes.len())..]) {
            Some(found) => {
                let position = at + found;
                if bytes[position] == b'"' {
                    return Ok(position + 1);
                }
                // An escape: skip the backslash and the escaped byte.
                at = position + 2;
                if at > bytes.len() {
                    return Err(error(bytes.len(), "the end of a string"));
                }
            }
            None => return Err(error(bytes.len(), "the end of a string")),
        }
    }
}

/// Skips one value starting at `at` (after whitespace); returns the offset just after it.
pub fn skip_value(bytes: &[u8], at: usize) -> Result<usize, ScanError> {
    let Some(&first) = bytes.get(at) else {
        return Err(error(at, "a value"));
    };
    match first {
        b'"' => skip_string(bytes, at + 1),
        b'{' | b'[' => {
            // The open brackets, innermost last.
            let mut stack = [0u8; MAX_DEPTH];
            stack[0] = first;
            let mut depth = 1;
            let mut position = at + 1;
            while depth > 0 {
                let Some(&byte) = bytes.get(position) else {
                    return Err(error(position, "a closing bracket"));
                };
                position += 1;
                match byte {
                    b'"' => position = skip_string(bytes, position)?,
                    b'{' | b'[' => {
                        if depth == MAX_DEPTH {
                            return Err(error(position - 1, "less deeply nested values"));
                        }
                        stack[depth] = byte;
                        depth += 1;
                    }
                    b'}' | b']' => {
                        let expected = if stack[depth - 1] == b'{' { b'}' } else { b']' };
                        if byte != expected {
                            return Err(error(position - 1, "a matching bracket"));
                        }
                        depth -= 1;
                    }
                    _ => {}
                }
            }
            Ok(position)
        }
        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
            let mut position = at;
            // Numbers, true, false, null: only their own characters.
            while position < bytes.len()
                && matches!(
                    bytes[position],
                    b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'-' | b'.'
                )
            {
                position += 1;
            }
            Ok(position)
        }
        _ => Err(error(at, "a value")),
    }
}

/// Calls `visit(key, value)` for each member of the object in `bytes` (which must hold
/// exactly one object, with optional surrounding whitespace). Keys are the raw bytes between
/// the quotes; values are their exact bytes. Stops early when `visit` returns an error.
pub fn for_each_member<'a, E: From<ScanError>>(
    bytes: &'a [u8],
    mut visit: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), E>,
) -> Result<(), E> {
    let start = skip_whitespace(bytes, 0);
    let end = scan_object::<E>(bytes, start, |key, value_start| {
        let value_end = skip_value(bytes, value_start)?;
        visit(key, &bytes[value_start..value_end])?;
        Ok(value_end)
    })?;
    finish(bytes, end).map_err(E::from)
}

/// Walks the object starting at `at`; `visit(key, value_start)` must consume the value and
/// return the offset just after it (with [`skip_value`] or by reading it). Returns the offset
/// just after the object's closing brace.
pub fn scan_object<'a, E: From<ScanError>>(
    bytes: &'a [u8],
    mut at: usize,
    mut visit: impl FnMut(&'a [u8], usize) -> Result<usize, E>,
) -> Result<usize, E> {
    if bytes.get(at) != Some(&b'{') {
        return Err(error(at, "`{`").into());
    }
    at = skip_whitespace(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return Ok(at + 1);
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return Err(error(at, "a key").into());
        }
        let key_end = skip_string(bytes, at + 1)?;
        let key = &bytes[at + 1..key_end - 1];
        at = skip_whitespace(bytes, key_end);
        if bytes.get(at) != Some(&b':') {
            return Err(error(at, "`:`").into());
        }
        let value_start = skip_whitespace(bytes, at + 1);
        let value_end = visit(key, value_start)?;
        at = skip_whitespace(bytes, value_end);
        match bytes.get(at) {
            Some(b',') => at = skip_whitespace(bytes, at + 1),
            Some(b'}') => return Ok(at + 1),
            _ => return Err(error(at, "`,` or `}`").into()),
        }
    }
}

/// Checks that only whitespace follows `at`.
pub fn finish(bytes: &[u8], at: usize) -> Result<(), ScanError> {
    let rest = skip_whitespace(bytes, at);
    if rest == bytes.len() {
        Ok(())
    } else {
        Err(error(rest, "the end of the object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> Result<Vec<(String, String)>, ScanError> {
        let mut out = Vec::new();
        for_each_member::<ScanError>(text.as_bytes(), |k, v| {
            out.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn finds_each_member_and_its_exact_value() {
        let got = members(r#" { "a" : 1 , "b":{"x":[1,{"y":"}]"}]}, "c":"q\"uo,te", "d":true,"e":null,"f":-1.5e3 } "#).unwrap();
        let expected = [
            ("a", "1"),
            ("b", r#"{"x":[1,{"y":"}]"}]}"#),
            ("c", r#""q\"uo,te""#),
            ("d", "true"),
            ("e", "null"),
            ("f", "-1.5e3"),
        ];
        assert_eq!(got.len(), expected.len());
        for ((k, v), (ek, ev)) in got.iter().zip(expected) {
            assert_eq!((k.as_str(), v.as_str()), (ek, ev));
        }
        assert_eq!(members("{}").unwrap(), vec![]);
    }

    #[test]
    fn structural_errors_are_reported() {
        for bad in [
            "",
            "[1]",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":[1,2}",
            "{\"a\":\"open}",
            "{\"a\":1\"b\":2}",
            "{\"a\":tru\"e}",
            "{\"a\":1} x",
            "{\"a\":\"\\",
        ] {
            assert!(members(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn agrees_with_serde_json_on_valid_objects(value in proptest::collection::btree_map("[a-z\"\\\\]{0,5}", proptest::prelude::any::<(u32, String, bool)>(), 0..6)) {
            let text = serde_json::to_string(&value).unwrap();
            let parsed: Vec<(String, (u32, String, bool))> = {
                let mut out = Vec::new();
                for_each_member::<ScanError>(text.as_bytes(), |k, v| {
                    let key: String = serde_json::from_slice(&[b"\"", k, b"\""].concat()).unwrap();
                    out.push((key, serde_json::from_slice(v).unwrap()));
                    Ok(())
                }).unwrap();
                out
            };
            proptest::prop_assert_eq!(parsed, value.into_iter().collect::<Vec<_>>());
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = for_each_member::<ScanError>(&bytes, |_, _| Ok(()));
        }

        #[test]
        fn truncations_are_errors(value in proptest::collection::btree_map("[a-z]{1,5}", "[a-z ,:{}\\[\\]]{0,8}", 1..5), cut in 0usize..100) {
            let text = serde_json::to_string(&value).unwrap();
            let cut = cut % text.len();
            proptest::prop_assert!(for_each_member::<ScanError>(&text.as_bytes()[..cut], |_, _| Ok(())).is_err());
        }
    }
}
