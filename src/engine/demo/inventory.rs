//! The demo cluster as `kubectl get namespaces,nodes,pods,services,replicasets,deployments,
//! statefulsets,daemonsets,jobs,cronjobs -A -o json` prints it: one `v1 List`.

use serde_json::{json, Map, Value};

use super::cluster::{
    DemoCluster, EntityKind, PodOwner, ServiceSpec, TargetPort, WorkloadSpec, FIRST_CRON_MINUTE,
};

/// The timestamp every demo object claims as its creation time.
const CREATED: &str = "2026-11-01T08:00:00Z";

fn labels_object<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect::<Map<_, _>>(),
    )
}

fn owner_reference(api_version: &str, kind: &str, name: &str, uid: &str) -> Value {
    json!([{
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": uid,
        "controller": true,
        "blockOwnerDeletion": true
    }])
}

fn container_ports(spec: &WorkloadSpec) -> Value {
    spec.ports
        .iter()
        .map(|p| json!({"name": p.name, "containerPort": p.port, "protocol": p.protocol.as_k8s()}))
        .collect()
}

fn pod_template(spec: &WorkloadSpec, extra: &[(&str, &str)]) -> Value {
    let labels = labels_object(spec.labels.iter().copied().chain(extra.iter().copied()));
    json!({
        "metadata": {"labels": labels},
        "spec": {
            "serviceAccountName": spec.service_account,
            "containers": [{
                "name": spec.name,
                "image": format!("registry.example.com/shop/{}:1.4.2", spec.name),
                "ports": container_ports(spec)
            }]
        }
    })
}

fn metadata(namespace: &str, name: &str, uid: &str, labels: Value) -> Value {
    json!({
        "name": name,
        "namespace": namespace,
        "uid": uid,
        "creationTimestamp": CREATED,
        "labels": labels
    })
}

fn cron_time(minute: u64) -> String {
    let seconds = (minute * 60) as i64;
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| CREATED.to_string())
}

fn workload_object(cluster: &DemoCluster, index: usize) -> Option<Value> {
    let spec = &cluster.workloads[index];
    let uid = &cluster.workload_uids[index];
    let selector = json!({"matchLabels": labels_object(spec.labels.iter().copied())});
    let meta = metadata(
        spec.namespace,
        spec.name,
        uid,
        labels_object(spec.labels.iter().copied()),
    );
    let object = match spec.kind {
        EntityKind::Deployment => json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": spec.replicas, "selector": selector,
                     "template": pod_template(spec, &[])}
        }),
        EntityKind::StatefulSet => json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
            "spec": {"replicas": spec.replicas, "serviceName": spec.name, "selector": selector,
                     "template": pod_template(spec, &[])}
        }),
        EntityKind::DaemonSet => json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
            "spec": {"selector": selector, "template": pod_template(spec, &[])}
        }),
        EntityKind::CronJob => json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
            "spec": {"schedule": "*/20 * * * *", "jobTemplate": {"spec": {
                "template": pod_template(spec, &[])}}},
            "status": {"lastScheduleTime": cron_time(FIRST_CRON_MINUTE + 40)}
        }),
        // The demo runs no Argo Rollouts.
        EntityKind::Job | EntityKind::Pod | EntityKind::Rollout => return None,
    };
    Some(object)
}

fn replica_set_objects(cluster: &DemoCluster) -> impl Iterator<Item = Value> + '_ {
    cluster.replica_sets.iter().map(|rs| {
        let spec = &cluster.workloads[rs.workload];
        let hash = [("pod-template-hash", rs.template_hash.as_str())];
        let labels = labels_object(spec.labels.iter().copied().chain(hash));
        let mut meta = metadata(spec.namespace, &rs.name, &rs.uid, labels.clone());
        meta["ownerReferences"] = owner_reference(
            "apps/v1",
            "Deployment",
            spec.name,
            &cluster.workload_uids[rs.workload],
        );
        let replicas = cluster
            .pods
            .iter()
            .filter(|p| matches!(p.owner, PodOwner::ReplicaSet(i) if cluster.replica_sets[i].name == rs.name))
            .count();
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": pod_template(spec, &hash)}
        })
    })
}

fn job_objects(cluster: &DemoCluster) -> impl Iterator<Item = Value> + '_ {
    cluster.jobs.iter().map(|job| {
        let spec = &cluster.workloads[job.workload];
        let generated = [
            ("batch.kubernetes.io/controller-uid", job.uid.as_str()),
            ("batch.kubernetes.io/job-name", job.name.as_str()),
            ("controller-uid", job.uid.as_str()),
            ("job-name", job.name.as_str()),
        ];
        let labels = labels_object(spec.labels.iter().copied().chain(generated));
        let mut meta = metadata(spec.namespace, &job.name, &job.uid, labels);
        if job.scheduled_minute.is_some() {
            meta["ownerReferences"] = owner_reference(
                "batch/v1",
                "CronJob",
                spec.name,
                &cluster.workload_uids[job.workload],
            );
        }
        json!({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
            "spec": {
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": job.uid}},
                "template": pod_template(spec, &generated)
            }
        })
    })
}

fn pod_objects(cluster: &DemoCluster) -> impl Iterator<Item = Value> + '_ {
    cluster.pods.iter().map(|pod| {
        let spec = &cluster.workloads[pod.workload];
        let labels = labels_object(pod.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut meta = metadata(spec.namespace, &pod.name, &pod.uid, labels);
        let owner = match pod.owner {
            PodOwner::ReplicaSet(i) => {
                let rs = &cluster.replica_sets[i];
                Some(owner_reference("apps/v1", "ReplicaSet", &rs.name, &rs.uid))
            }
            PodOwner::Job(i) => {
                let job = &cluster.jobs[i];
                Some(owner_reference("batch/v1", "Job", &job.name, &job.uid))
            }
            PodOwner::Workload => Some(owner_reference(
                "apps/v1",
                spec.kind.as_str(),
                spec.name,
                &cluster.workload_uids[pod.workload],
            )),
            PodOwner::None => None,
        };
        if let Some(owner) = owner {
            meta["ownerReferences"] = owner;
        }
        let node = &cluster.nodes[pod.node];
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {
                "nodeName": node.name,
                "serviceAccountName": spec.service_account,
                "containers": [{
                    "name": spec.name,
                    "image": format!("registry.example.com/shop/{}:1.4.2", spec.name),
                    "ports": container_ports(spec)
                }]
            },
            "status": {
                "phase": if pod.finished { "Succeeded" } else { "Running" },
                "hostIP": node.internal_ip,
                "podIP": pod.ip,
                "podIPs": [{"ip": pod.ip}]
            }
        })
    })
}

fn service_object(service: &ServiceSpec) -> Value {
    let ports: Vec<Value> = service
        .ports
        .iter()
        .map(|p| {
            let target = match p.target {
                TargetPort::Number(n) => json!(n),
                TargetPort::Named(name) => json!(name),
            };
            json!({"name": p.name, "port": p.port, "targetPort": target,
                   "protocol": p.protocol.as_k8s()})
        })
        .collect();
    let mut spec = json!({
        "type": "ClusterIP",
        "clusterIP": service.cluster_ip.unwrap_or("None"),
        "ports": ports
    });
    if !service.selector.is_empty() {
        spec["selector"] = labels_object(service.selector.iter().copied());
    }
    let uid = format!("5e7c0000-0000-4000-8000-{:012x}", service.name.len());
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": metadata(service.namespace, service.name, &uid, json!({})),
        "spec": spec
    })
}

/// The cluster's objects, in the order kubectl lists the resource types it was asked for.
pub fn inventory_objects(cluster: &DemoCluster) -> Vec<Value> {
    let mut items = Vec::new();
    for ns in &cluster.namespaces {
        items.push(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "creationTimestamp": CREATED,
                         "labels": {"kubernetes.io/metadata.name": ns}},
            "status": {"phase": "Active"}
        }));
    }
    for node in &cluster.nodes {
        items.push(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": node.name, "creationTimestamp": CREATED,
                         "labels": {"kubernetes.io/hostname": node.name,
                                    "kubernetes.io/os": "linux"}},
            "spec": {"podCIDR": node.pod_cidr(), "podCIDRs": [node.pod_cidr()]},
            "status": {"addresses": [
                {"type": "InternalIP", "address": node.internal_ip},
                {"type": "Hostname", "address": node.name}
            ]}
        }));
    }
    items.extend(pod_objects(cluster));
    items.extend(cluster.services.iter().map(service_object));
    items.extend(replica_set_objects(cluster));
    let kinds = [
        EntityKind::Deployment,
        EntityKind::StatefulSet,
        EntityKind::DaemonSet,
    ];
    for kind in kinds {
        items.extend(
            (0..cluster.workloads.len())
                .filter(|&i| cluster.workloads[i].kind == kind)
                .filter_map(|i| workload_object(cluster, i)),
        );
    }
    items.extend(job_objects(cluster));
    items.extend(
        (0..cluster.workloads.len())
            .filter(|&i| cluster.workloads[i].kind == EntityKind::CronJob)
            .filter_map(|i| workload_object(cluster, i)),
    );
    items
}

/// The inventory as kubectl prints it (four-space indentation, a trailing newline).
pub fn inventory_json(cluster: &DemoCluster) -> String {
    let list = json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": inventory_objects(cluster),
        "metadata": {"resourceVersion": ""}
    });
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing a `Value` into a Vec cannot fail.
    if serde::Serialize::serialize(&list, &mut serializer).is_err() {
        return String::new();
    }
    let mut text = String::from_utf8(out).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_kind_kubectl_was_asked_for() {
        let cluster = DemoCluster::new(1);
        let items = inventory_objects(&cluster);
        for kind in [
            "Namespace",
            "Node",
            "Pod",
            "Service",
            "ReplicaSet",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
        ] {
            assert!(
                items.iter().any(|i| i["kind"] == kind),
                "inventory has no {kind}"
            );
        }
    }

    #[test]
    fn cronjob_pods_chain_to_their_cronjob() {
        let cluster = DemoCluster::new(1);
        let items = inventory_objects(&cluster);
        let pod = items
            .iter()
            .find(|i| {
                i["kind"] == "Pod"
                    && i["metadata"]["name"]
                        .as_str()
                        .unwrap()
                        .starts_with("db-backup-")
            })
            .unwrap();
        let job_name = pod["metadata"]["ownerReferences"][0]["name"]
            .as_str()
            .unwrap();
        let job = items
            .iter()
            .find(|i| i["kind"] == "Job" && i["metadata"]["name"] == job_name)
            .unwrap();
        assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
        assert_eq!(job["metadata"]["ownerReferences"][0]["name"], "db-backup");
        let lone = items
            .iter()
            .find(|i| i["kind"] == "Job" && i["metadata"]["name"] == "schema-migrate")
            .unwrap();
        assert!(lone["metadata"].get("ownerReferences").is_none());
    }

    #[test]
    fn output_is_a_parseable_v1_list() {
        let text = inventory_json(&DemoCluster::new(1));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["kind"], "List");
        assert!(text.starts_with("{\n    \"apiVersion\""));
    }
}
