//! The review's words, worked out from its rows: the counts above the table, an address's
//! class as a row says it, a row's detail under its peer, the DNS name an egress row may be
//! allowed by, how many decisions there are.

use crate::engine::model::Direction;
use crate::engine::review::{ReviewClass, ReviewRow};
use crate::engine::units::thousands;

/// `1,024 included · 3 excluded · 1,027 shown`: of `rows`, how many the policy lets through,
/// how many not, and how many of them the filter shows.
pub fn review_counts(rows: &[ReviewRow], shown: usize) -> String {
    let included = rows.iter().filter(|r| r.allowed).count();
    format!(
        "{} included · {} excluded · {} shown",
        thousands(included as u64),
        thousands((rows.len() - included) as u64),
        thousands(shown as u64)
    )
}

/// An address's class, with its node's name when it is a known node's (`Node worker-1`).
pub fn class_text(class: ReviewClass, node: Option<&str>) -> String {
    match node {
        Some(node) => format!("{} {node}", class.label()),
        None => class.label().to_string(),
    }
}

/// What a row says under its peer: for an address, its class, after its IP when the peer is
/// named otherwise (an alias); nothing for a workload.
pub fn row_detail(row: &ReviewRow) -> String {
    match &row.address {
        Some((ip, class)) if ip.to_string() != row.peer_label => {
            format!("{ip} · {}", class_text(*class, row.node.as_deref()))
        }
        Some((_, class)) => class_text(*class, row.node.as_deref()),
        None => String::new(),
    }
}

/// The DNS name an egress row's address may be allowed by (its first, without the root's dot,
/// in lower case), if it has one.
pub fn name_to_allow(row: &ReviewRow) -> Option<String> {
    let first = row
        .names
        .first()
        .filter(|_| row.direction == Direction::Egress)?;
    Some(first.trim_end_matches('.').to_ascii_lowercase())
}

/// `1 decision`, `3 decisions`.
pub fn decision_count(count: usize) -> String {
    match count {
        1 => "1 decision".to_string(),
        n => format!("{n} decisions"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dataset::Peer;
    use crate::engine::decisions::GeneralRule;
    use crate::engine::model::{CommunicationId, Protocol};

    fn row(peer_label: &str, address: Option<(&str, ReviewClass)>, allowed: bool) -> ReviewRow {
        ReviewRow {
            communication: CommunicationId::new(0),
            direction: Direction::Egress,
            peer: Peer::ApiServer,
            peer_label: peer_label.into(),
            address: address.map(|(ip, class)| (ip.parse().unwrap(), class)),
            node: None,
            already_open: false,
            port: 443,
            protocol: Protocol::Tcp,
            connections: 1,
            first_seen: None,
            last_seen: None,
            names: Vec::new(),
            row_included: allowed,
            includable: true,
            allowed,
            rule: GeneralRule::default(),
            reason: None,
        }
    }

    #[test]
    fn counts_say_included_excluded_and_shown() {
        let mut rows: Vec<_> = (0..1_500).map(|i| row("x", None, i % 3 != 0)).collect();
        assert_eq!(
            review_counts(&rows, 1_500),
            "1,000 included · 500 excluded · 1,500 shown"
        );
        rows.clear();
        assert_eq!(review_counts(&rows, 0), "0 included · 0 excluded · 0 shown");
    }

    #[test]
    fn a_row_says_its_address_class_and_node() {
        assert_eq!(row_detail(&row("Deployment/shop/web", None, true)), "");
        let external = row(
            "203.0.113.7",
            Some(("203.0.113.7", ReviewClass::External)),
            false,
        );
        assert_eq!(row_detail(&external), "External");
        let aliased = row("stripe", Some(("203.0.113.7", ReviewClass::Aliased)), true);
        assert_eq!(row_detail(&aliased), "203.0.113.7 · Aliased");
        let mut node = row("10.0.0.4", Some(("10.0.0.4", ReviewClass::Node)), false);
        node.node = Some("worker-1".into());
        assert_eq!(
            row_detail(&node),
            format!("{} worker-1", ReviewClass::Node.label())
        );
        assert_eq!(
            class_text(ReviewClass::Node, None),
            ReviewClass::Node.label()
        );
    }

    #[test]
    fn an_egress_row_may_be_allowed_by_its_first_name() {
        let mut egress = row(
            "203.0.113.7",
            Some(("203.0.113.7", ReviewClass::External)),
            false,
        );
        assert_eq!(name_to_allow(&egress), None, "no name seen");
        egress.names = vec!["API.Stripe.com.".into(), "other.example.".into()];
        assert_eq!(name_to_allow(&egress).as_deref(), Some("api.stripe.com"));
        egress.direction = Direction::Ingress;
        assert_eq!(
            name_to_allow(&egress),
            None,
            "ingress has no names to allow"
        );
    }

    #[test]
    fn decisions_are_counted_in_words() {
        assert_eq!(decision_count(0), "0 decisions");
        assert_eq!(decision_count(1), "1 decision");
        assert_eq!(decision_count(12), "12 decisions");
    }
}
