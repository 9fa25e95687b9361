//! The one place YAML is written and read (serde-saphyr, see STYLE.md): it quotes every
//! scalar a YAML 1.1 reader such as kubectl's would misread (`on`, `yes`, `1.10`, `~`), so a
//! label value stays a string.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// One YAML document per item, separated by `---`, ending with a newline.
pub fn to_yaml<T: Serialize>(documents: &[T]) -> Result<String, String> {
    let mut out = String::new();
    for (index, document) in documents.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let text = serde_saphyr::to_string(document).map_err(|e| e.to_string())?;
        out.push_str(&text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

/// Every document of a (multi-document) YAML text; empty documents are skipped.
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    serde_saphyr::from_multiple::<Option<T>>(text)
        .map(|documents| documents.into_iter().flatten().collect())
        .map_err(|e| e.to_string())
}

/// The YAML 1.1 reader of the tests (kubectl's reading of plain scalars).
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "../../tests/support/yaml_1_1.rs"]
mod yaml_1_1;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{from_yaml, to_yaml};

    #[test]
    fn ambiguous_scalars_stay_strings() {
        let hostile = [
            "on",
            "yes",
            "no",
            "off",
            "y",
            "n",
            "true",
            "~",
            "null",
            "1.10",
            "0x1F",
            "1e3",
            "012",
            ".inf",
            "a: b # c",
            "",
            " lead",
            "- x",
            "@x",
            "`x",
            "%x",
            "{x}",
            "[x]",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "'",
            "\"",
            "#",
            "1_000",
            "0o17",
            "+1",
            "2026-01-01",
            "12:30:00",
        ];
        let map: BTreeMap<String, String> = hostile
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("k{i:02}"), v.to_string()))
            .collect();
        let text = to_yaml(std::slice::from_ref(&map)).unwrap();
        let back: Vec<BTreeMap<String, String>> = from_yaml(&text).unwrap();
        assert_eq!(back, vec![map.clone()], "{text}");
        // As kubectl reads it: every value still a string.
        #[cfg(not(target_arch = "wasm32"))]
        assert_eq!(
            super::yaml_1_1::read(&text).unwrap(),
            vec![serde_json::to_value(&map).unwrap()],
            "{text}"
        );
    }

    #[test]
    fn documents_are_separated() {
        let text = to_yaml(&[BTreeMap::from([("a", 1)]), BTreeMap::from([("b", 2)])]).unwrap();
        assert_eq!(text, "a: 1\n---\nb: 2\n");
        let back: Vec<BTreeMap<String, i32>> = from_yaml(&text).unwrap();
        assert_eq!(back.len(), 2);
    }
}
