//! The shapes of the Hubble values flowpol reads, each read two ways: with serde (any valid
//! JSON, and an error message naming what is wrong), and straight from the bytes when the
//! value has the plain shape Hubble prints ([`Plain`]: strings without escapes, integers, the
//! expected members). A flow line holds a dozen such small values; setting up serde for each
//! cost more than walking the whole line, so the plain reading comes first and serde reads
//! whatever it declines. A property test checks that a plain reading always equals serde's.

use std::borrow::Cow;

use serde::Deserialize;

use crate::engine::ingest::scan::json_scan::{scan_object, skip_value, skip_whitespace, ScanError};
use crate::engine::ingest::scan::swar::find_quote_or_backslash;

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireIp<'a> {
    #[serde(borrow)]
    pub(super) source: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) destination: Cow<'a, str>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireL4 {
    #[serde(rename = "TCP", alias = "tcp")]
    pub(super) tcp: Option<WirePorts>,
    #[serde(rename = "UDP", alias = "udp")]
    pub(super) udp: Option<WirePorts>,
    #[serde(rename = "SCTP", alias = "sctp")]
    pub(super) sctp: Option<WirePorts>,
    #[serde(rename = "ICMPv4", alias = "icmpv4")]
    pub(super) icmpv4: Option<serde::de::IgnoredAny>,
    #[serde(rename = "ICMPv6", alias = "icmpv6")]
    pub(super) icmpv6: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WirePorts {
    #[serde(alias = "sourcePort")]
    pub(super) source_port: u16,
    #[serde(alias = "destinationPort")]
    pub(super) destination_port: u16,
    pub(super) flags: Option<WireTcpFlags>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireTcpFlags {
    #[serde(rename = "SYN")]
    pub(super) syn: bool,
    #[serde(rename = "ACK")]
    pub(super) ack: bool,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireEndpoint<'a> {
    pub(super) identity: u32,
    #[serde(alias = "clusterName", borrow)]
    pub(super) cluster_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) namespace: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) labels: Vec<Cow<'a, str>>,
    #[serde(alias = "podName", borrow)]
    pub(super) pod_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) workloads: Vec<WireWorkload<'a>>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireWorkload<'a> {
    #[serde(borrow)]
    pub(super) name: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) kind: Cow<'a, str>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireEventType {
    #[serde(rename = "type")]
    pub(super) kind: i32,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireService<'a> {
    #[serde(borrow)]
    pub(super) name: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) namespace: Cow<'a, str>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireL7<'a> {
    #[serde(rename = "type", borrow)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) dns: Option<WireDns<'a>>,
    #[serde(borrow)]
    pub(super) http: Option<WireHttp<'a>>,
    #[serde(borrow)]
    pub(super) kafka: Option<WireKafka<'a>>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireHttp<'a> {
    #[serde(borrow)]
    pub(super) method: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) url: Cow<'a, str>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireKafka<'a> {
    #[serde(borrow)]
    pub(super) api_key: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) topic: Cow<'a, str>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
pub(super) struct WireDns<'a> {
    #[serde(borrow)]
    pub(super) query: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) ips: Vec<Cow<'a, str>>,
}

/// A value read straight from its bytes; `None` when it is not of the plain shape (serde then
/// reads it, or says why it cannot).
pub(super) trait Plain<'a>: Sized {
    fn read_plain(bytes: &'a [u8]) -> Option<Self>;
}

/// A string without escapes or control characters.
impl<'a> Plain<'a> for Cow<'a, str> {
    fn read_plain(bytes: &'a [u8]) -> Option<Self> {
        plain_str(bytes).map(Cow::Borrowed)
    }
}

impl Plain<'_> for bool {
    fn read_plain(bytes: &[u8]) -> Option<Self> {
        match bytes {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }
    }
}

/// An array of plain strings.
impl<'a> Plain<'a> for Vec<Cow<'a, str>> {
    fn read_plain(bytes: &'a [u8]) -> Option<Self> {
        let mut items = Vec::new();
        let mut at = skip_whitespace(bytes, 0);
        if bytes.get(at) != Some(&b'[') {
            return None;
        }
        at = skip_whitespace(bytes, at + 1);
        if bytes.get(at) == Some(&b']') {
            return (skip_whitespace(bytes, at + 1) == bytes.len()).then_some(items);
        }
        loop {
            if bytes.get(at) != Some(&b'"') {
                return None;
            }
            let end = find_quote_or_backslash(bytes, at + 1)?;
            items.push(Cow::Borrowed(plain_str(&bytes[at..=end])?));
            at = skip_whitespace(bytes, end + 1);
            match bytes.get(at) {
                Some(b',') => at = skip_whitespace(bytes, at + 1),
                Some(b']') => {
                    return (skip_whitespace(bytes, at + 1) == bytes.len()).then_some(items)
                }
                _ => return None,
            }
        }
    }
}

impl<'a> Plain<'a> for WireIp<'a> {
    fn read_plain(bytes: &'a [u8]) -> Option<Self> {
        let (mut source, mut destination) = (None, None);
        plain_members(bytes, |key, value| match key {
            b"source" => set_once(&mut source, Cow::read_plain(value)?),
            b"destination" => set_once(&mut destination, Cow::read_plain(value)?),
            _ => ignored(value),
        })?;
        Some(WireIp {
            source: source.unwrap_or_default(),
            destination: destination.unwrap_or_default(),
        })
    }
}

impl Plain<'_> for WireL4 {
    fn read_plain(bytes: &[u8]) -> Option<Self> {
        let mut l4 = WireL4::default();
        plain_members(bytes, |key, value| match key {
            b"TCP" | b"tcp" => set_once(&mut l4.tcp, WirePorts::read_plain(value)?),
            b"UDP" | b"udp" => set_once(&mut l4.udp, WirePorts::read_plain(value)?),
            b"SCTP" | b"sctp" => set_once(&mut l4.sctp, WirePorts::read_plain(value)?),
            // ICMP and anything else: rare, left to serde.
            _ => None,
        })?;
        Some(l4)
    }
}

impl Plain<'_> for WirePorts {
    fn read_plain(bytes: &[u8]) -> Option<Self> {
        let (mut source, mut destination, mut flags) = (None, None, None);
        plain_members(bytes, |key, value| match key {
            b"source_port" | b"sourcePort" => set_once(&mut source, plain_integer(value)?),
            b"destination_port" | b"destinationPort" => {
                set_once(&mut destination, plain_integer(value)?)
            }
            b"flags" => set_once(&mut flags, WireTcpFlags::read_plain(value)?),
            _ => ignored(value),
        })?;
        Some(WirePorts {
            source_port: source.unwrap_or_default(),
            destination_port: destination.unwrap_or_default(),
            flags,
        })
    }
}

impl Plain<'_> for WireTcpFlags {
    fn read_plain(bytes: &[u8]) -> Option<Self> {
        let (mut syn, mut ack) = (None, None);
        plain_members(bytes, |key, value| match key {
            b"SYN" => set_once(&mut syn, bool::read_plain(value)?),
            b"ACK" => set_once(&mut ack, bool::read_plain(value)?),
            _ => ignored(value),
        })?;
        Some(WireTcpFlags {
            syn: syn.unwrap_or_default(),
            ack: ack.unwrap_or_default(),
        })
    }
}

impl Plain<'_> for WireEventType {
    fn read_plain(bytes: &[u8]) -> Option<Self> {
        let mut kind = None;
        plain_members(bytes, |key, value| match key {
            b"type" => set_once(&mut kind, plain_integer(value)?),
            _ => ignored(value),
        })?;
        Some(WireEventType {
            kind: kind.unwrap_or_default(),
        })
    }
}

impl<'a> Plain<'a> for WireService<'a> {
    fn read_plain(bytes: &'a [u8]) -> Option<Self> {
        let (mut name, mut namespace) = (None, None);
        plain_members(bytes, |key, value| match key {
            b"name" => set_once(&mut name, Cow::read_plain(value)?),
            b"namespace" => set_once(&mut namespace, Cow::read_plain(value)?),
            _ => ignored(value),
        })?;
        Some(WireService {
            name: name.unwrap_or_default(),
            namespace: namespace.unwrap_or_default(),
        })
    }
}

/// L7 records are few: always serde.
impl<'a> Plain<'a> for WireL7<'a> {
    fn read_plain(_: &'a [u8]) -> Option<Self> {
        None
    }
}

/// The text of a string token (`bytes` is exactly `"..."`) without escapes or control
/// characters.
fn plain_str(bytes: &[u8]) -> Option<&str> {
    let inner = bytes.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

/// An integer without sign, leading zeros, fraction or exponent (a minus for negative
/// numbers), that fits `T`.
fn plain_integer<T: std::str::FromStr>(bytes: &[u8]) -> Option<T> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let leading_zero = digits.len() > 1 && digits[0] == b'0';
    // serde_json reads `-0` as a float, which an integer field rejects.
    let negative_zero = bytes == b"-0";
    if digits.is_empty() || leading_zero || negative_zero || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// A member flowpol does not read: accepted when it is a plain scalar (a plain string or
/// integer, a literal), so that nothing serde would reject passes; declined otherwise (serde
/// then reads the whole value).
fn ignored(value: &[u8]) -> Option<()> {
    let plain = matches!(value, b"true" | b"false" | b"null")
        || plain_str(value).is_some()
        || plain_integer::<i64>(value).is_some();
    plain.then_some(())
}

/// Sets a member read for the first time; a repeated member is declined (serde rejects it).
fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// Why an object was declined.
struct NotPlain;

impl From<ScanError> for NotPlain {
    fn from(_: ScanError) -> Self {
        NotPlain
    }
}

/// Calls `visit` with each member of the object that is exactly `bytes`; declined when a key
/// has an escape, a control character or bytes that are not UTF-8, or `visit` declines a
/// member.
fn plain_members<'a>(
    bytes: &'a [u8],
    mut visit: impl FnMut(&'a [u8], &'a [u8]) -> Option<()>,
) -> Option<()> {
    let start = skip_whitespace(bytes, 0);
    let end = scan_object::<NotPlain>(bytes, start, |key, value_start| {
        let plain_key = key.iter().all(|&b| b >= 0x20 && b != b'\\')
            && (key.is_ascii() || std::str::from_utf8(key).is_ok());
        if !plain_key {
            return Err(NotPlain);
        }
        let value_end = skip_value(bytes, value_start)?;
        visit(key, &bytes[value_start..value_end]).ok_or(NotPlain)?;
        Ok(value_end)
    })
    .ok()?;
    (skip_whitespace(bytes, end) == bytes.len()).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain reading, when there is one, must be what serde reads.
    fn check<'a, T: Plain<'a> + Deserialize<'a> + PartialEq + std::fmt::Debug>(
        bytes: &'a [u8],
    ) -> Result<bool, String> {
        let Some(plain) = T::read_plain(bytes) else {
            return Ok(false);
        };
        match serde_json::from_slice::<T>(bytes) {
            Ok(read) if read == plain => Ok(true),
            other => Err(format!(
                "{}: plain {plain:?}, serde {other:?}",
                String::from_utf8_lossy(bytes)
            )),
        }
    }

    fn check_all(bytes: &[u8]) -> Result<usize, String> {
        let read = [
            check::<Cow<'_, str>>(bytes)?,
            check::<bool>(bytes)?,
            check::<Vec<Cow<'_, str>>>(bytes)?,
            check::<WireIp<'_>>(bytes)?,
            check::<WireL4>(bytes)?,
            check::<WirePorts>(bytes)?,
            check::<WireTcpFlags>(bytes)?,
            check::<WireEventType>(bytes)?,
            check::<WireService<'_>>(bytes)?,
        ];
        Ok(read.iter().filter(|&&plain| plain).count())
    }

    #[test]
    fn hubbles_own_values_are_read_plainly() {
        for (value, expected) in [
            (&br#""2021-11-10T10:40:56.465597700Z""#[..], 1),
            (br#"true"#, 1),
            (br#"["api.stripe.com","x.example"]"#, 1),
            (br#" [ ] "#, 1),
            (
                br#"{"source":"10.244.0.177","destination":"10.244.0.110","ipVersion":"IPv4"}"#,
                1,
            ),
            (
                br#"{"TCP":{"source_port":35128,"destination_port":9080,"flags":{"SYN":true}}}"#,
                1,
            ),
            (br#"{"UDP":{"sourcePort":53,"destinationPort":40000}}"#, 1),
            (br#"{"SYN":true,"ACK":true,"PSH":true}"#, 1),
            (br#"{"type":4,"sub_type":3}"#, 1),
            (br#"{"name":"cart","namespace":"shop"}"#, 1),
        ] {
            let got = check_all(value).unwrap();
            assert!(
                got >= expected,
                "{} read plainly as nothing",
                String::from_utf8_lossy(value)
            );
        }
    }

    #[test]
    fn unusual_values_are_left_to_serde() {
        type Reader = fn(&[u8]) -> Result<bool, String>;
        let string: Reader = |b| check::<Cow<'_, str>>(b);
        let names: Reader = |b| check::<Vec<Cow<'_, str>>>(b);
        let ip: Reader = |b| check::<WireIp<'_>>(b);
        let l4: Reader = |b| check::<WireL4>(b);
        let ports: Reader = |b| check::<WirePorts>(b);
        let flags: Reader = |b| check::<WireTcpFlags>(b);
        let event_type: Reader = |b| check::<WireEventType>(b);
        for (value, read) in [
            (&br#""a\"b""#[..], string),
            (b"\"tab\there\"", string),
            (br#"{"source":"a","source":"b"}"#, ip),
            (br#"{"TCP":{},"tcp":{}}"#, l4),
            (br#"{"type":4.0}"#, event_type),
            (br#"{"type":04}"#, event_type),
            (br#"{"SYN":1}"#, flags),
            (br#"{"ICMPv4":{"type":8}}"#, l4),
            (br#"{"source":"a","extra":{"nested":1}}"#, ip),
            (br#"{"source":"a","extra":tru}"#, ip),
            (br#"{"source_port":70000}"#, ports),
            (br#"["a","b\u0041"]"#, names),
            (br#"{"source":"a"} x"#, ip),
            (br#"{"type":-0}"#, event_type),
            (b"{\"source\":\"a\",\"\x01\":1}", ip),
            (b"{\"source\":\"a\",\"\xff\":1}", ip),
            (b"{\"source\":\"\xff\"}", ip),
        ] {
            assert_eq!(
                read(value),
                Ok(false),
                "{} was read plainly",
                String::from_utf8_lossy(value)
            );
        }
    }

    /// JSON values shaped like Hubble's small values, often right and often a little off.
    #[cfg(not(target_arch = "wasm32"))]
    fn hubble_like_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value;
        let keys = prop::sample::select(vec![
            "source",
            "destination",
            "ipVersion",
            "TCP",
            "tcp",
            "UDP",
            "SCTP",
            "ICMPv4",
            "source_port",
            "sourcePort",
            "destination_port",
            "destinationPort",
            "flags",
            "SYN",
            "ACK",
            "FIN",
            "type",
            "sub_type",
            "name",
            "namespace",
            "so\"urce",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (0u32..70_000).prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z0-9.\"\\\\é\t]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys.clone(), inner), 0..5).prop_map(|members| {
                    Value::Object(
                        members
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(
            proptest::prelude::ProptestConfig::with_cases(2000)
        ))]
        #[test]
        fn a_plain_reading_is_what_serde_reads(value in hubble_like_value(), pretty in proptest::prelude::any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            proptest::prop_assert!(check_all(text.as_bytes()).is_ok(), "{:?}", check_all(text.as_bytes()));
        }

        /// Hubble-like text with one byte replaced by any byte (a sign, a control character,
        /// half a UTF-8 sequence, a bracket): still never read plainly unlike serde.
        #[test]
        fn a_damaged_value_is_never_read_unlike_serde(value in hubble_like_value(), at in proptest::prelude::any::<proptest::sample::Index>(), byte in proptest::prelude::any::<u8>()) {
            let mut text = serde_json::to_string(&value).unwrap().into_bytes();
            let at = at.index(text.len());
            text[at] = byte;
            proptest::prop_assert!(check_all(&text).is_ok(), "{:?}", check_all(&text));
        }

        /// Any bytes: no panic, and never a plain reading unlike serde's.
        #[test]
        fn any_bytes_are_never_read_unlike_serde(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            proptest::prop_assert!(check_all(&bytes).is_ok(), "{:?}", check_all(&bytes));
        }
    }
}
