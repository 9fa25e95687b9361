//! Syntax highlighting of the YAML flowpol writes, as plain tokens the UI renders as text in
//! styled spans: keys, list dashes, quoted strings, numbers and other scalars. It only needs
//! to understand flowpol's own block-style output; anything else is a plain scalar.

/// What a piece of a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Indentation, `: ` and other punctuation.
    Plain,
    Key,
    Dash,
    /// A quoted string.
    Quoted,
    Number,
    /// Any other scalar (unquoted string).
    Scalar,
    /// `---` between documents.
    Separator,
}

/// Splits one line into tokens; concatenated, the tokens give the line back exactly.
pub fn tokens(line: &str) -> Vec<(TokenKind, &str)> {
    let mut out = Vec::new();
    if line == "---" {
        out.push((TokenKind::Separator, line));
        return out;
    }
    // A comment (`# cluster: east`, `# flowpol: ...`) is text, whatever it holds.
    if line.starts_with('#') {
        out.push((TokenKind::Plain, line));
        return out;
    }
    let mut rest = line;
    let indent = rest.len() - rest.trim_start_matches(' ').len();
    if indent > 0 {
        out.push((TokenKind::Plain, &rest[..indent]));
        rest = &rest[indent..];
    }
    while let Some(after) = rest.strip_prefix("- ") {
        out.push((TokenKind::Dash, &rest[..1]));
        out.push((TokenKind::Plain, " "));
        rest = after;
    }
    if rest == "-" {
        out.push((TokenKind::Dash, rest));
        return out;
    }
    let key_end = if let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        // A quoted key: the closing quote, then `:`.
        rest[1..]
            .find(quote)
            .map(|close| close + 2)
            .filter(|&end| rest[end..].starts_with(": ") || &rest[end..] == ":")
    } else {
        rest.find(": ")
            .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))
            // A key has a name: a line starting with `:` is a plain scalar.
            .filter(|&end| end > 0)
    };
    if let Some(end) = key_end {
        out.push((TokenKind::Key, &rest[..end]));
        let after = &rest[end..];
        let separator = if after.starts_with(": ") { 2 } else { 1 };
        out.push((TokenKind::Plain, &after[..separator]));
        rest = &after[separator..];
    }
    if !rest.is_empty() {
        out.push((scalar_kind(rest), rest));
    }
    out
}

fn scalar_kind(value: &str) -> TokenKind {
    if value.starts_with(['"', '\'']) {
        TokenKind::Quoted
    } else if value.parse::<f64>().is_ok() {
        TokenKind::Number
    } else {
        TokenKind::Scalar
    }
}

#[cfg(test)]
mod tests {
    use super::{tokens, TokenKind::*};

    #[test]
    fn keys_dashes_and_scalars() {
        assert_eq!(
            tokens("    - protocol: TCP"),
            [
                (Plain, "    "),
                (Dash, "-"),
                (Plain, " "),
                (Key, "protocol"),
                (Plain, ": "),
                (Scalar, "TCP")
            ]
        );
        assert_eq!(
            tokens("      port: 53"),
            [
                (Plain, "      "),
                (Key, "port"),
                (Plain, ": "),
                (Number, "53")
            ]
        );
        assert_eq!(
            tokens("  ingress:"),
            [(Plain, "  "), (Key, "ingress"), (Plain, ":")]
        );
        assert_eq!(
            tokens("      pci: \"yes\""),
            [
                (Plain, "      "),
                (Key, "pci"),
                (Plain, ": "),
                (Quoted, "\"yes\"")
            ]
        );
        assert_eq!(
            tokens("  \"k8s:io.kubernetes.pod.namespace\": shop"),
            [
                (Plain, "  "),
                (Key, "\"k8s:io.kubernetes.pod.namespace\""),
                (Plain, ": "),
                (Scalar, "shop")
            ]
        );
        assert_eq!(tokens("  \"on\""), [(Plain, "  "), (Quoted, "\"on\"")]);
        assert_eq!(tokens("---"), [(Separator, "---")]);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        #[test]
        fn tokens_give_the_line_back(line in "[ -~]{0,60}") {
            let joined: String = tokens(&line).iter().map(|(_, t)| *t).collect();
            proptest::prop_assert_eq!(joined, line);
        }

        #[test]
        fn no_token_is_empty(line in "[ -~]{0,60}") {
            // An empty token would be an empty element in the page.
            proptest::prop_assert!(tokens(&line).iter().all(|(_, t)| !t.is_empty()), "{:?}", tokens(&line));
        }
    }
}
