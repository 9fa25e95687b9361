//! Names Kubernetes accepts: a NetworkPolicy's name is a DNS-1123 subdomain (lower-case
//! letters, digits, `-` and `.`, starting and ending with a letter or digit, at most 253
//! characters). Names taken from the cluster are valid already; anything else is folded into
//! that alphabet. Also the label that marks a policy as flowpol's.

use crate::engine::model::Owner;
use crate::engine::policy::kind::PolicyKind;

/// The label flowpol puts on the policies it writes.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "flowpol");

/// The longest DNS-1123 subdomain.
const MAX_SUBDOMAIN: usize = 253;

/// `text` as a DNS-1123 subdomain; `fallback` when nothing usable is left.
pub fn dns1123_subdomain(text: &str, fallback: &str) -> String {
    let mut name = String::with_capacity(text.len());
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if c == '.' && !name.ends_with(['-', '.']) {
            // Each dot-separated label must start and end with a letter or digit.
            name.push('.');
        } else if c != '.' && !name.ends_with(['-', '.']) {
            name.push('-');
        }
    }
    name.truncate(MAX_SUBDOMAIN);
    let name = name.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if name.is_empty() {
        fallback.to_string()
    } else {
        name.to_string()
    }
}

/// Whether `name` is a label name or value segment: at most 63 characters of letters,
/// digits, `-`, `_` and `.`, starting and ending with a letter or digit.
fn is_label_segment(name: &str) -> bool {
    name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether `key` and `value` form a label the API server accepts: an optional DNS-subdomain
/// prefix and `/`, a name segment, and an empty or segment-shaped value.
pub fn is_valid_label(key: &str, value: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| !p.is_empty() && dns1123_subdomain(p, "") == p);
    prefix_ok && is_label_segment(name) && (value.is_empty() || is_label_segment(value))
}

/// The policy's name: the workload's name and kind, e.g. `frontend-deployment`, so a
/// Deployment and a StatefulSet of the same name get different policies.
pub fn policy_name(owner: &Owner) -> String {
    let kind = owner.kind.as_str().to_ascii_lowercase();
    let base = dns1123_subdomain(&owner.name, "workload");
    let room = MAX_SUBDOMAIN - kind.len() - 1;
    let base = base[..base.len().min(room)].trim_end_matches(['-', '.']);
    format!("{base}-{kind}")
}

/// The file a single policy downloads as: `<entity>-networkpolicy.yaml` (or
/// `-ciliumnetworkpolicy.yaml`).
pub fn policy_file_name(owner: &Owner, kind: PolicyKind) -> String {
    format!(
        "{}-{}.yaml",
        dns1123_subdomain(&owner.name, "workload"),
        kind.file_words().0
    )
}

/// The file a namespace's bundle downloads as.
pub fn bundle_file_name(namespace: &str, kind: PolicyKind) -> String {
    format!(
        "{}-{}.yaml",
        dns1123_subdomain(namespace, "namespace"),
        kind.file_words().1
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::EntityKind;

    fn is_subdomain(name: &str) -> bool {
        !name.is_empty()
            && name.len() <= MAX_SUBDOMAIN
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && name.split('.').all(|label| {
                label.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && label.ends_with(|c: char| c.is_ascii_alphanumeric())
            })
    }

    #[test]
    fn cluster_names_are_kept() {
        let owner = Owner {
            kind: EntityKind::StatefulSet,
            namespace: "data".into(),
            name: "orders-db".into(),
        };
        assert_eq!(policy_name(&owner), "orders-db-statefulset");
        assert!(is_subdomain(&policy_name(&owner)));
        assert_eq!(
            policy_file_name(&owner, PolicyKind::Kubernetes),
            "orders-db-networkpolicy.yaml"
        );
        assert_eq!(
            policy_file_name(&owner, PolicyKind::Cilium),
            "orders-db-ciliumnetworkpolicy.yaml"
        );
        assert_eq!(dns1123_subdomain("My_App!", "x"), "my-app");
        assert_eq!(dns1123_subdomain("--", "x"), "x");
        assert_eq!(dns1123_subdomain("my..app", "x"), "my.app");
        assert_eq!(dns1123_subdomain("x-.y", "x"), "x-y");
        assert_eq!(dns1123_subdomain("x.-y", "x"), "x.y");
    }

    #[test]
    fn a_long_name_is_cut_to_leave_room_for_the_kind() {
        let owner = Owner {
            kind: EntityKind::Deployment,
            namespace: "n".into(),
            name: "a".repeat(300),
        };
        let name = policy_name(&owner);
        assert_eq!(name, format!("{}-deployment", "a".repeat(242)));
        assert_eq!(name.len(), MAX_SUBDOMAIN);
        assert!(is_subdomain(&name));
        let cut_at_a_dash = Owner {
            name: format!("{}-{}", "a".repeat(241), "b".repeat(20)),
            ..owner
        };
        assert_eq!(
            policy_name(&cut_at_a_dash),
            format!("{}-deployment", "a".repeat(241))
        );
    }

    #[test]
    fn a_bundle_is_named_after_its_namespace() {
        let bundle = |namespace| bundle_file_name(namespace, PolicyKind::Kubernetes);
        assert_eq!(bundle("shop"), "shop-networkpolicies.yaml");
        assert_eq!(bundle("Team_A"), "team-a-networkpolicies.yaml");
        assert_eq!(bundle(""), "namespace-networkpolicies.yaml");
        assert_eq!(
            bundle_file_name("shop", PolicyKind::Cilium),
            "shop-ciliumnetworkpolicies.yaml"
        );
    }

    #[test]
    fn labels_the_api_server_accepts() {
        assert!(is_valid_label("app", "on"));
        assert!(is_valid_label("app.kubernetes.io/name", "1.10"));
        assert!(is_valid_label("k", ""));
        assert!(!is_valid_label("owner", "~"));
        assert!(!is_valid_label("note", "a: b # c"));
        assert!(!is_valid_label("Bad/x", "v"), "prefix must be lower case");
        assert!(!is_valid_label("k", &"x".repeat(64)));
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        #[test]
        fn any_name_becomes_a_valid_subdomain(name in ".{0,300}") {
            let owner = Owner { kind: EntityKind::CronJob, namespace: "n".into(), name };
            proptest::prop_assert!(is_subdomain(&policy_name(&owner)), "{}", policy_name(&owner));
        }
    }
}
