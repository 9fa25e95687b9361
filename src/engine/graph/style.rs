//! The sizes the layouts place boxes with: the SVG view draws text at these sizes, so a box
//! holds its lines; and how an edge is drawn, said and explained in each of its states
//! ([`EdgeState`]).

use super::scene::Detail;

/// A node's width.
pub const NODE_WIDTH: f64 = 200.0;
/// A line of text in a node.
pub const LINE: f64 = 16.0;
/// Space inside a node, around its lines.
pub const NODE_PAD: f64 = 8.0;
/// Space between two nodes of a column or layer.
pub const NODE_GAP: f64 = 14.0;
/// Space inside a group box, around its nodes.
pub const GROUP_PAD: f64 = 12.0;
/// A group box's label line.
pub const GROUP_HEADER: f64 = 26.0;
/// Space between two group boxes of a column.
pub const GROUP_GAP: f64 = 18.0;
/// Space between the entity view's columns (the edges and their labels run there).
pub const COLUMN_GAP: f64 = 170.0;
/// Space between two layers of the namespace view.
pub const LAYER_GAP: f64 = 90.0;

/// The height of a node with kind, name and namespace lines, then a line of port badges,
/// one of Services, and one per hub badge, as there are.
pub fn node_height(ports: usize, services: usize, badges: usize) -> f64 {
    let lines = 3 + usize::from(ports > 0) + usize::from(services > 0) + badges;
    2.0 * NODE_PAD + lines as f64 * LINE
}

/// What an edge stands for now: the review's decision on its communications, and whether the
/// generated policies deny some the review includes. Positions never depend on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeState {
    /// The review lets its communications through (a click excludes them).
    pub included: bool,
    /// Why the generated policy denies communications of it that the review includes.
    pub denied: Option<String>,
    /// Why some of its communications, allowed by the cluster's loaded policies today, would
    /// be denied once the generated ones are applied over them (`policy::compare`).
    pub would_break: Option<String>,
}

/// The words an edge that would break is explained with, before the reason.
pub const WOULD_BREAK_WORDS: &str =
    "allowed by the cluster's policies today, denied once the generated ones are applied";

/// The words an edge the policy denies is explained with, before the reason.
pub const DENIED_WORDS: &str = "included, but the generated policy denies it";

impl EdgeState {
    /// Included and allowed: what an edge is before anything is known.
    pub const INCLUDED: EdgeState = EdgeState {
        included: true,
        denied: None,
        would_break: None,
    };

    /// Its `data-state` hook: `included`, `excluded`, or `denied` (included, but denied).
    pub fn key(&self) -> &'static str {
        match (&self.denied, self.included) {
            (Some(_), _) => "denied",
            (None, true) => "included",
            (None, false) => "excluded",
        }
    }

    /// Its class (beside `fp-topo__edge`), for the line's colour and dashes.
    pub fn class(&self) -> &'static str {
        match self.key() {
            "denied" => "fp-topo__edge--denied",
            "excluded" => "fp-topo__edge--excluded",
            _ => "",
        }
    }

    /// The marker at the server's end: an arrow of the state's colour (a denied edge also
    /// carries a crossed circle halfway, [`EdgePath::midpoint`](super::EdgePath::midpoint):
    /// its state shown by a shape, not by colour alone).
    pub fn marker(&self) -> &'static str {
        match self.key() {
            "denied" => "url(#fp-arrow-denied)",
            "excluded" => "url(#fp-arrow-excluded)",
            _ => "url(#fp-arrow)",
        }
    }

    /// The text drawn beside the edge: its `label`, marked `✗` when denied.
    pub fn label(&self, label: &str) -> String {
        if self.denied.is_some() && !label.is_empty() {
            format!("✗ {label}")
        } else {
            label.to_string()
        }
    }

    /// What it is, in words (its accessible name ends with it).
    pub fn spoken(&self) -> String {
        let state = match &self.denied {
            Some(reason) => format!("{DENIED_WORDS}: {reason}"),
            None if self.included => "in the policy".to_string(),
            None => "not in the policy".to_string(),
        };
        match &self.would_break {
            Some(reason) => format!("{state}; would break: {reason}"),
            None => state,
        }
    }

    /// Its lines of the tooltip: whether it is in the policy (what a click does), and, when
    /// denied, why.
    pub fn details(&self) -> Vec<Detail> {
        let mut details = vec![(
            "In the policy".to_string(),
            if self.included {
                "yes (click to exclude)".to_string()
            } else {
                "no (click to include)".to_string()
            },
        )];
        if let Some(reason) = &self.denied {
            details.push(("Denied".to_string(), format!("{DENIED_WORDS}: {reason}")));
        }
        if let Some(reason) = &self.would_break {
            details.push((
                "Would break".to_string(),
                format!("{WOULD_BREAK_WORDS}: {reason}"),
            ));
        }
        details
    }
}

#[cfg(test)]
mod tests {
    use super::EdgeState;

    #[test]
    fn each_state_is_drawn_said_and_explained_its_own_way() {
        let excluded = EdgeState {
            included: false,
            denied: None,
            would_break: None,
        };
        let denied = EdgeState {
            included: true,
            denied: Some("no ingress rule of NetworkPolicy a/b allows it".into()),
            would_break: None,
        };
        let states = [&EdgeState::INCLUDED, &excluded, &denied];
        let keys: Vec<&str> = states.iter().map(|s| s.key()).collect();
        assert_eq!(keys, ["included", "excluded", "denied"]);
        let classes: Vec<&str> = states.iter().map(|s| s.class()).collect();
        assert_eq!(
            classes,
            ["", "fp-topo__edge--excluded", "fp-topo__edge--denied"]
        );
        let markers: Vec<&str> = states.iter().map(|s| s.marker()).collect();
        assert_eq!(
            markers,
            [
                "url(#fp-arrow)",
                "url(#fp-arrow-excluded)",
                "url(#fp-arrow-denied)"
            ]
        );
        assert_eq!(EdgeState::INCLUDED.label("TCP/80"), "TCP/80");
        assert_eq!(excluded.label("TCP/80"), "TCP/80");
        assert_eq!(denied.label("TCP/80"), "✗ TCP/80");
        assert_eq!(denied.label(""), "", "an edge without a label gets none");
        assert_eq!(EdgeState::INCLUDED.spoken(), "in the policy");
        assert_eq!(excluded.spoken(), "not in the policy");
        assert_eq!(
            denied.spoken(),
            "included, but the generated policy denies it: no ingress rule of NetworkPolicy \
             a/b allows it"
        );
        assert_eq!(
            excluded.details(),
            [(
                "In the policy".to_string(),
                "no (click to include)".to_string()
            )]
        );
        assert_eq!(
            EdgeState::INCLUDED.details(),
            [(
                "In the policy".to_string(),
                "yes (click to exclude)".to_string()
            )]
        );
        assert_eq!(
            denied.details(),
            [
                (
                    "In the policy".to_string(),
                    "yes (click to exclude)".to_string()
                ),
                (
                    "Denied".to_string(),
                    "included, but the generated policy denies it: no ingress rule of \
                     NetworkPolicy a/b allows it"
                        .to_string()
                )
            ]
        );
        // Denied wins over a mixed edge's exclusion: the policy breaks what it includes.
        let mixed = EdgeState {
            included: false,
            ..denied.clone()
        };
        assert_eq!(mixed.key(), "denied");
    }

    #[test]
    fn an_edge_that_would_break_says_so_in_its_tooltip_and_its_name() {
        let breaking = EdgeState {
            would_break: Some(
                "ingress of the server: proposed, NetworkPolicy/a/b selects it".into(),
            ),
            ..EdgeState::INCLUDED
        };
        assert_eq!(breaking.key(), "included", "its review state is unchanged");
        assert!(breaking
            .spoken()
            .starts_with("in the policy; would break: ingress of the server"));
        let details = breaking.details();
        assert_eq!(details.last().unwrap().0, "Would break");
        assert!(details.last().unwrap().1.contains("NetworkPolicy/a/b"));
        assert!(EdgeState::INCLUDED
            .details()
            .iter()
            .all(|(what, _)| what != "Would break"));
    }
}
