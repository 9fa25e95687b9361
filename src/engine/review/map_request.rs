//! A request to map addresses to an alias, or to edit one: what the alias dialog opens with
//! (its title, what it says, the name and CIDR it starts from) and what saving it does to the
//! decisions. Made where the request starts: a row, an unresolved address, a group of them,
//! a selection of several, "from anywhere", an alias to edit.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::engine::decisions::{alias_name_from, cidr_warning, host_cidr, AliasError, Decisions};
use crate::engine::model::address::joined;
use crate::engine::review::{AddressGroup, UnresolvedAddress};

/// What one alias per address, all under one name, means (the sentence goes on, or ends).
const PER_ADDRESS: &str = "Each address gets an alias of its own under this one name";

/// A request to map addresses to an alias (or to edit one).
#[derive(Clone, Debug, PartialEq)]
pub struct MapRequest {
    /// The dialog's title.
    pub title: String,
    /// A sentence on what the alias will mean, when it needs one ("from anywhere").
    pub explanation: Option<String>,
    /// The addresses it is for (its CIDR is checked against them).
    pub addresses: Vec<IpAddr>,
    /// One alias of the address alone per address, all under one name (no CIDR to choose);
    /// else one alias of the CIDR.
    pub per_address: bool,
    /// Their DNS names, to suggest a name.
    pub names: Vec<String>,
    /// The name and CIDR to start with, when not the suggested ones.
    pub name: Option<String>,
    pub cidr: Option<IpNet>,
    /// The alias being edited (removed when the new one is saved).
    pub replacing: Option<IpNet>,
}

impl MapRequest {
    /// A request for the addresses given, nothing else said.
    fn plain(title: String, addresses: Vec<IpAddr>, names: Vec<String>) -> MapRequest {
        MapRequest {
            title,
            explanation: None,
            addresses,
            per_address: false,
            names,
            name: None,
            cidr: None,
            replacing: None,
        }
    }

    /// Mapping one address (`ip`, seen under the DNS `names`).
    pub fn one(ip: IpAddr, names: &[String]) -> MapRequest {
        MapRequest::plain(format!("Map {ip} to an alias"), vec![ip], names.to_vec())
    }

    /// Mapping a group of addresses: to one alias of its CIDR, or to one alias per address
    /// when the group is no prefix (a class, a DNS name).
    pub fn group(group: &AddressGroup) -> MapRequest {
        let count = group.addresses.len();
        let per_address = group.cidr.is_none();
        MapRequest {
            explanation: per_address.then(|| format!("{PER_ADDRESS}.")),
            per_address,
            cidr: group.cidr,
            ..MapRequest::plain(
                format!("Map {} ({count} addresses) to an alias", group.label),
                group.addresses.clone(),
                group.names.clone(),
            )
        }
    }

    /// Mapping the `chosen` addresses of `all` to one name, one alias per address.
    pub fn several(chosen: Vec<IpAddr>, all: &[UnresolvedAddress]) -> MapRequest {
        let names = all
            .iter()
            .filter(|a| chosen.contains(&a.ip))
            .flat_map(|a| a.names.iter().cloned())
            .collect();
        MapRequest {
            explanation: Some(format!(
                "{PER_ADDRESS}: their rows become includable together."
            )),
            per_address: true,
            ..MapRequest::plain(
                format!("Map {} addresses to one alias", chosen.len()),
                chosen,
                names,
            )
        }
    }

    /// An alias of every address outside the cluster, for the rows of a public service.
    pub fn from_anywhere() -> MapRequest {
        MapRequest {
            explanation: Some(
                "An alias of 0.0.0.0/0: every address outside the cluster's pod and Service \
                 ranges (which are left out of it). Include the rows of a public service with it: \
                 anyone on the internet may then connect on the ports observed, and only on those."
                    .into(),
            ),
            name: Some("anywhere".into()),
            cidr: Some(IpNet::V4(ipnet::Ipv4Net::default())),
            ..MapRequest::plain("Allow from anywhere".into(), Vec::new(), Vec::new())
        }
    }

    /// Editing the alias `name` of `cidr`.
    pub fn edit(name: &str, cidr: IpNet) -> MapRequest {
        MapRequest {
            name: Some(name.to_string()),
            cidr: Some(cidr),
            replacing: Some(cidr),
            ..MapRequest::plain(format!("Edit the alias {name}"), Vec::new(), Vec::new())
        }
    }

    /// The name the dialog starts with: the one given, else from the first DNS name.
    pub fn initial_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| alias_name_from(&self.names))
    }

    /// The CIDR the dialog starts with: the one given, else the first address alone.
    pub fn initial_cidr(&self) -> String {
        match (self.cidr, self.addresses.first()) {
            (Some(cidr), _) => cidr.to_string(),
            (None, Some(&ip)) => host_cidr(ip),
            (None, None) => String::new(),
        }
    }

    /// The addresses listed in the dialog: those mapped one alias each.
    pub fn listed(&self) -> Option<String> {
        self.per_address.then(|| joined(&self.addresses))
    }

    /// Why `cidr` would not do for the request's addresses, if it would not (one alias per
    /// address always does).
    pub fn warning(&self, cidr: &str) -> Option<String> {
        cidr_warning(cidr, &self.addresses).filter(|_| !self.per_address)
    }

    /// Saves the alias `name` (of `cidr`, or of each address alone) in `decisions`, in place
    /// of the one edited; the last error, if any.
    pub fn apply(
        &self,
        decisions: &mut Decisions,
        name: &str,
        cidr: &str,
    ) -> Result<(), AliasError> {
        if let Some(old) = self.replacing {
            decisions.remove_alias(&old);
        }
        if !self.per_address {
            return decisions.add_alias(name, cidr);
        }
        let mut result = Ok(());
        for ip in &self.addresses {
            if let Err(e) = decisions.add_alias(name, &host_cidr(*ip)) {
                result = Err(e);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::review::ReviewClass;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|text| ip(text)).collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    fn address(ip: &str, dns: &[&str]) -> UnresolvedAddress {
        UnresolvedAddress {
            ip: ip.parse().unwrap(),
            class: ReviewClass::External,
            node: None,
            alias: None,
            names: names(dns),
            ports: Vec::new(),
            connections: 1,
            included: 0,
            rows: 1,
        }
    }

    fn group(label: &str, cidr: Option<&str>, addresses: &[&str]) -> AddressGroup {
        AddressGroup {
            label: label.into(),
            cidr: cidr.map(|c| c.parse().unwrap()),
            addresses: ips(addresses),
            names: names(&["api.example.com."]),
            ports: Vec::new(),
            connections: 2,
            included: 0,
            rows: 2,
            aliased: 0,
        }
    }

    #[test]
    fn one_address_starts_from_its_dns_name_and_itself() {
        let request = MapRequest::one(ip("203.0.113.7"), &names(&["api.stripe.com.", "x.com."]));
        assert_eq!(request.title, "Map 203.0.113.7 to an alias");
        assert_eq!(request.explanation, None);
        assert_eq!(request.initial_name(), "api.stripe.com");
        assert_eq!(request.initial_cidr(), "203.0.113.7/32");
        assert_eq!(request.listed(), None);
        assert_eq!(
            MapRequest::one(ip("2001:db8::1"), &[]).initial_cidr(),
            "2001:db8::1/128"
        );
        assert_eq!(MapRequest::one(ip("2001:db8::1"), &[]).initial_name(), "");
    }

    #[test]
    fn a_prefix_group_maps_its_cidr_and_another_group_each_address() {
        let prefix = MapRequest::group(&group(
            "203.0.113.0/24",
            Some("203.0.113.0/24"),
            &["203.0.113.1", "203.0.113.2"],
        ));
        assert_eq!(prefix.title, "Map 203.0.113.0/24 (2 addresses) to an alias");
        assert!(!prefix.per_address);
        assert_eq!(prefix.explanation, None);
        assert_eq!(prefix.initial_cidr(), "203.0.113.0/24");
        assert_eq!(prefix.initial_name(), "api.example.com");
        let class = MapRequest::group(&group("External", None, &["198.51.100.1", "203.0.113.2"]));
        assert!(class.per_address);
        assert_eq!(
            class.explanation.as_deref(),
            Some("Each address gets an alias of its own under this one name.")
        );
        assert_eq!(class.listed().as_deref(), Some("198.51.100.1, 203.0.113.2"));
        assert_eq!(
            class.warning("10.0.0.0/8"),
            None,
            "each address has its own alias"
        );
    }

    #[test]
    fn several_chosen_addresses_bring_their_names() {
        let all = [
            address("198.51.100.1", &["a.example."]),
            address("198.51.100.2", &["b.example."]),
            address("198.51.100.3", &["c.example."]),
        ];
        let request = MapRequest::several(ips(&["198.51.100.3", "198.51.100.1"]), &all);
        assert_eq!(request.title, "Map 2 addresses to one alias");
        assert_eq!(request.names, names(&["a.example.", "c.example."]));
        assert_eq!(request.addresses, ips(&["198.51.100.3", "198.51.100.1"]));
        assert!(request.per_address);
        assert_eq!(
            request.explanation.as_deref(),
            Some("Each address gets an alias of its own under this one name: their rows become includable together.")
        );
    }

    #[test]
    fn from_anywhere_and_edit_start_from_their_alias() {
        let anywhere = MapRequest::from_anywhere();
        assert_eq!(anywhere.title, "Allow from anywhere");
        assert_eq!(
            (anywhere.initial_name(), anywhere.initial_cidr()),
            ("anywhere".into(), "0.0.0.0/0".into())
        );
        assert!(anywhere
            .explanation
            .unwrap()
            .starts_with("An alias of 0.0.0.0/0: every address"));
        let cidr: IpNet = "10.1.0.0/16".parse().unwrap();
        let edit = MapRequest::edit("office", cidr);
        assert_eq!(edit.title, "Edit the alias office");
        assert_eq!(
            (edit.initial_name(), edit.initial_cidr()),
            ("office".into(), "10.1.0.0/16".into())
        );
        assert_eq!(edit.replacing, Some(cidr));
    }

    #[test]
    fn a_cidr_without_the_address_is_warned_about() {
        let request = MapRequest::one(ip("203.0.113.7"), &[]);
        assert_eq!(request.warning("203.0.113.0/24"), None);
        assert_eq!(
            request.warning("198.51.100.0/24").as_deref(),
            Some("198.51.100.0/24 does not contain 203.0.113.7: this alias would not apply to it.")
        );
    }

    #[test]
    fn saving_adds_the_alias_in_place_of_the_one_edited() {
        let mut decisions = Decisions::default();
        decisions.add_alias("old", "10.1.0.0/16").unwrap();
        let edit = MapRequest::edit("old", "10.1.0.0/16".parse().unwrap());
        edit.apply(&mut decisions, "office", "10.2.0.0/16").unwrap();
        let aliases: Vec<_> = decisions
            .aliases
            .iter()
            .map(|a| (a.name.as_str(), a.cidr.to_string()))
            .collect();
        assert_eq!(aliases, [("office", "10.2.0.0/16".to_string())]);

        let several = MapRequest::several(ips(&["198.51.100.1", "2001:db8::1"]), &[]);
        several
            .apply(&mut decisions, "partners", "ignored")
            .unwrap();
        assert_eq!(
            decisions
                .alias_of(ip("198.51.100.1"))
                .unwrap()
                .cidr
                .to_string(),
            "198.51.100.1/32"
        );
        assert_eq!(
            decisions.alias_of(ip("2001:db8::1")).unwrap().name,
            "partners"
        );

        let before = decisions.clone();
        assert_eq!(
            MapRequest::one(ip("203.0.113.7"), &[]).apply(&mut decisions, " ", "203.0.113.7/32"),
            Err(AliasError::EmptyName)
        );
        assert_eq!(decisions, before, "nothing saved");
        assert!(matches!(
            MapRequest::one(ip("203.0.113.7"), &[]).apply(&mut decisions, "x", "nonsense"),
            Err(AliasError::BadCidr(_))
        ));
    }
}
