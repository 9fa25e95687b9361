//! Endpoints as the flows describe them (address, cluster, namespace, pod, workload, labels,
//! identity), before any resolution, each stored once: the same pod is printed with the same
//! bytes every time, so it is parsed only on first sight.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;

use rustc_hash::FxHashMap;

use crate::engine::model::{parse_ip, Protocol};

use crate::engine::ingest::formats::hubble::{EndpointInfo, FlowError};

/// An index into [`ObservedEndpoints`].
pub type EndpointId = u32;

/// A key of the communication table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommunicationKey {
    pub client: EndpointId,
    pub server: EndpointId,
    pub protocol: Protocol,
    pub port: u16,
}

/// An endpoint as Hubble described it, before any resolution.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObservedEndpoint {
    /// Its address; none for a pod or workload named without one (flowpol's format).
    pub ip: Option<IpAddr>,
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub pod_name: Option<String>,
    /// `(kind, name)` from Hubble's `workloads[]`.
    pub workload: Option<(String, String)>,
    /// Labels as printed (`k8s:app=x`, `reserved:world`), sorted.
    pub labels: Vec<String>,
    pub identity: u32,
    /// For Cilium's `host` identity: the node that printed it (itself).
    pub node: Option<String>,
    /// For a pod: the nodes whose events show it as their local end (at most
    /// [`MAX_POD_NODES`]; a pod runs on one, so more means the events disagree).
    pub pod_nodes: Vec<String>,
}

/// How many nodes are kept per pod endpoint.
pub const MAX_POD_NODES: usize = 4;

impl ObservedEndpoint {
    fn from_info(info: &EndpointInfo<'_>) -> Self {
        let mut labels: Vec<String> = info.labels.iter().map(|l| l.to_string()).collect();
        labels.sort();
        ObservedEndpoint {
            ip: parse_ip(&info.ip),
            cluster: info.cluster.as_deref().map(str::to_string),
            namespace: info.namespace.as_deref().map(str::to_string),
            pod_name: info.pod_name.as_deref().map(str::to_string),
            workload: info
                .workload
                .as_ref()
                .map(|(kind, name)| (kind.to_string(), name.to_string())),
            labels,
            identity: info.identity,
            node: None,
            pod_nodes: Vec::new(),
        }
    }

    /// Whether the endpoint is Cilium's `host` identity: the node the event was seen on.
    pub fn is_host(&self) -> bool {
        self.reserved().any(|r| r == "host")
    }

    /// The reserved identities (`world`, `host`, ...) this endpoint carries.
    pub fn reserved(&self) -> impl Iterator<Item = &str> {
        self.labels
            .iter()
            .filter_map(|l| l.strip_prefix("reserved:"))
    }

    /// The Kubernetes labels (`k8s:key=value`) as key and value.
    pub fn k8s_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.labels
            .iter()
            .filter_map(|l| l.strip_prefix("k8s:").and_then(|kv| kv.split_once('=')))
    }
}

/// An interned endpoint with the exact JSON it was printed as.
type RawEndpoint = (EndpointId, Box<str>, Option<Vec<u8>>);

/// Interned endpoints: each distinct endpoint is stored once.
#[derive(Debug, Default)]
pub struct ObservedEndpoints {
    pub endpoints: Vec<ObservedEndpoint>,
    by_hash: FxHashMap<u64, Vec<EndpointId>>,
    /// Endpoints by the hash of their address and raw JSON, with that JSON.
    by_raw: FxHashMap<u64, Vec<RawEndpoint>>,
    /// At most this many endpoints are read from flows (see [`ObservedEndpoints::limit`]).
    limit: Option<usize>,
}

fn hash_info(info: &EndpointInfo<'_>) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    info.ip.hash(&mut hasher);
    info.pod_name.as_deref().hash(&mut hasher);
    info.namespace.as_deref().hash(&mut hasher);
    info.identity.hash(&mut hasher);
    info.labels.len().hash(&mut hasher);
    hasher.finish()
}

fn same(endpoint: &ObservedEndpoint, info: &EndpointInfo<'_>) -> bool {
    endpoint.ip == parse_ip(&info.ip)
        && endpoint.identity == info.identity
        && endpoint.pod_name.as_deref() == info.pod_name.as_deref()
        && endpoint.namespace.as_deref() == info.namespace.as_deref()
        && endpoint.cluster.as_deref() == info.cluster.as_deref()
        && endpoint
            .workload
            .as_ref()
            .map(|(k, n)| (k.as_str(), n.as_str()))
            == info
                .workload
                .as_ref()
                .map(|(k, n)| (k.as_ref(), n.as_ref()))
        && endpoint.labels.len() == info.labels.len()
        && info.labels.iter().all(|l| {
            endpoint
                .labels
                .binary_search_by(|e| e.as_str().cmp(l))
                .is_ok()
        })
}

impl ObservedEndpoints {
    /// The id of the endpoint with address `ip` whose JSON object is `raw`: the same pod is
    /// printed with the same bytes every time, so it is parsed only on first sight.
    pub fn intern_raw<'a>(
        &mut self,
        ip: &str,
        raw: Option<&[u8]>,
        parse: impl FnOnce() -> Result<EndpointInfo<'a>, FlowError>,
    ) -> Result<EndpointId, FlowError> {
        let mut hasher = rustc_hash::FxHasher::default();
        ip.hash(&mut hasher);
        raw.hash(&mut hasher);
        let hash = hasher.finish();
        if let Some(candidates) = self.by_raw.get(&hash) {
            for (id, stored_ip, stored_raw) in candidates {
                if **stored_ip == *ip && stored_raw.as_deref() == raw {
                    return Ok(*id);
                }
            }
        }
        let info = parse()?;
        let id = self.intern_within_limit(&info)?;
        self.by_raw
            .entry(hash)
            .or_default()
            .push((id, ip.into(), raw.map(<[u8]>::to_vec)));
        Ok(id)
    }

    /// The id of `info`, stored on first sight unless that would pass the
    /// [`limit`](Self::limit).
    pub fn intern_within_limit(
        &mut self,
        info: &EndpointInfo<'_>,
    ) -> Result<EndpointId, FlowError> {
        if let Some(limit) = self.limit.filter(|&limit| self.endpoints.len() >= limit) {
            if self.find(info).is_none() {
                return Err(FlowError::TooManyEndpoints(limit));
            }
        }
        Ok(self.intern(info))
    }

    /// Records that the `host` endpoint `id` was printed by node `node` (`cluster/node` or
    /// `node`), when its node is not known yet.
    pub fn note_node(&mut self, id: EndpointId, node: &str) {
        let endpoint = &mut self.endpoints[id as usize];
        if endpoint.node.is_none() && endpoint.is_host() {
            let name = node.rsplit('/').next().unwrap_or(node);
            endpoint.node = Some(name.to_string());
        }
    }

    /// Records that pod endpoint `id` is the local end of an event printed by node `node`
    /// (`cluster/node` or `node`): the node it runs on.
    pub fn note_pod_node(&mut self, id: EndpointId, node: &str) {
        let endpoint = &mut self.endpoints[id as usize];
        if endpoint.pod_name.is_none() || endpoint.pod_nodes.len() >= MAX_POD_NODES {
            return;
        }
        let name = node.rsplit('/').next().unwrap_or(node);
        if !endpoint.pod_nodes.iter().any(|known| known == name) {
            endpoint.pod_nodes.push(name.to_string());
            endpoint.pod_nodes.sort();
        }
    }

    /// Reads at most `limit` distinct endpoints from flows: a flow naming another one is an
    /// error ([`FlowError::TooManyEndpoints`]). The browser sets it, so that a capture of a
    /// million distinct pods ends in a clear message rather than an exhausted tab.
    pub fn limit(&mut self, limit: usize) {
        self.limit = Some(limit);
    }

    /// The id of `info` when it is stored.
    fn find(&self, info: &EndpointInfo<'_>) -> Option<EndpointId> {
        self.by_hash
            .get(&hash_info(info))?
            .iter()
            .copied()
            .find(|&id| same(&self.endpoints[id as usize], info))
    }

    pub fn intern(&mut self, info: &EndpointInfo<'_>) -> EndpointId {
        let hash = hash_info(info);
        let bucket = self.by_hash.entry(hash).or_default();
        if let Some(&id) = bucket
            .iter()
            .find(|&&id| same(&self.endpoints[id as usize], info))
        {
            return id;
        }
        let id = self.endpoints.len() as EndpointId;
        self.endpoints.push(ObservedEndpoint::from_info(info));
        bucket.push(id);
        id
    }
}
