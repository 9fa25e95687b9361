//! The words and numbers the topology's SVG carries besides the geometry: a node's lines cut
//! to fit its box, the name it is called by, its tooltip; an edge's name and tooltip title, the
//! side its label is anchored on; a polyline's points and the denied mark's cross.

use crate::engine::dataset::Peer;
use crate::engine::model::Direction;

use super::geometry::Point;
use super::scene::{Detail, EdgePath, NodeBox};
use super::style::{LINE, NODE_PAD};

/// `x1,y1 x2,y2 ...`, to a tenth of a pixel.
pub fn points(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most `chars` characters of `text`, with an ellipsis when cut.
pub fn fit(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A node's lines, each with its class: kind, name, namespace (or class), then its ports,
/// its Services and its badges when it has any, each cut to fit the box.
pub fn node_lines(node: &NodeBox) -> Vec<(&'static str, String)> {
    let mut lines: Vec<(&'static str, String)> = vec![
        ("fp-topo__kind", fit(&node.kind, 28)),
        ("fp-topo__name", fit(&node.title, 24)),
        ("fp-topo__sub", fit(&node.subtitle, 30)),
    ];
    if !node.ports.is_empty() {
        lines.push(("fp-topo__ports", fit(&node.ports.join(" · "), 27)));
    }
    if !node.services.is_empty() {
        lines.push((
            "fp-topo__services",
            fit(&format!("Service {}", node.services.join(", ")), 27),
        ));
    }
    for badge in &node.badges {
        lines.push(("fp-topo__badge", fit(badge, 27)));
    }
    lines
}

/// The baseline of a node's line `line` (from 0).
pub fn line_y(node: &NodeBox, line: usize) -> f64 {
    node.rect.y + NODE_PAD + LINE * (line as f64 + 0.8)
}

/// What a node is called: the lines it shows, so it can be called by what one sees.
pub fn spoken(lines: &[(&'static str, String)]) -> String {
    lines
        .iter()
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether clicking a node shows something: a workload scopes to it, a collapsed namespace
/// opens.
pub fn clickable(node: &NodeBox) -> bool {
    matches!(node.peer, Some(Peer::Entity(_))) || node.namespace.is_some()
}

/// A node's tooltip: its title and its details, with what a click does when it does anything.
pub fn node_tooltip(node: &NodeBox) -> (String, Vec<Detail>) {
    let mut details = node.details.clone();
    if clickable(node) {
        details.push(("Click".into(), "to show it in the topology".into()));
    }
    (format!("{} {}", node.kind, node.title), details)
}

/// An edge's tooltip title: `from → to TCP/443`.
pub fn edge_title(edge: &EdgePath) -> String {
    format!("{} → {} {}", edge.from, edge.to, edge.port_label())
}

/// What an edge is called: what it shows first (its label), then what it joins.
pub fn edge_name(edge: &EdgePath) -> String {
    format!("{}, {} to {}", edge.label, edge.from, edge.to)
}

/// Where an edge's label is anchored: at its end for an egress edge, else at its start.
pub fn label_anchor(edge: &EdgePath) -> &'static str {
    if edge.direction == Some(Direction::Egress) {
        "end"
    } else {
        "start"
    }
}

/// The denied mark's cross, centred at (`x`, `y`), as an SVG path.
pub fn cross_path(x: f64, y: f64) -> String {
    format!(
        "M{},{} L{},{} M{},{} L{},{}",
        x - 3.0,
        y - 3.0,
        x + 3.0,
        y + 3.0,
        x + 3.0,
        y - 3.0,
        x - 3.0,
        y + 3.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::graph::geometry::Rect;
    use crate::engine::graph::NodeRole;
    use crate::engine::model::EntityId;

    fn node() -> NodeBox {
        NodeBox {
            key: "Deployment/shop/web".into(),
            role: NodeRole::Peer,
            kind: "Deployment".into(),
            title: "web-frontend-with-a-very-long-name".into(),
            subtitle: "shop".into(),
            ports: Vec::new(),
            services: Vec::new(),
            badges: Vec::new(),
            details: vec![("Labels".into(), "app=web".into())],
            peer: None,
            side: None,
            namespace: None,
            rect: Rect {
                x: 10.0,
                y: 20.0,
                width: 200.0,
                height: 60.0,
            },
        }
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(fit("web", 3), "web");
        assert_eq!(fit("frontend", 5), "fron…");
        assert_eq!(fit("ééééé", 4), "ééé…", "characters, not bytes");
        assert_eq!(
            points(&[Point { x: 1.0, y: 2.25 }, Point { x: 3.06, y: 4.0 }]),
            "1.0,2.2 3.1,4.0"
        );
        assert_eq!(cross_path(10.0, 20.0), "M7,17 L13,23 M13,17 L7,23");
    }

    #[test]
    fn a_node_shows_its_lines_and_is_called_by_them() {
        let mut node = node();
        let lines = node_lines(&node);
        assert_eq!(
            lines,
            [
                ("fp-topo__kind", "Deployment".to_string()),
                ("fp-topo__name", "web-frontend-with-a-ver…".to_string()),
                ("fp-topo__sub", "shop".to_string()),
            ]
        );
        assert_eq!(spoken(&lines), "Deployment web-frontend-with-a-ver… shop");
        node.ports = vec!["TCP/8080".into(), "TCP/9090".into()];
        node.services = vec!["shop/web".into()];
        node.badges = vec!["↔ kube-system UDP/53".into()];
        let classes: Vec<&str> = node_lines(&node).iter().map(|(class, _)| *class).collect();
        assert_eq!(
            classes,
            [
                "fp-topo__kind",
                "fp-topo__name",
                "fp-topo__sub",
                "fp-topo__ports",
                "fp-topo__services",
                "fp-topo__badge"
            ]
        );
        assert_eq!(node_lines(&node)[3].1, "TCP/8080 · TCP/9090");
        assert_eq!(node_lines(&node)[4].1, "Service shop/web");
        assert_eq!(line_y(&node, 0), 20.0 + NODE_PAD + LINE * 0.8);
        assert_eq!(line_y(&node, 2), 20.0 + NODE_PAD + LINE * 2.8);
    }

    #[test]
    fn a_click_is_offered_by_workloads_and_collapsed_namespaces() {
        let mut node = node();
        assert!(!clickable(&node));
        let (title, details) = node_tooltip(&node);
        assert_eq!(title, "Deployment web-frontend-with-a-very-long-name");
        assert_eq!(details.len(), 1);
        node.peer = Some(Peer::Entity(EntityId::new(0)));
        assert!(clickable(&node));
        assert_eq!(node_tooltip(&node).1.last().unwrap().0, "Click");
        node.peer = Some(Peer::ApiServer);
        assert!(!clickable(&node));
        node.namespace = Some((None, "shop".into()));
        assert!(clickable(&node));
    }
}
