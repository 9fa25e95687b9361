//! The kind of policy flowpol writes: Kubernetes' NetworkPolicy or Cilium's
//! CiliumNetworkPolicy, with the words the command line, file names and YAML use for each.

/// The kind of policy written: Kubernetes' NetworkPolicy or Cilium's CiliumNetworkPolicy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    #[default]
    Kubernetes,
    Cilium,
}

impl PolicyKind {
    /// `kubernetes` or `cilium`, as the command line and the decisions file write it.
    pub fn parse(text: &str) -> Result<PolicyKind, String> {
        match text {
            "kubernetes" => Ok(PolicyKind::Kubernetes),
            "cilium" => Ok(PolicyKind::Cilium),
            other => Err(format!("{other}: expected kubernetes or cilium")),
        }
    }

    /// The word file names use for one document of this kind, and for several.
    pub fn file_words(self) -> (&'static str, &'static str) {
        match self {
            PolicyKind::Kubernetes => ("networkpolicy", "networkpolicies"),
            PolicyKind::Cilium => ("ciliumnetworkpolicy", "ciliumnetworkpolicies"),
        }
    }

    /// The document kind, as in the YAML's `kind`.
    pub fn document_kind(self) -> &'static str {
        match self {
            PolicyKind::Kubernetes => "NetworkPolicy",
            PolicyKind::Cilium => "CiliumNetworkPolicy",
        }
    }
}
