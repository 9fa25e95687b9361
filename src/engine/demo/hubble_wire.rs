//! The shape of one `hubble observe -o json` line, as the demo generator writes it.
//!
//! Field names follow Hubble's protojson output (flow.proto): `IP`, `l4.TCP.flags`, `Type`,
//! `Summary`; false and zero values are omitted as protojson omits them, except `is_reply`,
//! which the Hubble CLI prints whenever the connection tracker knows it.

use serde::Serialize;

/// `{"flow": {...}, "node_name": ..., "time": ...}`: one GetFlowsResponse.
#[derive(Serialize)]
pub struct Envelope<'a> {
    pub flow: Flow<'a>,
    pub node_name: &'a str,
    pub time: &'a str,
}

/// One observed packet event.
#[derive(Serialize)]
pub struct Flow<'a> {
    pub time: &'a str,
    pub uuid: &'a str,
    pub verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_reason: Option<u32>,
    #[serde(rename = "IP")]
    pub ip: IpPair<'a>,
    pub l4: L4,
    pub source: &'a Endpoint,
    pub destination: &'a Endpoint,
    #[serde(rename = "Type")]
    pub flow_type: &'static str,
    pub node_name: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub source_names: &'a [&'a str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub destination_names: &'a [&'a str],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l7: Option<L7<'a>>,
    pub event_type: EventType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_direction: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_observation_point: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_reply: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_service: Option<ServiceRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_reason_desc: Option<&'static str>,
    #[serde(rename = "Summary")]
    pub summary: &'a str,
}

/// `flow.IP`.
#[derive(Serialize)]
pub struct IpPair<'a> {
    pub source: &'a str,
    pub destination: &'a str,
    #[serde(rename = "ipVersion")]
    pub ip_version: &'static str,
}

/// `flow.l4`: exactly one protocol key.
#[derive(Serialize)]
pub enum L4 {
    #[serde(rename = "TCP")]
    Tcp {
        source_port: u16,
        destination_port: u16,
        flags: TcpFlags,
    },
    #[serde(rename = "UDP")]
    Udp {
        source_port: u16,
        destination_port: u16,
    },
    #[serde(rename = "SCTP")]
    Sctp {
        source_port: u16,
        destination_port: u16,
    },
}

/// `l4.TCP.flags`: only the flags that are set are present.
#[derive(Serialize, Default, Clone, Copy)]
pub struct TcpFlags {
    #[serde(rename = "SYN", skip_serializing_if = "is_false")]
    pub syn: bool,
    #[serde(rename = "ACK", skip_serializing_if = "is_false")]
    pub ack: bool,
    #[serde(rename = "PSH", skip_serializing_if = "is_false")]
    pub psh: bool,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

impl TcpFlags {
    /// The `Summary` text Hubble prints for these flags.
    pub fn summary(self) -> &'static str {
        match (self.syn, self.ack, self.psh) {
            (true, false, _) => "TCP Flags: SYN",
            (true, true, _) => "TCP Flags: SYN, ACK",
            (false, true, true) => "TCP Flags: ACK, PSH",
            _ => "TCP Flags: ACK",
        }
    }
}

/// `flow.source` / `flow.destination`.
#[derive(Serialize, Debug, Clone)]
pub struct Endpoint {
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    pub identity: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<WorkloadRef>,
}

impl Endpoint {
    /// An endpoint Cilium knows only by a reserved identity (`world`, `host`, ...).
    pub fn reserved(identity: u32, label: &str) -> Self {
        Endpoint {
            id: None,
            identity,
            cluster_name: None,
            namespace: None,
            labels: vec![format!("reserved:{label}")],
            pod_name: None,
            workloads: Vec::new(),
        }
    }
}

/// `endpoint.workloads[]`.
#[derive(Serialize, Debug, Clone)]
pub struct WorkloadRef {
    pub name: String,
    pub kind: String,
}

/// `flow.event_type`.
#[derive(Serialize)]
pub struct EventType {
    #[serde(rename = "type")]
    pub kind: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<u32>,
}

/// `flow.destination_service`.
#[derive(Serialize, Clone, Copy)]
pub struct ServiceRef<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
}

/// `flow.l7`: a DNS lookup or an HTTP request.
#[derive(Serialize)]
pub struct L7<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<Http>,
}

/// `flow.l7.http`.
#[derive(Serialize)]
pub struct Http {
    pub method: &'static str,
    pub url: String,
    pub protocol: &'static str,
}

/// `flow.l7.dns`.
#[derive(Serialize)]
pub struct Dns<'a> {
    pub query: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    pub observation_source: &'static str,
    pub qtypes: [&'static str; 1],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub rrtypes: &'a [&'static str],
}
