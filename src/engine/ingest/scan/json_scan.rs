//! A fast walk over the members of a JSON object that finds each value's bytes without
//! parsing it. Flow lines are mostly endpoint labels flowpol needs only for connection
//! starts; walking past them eight bytes at a time (sixteen with wasm SIMD), and reading only
//! the values flowpol uses (`hubble_wire`: plainly or with serde, validated), is what lets
//! ingest run at several hundred MB/s.
//!
//! The walk checks the structure (balanced brackets, terminated strings, `:` and `,` in
//! place); the grammar inside values it skips is checked only when they are parsed.

use super::blocks::{container_block, inside_strings, marked_offsets, BLOCK};
use crate::engine::ingest::scan::swar::find_quote_or_backslash;

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

/// `at` is just after an opening quote; returns the offset just after the closing one.
fn skip_string(bytes: &[u8], mut at: usize) -> Result<usize, ScanError> {
    loop {
        let Some(position) = find_quote_or_backslash(bytes, at) else {
            return Err(error(bytes.len(), "the end of a string"));
        };
        if bytes[position] == b'"' {
            return Ok(position + 1);
        }
        // An escape: skip the backslash and the escaped byte.
        at = position + 2;
        if at > bytes.len() {
            return Err(error(bytes.len(), "the end of a string"));
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
        b'{' | b'[' => skip_container(bytes, at, first),
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

/// Skips the object or array opened by `first` at `at`. Only quotes and brackets change the
/// nesting, so blocks of 8 or 16 bytes without a backslash are classified at once; a block
/// with one (rare) and the last few bytes are walked byte by byte.
fn skip_container(bytes: &[u8], at: usize, first: u8) -> Result<usize, ScanError> {
    let mut nesting = Nesting::new(first);
    let mut position = at + 1;
    let mut in_string = false;
    while let Some(block) = container_block(bytes, position) {
        if block.backslashes != 0 {
            let until = position + BLOCK;
            position = walk_bytes(bytes, position, until, &mut in_string, &mut nesting)?;
            if nesting.depth == 0 {
                return Ok(position);
            }
            continue;
        }
        let outside = block.brackets & !inside_strings(block.quotes, in_string);
        for offset in marked_offsets(outside) {
            if nesting.bracket(bytes, position + offset)? {
                return Ok(position + offset + 1);
            }
        }
        in_string ^= block.quotes.count_ones() % 2 == 1;
        position += BLOCK;
    }
    let end = walk_bytes(bytes, position, bytes.len(), &mut in_string, &mut nesting)?;
    if nesting.depth == 0 {
        Ok(end)
    } else {
        Err(error(bytes.len(), "a closing bracket"))
    }
}

/// The open brackets of a container being skipped, innermost last.
struct Nesting {
    stack: [u8; MAX_DEPTH],
    depth: usize,
}

impl Nesting {
    fn new(first: u8) -> Self {
        let mut stack = [0u8; MAX_DEPTH];
        stack[0] = first;
        Nesting { stack, depth: 1 }
    }

    /// Takes the bracket at `at` (outside strings); true when it closed the container.
    fn bracket(&mut self, bytes: &[u8], at: usize) -> Result<bool, ScanError> {
        let byte = bytes[at];
        if byte == b'{' || byte == b'[' {
            if self.depth == MAX_DEPTH {
                return Err(error(at, "less deeply nested values"));
            }
            self.stack[self.depth] = byte;
            self.depth += 1;
            return Ok(false);
        }
        let expected = if self.stack[self.depth - 1] == b'{' {
            b'}'
        } else {
            b']'
        };
        if byte != expected {
            return Err(error(at, "a matching bracket"));
        }
        self.depth -= 1;
        Ok(self.depth == 0)
    }
}

/// Walks bytes one by one from `at` until `until` (or just past it, after an escape) or until
/// the container closes; returns where it stopped.
fn walk_bytes(
    bytes: &[u8],
    mut at: usize,
    until: usize,
    in_string: &mut bool,
    nesting: &mut Nesting,
) -> Result<usize, ScanError> {
    while at < until {
        let byte = bytes[at];
        if *in_string {
            match byte {
                b'"' => *in_string = false,
                b'\\' => {
                    at += 1;
                    if at >= bytes.len() {
                        return Err(error(bytes.len(), "the end of a string"));
                    }
                }
                _ => {}
            }
        } else if byte == b'"' {
            *in_string = true;
        } else if matches!(byte, b'{' | b'[' | b'}' | b']') && nesting.bracket(bytes, at)? {
            return Ok(at + 1);
        }
        at += 1;
    }
    Ok(at)
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

    /// Any JSON value, nested a few levels, with strings full of quotes, escapes, brackets
    /// and non-ASCII text.
    #[cfg(not(target_arch = "wasm32"))]
    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-z\"\\\\{}\\[\\]:, é\u{1F600}\t]{0,20}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z\\[\\]{}\"]{0,4}", inner, 0..6)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// Whenever serde reads `bytes` as an object, the scan accepts it and gives the same
    /// members (the last of a repeated key winning, as in serde's map).
    #[cfg(not(target_arch = "wasm32"))]
    fn assert_scans_like_serde(bytes: &[u8]) -> Result<(), proptest::test_runner::TestCaseError> {
        let scanned = {
            let mut read = serde_json::Map::new();
            for_each_member::<ScanError>(bytes, |k, v| {
                let key: String = serde_json::from_slice(&[b"\"", k, b"\""].concat())
                    .map_err(|_| error(0, "what serde reads"))?;
                read.insert(
                    key,
                    serde_json::from_slice(v).map_err(|_| error(0, "what serde reads"))?,
                );
                Ok(())
            })
            .map(|_| read)
        };
        if let Ok(object) =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        {
            proptest::prop_assert_eq!(
                scanned.ok(),
                Some(object),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
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
        fn skips_exactly_any_nested_value(members in proptest::collection::vec(("[a-z]{1,3}", json_value()), 1..5), pretty in proptest::prelude::any::<bool>()) {
            let object: serde_json::Map<String, serde_json::Value> = members.into_iter().collect();
            let object = serde_json::Value::Object(object);
            let text = if pretty {
                serde_json::to_string_pretty(&object).unwrap()
            } else {
                serde_json::to_string(&object).unwrap()
            };
            let mut read = serde_json::Map::new();
            for_each_member::<ScanError>(text.as_bytes(), |k, v| {
                let key: String = serde_json::from_slice(&[b"\"", k, b"\""].concat()).unwrap();
                read.insert(key, serde_json::from_slice(v).unwrap());
                Ok(())
            }).unwrap();
            proptest::prop_assert_eq!(serde_json::Value::Object(read), object);
        }

        /// Any bytes: no panic, and whenever serde reads an object the scan reads the same
        /// members.
        #[test]
        fn any_object_serde_reads_is_scanned_the_same(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            assert_scans_like_serde(&bytes)?;
        }

        /// An object with one byte replaced by a byte that matters to JSON (often still an
        /// object serde reads, often not): the same.
        #[test]
        fn a_damaged_object_is_scanned_like_serde(
            members in proptest::collection::btree_map("[a-z\\\\\"]{0,3}", json_value(), 0..5),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::sample::select(b"{}[]\":,\\ \n0123456789.-+eEtrufalsn\x00\xff".to_vec()),
        ) {
            let mut text = serde_json::to_vec(&members).unwrap();
            let at = at.index(text.len());
            text[at] = byte;
            assert_scans_like_serde(&text)?;
        }

        #[test]
        fn truncations_are_errors(value in proptest::collection::btree_map("[a-z]{1,5}", "[a-z ,:{}\\[\\]]{0,8}", 1..5), cut in 0usize..100) {
            let text = serde_json::to_string(&value).unwrap();
            let cut = cut % text.len();
            proptest::prop_assert!(for_each_member::<ScanError>(&text.as_bytes()[..cut], |_, _| Ok(())).is_err());
        }
    }
}
