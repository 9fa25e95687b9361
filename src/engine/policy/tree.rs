//! The policies as a tree of files for GitOps: one file per policy,
//! `<namespace>/<kind>-<name>.yaml`, a `kustomization.yaml` in each namespace folder listing
//! its files and one at the top listing the folders, so that `kubectl apply -k DIR` (Argo CD,
//! Flux) applies the tree as it is. With several clusters, each cluster has its own tree under
//! `<cluster>/` (a root of its own: one cluster's policies are not another's). Every file
//! starts with [`MARKER`], which is how a later run tells its own files from the user's.
//!
//! [`tree_zip`] packs the same files as one `.zip`, the page's download of the tree.
//!
//! Names from the data become folder names only when they are DNS-1123 labels (as Kubernetes
//! requires of namespaces); a policy whose namespace or cluster is not is left out and said
//! so, never written outside the tree.

use std::collections::BTreeMap;

use crate::engine::policy::build::GeneratedPolicy;
use crate::engine::policy::kind::PolicyKind;
use crate::engine::policy::{documents_yaml, wider_comments};

/// The first line of every file the tree holds.
pub const MARKER: &str =
    "# flowpol: written by `flowpol generate --out-dir`, which rewrites or removes this file";

/// One file of the tree: its path, relative, `/`-separated, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub text: String,
}

/// The files of the tree, in path order, and what was left out and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub files: Vec<TreeFile>,
    pub left_out: Vec<String>,
}

/// Whether `name` is a DNS-1123 label: lower-case letters, digits and `-`, at most 63, a
/// letter or digit at each end. Such a name is a safe folder name on every system.
fn is_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// Whether `name` is a DNS-1123 subdomain (a policy's name): labels joined by dots.
fn is_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_label)
}

/// `kustomization.yaml` listing `resources`.
fn kustomization(resources: &[String]) -> String {
    let mut text = format!(
        "{MARKER}\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
    );
    for resource in resources {
        text.push_str(&format!("- {resource}\n"));
    }
    text
}

/// The tree of `generated`'s policies of `kind`.
pub fn gitops_tree(generated: &[GeneratedPolicy], kind: PolicyKind) -> Result<Tree, String> {
    let spans_clusters = generated
        .iter()
        .filter_map(|g| g.cluster.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    // Root (cluster folder or "") -> namespace -> file name -> text.
    let mut roots: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    let mut left_out = Vec::new();
    for g in generated {
        let (namespace, name, file_kind, text) = match kind {
            PolicyKind::Kubernetes => {
                let Some(policy) = &g.policy else { continue };
                let text = documents_yaml(&[(
                    g.cluster.as_deref(),
                    wider_comments(g, kind),
                    Some(policy),
                )])?;
                (
                    policy.metadata.namespace.clone(),
                    policy.metadata.name.clone(),
                    "networkpolicy",
                    text,
                )
            }
            PolicyKind::Cilium => {
                let Some(policy) = g.cilium() else { continue };
                let text = documents_yaml(&[(
                    g.cluster.as_deref(),
                    wider_comments(g, kind),
                    Some(&policy),
                )])?;
                (
                    policy.metadata.namespace.clone(),
                    policy.metadata.name.clone(),
                    "ciliumnetworkpolicy",
                    text,
                )
            }
        };
        let root = if spans_clusters {
            g.cluster.clone().unwrap_or_default()
        } else {
            String::new()
        };
        if !is_label(&namespace) || !is_subdomain(&name) || (spans_clusters && !is_label(&root)) {
            left_out.push(format!(
                "{file_kind} {name:?} of namespace {namespace:?}{}: not a name Kubernetes accepts \
                 as a folder (DNS-1123), so no file is written for it",
                if spans_clusters {
                    format!(" in cluster {root:?}")
                } else {
                    String::new()
                }
            ));
            continue;
        }
        roots
            .entry(root)
            .or_default()
            .entry(namespace)
            .or_default()
            .insert(
                format!("{file_kind}-{name}.yaml"),
                format!("{MARKER}\n{text}"),
            );
    }
    let mut files = Vec::new();
    for (root, namespaces) in &roots {
        let prefix = if root.is_empty() {
            String::new()
        } else {
            format!("{root}/")
        };
        for (namespace, documents) in namespaces {
            let names: Vec<String> = documents.keys().cloned().collect();
            files.push(TreeFile {
                path: format!("{prefix}{namespace}/kustomization.yaml"),
                text: kustomization(&names),
            });
            for (file, text) in documents {
                files.push(TreeFile {
                    path: format!("{prefix}{namespace}/{file}"),
                    text: text.clone(),
                });
            }
        }
        let folders: Vec<String> = namespaces.keys().cloned().collect();
        files.push(TreeFile {
            path: format!("{prefix}kustomization.yaml"),
            text: kustomization(&folders),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Tree { files, left_out })
}

/// The tree as one `.zip` archive (stored, with the fixed date zip files default to, so the
/// same tree gives the same bytes on any day), its paths at the archive's root.
pub fn tree_zip(tree: &Tree) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    let failed = |e: &dyn std::fmt::Display| format!("the .zip could not be written: {e}");
    for file in &tree.files {
        archive
            .start_file(file.path.as_str(), options)
            .map_err(|e| failed(&e))?;
        archive
            .write_all(file.text.as_bytes())
            .map_err(|e| failed(&e))?;
    }
    let bytes = archive.finish().map_err(|e| failed(&e))?;
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests;
