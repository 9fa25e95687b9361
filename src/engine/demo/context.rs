//! What the demo's events are drawn from, fixed for a whole log: the cluster, the connection
//! templates and their weights, every pod's Hubble endpoint, the reserved identities (world,
//! host, API server), the nodes' names, each workload's DNS query and the answers to them.

use super::cluster::{DemoCluster, CLUSTER_NAME};
use super::event::Side;
use super::hubble_wire::{Endpoint, ServiceRef, WorkloadRef};
use super::traffic::{dns_query_for, templates, Template, Weighted};

/// Labels Cilium leaves out of identities: the controllers' generated ones.
const VOLATILE_LABELS: [&str; 7] = [
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "controller-uid",
    "job-name",
    "apps.kubernetes.io/pod-index",
    "statefulset.kubernetes.io/pod-name",
];

/// The immutable context the events are drawn from.
pub(super) struct Context<'c> {
    pub(super) cluster: &'c DemoCluster,
    pub(super) templates: Vec<Weighted>,
    total_weight: f64,
    pod_endpoints: Vec<Endpoint>,
    pub(super) world: Endpoint,
    pub(super) host: Endpoint,
    pub(super) api_server: Endpoint,
    pub(super) node_names: Vec<String>,
    pub(super) dns_queries: Vec<String>,
}

/// The Hubble endpoint of a pod: its identity's labels (with Cilium's namespace, cluster and
/// service account labels), its workload.
fn pod_endpoint(cluster: &DemoCluster, pod_index: usize) -> Endpoint {
    let pod = &cluster.pods[pod_index];
    let spec = &cluster.workloads[pod.workload];
    let mut labels: Vec<String> = pod
        .labels
        .iter()
        .filter(|(k, _)| {
            !VOLATILE_LABELS.contains(&k.as_str()) && !k.starts_with("batch.kubernetes.io/")
        })
        .map(|(k, v)| format!("k8s:{k}={v}"))
        .collect();
    labels.extend([
        format!(
            "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={}",
            spec.namespace
        ),
        format!("k8s:io.cilium.k8s.policy.cluster={CLUSTER_NAME}"),
        format!(
            "k8s:io.cilium.k8s.policy.serviceaccount={}",
            spec.service_account
        ),
        format!("k8s:io.kubernetes.pod.namespace={}", spec.namespace),
    ]);
    labels.sort();
    Endpoint {
        id: Some(100 + 37 * pod_index as u32),
        identity: 20_000 + 131 * pod.workload as u32,
        cluster_name: Some(CLUSTER_NAME.to_string()),
        namespace: Some(spec.namespace.to_string()),
        labels,
        pod_name: Some(pod.name.clone()),
        workloads: vec![WorkloadRef {
            name: spec.name.to_string(),
            kind: spec.kind.as_str().to_string(),
        }],
    }
}

impl<'c> Context<'c> {
    pub(super) fn new(cluster: &'c DemoCluster) -> Self {
        let templates = templates(cluster);
        let total_weight = templates.iter().map(|w| w.weight).sum();
        let dns_queries = (0..cluster.workloads.len())
            .map(|i| dns_query_for(cluster, &templates, i))
            .collect();
        Context {
            cluster,
            total_weight,
            pod_endpoints: (0..cluster.pods.len())
                .map(|i| pod_endpoint(cluster, i))
                .collect(),
            world: Endpoint::reserved(2, "world"),
            host: Endpoint::reserved(1, "host"),
            api_server: Endpoint::reserved(7, "kube-apiserver"),
            node_names: cluster
                .nodes
                .iter()
                .map(|n| format!("{CLUSTER_NAME}/{}", n.name))
                .collect(),
            dns_queries,
            templates,
        }
    }

    /// A template drawn by weight.
    pub(super) fn pick_template(&self, rng: &mut fastrand::Rng) -> usize {
        let mut target = rng.f64() * self.total_weight;
        for (i, weighted) in self.templates.iter().enumerate() {
            target -= weighted.weight;
            if target <= 0.0 {
                return i;
            }
        }
        self.templates.len() - 1
    }

    /// A pod as one side of a connection.
    pub(super) fn pod_side(&self, pod_index: usize) -> Side<'_> {
        let pod = &self.cluster.pods[pod_index];
        Side {
            endpoint: &self.pod_endpoints[pod_index],
            ip: &pod.ip,
            node: Some(pod.node),
        }
    }

    /// The indices of the pods of a workload.
    pub(super) fn pod_indices(&self, workload: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.cluster.pods.len()).filter(move |&i| self.cluster.pods[i].workload == workload)
    }

    /// A random pod of a workload.
    pub(super) fn random_pod(&self, rng: &mut fastrand::Rng, workload: usize) -> usize {
        let candidates: Vec<usize> = self.pod_indices(workload).collect();
        candidates[rng.usize(..candidates.len())]
    }

    /// The Service in front of a workload, as a flow names it.
    pub(super) fn service_ref(&self, workload: usize) -> Option<ServiceRef<'c>> {
        self.cluster.service_of(workload).map(|s| ServiceRef {
            name: s.name,
            namespace: s.namespace,
        })
    }

    /// The addresses a DNS query is answered with: an external name's IPs, a Service's
    /// ClusterIP, or a headless Service's pod IPs.
    pub(super) fn dns_answer(&self, query: &str) -> Vec<&str> {
        let name = query.trim_end_matches('.');
        for weighted in &self.templates {
            if let Template::External { fqdn, ips, .. } = weighted.template {
                if fqdn == name {
                    return ips.to_vec();
                }
            }
        }
        let cluster = self.cluster;
        for service in cluster.services {
            if format!("{}.{}.svc.cluster.local", service.name, service.namespace) != name {
                continue;
            }
            if let Some(ip) = service.cluster_ip {
                return vec![ip];
            }
            return cluster
                .pods
                .iter()
                .filter(|pod| {
                    let labels = &pod.labels;
                    service
                        .selector
                        .iter()
                        .all(|(k, v)| labels.iter().any(|(pk, pv)| pk == k && pv == v))
                })
                .map(|pod| pod.ip.as_str())
                .collect();
        }
        Vec::new()
    }
}
