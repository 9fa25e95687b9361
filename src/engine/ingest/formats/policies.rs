//! Reading the policies a cluster already has: YAML or JSON, one or many documents, single
//! NetworkPolicies and CiliumNetworkPolicies or `List`s of them (`kubectl get
//! networkpolicies,ciliumnetworkpolicies -A -o yaml`). Other kinds are skipped with a note, as
//! are the parts of a CiliumNetworkPolicy the evaluator does not read (deny rules, services,
//! ...; a rule using them is taken to allow nothing); a policy without a namespace is in
//! `default`.

use crate::engine::model::cilium_policy::CiliumNetworkPolicy;
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::yaml::from_yaml;

/// The policies of one file and notes on what was skipped.
#[derive(Clone, Debug, Default)]
pub struct ExistingPolicies {
    pub policies: Vec<NetworkPolicy>,
    pub cilium: Vec<CiliumNetworkPolicy>,
    pub notes: Vec<String>,
}

/// Parts of a CiliumNetworkPolicy the evaluator does not read.
const CILIUM_UNREAD: [&str; 14] = [
    // L7 rules are read (`rules.http`, `rules.dns`, `rules.kafka`), but for these: a rule
    // naming headers admits no request, a generic L7 rule none, and TLS or SNI settings are
    // not seen in flows.
    "headers",
    "headerMatches",
    "l7proto",
    "serverNames",
    "terminatingTLS",
    "authentication",
    "toServices",
    "toNodes",
    "fromNodes",
    "icmps",
    "toGroups",
    "toRequires",
    "fromRequires",
    "nodeSelector",
];

/// Reads every NetworkPolicy of `text` (YAML, and therefore JSON too); `file` names it in
/// messages.
pub fn read_policies(file: &str, text: &str) -> Result<ExistingPolicies, String> {
    let documents: Vec<serde_json::Value> =
        from_yaml(text).map_err(|e| format!("{file}: not YAML or JSON: {e}"))?;
    let starts = document_starts(text);
    let mut read = ExistingPolicies::default();
    for (index, document) in documents.into_iter().enumerate() {
        let place = Place {
            file,
            number: index + 1,
            line: starts.get(index).copied(),
            item: None,
        };
        add_document(&place, document, &mut read)?;
    }
    Ok(read)
}

/// Where a document is, for messages: `flows.yaml: document 2 (from line 8): `, and the item
/// of a `List` when it is one; nothing for an inventory's item (the inventory names it).
struct Place<'a> {
    /// The file, empty for an inventory's item.
    file: &'a str,
    number: usize,
    /// The line the document starts on, when the text shows it.
    line: Option<usize>,
    /// The position in the `List`'s `items`.
    item: Option<usize>,
}

impl std::fmt::Display for Place<'_> {
    /// The place and `: `, ready to be followed by what is wrong there.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            return Ok(());
        }
        write!(f, "{}: document {}", self.file, self.number)?;
        if let Some(line) = self.line {
            write!(f, " (from line {line})")?;
        }
        if let Some(item) = self.item {
            write!(f, ", items[{item}]")?;
        }
        f.write_str(": ")
    }
}

/// Reads the policies of one object of a kubectl inventory (a CiliumNetworkPolicy, say); the
/// inventory names the object in messages.
pub fn read_inventory_object(object: serde_json::Value) -> Result<ExistingPolicies, String> {
    let place = Place {
        file: "",
        number: 1,
        line: None,
        item: None,
    };
    let mut read = ExistingPolicies::default();
    add_document(&place, object, &mut read)?;
    Ok(read)
}

/// The line (from 1) each YAML document of `text` starts on: after a `---` at the start of a
/// line, or the first line for a first document without one. (A `---` at a line's start is
/// always a document marker: a block scalar's lines are indented.)
fn document_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut content_seen = false;
    for (index, line) in text.lines().enumerate() {
        let marker = line == "---" || line.starts_with("--- ") || line.starts_with("---\t");
        if marker {
            starts.push(index + 1);
            content_seen = true;
            continue;
        }
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if !content_seen && !blank && !line.starts_with('%') {
            starts.push(index + 1);
            content_seen = true;
        }
    }
    starts
}

/// Reads `document` as a `T`, or says where it is not one: the document, and the field's path
/// within it (`spec.podSelector.matchLabels: invalid type: sequence, expected a map`).
fn read_as<T: serde::de::DeserializeOwned>(
    place: &Place<'_>,
    kind: &str,
    document: serde_json::Value,
) -> Result<T, String> {
    serde_path_to_error::deserialize(document).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            format!("{place}{kind}: {inner}")
        } else {
            format!("{place}{kind}: {path}: {inner}")
        }
    })
}

fn add_document(
    place: &Place<'_>,
    document: serde_json::Value,
    read: &mut ExistingPolicies,
) -> Result<(), String> {
    let kind = document
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_string();
    match kind.as_str() {
        "NetworkPolicy" => {
            let mut policy: NetworkPolicy = read_as(place, "NetworkPolicy", document)?;
            if policy.metadata.namespace.is_empty() {
                policy.metadata.namespace = "default".to_string();
            }
            read.policies.push(policy);
        }
        "CiliumNetworkPolicy" => {
            // `specs` holds several specs, each a policy of its own.
            let mut specs: Vec<serde_json::Value> =
                document.get("spec").cloned().into_iter().collect();
            if let Some(serde_json::Value::Array(more)) = document.get("specs") {
                specs.extend(more.iter().cloned());
            }
            if specs.is_empty() {
                specs.push(serde_json::Value::default());
            }
            for spec in specs {
                let mut one = document.clone();
                if let Some(object) = one.as_object_mut() {
                    object.remove("specs");
                    object.insert("spec".to_string(), spec.clone());
                }
                let mut policy: CiliumNetworkPolicy = read_as(place, "CiliumNetworkPolicy", one)?;
                if policy.metadata.namespace.is_empty() {
                    policy.metadata.namespace = "default".to_string();
                }
                let text = spec.to_string();
                let unread: Vec<&str> = CILIUM_UNREAD
                    .into_iter()
                    .filter(|field| text.contains(&format!("\"{field}\"")))
                    .collect();
                if !unread.is_empty() {
                    read.notes.push(format!(
                        "{place}CiliumNetworkPolicy {}: {} not evaluated (the rest is)",
                        policy.metadata.name,
                        unread.join(", ")
                    ));
                }
                read.cilium.push(policy);
            }
        }
        "List" | "NetworkPolicyList" | "CiliumNetworkPolicyList" => {
            let items = match document.get("items") {
                Some(serde_json::Value::Array(items)) => items.clone(),
                _ => Vec::new(),
            };
            for (index, item) in items.into_iter().enumerate() {
                let place = Place {
                    item: Some(index),
                    ..*place
                };
                add_document(&place, item, read)?;
            }
        }
        other => read.notes.push(format!(
            "{place}skipped a {} (only NetworkPolicy and CiliumNetworkPolicy are read)",
            if other.is_empty() {
                "document without kind"
            } else {
                other
            }
        )),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::read_policies;
    use crate::engine::model::network_policy::PortValue;
    use crate::engine::model::Direction;

    #[test]
    fn reads_lists_documents_and_named_ports() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: a}\n  spec:\n    podSelector: {}\n    ingress:\n    - ports:\n      - port: http\n---\nkind: ConfigMap\n---\n{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicy\", \"metadata\": {\"name\": \"b\", \"namespace\": \"x\"}, \"spec\": {\"podSelector\": {\"matchLabels\": {\"app\": \"b\"}}, \"egress\": [{\"ports\": [{\"port\": 53, \"protocol\": \"UDP\"}]}]}}\n";
        let read = read_policies("p.yaml", text).unwrap();
        assert_eq!(read.policies.len(), 2);
        assert_eq!(read.policies[0].metadata.namespace, "default");
        let ports = read.policies[0].spec.ingress.as_ref().unwrap()[0]
            .ports
            .clone()
            .unwrap();
        assert_eq!(ports[0].port, Some(PortValue::Name("http".into())));
        assert!(read.policies[1].restricts(Direction::Egress));
        assert_eq!(read.notes.len(), 1, "{:?}", read.notes);
    }

    #[test]
    fn reads_cilium_policies_with_several_specs_and_notes_what_is_not_evaluated() {
        let text = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a}\nspecs:\n- endpointSelector: {matchLabels: {app: a}}\n  ingress: [{}]\n- endpointSelector: {matchLabels: {app: b}}\n  egress: [{toServices: [{k8sService: {serviceName: x}}]}]\n---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\nspec: {endpointSelector: {}}\n";
        let read = read_policies("p.yaml", text).unwrap();
        assert_eq!(read.cilium.len(), 2);
        assert_eq!(read.cilium[0].metadata.namespace, "default");
        assert_eq!(
            read.cilium[1].spec.endpoint_selector.match_labels["app"],
            "b"
        );
        assert_eq!(read.notes.len(), 2, "{:?}", read.notes);
        assert!(
            read.notes[0].contains("toServices not evaluated"),
            "{:?}",
            read.notes
        );
        assert!(
            read.notes[1].contains("CiliumClusterwideNetworkPolicy"),
            "{:?}",
            read.notes
        );
    }

    #[test]
    fn garbage_is_an_error_naming_the_file() {
        let error = read_policies("p.yaml", "kind: NetworkPolicy\nspec: [").unwrap_err();
        assert!(error.starts_with("p.yaml"), "{error}");
    }

    /// A document that is not the kind it says is named by its number, the line it starts
    /// on, and the field's path.
    #[test]
    fn a_wrong_field_is_named_by_document_line_and_path() {
        let good = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  \
                    name: a\nspec:\n  podSelector: {}\n";
        let bad = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  \
                   name: b\nspec:\n  podSelector:\n    matchLabels: [1, 2]\n";
        let text = format!("# the shop's policies\n---\n{good}---\n{bad}");
        let error = read_policies("p.yaml", &text).unwrap_err();
        assert_eq!(
            error,
            "p.yaml: document 2 (from line 9): NetworkPolicy: spec.podSelector.matchLabels: \
             invalid type: sequence, expected a map"
        );
        // Without a leading marker the first document starts at its first line.
        let text = format!("\n{good}---\n{bad}");
        let error = read_policies("p.yaml", &text).unwrap_err();
        assert!(
            error.starts_with("p.yaml: document 2 (from line 8): "),
            "{error}"
        );
        // In a List, the item.
        let list = r#"{"kind": "List", "items": [
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "a"}, "spec": {"podSelector": {}}},
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "b"}, "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": {"x": 1}}]}]}}
        ]}"#;
        let error = read_policies("list.json", list).unwrap_err();
        assert!(
            error.starts_with("list.json: document 1 (from line 1), items[1]: NetworkPolicy: spec.ingress[0].ports[0].port: "),
            "{error}"
        );
    }
}
