//! Reading one Hubble flow: `hubble observe -o json|jsonpb` lines (an envelope
//! `{"flow": {...}, "node_name", "time"}` or a bare flow object) into a [`FlowEvent`].
//! The members are found with [`json_scan`](crate::engine::ingest::scan::json_scan); the small values flowpol
//! reads are parsed (validated) with serde_json, borrowed from the input; the endpoints, most
//! of a line's bytes, are parsed only when asked for (for connection starts).
//!
//! Field names are protojson's, snake_case (`is_reply`) or lowerCamelCase (`isReply`); false and
//! zero values may be absent, so a missing `is_reply` is "unknown", never "false".
//!
//! - `event`: the flow event and its parts; `line`: the line read into one; `wire`: the
//!   small values; `parallel`: a chunk's lines on several threads (natively).

mod event;
mod line;
pub(crate) mod parallel;
mod wire;

pub use event::{
    reserved_label, EndpointInfo, EventKind, FlowError, FlowEvent, TcpFlags, Transport, Verdict,
};
pub use line::parse_flow;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Protocol;

    const ENVELOPE: &str = r#"{"flow":{"time":"2021-11-10T10:40:56.465597700Z","verdict":"FORWARDED","IP":{"source":"10.244.0.177","destination":"10.244.0.110","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":35128,"destination_port":9080,"flags":{"SYN":true}}},"source":{"ID":881,"identity":3418,"namespace":"bookinfo","labels":["k8s:app=productpage"],"pod_name":"productpage-v1-6b746f74dc-9rcxx"},"destination":{"identity":11615,"namespace":"bookinfo","labels":["k8s:app=reviews"],"pod_name":"reviews-v2-7bf8c9648f-r7bs2","workloads":[{"name":"reviews-v2","kind":"Deployment"}]},"Type":"L3_L4","node_name":"kind-control-plane","event_type":{"type":4,"sub_type":1},"traffic_direction":"EGRESS","trace_observation_point":"TO_PROXY","is_reply":false,"Summary":"TCP Flags: SYN"},"node_name":"kind-control-plane","time":"2021-11-10T10:40:56.465597700Z"}"#;

    #[test]
    fn reads_an_envelope() {
        let flow = parse_flow(ENVELOPE.as_bytes()).unwrap();
        assert_eq!(flow.verdict, Verdict::Forwarded);
        assert_eq!(flow.kind, EventKind::Trace);
        let source = flow.source().unwrap();
        assert_eq!(source.ip, "10.244.0.177");
        assert_eq!(
            source.pod_name.as_deref(),
            Some("productpage-v1-6b746f74dc-9rcxx")
        );
        assert_eq!(source.workload, None);
        assert_eq!(
            flow.destination().unwrap().workload,
            Some(("Deployment".into(), "reviews-v2".into()))
        );
        assert_eq!(
            flow.transport,
            Transport::Ports {
                protocol: Protocol::Tcp,
                source_port: 35128,
                destination_port: 9080,
                flags: Some(TcpFlags {
                    syn: true,
                    ack: false
                }),
            }
        );
        assert_eq!(flow.is_reply, Some(false));
        assert_eq!(flow.node.as_deref(), Some("kind-control-plane"));
        assert_eq!(flow.observation_point.as_deref(), Some("TO_PROXY"));
    }

    #[test]
    fn reads_a_bare_flow_like_its_envelope() {
        let bare = &ENVELOPE[8..ENVELOPE
            .find(r#","node_name":"kind-control-plane","time""#)
            .unwrap()
            - 1];
        let bare = format!("{bare}}}");
        assert_eq!(
            parse_flow(bare.as_bytes()).unwrap(),
            parse_flow(ENVELOPE.as_bytes()).unwrap()
        );
    }

    #[test]
    fn camel_case_names_and_the_older_reply_field() {
        let line = r#"{"IP":{"source":"a","destination":"b"},"l4":{"UDP":{"sourcePort":53,"destinationPort":40000}},"reply":true,"eventType":{"type":4},"nodeName":"n1","trafficDirection":"INGRESS"}"#;
        let flow = parse_flow(line.as_bytes()).unwrap();
        assert_eq!(flow.is_reply, Some(true));
        assert_eq!(flow.node.as_deref(), Some("n1"));
        assert_eq!(flow.direction.as_deref(), Some("INGRESS"));
        assert!(matches!(
            flow.transport,
            Transport::Ports {
                protocol: Protocol::Udp,
                source_port: 53,
                destination_port: 40000,
                flags: None
            }
        ));
    }

    /// An export whose field mask keeps `identity` but not `labels` (Cilium's documented "all
    /// information except pod labels"): a reserved identity is read as its label, any other
    /// identity gets none, and printed labels are kept as they are.
    #[test]
    fn a_reserved_identity_without_labels_is_its_label() {
        let labels = |source: &str| {
            let line = format!(
                r#"{{"IP":{{"source":"10.244.0.148","destination":"10.244.1.80"}},"source":{source}}}"#
            );
            let flow = parse_flow(line.as_bytes()).unwrap();
            let info = flow.source().unwrap();
            info.labels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(r#"{"identity":1}"#), ["reserved:host"]);
        assert_eq!(labels(r#"{"identity":6}"#), ["reserved:remote-node"]);
        assert_eq!(labels(r#"{"identity":4,"labels":[]}"#), ["reserved:health"]);
        assert_eq!(labels(r#"{"identity":7}"#), ["reserved:kube-apiserver"]);
        assert!(labels(r#"{"identity":3418}"#).is_empty());
        assert!(labels(r#"{"identity":0}"#).is_empty());
        assert!(labels("{}").is_empty());
        assert_eq!(
            labels(r#"{"identity":6,"labels":["k8s:foo=bar","reserved:remote-node"]}"#),
            ["k8s:foo=bar", "reserved:remote-node"]
        );
        assert_eq!(
            labels(r#"{"identity":2,"labels":["k8s:app=productpage"]}"#),
            ["k8s:app=productpage"],
            "printed labels are never added to"
        );
    }

    #[test]
    fn missing_is_reply_stays_unknown() {
        let line = r#"{"IP":{"source":"a","destination":"b"},"l4":{"TCP":{"source_port":1,"destination_port":2}}}"#;
        let flow = parse_flow(line.as_bytes()).unwrap();
        assert_eq!(flow.is_reply, None);
        assert!(matches!(
            flow.transport,
            Transport::Ports { flags: None, .. }
        ));
    }

    #[test]
    fn icmp_and_l7_dns() {
        let icmp = r#"{"IP":{"source":"a","destination":"b"},"l4":{"ICMPv4":{"type":8}}}"#;
        assert_eq!(
            parse_flow(icmp.as_bytes()).unwrap().transport,
            Transport::Icmp
        );
        let dns = r#"{"flow":{"IP":{"source":"a","destination":"b"},"Type":"L7","l7":{"type":"RESPONSE","dns":{"query":"api.stripe.com.","ips":["203.0.113.10"]}},"event_type":{"type":129}}}"#;
        let flow = parse_flow(dns.as_bytes()).unwrap();
        assert!(flow.is_l7);
        assert_eq!(flow.kind, EventKind::L7);
        assert_eq!(flow.l7_type.as_deref(), Some("RESPONSE"));
        assert_eq!(
            flow.dns,
            Some(("api.stripe.com.".into(), vec!["203.0.113.10".into()]))
        );
    }

    #[test]
    fn bad_lines_say_why() {
        assert!(matches!(parse_flow(b"{not json"), Err(FlowError::Json(_))));
        assert_eq!(
            parse_flow(br#"{"flow":{"verdict":"FORWARDED"}}"#),
            Err(FlowError::MissingField("IP"))
        );
        let wrong_type = parse_flow(
            br#"{"IP":{"source":"a","destination":"b"},"l4":{"TCP":{"source_port":"x"}}}"#,
        );
        let Err(FlowError::Field("l4", message)) = wrong_type else {
            panic!("expected an error naming the field, got {wrong_type:?}");
        };
        assert!(message.contains("invalid type"), "{message}");
        // Endpoints are read lazily: a broken one is an error when it is asked for.
        let broken = parse_flow(
            br#"{"IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"source":{"labels":"x"}}"#,
        )
        .unwrap();
        assert!(matches!(
            broken.source(),
            Err(FlowError::Field("source", _))
        ));
        assert!(broken.destination().is_ok());
        // So are addresses: an empty or malformed one names its field.
        let no_source = parse_flow(br#"{"IP":{"destination":"10.0.0.2"}}"#).unwrap();
        assert_eq!(
            no_source.source().err().map(|e| e.to_string()),
            Some("field `IP.source`: \"\" is not an IP address".to_string())
        );
        // A member's name is JSON: escapes are read, raw control characters refused.
        let escaped =
            parse_flow(br#"{"IP":{"source":"::1","destination":"::2"},"is\u005freply":true}"#);
        assert_eq!(escaped.map(|flow| flow.is_reply), Ok(Some(true)));
        let raw_control = parse_flow(
            b"{\"IP\":{\"source\":\"::1\",\"destination\":\"::2\"},\"\x00s_reply\":true}",
        );
        assert!(
            matches!(raw_control, Err(FlowError::Json(_))),
            "{raw_control:?}"
        );
        let not_utf8 = parse_flow(
            b"{\"IP\":{\"source\":\"::1\",\"destination\":\"::2\"},\"\xffs_reply\":true}",
        );
        assert!(matches!(not_utf8, Err(FlowError::Json(_))), "{not_utf8:?}");
        let malformed =
            parse_flow(br#"{"IP":{"source":"::1","destination":"10.0.0.256"}}"#).unwrap();
        assert!(malformed.source().is_ok());
        assert!(matches!(
            malformed.destination(),
            Err(FlowError::Field("IP.destination", _))
        ));
    }

    #[test]
    fn every_real_capture_line_parses() {
        let capture = include_str!(
            "../../../../../tests/fixtures/real/hubble-otel_basic-sample-400-tcp-flows.first129.jsonl"
        );
        for (number, line) in capture.lines().enumerate() {
            assert!(parse_flow(line.as_bytes()).is_ok(), "line {}", number + 1);
        }
    }

    /// Addresses, reply flag, ports, source pod, destination labels and event type.
    type Fields = (
        String,
        String,
        Option<bool>,
        String,
        Option<String>,
        Vec<String>,
        i64,
    );

    /// The fields a reference reading with `serde_json::Value` finds.
    fn reference(line: &str) -> Fields {
        try_reference(line.as_bytes()).unwrap()
    }

    /// A port as protojson writes it: a number, or nothing for 0.
    fn port(value: &serde_json::Value) -> Option<u64> {
        match value {
            serde_json::Value::Null => Some(0),
            value => value.as_u64().filter(|&port| port <= 65535),
        }
    }

    /// [`reference`], `None` where the line is not JSON or lacks a field.
    fn try_reference(line: &[u8]) -> Option<Fields> {
        let value: serde_json::Value = serde_json::from_slice(line).ok()?;
        let flow = &value["flow"];
        let l4 = flow["l4"].as_object()?;
        let ports = ["TCP", "tcp", "UDP", "udp", "SCTP", "sctp"]
            .iter()
            .find_map(|protocol| l4.get(*protocol).filter(|ports| !ports.is_null()))?;
        let labels = match &flow["destination"]["labels"] {
            serde_json::Value::Null => [].iter(),
            labels => labels.as_array()?.iter(),
        };
        Some((
            flow["IP"]["source"].as_str()?.to_string(),
            flow["IP"]["destination"].as_str()?.to_string(),
            flow["is_reply"].as_bool(),
            // protojson leaves a zero port out.
            format!(
                "{}>{}",
                port(&ports["source_port"])?,
                port(&ports["destination_port"])?
            ),
            flow["source"]["pod_name"].as_str().map(str::to_string),
            labels
                .map(|l| l.as_str().map(str::to_string))
                .collect::<Option<_>>()?,
            match &flow["event_type"]["type"] {
                serde_json::Value::Null => 0,
                kind => kind.as_i64()?,
            },
        ))
    }

    #[test]
    fn agrees_with_a_reference_reading_on_generated_flows() {
        let cluster = crate::engine::demo::DemoCluster::new(5);
        let options = crate::engine::demo::FlowOptions {
            lines: 3000,
            seed: 5,
            ..Default::default()
        };
        for line in crate::engine::demo::FlowLines::new(&cluster, options) {
            let flow = parse_flow(line.as_bytes()).unwrap();
            assert_eq!(fields(&flow), Some(reference(&line)), "{line}");
        }
    }

    /// The fields [`reference`] reads, as `parse_flow` read them (`None` without ports).
    fn fields(flow: &FlowEvent<'_>) -> Option<Fields> {
        let Transport::Ports {
            source_port,
            destination_port,
            ..
        } = flow.transport
        else {
            return None;
        };
        let kind = match flow.kind {
            EventKind::Drop => 1,
            EventKind::Trace => 4,
            EventKind::PolicyVerdict => 5,
            EventKind::L7 => 129,
            EventKind::Other(code) => i64::from(code),
        };
        Some((
            flow.source_ip.to_string(),
            flow.destination_ip.to_string(),
            flow.is_reply,
            format!("{source_port}>{destination_port}"),
            flow.source().unwrap().pod_name.map(|p| p.to_string()),
            flow.destination()
                .unwrap()
                .labels
                .iter()
                .map(|l| l.to_string())
                .collect(),
            kind,
        ))
    }

    /// When `line` is read as a flow with both endpoints, its fields are what serde reads
    /// or, where serde rejects the line, `undamaged` (members flowpol does not read are
    /// skipped, not checked).
    #[cfg(not(target_arch = "wasm32"))]
    fn assert_read_as_serde_reads(
        line: &[u8],
        undamaged: Option<Fields>,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let read = parse_flow(line).and_then(|flow| {
            flow.source()?;
            flow.destination()?;
            Ok(flow)
        });
        if let Ok(flow) = read {
            let text = String::from_utf8_lossy(line);
            match serde_json::from_slice::<serde_json::Value>(line) {
                Ok(_) => proptest::prop_assert_eq!(fields(&flow), try_reference(line), "{}", text),
                Err(_) => proptest::prop_assert_eq!(fields(&flow), undamaged, "{}", text),
            }
        }
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// Any bytes: no panic, and a flow read from JSON is what serde reads.
        #[test]
        fn any_bytes_read_as_a_flow_are_what_serde_reads(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            assert_read_as_serde_reads(&bytes, None)?;
        }

        /// A flow with one byte replaced by a byte that matters to JSON: when it is still read
        /// as a flow, the flow is what serde reads in it; where serde rejects the line (the
        /// damage is in a member flowpol skips without reading), the undamaged flow.
        #[test]
        fn a_damaged_flow_read_is_what_serde_reads(
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::sample::select(b"{}[]\":,\\ 0123456789.-+eEtrufalsnxIP\x00\x1f\xff".to_vec()),
        ) {
            let mut line = ENVELOPE.as_bytes().to_vec();
            let at = at.index(line.len());
            line[at] = byte;
            assert_read_as_serde_reads(&line, Some(reference(ENVELOPE)))?;
        }

        #[test]
        fn any_truncation_of_a_flow_is_an_error_not_a_panic(cut in 0usize..700) {
            let cut = cut.min(ENVELOPE.len() - 1);
            proptest::prop_assert!(parse_flow(&ENVELOPE.as_bytes()[..cut]).is_err());
        }
    }
}
