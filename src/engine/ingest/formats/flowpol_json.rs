//! flowpol's own flow format, for tools flowpol does not read: one JSON object per connection,
//! or per aggregate of connections with a `count`, as JSON lines or a JSON array.
//!
//! ```json
//! {"src": {"namespace": "shop", "pod": "frontend-7d9c6b5f4-x2x4z", "workload": "Deployment/frontend"},
//!  "dst": {"ip": "203.0.113.10", "names": ["api.stripe.com"]},
//!  "port": 443, "protocol": "TCP", "count": 12, "time": "2026-11-20T09:00:00Z"}
//! ```
//! `src` is the client, `dst` the server; `port` is the server's port after DNAT (the
//! container port). A `count` of 0 says that packets of connections already open went by in
//! that minute, and none started (what flowpol's ClickHouse query writes for them, see
//! `tools/clickhouse/`). `reserved` carries Cilium's reserved identities of an endpoint (`host`,
//! `kube-apiserver`, ...). The JSON Schema is `public/flowpol-flows.schema.json`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::engine::model::parse_ip;
use crate::engine::model::time::parse_time;
use crate::engine::model::Protocol;

use crate::engine::ingest::formats::hubble::EndpointInfo;

/// Connections another tool already aggregated: `count` from client to server (0: packets of
/// connections already open, no start).
#[derive(Clone, Debug)]
pub struct AggregateRecord<'a> {
    pub client: EndpointInfo<'a>,
    pub server: EndpointInfo<'a>,
    pub protocol: Protocol,
    pub port: u16,
    pub count: u32,
    pub time: Option<i64>,
    pub dropped: bool,
    pub server_names: Vec<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRecord<'a> {
    #[serde(borrow)]
    src: WireEndpoint<'a>,
    #[serde(borrow)]
    dst: WireEndpoint<'a>,
    port: u16,
    #[serde(borrow, default)]
    protocol: Option<Cow<'a, str>>,
    #[serde(default)]
    count: Option<u32>,
    #[serde(borrow, default)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    verdict: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct WireEndpoint<'a> {
    #[serde(borrow)]
    ip: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cluster: Option<Cow<'a, str>>,
    #[serde(borrow)]
    namespace: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pod: Option<Cow<'a, str>>,
    /// `Kind/name`.
    #[serde(borrow)]
    workload: Option<Cow<'a, str>>,
    labels: BTreeMap<String, String>,
    #[serde(borrow)]
    names: Vec<Cow<'a, str>>,
    /// Cilium's reserved identities (`host`, `kube-apiserver`, `world`, ...).
    #[serde(borrow)]
    reserved: Vec<Cow<'a, str>>,
}

fn endpoint<'a>(
    wire: WireEndpoint<'a>,
    side: &str,
) -> Result<(EndpointInfo<'a>, Vec<Cow<'a, str>>), String> {
    if wire.ip.is_none() && wire.pod.is_none() && wire.workload.is_none() {
        return Err(format!("field `{side}`: needs `ip`, `pod` or `workload`"));
    }
    let workload = match &wire.workload {
        Some(text) => {
            let (kind, name) = text
                .split_once('/')
                .filter(|(k, n)| !k.is_empty() && !n.is_empty())
                .ok_or_else(|| format!("field `{side}.workload`: `{text}` is not `Kind/name`"))?;
            Some((
                Cow::<str>::Owned(kind.to_string()),
                Cow::<str>::Owned(name.to_string()),
            ))
        }
        None => None,
    };
    if (workload.is_some() || wire.pod.is_some()) && wire.namespace.is_none() {
        return Err(format!(
            "field `{side}.namespace`: required with `pod` or `workload`"
        ));
    }
    if let Some(ip) = wire.ip.as_deref().filter(|ip| parse_ip(ip).is_none()) {
        return Err(format!("field `{side}.ip`: `{ip}` is not an IP address"));
    }
    let mut labels: Vec<Cow<'a, str>> = wire
        .labels
        .iter()
        .map(|(k, v)| Cow::Owned(format!("k8s:{k}={v}")))
        .collect();
    labels.extend(
        wire.reserved
            .iter()
            .map(|r| Cow::Owned(format!("reserved:{r}"))),
    );
    if wire.reserved.is_empty()
        && wire.namespace.is_none()
        && wire.pod.is_none()
        && workload.is_none()
    {
        labels.push(Cow::Borrowed("reserved:world"));
    }
    // A workload without a pod name is named after the workload, so that it resolves.
    let pod_name = wire
        .pod
        .or_else(|| workload.as_ref().map(|(_, name)| name.clone()));
    Ok((
        EndpointInfo {
            ip: wire.ip.unwrap_or_default(),
            identity: 0,
            cluster: wire.cluster,
            namespace: wire.namespace,
            pod_name,
            labels,
            workload,
        },
        wire.names,
    ))
}

/// Parses one record of flowpol's flow format.
pub fn parse_record(bytes: &[u8]) -> Result<AggregateRecord<'_>, String> {
    let wire: WireRecord<'_> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let protocol = match wire.protocol.as_deref() {
        None => Protocol::Tcp,
        Some(text) => Protocol::from_k8s(text)
            .ok_or_else(|| format!("field `protocol`: `{text}` is not TCP, UDP or SCTP"))?,
    };
    if wire.port == 0 {
        return Err("field `port`: must be 1 to 65535".to_string());
    }
    let time = match wire.time.as_deref() {
        None => None,
        Some(text) => Some(
            parse_time(text).ok_or_else(|| format!("field `time`: `{text}` is not RFC 3339"))?,
        ),
    };
    let dropped = match wire.verdict.as_deref() {
        None | Some("forwarded") => false,
        Some("dropped") => true,
        Some(other) => {
            return Err(format!(
                "field `verdict`: `{other}` is not forwarded or dropped"
            ))
        }
    };
    let (client, _) = endpoint(wire.src, "src")?;
    let (server, server_names) = endpoint(wire.dst, "dst")?;
    Ok(AggregateRecord {
        client,
        server,
        protocol,
        port: wire.port,
        count: wire.count.unwrap_or(1),
        time,
        dropped,
        server_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_record() {
        let record = parse_record(
            br#"{"src":{"namespace":"shop","pod":"frontend-7d9c6b5f4-x2x4z","workload":"Deployment/frontend","labels":{"app":"frontend"}},"dst":{"ip":"203.0.113.10","names":["api.stripe.com"]},"port":443,"protocol":"TCP","count":12,"time":"2026-11-20T09:00:00Z","verdict":"forwarded"}"#,
        )
        .unwrap();
        assert_eq!(record.count, 12);
        assert_eq!(record.port, 443);
        assert_eq!(
            record.client.workload,
            Some(("Deployment".into(), "frontend".into()))
        );
        assert_eq!(
            record.client.labels,
            vec![Cow::Borrowed("k8s:app=frontend")]
        );
        assert_eq!(record.server.labels, vec![Cow::Borrowed("reserved:world")]);
        assert_eq!(record.server_names, vec![Cow::Borrowed("api.stripe.com")]);
        assert!(record.time.is_some());
    }

    #[test]
    fn a_count_of_zero_and_reserved_identities() {
        let open = parse_record(
            br#"{"src":{"ip":"10.0.0.1"},"dst":{"ip":"172.20.0.2","reserved":["kube-apiserver"]},"port":6443,"count":0}"#,
        )
        .unwrap();
        assert_eq!(open.count, 0);
        assert_eq!(open.client.labels, vec![Cow::Borrowed("reserved:world")]);
        assert_eq!(
            open.server.labels,
            vec![Cow::Borrowed("reserved:kube-apiserver")],
            "a reserved identity given replaces the world"
        );
    }

    #[test]
    fn defaults_and_errors_name_the_field() {
        let minimal =
            parse_record(br#"{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.2"},"port":80}"#)
                .unwrap();
        assert_eq!((minimal.count, minimal.protocol), (1, Protocol::Tcp));
        for (bad, expected) in [
            (r#"{"src":{},"dst":{"ip":"b"},"port":80}"#, "field `src`"),
            (
                r#"{"src":{"ip":"a"},"dst":{"ip":"b"},"port":80,"protocol":"ICMP"}"#,
                "field `protocol`",
            ),
            (
                r#"{"src":{"ip":"a"},"dst":{"ip":"b"},"port":0}"#,
                "field `port`",
            ),
            (
                r#"{"src":{"ip":"a"},"dst":{"ip":"b"},"port":80,"time":"yesterday"}"#,
                "field `time`",
            ),
            (
                r#"{"src":{"workload":"frontend","namespace":"x"},"dst":{"ip":"b"},"port":80}"#,
                "field `src.workload`",
            ),
            (
                r#"{"src":{"ip":"a"},"dst":{"ip":"b"},"port":80,"colour":"red"}"#,
                "unknown field `colour`",
            ),
            (
                r#"{"src":{"pod":"alpha"},"dst":{"ip":"b"},"port":80}"#,
                "field `src.namespace`",
            ),
            (
                r#"{"src":{"ip":"10.0.0.1"},"dst":{"ip":"10.0.0.256"},"port":80}"#,
                "field `dst.ip`: `10.0.0.256` is not an IP address",
            ),
        ] {
            let error = parse_record(bad.as_bytes()).unwrap_err();
            assert!(error.contains(expected), "{bad}: {error}");
        }
    }

    #[test]
    fn the_shipped_schema_names_exactly_the_fields_read() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../../public/flowpol-flows.schema.json"))
                .unwrap();
        let record_fields: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let endpoint_fields: Vec<&str> = schema["$defs"]["endpoint"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let sample = |field: &str| -> serde_json::Value {
            match field {
                "labels" => serde_json::json!({"app": "x"}),
                "names" => serde_json::json!(["x.example"]),
                "reserved" => serde_json::json!(["host"]),
                "workload" => serde_json::json!("Deployment/x"),
                "ip" => serde_json::json!("10.0.0.1"),
                _ => serde_json::json!("x"),
            }
        };
        let endpoint: serde_json::Map<String, serde_json::Value> = endpoint_fields
            .iter()
            .map(|f| (f.to_string(), sample(f)))
            .collect();
        let mut record = serde_json::json!({
            "src": endpoint, "dst": endpoint, "port": 80, "protocol": "UDP", "count": 2,
            "time": "2026-11-20T09:00:00Z", "verdict": "dropped"
        });
        let keys: Vec<String> = record.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), record_fields.len());
        assert!(
            keys.iter().all(|k| record_fields.contains(&k.as_str())),
            "{keys:?} vs {record_fields:?}"
        );
        let text = record.to_string();
        assert!(parse_record(text.as_bytes()).is_ok(), "{text}");
        record["src"]["colour"] = serde_json::json!("red");
        assert!(parse_record(record.to_string().as_bytes()).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_record(&bytes);
        }
    }
}
