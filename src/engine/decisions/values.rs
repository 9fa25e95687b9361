//! The values decisions hold, parsed and written: aliases and their CIDRs (a host's, a
//! suggested name, a warning for a range that covers more than was seen), CIDR lists, and the
//! DNS names (or `*` patterns) allowed by name, matched as Cilium matches them.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// A name the user gave to an address or a range no Kubernetes object explains.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    pub name: String,
    pub cidr: IpNet,
}

/// Why an alias cannot be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AliasError {
    EmptyName,
    BadCidr(String),
}

impl fmt::Display for AliasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AliasError::EmptyName => f.write_str("the alias needs a name"),
            AliasError::BadCidr(text) => write!(
                f,
                "`{text}` is not an address or a CIDR (e.g. 203.0.113.10/32 or 2001:db8::/64)"
            ),
        }
    }
}

/// The CIDR an alias of one address starts with: the address alone.
pub fn host_cidr(ip: IpAddr) -> String {
    IpNet::from(ip).to_string()
}

/// An alias name from the first of an address's DNS names (`api.stripe.com.` gives
/// `api.stripe.com`), or nothing.
pub fn alias_name_from(names: &[String]) -> String {
    names
        .first()
        .map(|n| n.trim_end_matches('.').to_string())
        .unwrap_or_default()
}

/// Why an alias of `cidr` would not do for `addresses` (it holds not all of them), if it
/// would not; nothing for a text that is no CIDR (saving says why).
pub fn cidr_warning(cidr: &str, addresses: &[IpAddr]) -> Option<String> {
    let net = parse_cidr(cidr).ok()?;
    let outside: Vec<String> = addresses
        .iter()
        .filter(|ip| !net.contains(*ip))
        .map(IpAddr::to_string)
        .collect();
    (!outside.is_empty()).then(|| {
        format!(
            "{cidr} does not contain {}: this alias would not apply to it.",
            outside.join(", ")
        )
    })
}

/// Parses `203.0.113.10`, `203.0.113.0/24` or an IPv6 equivalent into a network with its
/// host bits cleared.
pub fn parse_cidr(text: &str) -> Result<IpNet, AliasError> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| AliasError::BadCidr(text.to_string()))
}

/// Parses a list of addresses or CIDRs separated by commas, spaces or line ends.
pub fn parse_cidr_list(text: &str) -> Result<Vec<IpNet>, AliasError> {
    text.split([',', ' ', '\n'])
        .filter(|s| !s.trim().is_empty())
        .map(parse_cidr)
        .collect()
}

/// CIDRs written as a list: `10.244.0.0/16, 10.96.0.0/12`.
pub struct CidrList<'a>(pub &'a [IpNet]);

impl fmt::Display for CidrList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, cidr) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{cidr}")?;
        }
        Ok(())
    }
}

/// A DNS name or pattern as the review keeps it: lower case, no final dot; letters, digits,
/// `-`, `_`, `.` and `*` only.
pub fn parse_allowed_name(text: &str) -> Result<String, String> {
    let name = text.trim().trim_end_matches('.').to_ascii_lowercase();
    // `**` (any number of labels, in newer Cilium) is not offered: one `*` per run.
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.*".contains(c))
        && !name.split('.').any(str::is_empty)
        && !name.contains("**");
    if valid {
        Ok(name)
    } else {
        Err(format!(
            "{}: expected a DNS name (api.example.com) or a pattern with * (*.example.com)",
            text.trim()
        ))
    }
}

pub use crate::engine::l7::matching::name_matches;
