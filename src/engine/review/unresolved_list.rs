//! The unresolved list's choices: how its addresses are grouped unless the user chose, which
//! classes it shows, what its counts and its "Map selected" button say, and how many of the
//! data's addresses each alias covers.

use ipnet::IpNet;

use crate::engine::dataset::Dataset;
use crate::engine::decisions::Decisions;
use crate::engine::review::{AddressGrouping, ReviewClass, UnresolvedAddress};
use crate::engine::units::thousands;

/// From how many addresses the list starts grouped by /24.
pub const GROUP_FROM: usize = 200;

/// The grouping the user `chosen`, else one by one up to [`GROUP_FROM`] addresses and by /24
/// past that.
pub fn grouping_of(chosen: Option<AddressGrouping>, addresses: usize) -> AddressGrouping {
    chosen.unwrap_or(if addresses > GROUP_FROM {
        AddressGrouping::Narrow
    } else {
        AddressGrouping::Each
    })
}

/// The addresses of the classes `shown`, in order.
pub fn of_classes(
    addresses: &[UnresolvedAddress],
    shown: &[ReviewClass],
) -> Vec<UnresolvedAddress> {
    addresses
        .iter()
        .filter(|a| shown.contains(&a.class))
        .cloned()
        .collect()
}

/// `1,200 addresses`, or `1,200 addresses in 14 groups` when grouped.
pub fn unresolved_counts(addresses: usize, groups: Option<usize>) -> String {
    let grouped = groups
        .map(|g| format!(" in {} groups", thousands(g as u64)))
        .unwrap_or_default();
    format!("{} addresses{grouped}", thousands(addresses as u64))
}

/// The "Map selected" button's words for `selected` addresses.
pub fn map_selected_label(selected: usize) -> String {
    match selected {
        0 => "Map selected…".to_string(),
        n => format!("Map {n} selected…"),
    }
}

/// An alias and how many of the data's addresses it names (those it is the most specific
/// alias of).
#[derive(Clone, Debug, PartialEq)]
pub struct AliasCoverage {
    pub name: String,
    pub cidr: IpNet,
    pub covered: usize,
}

/// Every alias of `decisions`, in order, with the addresses of `dataset` it covers (none
/// without data).
pub fn alias_coverage(dataset: Option<&Dataset>, decisions: &Decisions) -> Vec<AliasCoverage> {
    decisions
        .aliases
        .iter()
        .map(|alias| AliasCoverage {
            name: alias.name.clone(),
            cidr: alias.cidr,
            covered: dataset.map_or(0, |dataset| {
                dataset
                    .addresses
                    .iter()
                    .filter(|a| {
                        decisions
                            .alias_of(a.ip)
                            .is_some_and(|x| x.cidr == alias.cidr)
                    })
                    .count()
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::load::load_files;

    fn address(ip: &str, class: ReviewClass) -> UnresolvedAddress {
        UnresolvedAddress {
            ip: ip.parse().unwrap(),
            class,
            node: None,
            alias: None,
            names: Vec::new(),
            ports: Vec::new(),
            connections: 1,
            included: 0,
            rows: 1,
        }
    }

    #[test]
    fn many_addresses_start_grouped_unless_the_user_chose() {
        assert_eq!(grouping_of(None, 0), AddressGrouping::Each);
        assert_eq!(grouping_of(None, GROUP_FROM), AddressGrouping::Each);
        assert_eq!(grouping_of(None, GROUP_FROM + 1), AddressGrouping::Narrow);
        let chosen = Some(AddressGrouping::DnsName);
        assert_eq!(grouping_of(chosen, 5_000), AddressGrouping::DnsName);
        assert_eq!(
            grouping_of(Some(AddressGrouping::Each), 5_000),
            AddressGrouping::Each
        );
    }

    #[test]
    fn only_the_classes_shown_are_listed_in_order() {
        let all = [
            address("10.0.0.1", ReviewClass::Node),
            address("203.0.113.1", ReviewClass::External),
            address("10.0.0.2", ReviewClass::Node),
        ];
        let ips = |shown: &[ReviewClass]| -> Vec<String> {
            of_classes(&all, shown)
                .into_iter()
                .map(|a| a.ip.to_string())
                .collect()
        };
        assert_eq!(ips(&[ReviewClass::Node]), ["10.0.0.1", "10.0.0.2"]);
        assert_eq!(ips(&ReviewClass::ALL).len(), 3);
        assert!(ips(&[]).is_empty());
    }

    #[test]
    fn counts_and_the_button_say_how_many() {
        assert_eq!(unresolved_counts(1_200, None), "1,200 addresses");
        assert_eq!(
            unresolved_counts(1_200, Some(14)),
            "1,200 addresses in 14 groups"
        );
        assert_eq!(map_selected_label(0), "Map selected…");
        assert_eq!(map_selected_label(3), "Map 3 selected…");
    }

    #[test]
    fn an_alias_covers_the_addresses_it_is_the_narrowest_alias_of() {
        let dataset = load_files(
            &[
                (
                    "inventory.json",
                    include_bytes!("../../../public/demo/inventory.json"),
                ),
                (
                    "flows.jsonl",
                    include_bytes!("../../../public/demo/flows.jsonl"),
                ),
            ],
            &[],
        )
        .dataset;
        let v4: Vec<String> = dataset
            .addresses
            .iter()
            .filter(|a| a.ip.is_ipv4())
            .map(|a| a.ip.to_string())
            .collect();
        assert!(v4.len() > 2, "{v4:?}");
        let mut decisions = Decisions::default();
        decisions.add_alias("internet", "0.0.0.0/0").unwrap();
        decisions.add_alias("one", &v4[0]).unwrap();
        let coverage: Vec<(String, usize)> = alias_coverage(Some(&dataset), &decisions)
            .into_iter()
            .map(|c| (c.name, c.covered))
            .collect();
        assert_eq!(
            coverage,
            [
                ("internet".to_string(), v4.len() - 1),
                ("one".to_string(), 1)
            ]
        );
        assert!(alias_coverage(None, &decisions)
            .iter()
            .all(|c| c.covered == 0));
    }
}
