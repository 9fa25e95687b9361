//! The GitOps tree of the demo's policies, of hostile names, and of two clusters.

use std::collections::BTreeSet;

use super::*;
use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::load::shipped_demo;
use crate::engine::model::network_policy::NetworkPolicy;
use crate::engine::model::TimeWindow;
use crate::engine::policy::generate_policies;
use crate::engine::yaml::from_yaml;

fn demo() -> Dataset {
    shipped_demo()
}

fn generated(dataset: &Dataset) -> Vec<GeneratedPolicy> {
    let entities: Vec<_> = dataset.entity_ids().collect();
    generate_policies(dataset, &Decisions::default(), &entities, TimeWindow::ALL)
}

/// The `resources` a kustomization lists.
fn resources(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|line| *line != "resources:")
        .skip(1)
        .map(|line| line.strip_prefix("- ").expect("a list item").to_string())
        .collect()
}

#[test]
fn every_policy_has_its_file_listed_once_by_its_namespaces_kustomization() {
    let dataset = demo();
    let generated = generated(&dataset);
    let tree = gitops_tree(&generated, PolicyKind::Kubernetes).unwrap();
    assert!(tree.left_out.is_empty(), "{:?}", tree.left_out);
    let paths: BTreeSet<&str> = tree.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths.len(), tree.files.len(), "no path twice");
    let mut read_back = Vec::new();
    for file in &tree.files {
        assert!(
            file.text.starts_with(&format!("{MARKER}\n")),
            "{}",
            file.path
        );
        if file.path.ends_with("kustomization.yaml") {
            continue;
        }
        let (namespace, name) = file.path.split_once('/').unwrap();
        assert!(
            name.starts_with("networkpolicy-") && name.ends_with(".yaml"),
            "{}",
            file.path
        );
        let policies: Vec<NetworkPolicy> = from_yaml(&file.text).unwrap();
        assert_eq!(policies.len(), 1, "{}", file.path);
        assert_eq!(policies[0].metadata.namespace, namespace);
        assert_eq!(
            name,
            format!("networkpolicy-{}.yaml", policies[0].metadata.name)
        );
        // Listed exactly once, by its own folder's kustomization.
        let listing = tree
            .files
            .iter()
            .find(|f| f.path == format!("{namespace}/kustomization.yaml"))
            .unwrap();
        let listed = resources(&listing.text);
        assert_eq!(
            listed.iter().filter(|r| *r == name).count(),
            1,
            "{}",
            file.path
        );
        read_back.push(policies.into_iter().next().unwrap());
    }
    let expected: Vec<&NetworkPolicy> =
        generated.iter().filter_map(|g| g.policy.as_ref()).collect();
    assert_eq!(read_back.len(), expected.len());
    for policy in expected {
        assert!(read_back.contains(policy), "{}", policy.metadata.name);
    }
    // Each namespace's kustomization lists exactly its folder's policy files; the top one
    // lists exactly the folders.
    let namespaces: BTreeSet<&str> = tree
        .files
        .iter()
        .filter_map(|f| f.path.split_once('/').map(|(folder, _)| folder))
        .collect();
    for namespace in &namespaces {
        let listing = tree
            .files
            .iter()
            .find(|f| f.path == format!("{namespace}/kustomization.yaml"))
            .unwrap();
        let mut listed = resources(&listing.text);
        let mut files: Vec<String> = tree
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix(&format!("{namespace}/")))
            .filter(|name| *name != "kustomization.yaml")
            .map(str::to_string)
            .collect();
        listed.sort();
        files.sort();
        assert_eq!(listed, files, "{namespace}");
    }
    let top = tree
        .files
        .iter()
        .find(|f| f.path == "kustomization.yaml")
        .unwrap();
    let folders: BTreeSet<String> = resources(&top.text).into_iter().collect();
    assert_eq!(folders, namespaces.iter().map(|n| n.to_string()).collect());
}

#[test]
fn cilium_policies_have_their_own_file_names() {
    let dataset = demo();
    let tree = gitops_tree(&generated(&dataset), PolicyKind::Cilium).unwrap();
    let policy_files: Vec<&TreeFile> = tree
        .files
        .iter()
        .filter(|f| !f.path.ends_with("kustomization.yaml"))
        .collect();
    assert!(!policy_files.is_empty());
    for file in policy_files {
        assert!(file.path.contains("/ciliumnetworkpolicy-"), "{}", file.path);
        assert!(
            file.text.contains("kind: CiliumNetworkPolicy\n"),
            "{}",
            file.text
        );
    }
}

#[test]
fn a_namespace_that_is_no_folder_name_is_left_out_and_said_so() {
    let dataset = demo();
    let mut generated = generated(&dataset);
    let hostile = [
        "../../etc",
        "/abs",
        "a/b",
        "",
        "UPPER",
        "x".repeat(64).as_str(),
    ]
    .map(str::to_string);
    for (g, namespace) in generated.iter_mut().zip(&hostile) {
        g.policy.as_mut().unwrap().metadata.namespace = namespace.clone();
    }
    let tree = gitops_tree(&generated, PolicyKind::Kubernetes).unwrap();
    assert_eq!(tree.left_out.len(), hostile.len(), "{:?}", tree.left_out);
    for file in &tree.files {
        assert!(
            file.path
                .split('/')
                .all(|part| is_label(part) || part.ends_with(".yaml"))
                && !file.path.starts_with('/'),
            "{}",
            file.path
        );
        assert!(!file.path.contains(".."), "{}", file.path);
    }
    assert!(
        tree.left_out[0].contains("\"../../etc\""),
        "{}",
        tree.left_out[0]
    );
}

#[test]
fn two_clusters_have_a_tree_each_and_no_common_root() {
    let dataset = demo();
    let mut generated = generated(&dataset);
    for (index, g) in generated.iter_mut().enumerate() {
        g.cluster = Some(if index % 2 == 0 { "east" } else { "west" }.to_string());
    }
    let tree = gitops_tree(&generated, PolicyKind::Kubernetes).unwrap();
    assert!(tree
        .files
        .iter()
        .all(|f| f.path.starts_with("east/") || f.path.starts_with("west/")));
    assert!(tree
        .files
        .iter()
        .any(|f| f.path == "east/kustomization.yaml"));
    assert!(tree
        .files
        .iter()
        .any(|f| f.path == "west/kustomization.yaml"));
    assert!(!tree.files.iter().any(|f| f.path == "kustomization.yaml"));
}

#[test]
fn the_zip_holds_the_tree_file_for_file_and_the_same_bytes_on_any_day() {
    use std::io::Read;
    let dataset = demo();
    let tree = gitops_tree(&generated(&dataset), PolicyKind::Kubernetes).unwrap();
    let bytes = tree_zip(&tree).unwrap();
    assert_eq!(bytes, tree_zip(&tree).unwrap(), "no clock in the archive");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(archive.len(), tree.files.len());
    for (index, file) in tree.files.iter().enumerate() {
        let mut entry = archive.by_index(index).unwrap();
        assert_eq!(entry.name().unwrap(), file.path.as_str());
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        assert_eq!(text, file.text, "{}", file.path);
    }
}
