//! The sizes the layouts place boxes with: the SVG view draws text at these sizes, so a box
//! holds its lines.

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
