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
const CILIUM_UNREAD: [&str; 10] = [
    "rules",
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
    let mut read = ExistingPolicies::default();
    for (index, document) in documents.into_iter().enumerate() {
        add_document(file, index + 1, document, &mut read)?;
    }
    Ok(read)
}

fn add_document(
    file: &str,
    number: usize,
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
            let mut policy: NetworkPolicy = serde_json::from_value(document)
                .map_err(|e| format!("{file}: document {number}: NetworkPolicy: {e}"))?;
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
                let mut policy: CiliumNetworkPolicy = serde_json::from_value(one)
                    .map_err(|e| format!("{file}: document {number}: CiliumNetworkPolicy: {e}"))?;
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
                        "{file}: document {number}: CiliumNetworkPolicy {}: {} not evaluated \
                         (the rest is)",
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
            for item in items {
                add_document(file, number, item, read)?;
            }
        }
        other => read.notes.push(format!(
            "{file}: document {number}: skipped a {} (only NetworkPolicy and \
             CiliumNetworkPolicy are read)",
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
}
