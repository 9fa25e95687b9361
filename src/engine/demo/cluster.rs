//! The demo cluster's objects: nodes, namespaces, workloads with their controllers, pods and
//! Services of a small online shop, laid out deterministically from a seed.
//!
//! The model is chosen to exercise everything flowpol must get right: a Deployment in the middle
//! of a rollout (two ReplicaSets), a StatefulSet, a DaemonSet, a CronJob with several Jobs, a Job
//! with no CronJob, a bare Pod, a Service with a named `targetPort`, a Service whose port differs
//! from its target, cluster DNS, label values that YAML 1.1 would misread (`1.10`, `yes`).

pub use crate::engine::model::{EntityKind, Protocol};

/// A port a container listens on.
#[derive(Clone, Copy, Debug)]
pub struct ContainerPort {
    pub name: &'static str,
    pub port: u16,
    pub protocol: Protocol,
}

/// The static description of one workload.
#[derive(Debug)]
pub struct WorkloadSpec {
    pub namespace: &'static str,
    pub name: &'static str,
    pub kind: EntityKind,
    pub replicas: usize,
    pub labels: &'static [(&'static str, &'static str)],
    pub ports: &'static [ContainerPort],
    pub service_account: &'static str,
    /// A Deployment caught mid-rollout: pods come from two ReplicaSets.
    pub mid_rollout: bool,
}

/// The port a Service forwards to: a number or the name of a container port.
#[derive(Clone, Copy, Debug)]
pub enum TargetPort {
    Number(u16),
    Named(&'static str),
}

/// One port of a Service.
#[derive(Clone, Copy, Debug)]
pub struct ServicePort {
    pub name: &'static str,
    pub port: u16,
    pub target: TargetPort,
    pub protocol: Protocol,
}

/// The static description of one Service.
#[derive(Debug)]
pub struct ServiceSpec {
    pub namespace: &'static str,
    pub name: &'static str,
    /// `None` for a headless Service.
    pub cluster_ip: Option<&'static str>,
    pub selector: &'static [(&'static str, &'static str)],
    pub ports: &'static [ServicePort],
}

/// A node of the cluster.
#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub internal_ip: String,
    /// The third octet of this node's pod CIDR `10.244.N.0/24`.
    pub pod_subnet: u8,
}

impl Node {
    /// The node's pod CIDR.
    pub fn pod_cidr(&self) -> String {
        format!("10.244.{}.0/24", self.pod_subnet)
    }
}

/// A ReplicaSet created by a Deployment.
#[derive(Clone, Debug)]
pub struct ReplicaSet {
    pub workload: usize,
    pub name: String,
    pub template_hash: String,
    pub uid: String,
}

/// A Job, created by a CronJob or on its own.
#[derive(Clone, Debug)]
pub struct JobRun {
    pub workload: usize,
    pub name: String,
    pub uid: String,
    /// Minutes since the Unix epoch at which a CronJob scheduled it.
    pub scheduled_minute: Option<u64>,
}

/// The object directly owning a pod.
#[derive(Clone, Debug)]
pub enum PodOwner {
    ReplicaSet(usize),
    Job(usize),
    /// The workload itself (StatefulSet, DaemonSet).
    Workload,
    None,
}

/// A pod of the demo cluster.
#[derive(Clone, Debug)]
pub struct Pod {
    pub workload: usize,
    pub name: String,
    pub ip: String,
    pub node: usize,
    pub owner: PodOwner,
    /// All labels of the pod, the controller's generated ones included.
    pub labels: Vec<(String, String)>,
    pub uid: String,
    pub finished: bool,
}

/// The whole demo cluster.
#[derive(Debug)]
pub struct DemoCluster {
    pub name: &'static str,
    pub nodes: Vec<Node>,
    pub namespaces: Vec<&'static str>,
    pub workloads: &'static [WorkloadSpec],
    pub services: &'static [ServiceSpec],
    pub replica_sets: Vec<ReplicaSet>,
    pub jobs: Vec<JobRun>,
    pub pods: Vec<Pod>,
    /// The kube-apiserver endpoint.
    pub api_server_ip: &'static str,
    /// The uid of each workload, by index.
    pub workload_uids: Vec<String>,
}

const fn tcp(name: &'static str, port: u16) -> ContainerPort {
    ContainerPort {
        name,
        port,
        protocol: Protocol::Tcp,
    }
}

const fn udp(name: &'static str, port: u16) -> ContainerPort {
    ContainerPort {
        name,
        port,
        protocol: Protocol::Udp,
    }
}

const fn svc_port(name: &'static str, port: u16, target: TargetPort) -> ServicePort {
    ServicePort {
        name,
        port,
        target,
        protocol: Protocol::Tcp,
    }
}

/// The name of the demo cluster.
pub const CLUSTER_NAME: &str = "shop-prod";

/// Every workload of the demo.
pub static WORKLOADS: &[WorkloadSpec] = &[
    WorkloadSpec {
        namespace: "shop",
        name: "frontend",
        kind: EntityKind::Deployment,
        replicas: 2,
        labels: &[("app", "frontend"), ("tier", "web")],
        ports: &[tcp("http", 8080), tcp("metrics", 9090)],
        service_account: "frontend",
        mid_rollout: true,
    },
    WorkloadSpec {
        namespace: "shop",
        name: "cart",
        kind: EntityKind::Deployment,
        replicas: 2,
        labels: &[("app", "cart")],
        ports: &[tcp("grpc", 7070), tcp("metrics", 9090)],
        service_account: "cart",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "shop",
        name: "catalog",
        kind: EntityKind::Deployment,
        replicas: 2,
        labels: &[("app", "catalog"), ("version", "1.10")],
        ports: &[tcp("grpc", 3550)],
        service_account: "catalog",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "payments",
        name: "checkout",
        kind: EntityKind::Deployment,
        replicas: 2,
        labels: &[("app", "checkout")],
        ports: &[tcp("grpc", 5050), tcp("metrics", 9090)],
        service_account: "checkout",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "payments",
        name: "payment-gateway",
        kind: EntityKind::Deployment,
        replicas: 2,
        labels: &[("app", "payment-gateway"), ("pci", "yes")],
        ports: &[tcp("https", 8443)],
        service_account: "payment-gateway",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "data",
        name: "orders-db",
        kind: EntityKind::StatefulSet,
        replicas: 2,
        labels: &[
            ("app.kubernetes.io/name", "postgresql"),
            ("app.kubernetes.io/instance", "orders-db"),
        ],
        ports: &[tcp("postgresql", 5432), tcp("metrics", 9187)],
        service_account: "orders-db",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "data",
        name: "redis",
        kind: EntityKind::Deployment,
        replicas: 1,
        labels: &[("app", "redis")],
        ports: &[tcp("redis", 6379)],
        service_account: "default",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "data",
        name: "db-backup",
        kind: EntityKind::CronJob,
        replicas: 3,
        labels: &[("app", "db-backup")],
        ports: &[],
        service_account: "db-backup",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "data",
        name: "schema-migrate",
        kind: EntityKind::Job,
        replicas: 1,
        labels: &[("app", "schema-migrate")],
        ports: &[],
        service_account: "default",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "monitoring",
        name: "prometheus",
        kind: EntityKind::Deployment,
        replicas: 1,
        labels: &[("app", "prometheus")],
        ports: &[tcp("web", 9090)],
        service_account: "prometheus",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "monitoring",
        name: "node-exporter",
        kind: EntityKind::DaemonSet,
        replicas: 3,
        labels: &[("app", "node-exporter")],
        ports: &[tcp("metrics", 9100)],
        service_account: "node-exporter",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "default",
        name: "debug-shell",
        kind: EntityKind::Pod,
        replicas: 1,
        labels: &[("run", "debug-shell")],
        ports: &[],
        service_account: "default",
        mid_rollout: false,
    },
    WorkloadSpec {
        namespace: "kube-system",
        name: "coredns",
        kind: EntityKind::Deployment,
        replicas: 2,
        labels: &[("k8s-app", "kube-dns")],
        ports: &[udp("dns", 53), tcp("dns-tcp", 53), tcp("metrics", 9153)],
        service_account: "coredns",
        mid_rollout: false,
    },
];

/// Every Service of the demo.
pub static SERVICES: &[ServiceSpec] = &[
    ServiceSpec {
        namespace: "shop",
        name: "frontend",
        cluster_ip: Some("10.96.20.10"),
        selector: &[("app", "frontend")],
        ports: &[svc_port("http", 80, TargetPort::Named("http"))],
    },
    ServiceSpec {
        namespace: "shop",
        name: "cart",
        cluster_ip: Some("10.96.20.11"),
        selector: &[("app", "cart")],
        ports: &[svc_port("grpc", 7070, TargetPort::Number(7070))],
    },
    ServiceSpec {
        namespace: "shop",
        name: "catalog",
        cluster_ip: Some("10.96.20.12"),
        selector: &[("app", "catalog")],
        ports: &[svc_port("grpc", 80, TargetPort::Number(3550))],
    },
    ServiceSpec {
        namespace: "payments",
        name: "checkout",
        cluster_ip: Some("10.96.30.10"),
        selector: &[("app", "checkout")],
        ports: &[svc_port("grpc", 5050, TargetPort::Number(5050))],
    },
    ServiceSpec {
        namespace: "payments",
        name: "payment-gateway",
        cluster_ip: Some("10.96.30.11"),
        selector: &[("app", "payment-gateway")],
        ports: &[svc_port("https", 443, TargetPort::Named("https"))],
    },
    ServiceSpec {
        namespace: "data",
        name: "orders-db",
        cluster_ip: None,
        selector: &[("app.kubernetes.io/instance", "orders-db")],
        ports: &[svc_port("postgresql", 5432, TargetPort::Number(5432))],
    },
    ServiceSpec {
        namespace: "data",
        name: "redis",
        cluster_ip: Some("10.96.40.10"),
        selector: &[("app", "redis")],
        ports: &[svc_port("redis", 6379, TargetPort::Number(6379))],
    },
    ServiceSpec {
        namespace: "kube-system",
        name: "kube-dns",
        cluster_ip: Some("10.96.0.10"),
        selector: &[("k8s-app", "kube-dns")],
        ports: &[
            ServicePort {
                name: "dns",
                port: 53,
                target: TargetPort::Number(53),
                protocol: Protocol::Udp,
            },
            svc_port("dns-tcp", 53, TargetPort::Number(53)),
            svc_port("metrics", 9153, TargetPort::Number(9153)),
        ],
    },
    ServiceSpec {
        namespace: "default",
        name: "kubernetes",
        cluster_ip: Some("10.96.0.1"),
        selector: &[],
        ports: &[svc_port("https", 443, TargetPort::Number(6443))],
    },
];

/// Characters Kubernetes uses for generated name suffixes.
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A random Kubernetes-style name suffix of `len` characters.
pub fn random_suffix(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len)
        .map(|_| SUFFIX_ALPHABET[rng.usize(..SUFFIX_ALPHABET.len())] as char)
        .collect()
}

/// A random RFC 4122 version-4 UUID.
pub fn random_uuid(rng: &mut fastrand::Rng) -> String {
    let hi = rng.u64(..);
    let lo = rng.u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0x0fff,
        0x8000 | (lo >> 48) & 0x3fff,
        lo & 0xffff_ffff_ffff
    )
}

/// The minute (since the Unix epoch) of the first demo CronJob run.
pub const FIRST_CRON_MINUTE: u64 = 29_396_160;

impl DemoCluster {
    /// Lays the cluster out from `seed`: the same seed always gives the same names and IPs.
    pub fn new(seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let nodes: Vec<Node> = ["node-a", "node-b", "node-c"]
            .iter()
            .enumerate()
            .map(|(i, name)| Node {
                name: (*name).to_string(),
                internal_ip: format!("172.20.0.{}", 11 + i),
                pod_subnet: 1 + i as u8,
            })
            .collect();
        let mut namespaces: Vec<&'static str> = WORKLOADS.iter().map(|w| w.namespace).collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        let workload_uids = WORKLOADS.iter().map(|_| random_uuid(&mut rng)).collect();

        let mut cluster = DemoCluster {
            name: CLUSTER_NAME,
            nodes,
            namespaces,
            workloads: WORKLOADS,
            services: SERVICES,
            replica_sets: Vec::new(),
            jobs: Vec::new(),
            pods: Vec::new(),
            api_server_ip: "172.20.0.2",
            workload_uids,
        };
        let mut next_host = vec![10u8; cluster.nodes.len()];
        for (index, spec) in WORKLOADS.iter().enumerate() {
            for (name, owner, extra_labels, finished) in cluster.pod_plan(index, spec, &mut rng) {
                let node = match spec.kind {
                    EntityKind::DaemonSet => cluster.pods_of(index).count() % cluster.nodes.len(),
                    _ => rng.usize(..cluster.nodes.len()),
                };
                next_host[node] += 1;
                let ip = format!(
                    "10.244.{}.{}",
                    cluster.nodes[node].pod_subnet, next_host[node]
                );
                let mut labels: Vec<(String, String)> = spec
                    .labels
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                    .collect();
                labels.extend(extra_labels);
                cluster.pods.push(Pod {
                    workload: index,
                    name,
                    ip,
                    node,
                    owner,
                    labels,
                    uid: random_uuid(&mut rng),
                    finished,
                });
            }
        }
        cluster
    }

    /// Names, owners, generated labels and completion of the pods of one workload; registers
    /// the ReplicaSets and Jobs it creates.
    #[allow(clippy::type_complexity)]
    fn pod_plan(
        &mut self,
        index: usize,
        spec: &WorkloadSpec,
        rng: &mut fastrand::Rng,
    ) -> Vec<(String, PodOwner, Vec<(String, String)>, bool)> {
        let label = |k: &str, v: &str| (k.to_string(), v.to_string());
        let mut plan = Vec::new();
        match spec.kind {
            EntityKind::Deployment => {
                let sets = if spec.mid_rollout { 2 } else { 1 };
                for _ in 0..sets {
                    let hash = random_suffix(rng, 10);
                    let rs_index = self.replica_sets.len();
                    self.replica_sets.push(ReplicaSet {
                        workload: index,
                        name: format!("{}-{hash}", spec.name),
                        template_hash: hash.clone(),
                        uid: random_uuid(rng),
                    });
                    for _ in 0..spec.replicas {
                        let name = format!("{}-{hash}-{}", spec.name, random_suffix(rng, 5));
                        let labels = vec![label("pod-template-hash", &hash)];
                        plan.push((name, PodOwner::ReplicaSet(rs_index), labels, false));
                    }
                }
            }
            EntityKind::StatefulSet => {
                let revision = format!("{}-{}", spec.name, random_suffix(rng, 10));
                for i in 0..spec.replicas {
                    let name = format!("{}-{i}", spec.name);
                    let labels = vec![
                        label("apps.kubernetes.io/pod-index", &i.to_string()),
                        label("controller-revision-hash", &revision),
                        label("statefulset.kubernetes.io/pod-name", &name),
                    ];
                    plan.push((name, PodOwner::Workload, labels, false));
                }
            }
            EntityKind::DaemonSet => {
                let revision = random_suffix(rng, 10);
                for _ in 0..self.nodes.len() {
                    let name = format!("{}-{}", spec.name, random_suffix(rng, 5));
                    let labels = vec![
                        label("controller-revision-hash", &revision),
                        label("pod-template-generation", "1"),
                    ];
                    plan.push((name, PodOwner::Workload, labels, false));
                }
            }
            EntityKind::CronJob | EntityKind::Job => {
                for run in 0..spec.replicas {
                    let (job_name, minute) = if spec.kind == EntityKind::CronJob {
                        let minute = FIRST_CRON_MINUTE + 20 * run as u64;
                        (format!("{}-{minute}", spec.name), Some(minute))
                    } else {
                        (spec.name.to_string(), None)
                    };
                    let uid = random_uuid(rng);
                    let job_index = self.jobs.len();
                    self.jobs.push(JobRun {
                        workload: index,
                        name: job_name.clone(),
                        uid: uid.clone(),
                        scheduled_minute: minute,
                    });
                    let name = format!("{job_name}-{}", random_suffix(rng, 5));
                    let labels = vec![
                        label("batch.kubernetes.io/controller-uid", &uid),
                        label("batch.kubernetes.io/job-name", &job_name),
                        label("controller-uid", &uid),
                        label("job-name", &job_name),
                    ];
                    let finished = run + 1 < spec.replicas;
                    plan.push((name, PodOwner::Job(job_index), labels, finished));
                }
            }
            // The demo runs no Argo Rollouts: a Rollout's spec would be planned as a bare pod.
            EntityKind::Pod | EntityKind::Rollout => {
                plan.push((spec.name.to_string(), PodOwner::None, Vec::new(), false));
            }
        }
        plan
    }

    /// The pods of workload `index`.
    pub fn pods_of(&self, index: usize) -> impl Iterator<Item = &Pod> + '_ {
        self.pods.iter().filter(move |p| p.workload == index)
    }

    /// The index of the workload called `name` (names are unique in the demo).
    pub fn workload_index(&self, name: &str) -> Option<usize> {
        self.workloads.iter().position(|w| w.name == name)
    }

    /// The Service whose selector picks the pods of workload `index`, if any.
    pub fn service_of(&self, index: usize) -> Option<&'static ServiceSpec> {
        let spec = &self.workloads[index];
        self.services.iter().find(|s| {
            s.namespace == spec.namespace
                && !s.selector.is_empty()
                && s.selector.iter().all(|sel| spec.labels.contains(sel))
        })
    }

    /// The IP a pod of the cluster never had in the inventory: a pod deleted before the
    /// snapshot was taken. Lies in node-b's pod CIDR.
    pub fn vanished_pod_ip(&self) -> String {
        format!("10.244.{}.250", self.nodes[1].pod_subnet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_cluster() {
        let a = DemoCluster::new(7);
        let b = DemoCluster::new(7);
        let names = |c: &DemoCluster| c.pods.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&DemoCluster::new(8)));
    }

    #[test]
    fn pod_ips_are_unique_and_inside_their_node_cidr() {
        let cluster = DemoCluster::new(1);
        let mut ips: Vec<&str> = cluster.pods.iter().map(|p| p.ip.as_str()).collect();
        for pod in &cluster.pods {
            let prefix = format!("10.244.{}.", cluster.nodes[pod.node].pod_subnet);
            assert!(pod.ip.starts_with(&prefix), "{} on {}", pod.ip, pod.node);
        }
        ips.sort_unstable();
        let before = ips.len();
        ips.dedup();
        assert_eq!(before, ips.len());
        assert!(!ips.contains(&cluster.vanished_pod_ip().as_str()));
    }

    #[test]
    fn covers_every_controller_shape() {
        let cluster = DemoCluster::new(1);
        let frontend = cluster.workload_index("frontend").unwrap();
        let frontend_sets = cluster
            .replica_sets
            .iter()
            .filter(|rs| rs.workload == frontend)
            .count();
        assert_eq!(frontend_sets, 2, "frontend is mid-rollout");
        let cron = cluster.workload_index("db-backup").unwrap();
        assert_eq!(
            cluster.jobs.iter().filter(|j| j.workload == cron).count(),
            3
        );
        let lone_job = cluster.workload_index("schema-migrate").unwrap();
        assert!(cluster
            .jobs
            .iter()
            .any(|j| j.workload == lone_job && j.scheduled_minute.is_none()));
        let daemon = cluster.workload_index("node-exporter").unwrap();
        let mut daemon_nodes: Vec<usize> = cluster.pods_of(daemon).map(|p| p.node).collect();
        daemon_nodes.sort_unstable();
        assert_eq!(daemon_nodes, vec![0, 1, 2], "one DaemonSet pod per node");
        let bare = cluster.workload_index("debug-shell").unwrap();
        assert!(cluster
            .pods_of(bare)
            .all(|p| matches!(p.owner, PodOwner::None)));
    }

    #[test]
    fn uuids_have_version_and_variant_bits() {
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..100 {
            let id = random_uuid(&mut rng);
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4");
            assert!("89ab".contains(&id[19..20]), "{id}");
        }
    }
}
