//! Labels and label selectors, as Kubernetes defines them, and the labels flowpol never
//! selects on because controllers change them between revisions or runs.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Labels or a `matchLabels` selector.
pub type Labels = BTreeMap<String, String>;

/// The label Kubernetes puts on every namespace with its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A label selector (`matchLabels` and `matchExpressions`); written with empty parts left
/// out, so the empty selector is `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: Labels,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions` entry. The operator stays text: a policy read from the cluster may
/// carry one flowpol does not know, which then matches nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector. An unknown operator matches nothing.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let value = labels.get(&req.key);
                match req.operator.as_str() {
                    "In" => value.is_some_and(|v| req.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !req.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }

    /// A selector of exactly these labels.
    pub fn of_labels(labels: &Labels) -> LabelSelector {
        LabelSelector {
            match_labels: labels.clone(),
            match_expressions: Vec::new(),
        }
    }

    /// Whether the selector has no requirement at all (it selects everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
}

/// Whether every label of `selector` is on `labels` with the same value (an empty selector
/// matches everything).
pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Labels controllers set on their pods that change between revisions or runs: never part
/// of a selector.
pub fn is_volatile_label(key: &str) -> bool {
    matches!(
        key,
        "pod-template-hash"
            | "rollouts-pod-template-hash"
            | "controller-revision-hash"
            | "pod-template-generation"
            | "statefulset.kubernetes.io/pod-name"
            | "apps.kubernetes.io/pod-index"
            | "job-name"
            | "controller-uid"
    ) || key.starts_with("batch.kubernetes.io/")
}

/// `labels` without the volatile ones.
pub fn stable_labels(labels: &Labels) -> Labels {
    labels
        .iter()
        .filter(|(k, _)| !is_volatile_label(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Labels present with the same value in every set (none when there is no set).
pub fn common_labels<'a>(mut sets: impl Iterator<Item = &'a Labels>) -> Labels {
    let Some(first) = sets.next() else {
        return Labels::new();
    };
    let mut common = first.clone();
    for labels in sets {
        common.retain(|k, v| labels.get(k) == Some(v));
    }
    common
}

/// Labels from `(key, value)` pairs.
pub fn labels_of(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `k=v,k2=v2`.
pub fn labels_text(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        labels_of(pairs)
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels = labels(&[("app", "a"), ("tier", "web")]);
        let selector: LabelSelector = serde_json::from_str(
            r#"{"matchLabels":{"app":"a"},"matchExpressions":[{"key":"tier","operator":"In","values":["web","api"]},{"key":"canary","operator":"DoesNotExist"}]}"#,
        )
        .unwrap();
        assert!(selector.matches(&labels));
        let not_in: LabelSelector = serde_json::from_str(
            r#"{"matchExpressions":[{"key":"tier","operator":"NotIn","values":["web"]}]}"#,
        )
        .unwrap();
        assert!(!not_in.matches(&labels));
        let unknown: LabelSelector =
            serde_json::from_str(r#"{"matchExpressions":[{"key":"tier","operator":"Near"}]}"#)
                .unwrap();
        assert!(!unknown.matches(&labels));
    }

    #[test]
    fn volatile_labels_are_left_out_and_common_ones_found() {
        let pod = labels(&[("app", "web"), ("pod-template-hash", "abc"), ("v", "1")]);
        assert_eq!(stable_labels(&pod), labels(&[("app", "web"), ("v", "1")]));
        assert!(is_volatile_label("batch.kubernetes.io/job-name"));
        // Argo Rollouts' own: a new one at every revision, the canary's differs.
        assert!(is_volatile_label("rollouts-pod-template-hash"));
        let other = labels(&[("app", "web"), ("v", "2")]);
        assert_eq!(
            common_labels([&pod, &other].into_iter()),
            labels(&[("app", "web")])
        );
        assert_eq!(common_labels(std::iter::empty()), Labels::new());
        assert_eq!(labels_text(&other), "app=web,v=2");
    }
}
