//! A layered (Sugiyama) layout on petgraph, for the namespace view:
//!
//! 1. cycle breaking: the edges of a greedy feedback arc set (Eades, Lin and Smyth, as
//!    petgraph implements it) are turned around, so the graph has no cycle;
//! 2. layering: each node one layer below its lowest predecessor (longest path), then nodes
//!    without predecessors moved down to just above their first successor;
//! 3. an edge spanning several layers gets a dummy node in each layer between;
//! 4. ordering: barycentre sweeps down and up, a bounded number of passes, keeping the order
//!    with the fewest crossings (counted exactly between each pair of layers);
//! 5. coordinates: nodes centred over their neighbours, a few passes, never overlapping and
//!    never changing the order;
//! 6. routing: an edge leaves the bottom of its upper box, runs straight down through each
//!    layer it crosses (in its dummy's place, which no box takes) and diagonally only in the
//!    gaps between layers, so it never passes through a box.
//!
//! Every step is deterministic: the same nodes and edges in the same order give the same
//! picture.

use std::collections::BTreeSet;

use petgraph::algo::greedy_feedback_arc_set;
use petgraph::graph::{DiGraph, NodeIndex};

use super::geometry::{Point, Rect};
use super::style::{LAYER_GAP, NODE_GAP};

/// How many down-and-up barycentre sweeps the ordering makes at most.
const ORDER_PASSES: usize = 12;
/// How many centring passes the coordinates get.
const COORDINATE_PASSES: usize = 8;
/// The width a dummy node (an edge crossing a layer) takes.
const DUMMY_WIDTH: f64 = 12.0;

/// What to lay out: node sizes, in a stable order, and directed edges between them (the
/// client above the server, where cycles allow).
#[derive(Clone, Debug, Default)]
pub struct LayeredInput {
    pub sizes: Vec<(f64, f64)>,
    pub edges: Vec<(usize, usize)>,
}

/// Where everything went. A self-loop gets no route (see [`self_loop`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayeredOutput {
    pub boxes: Vec<Rect>,
    pub layers: Vec<usize>,
    /// Per input edge: from its source's box to its target's.
    pub routes: Vec<Vec<Point>>,
    /// Per input edge: whether it runs against the layers (it closed a cycle).
    pub reversed: Vec<bool>,
    pub width: f64,
    pub height: f64,
}

/// Room a box needs on its right for a self-loop.
pub const SELF_LOOP_ROOM: f64 = 24.0;

/// A self-loop beside `rect`: out of its right side and back in, within
/// [`SELF_LOOP_ROOM`].
pub fn self_loop(rect: Rect) -> Vec<Point> {
    let (y0, y1) = (rect.y + rect.height * 0.3, rect.y + rect.height * 0.7);
    let out = rect.right() + SELF_LOOP_ROOM - 6.0;
    vec![
        Point::new(rect.right(), y0),
        Point::new(out, y0),
        Point::new(out, y1),
        Point::new(rect.right(), y1),
    ]
}

/// A node of the layered graph: an input node or an edge's dummy.
#[derive(Clone, Copy, Debug)]
struct Slot {
    width: f64,
    height: f64,
}

/// The layered graph: input nodes and dummies, and the edges between adjacent layers.
struct Layering {
    slots: Vec<Slot>,
    layer_of: Vec<usize>,
    /// Per layer, its slots in order.
    order: Vec<Vec<usize>>,
    /// Edges between adjacent layers, upper slot first.
    links: Vec<(usize, usize)>,
    /// Per input edge: its chain of slots, upper end first.
    chains: Vec<Vec<usize>>,
}

/// Lays out `input` in one go.
pub fn layout(input: &LayeredInput) -> LayeredOutput {
    let mut job = LayeredJob::new(input);
    loop {
        if let Some(output) = job.step() {
            return output;
        }
    }
}

/// A layout done a step at a time, so that a caller with a frame budget (the browser's page)
/// can stop between steps: each ordering sweep is three steps (down, up, transpositions),
/// then the coordinates one, the routes one. Steps are deterministic: the result is
/// [`layout`]'s whatever the pauses.
pub struct LayeredJob {
    n: usize,
    layers: Vec<usize>,
    reversed: Vec<bool>,
    layering: Layering,
    ordering: Option<Ordering>,
    /// The x of each slot, once placed.
    x: Option<Vec<f64>>,
}

/// The ordering's state between sweeps.
struct Ordering {
    above: Vec<Vec<usize>>,
    below: Vec<Vec<usize>>,
    current: Vec<Vec<usize>>,
    position: Vec<usize>,
    best: Vec<Vec<usize>>,
    best_crossings: usize,
    passes: usize,
    /// The next part of the current sweep: 0 down, 1 up, 2 transpositions.
    part: u8,
}

impl LayeredJob {
    /// Breaks cycles and layers the graph (linear time): what the steps then order and place.
    pub fn new(input: &LayeredInput) -> LayeredJob {
        let n = input.sizes.len();
        let reversed = cycle_breaking(n, &input.edges);
        let dag: Vec<(usize, usize)> = input
            .edges
            .iter()
            .zip(&reversed)
            .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
            .collect();
        let layers = layer(n, &dag);
        let layering = Layering::new(input, &layers, &dag);
        let ordering = Some(layering.start_ordering());
        LayeredJob {
            n,
            layers,
            reversed,
            layering,
            ordering,
            x: None,
        }
    }

    /// Does the next step: `Some` with the layout once done.
    pub fn step(&mut self) -> Option<LayeredOutput> {
        if let Some(ordering) = &mut self.ordering {
            if ordering.passes < ORDER_PASSES && ordering.best_crossings > 0 {
                self.layering.sweep_part(ordering);
                return None;
            }
        }
        if let Some(ordering) = self.ordering.take() {
            self.layering.order = ordering.best;
        }
        if self.n == 0 {
            return Some(LayeredOutput::default());
        }
        let layering = &self.layering;
        let Some(x) = self.x.take() else {
            self.x = Some(layering.coordinates());
            return None;
        };
        let (boxes, bands, height) = layering.boxes(&x);
        let routes = layering.routes(&x, &boxes, &bands, &self.reversed);
        let width = boxes.iter().map(Rect::right).fold(0.0, f64::max);
        Some(LayeredOutput {
            boxes: boxes[..self.n].to_vec(),
            layers: std::mem::take(&mut self.layers),
            routes,
            reversed: std::mem::take(&mut self.reversed),
            width,
            height,
        })
    }
}

/// Which edges to turn around so that none closes a cycle (self-loops never are given).
fn cycle_breaking(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut graph: DiGraph<(), usize> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        graph.add_node(());
    }
    for (index, &(a, b)) in edges.iter().enumerate() {
        graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), index);
    }
    let mut reversed = vec![false; edges.len()];
    for edge in greedy_feedback_arc_set(&graph) {
        reversed[*edge.weight()] = true;
    }
    reversed
}

/// The layer of each node of the acyclic `edges`, counted from the bottom: a node with no
/// successor (a server nobody's client) is at the bottom, every other node one layer above
/// its highest successor; then a node without successors rises to just below its lowest
/// predecessor (shorter edges). Counting from the bottom keeps layers where they are when a
/// client is added above, the usual change.
fn layer(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut predecessors = vec![Vec::new(); n];
    let mut successors = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b {
            predecessors[b].push(a);
            successors[a].push(b);
        }
    }
    // Kahn's order from the bottom, smallest index first among the ready ones: deterministic.
    let mut outdegree: Vec<usize> = successors.iter().map(Vec::len).collect();
    let mut ready: BTreeSet<usize> = (0..n).filter(|&v| outdegree[v] == 0).collect();
    let mut bottom_up = Vec::with_capacity(n);
    while let Some(v) = ready.pop_first() {
        bottom_up.push(v);
        for &u in &predecessors[v] {
            outdegree[u] -= 1;
            if outdegree[u] == 0 {
                ready.insert(u);
            }
        }
    }
    let mut height = vec![0usize; n];
    for &v in &bottom_up {
        for &u in &predecessors[v] {
            height[u] = height[u].max(height[v] + 1);
        }
    }
    // Nodes without successors rise to just below their lowest predecessor.
    for &v in bottom_up.iter().rev() {
        if successors[v].is_empty() {
            if let Some(lowest) = predecessors[v].iter().map(|&u| height[u]).min() {
                height[v] = lowest.saturating_sub(1).max(height[v]);
            }
        }
    }
    let top = height.iter().copied().max().unwrap_or(0);
    height.iter().map(|&h| top - h).collect()
}

impl Layering {
    fn new(input: &LayeredInput, layers: &[usize], dag: &[(usize, usize)]) -> Layering {
        let mut slots: Vec<Slot> = input
            .sizes
            .iter()
            .map(|&(width, height)| Slot { width, height })
            .collect();
        let mut layer_of = layers.to_vec();
        let mut links = Vec::new();
        let mut chains = Vec::with_capacity(dag.len());
        for &(a, b) in dag {
            let mut chain = vec![a];
            let (top, bottom) = (layers[a], layers[b]);
            let mut previous = a;
            for layer in top + 1..bottom {
                let dummy = slots.len();
                slots.push(Slot {
                    width: DUMMY_WIDTH,
                    height: 0.0,
                });
                layer_of.push(layer);
                links.push((previous, dummy));
                chain.push(dummy);
                previous = dummy;
            }
            if a != b {
                links.push((previous, b));
            }
            chain.push(b);
            chains.push(chain);
        }
        let depth = layer_of.iter().max().map_or(0, |&d| d + 1);
        let mut order = vec![Vec::new(); depth];
        for (slot, &layer) in layer_of.iter().enumerate() {
            order[layer].push(slot);
        }
        Layering {
            slots,
            layer_of,
            order,
            links,
            chains,
        }
    }

    /// Neighbours of each slot in the layer above and below.
    fn neighbours(&self) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
        let mut above = vec![Vec::new(); self.slots.len()];
        let mut below = vec![Vec::new(); self.slots.len()];
        for &(upper, lower) in &self.links {
            above[lower].push(upper);
            below[upper].push(lower);
        }
        (above, below)
    }

    /// Crossings between every pair of adjacent layers under `order`.
    fn crossings(&self, order: &[Vec<usize>]) -> usize {
        let mut position = vec![0usize; self.slots.len()];
        for layer in order {
            for (i, &slot) in layer.iter().enumerate() {
                position[slot] = i;
            }
        }
        let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); order.len()];
        for &(upper, lower) in &self.links {
            by_layer[self.layer_of[upper]].push((position[upper], position[lower]));
        }
        by_layer
            .iter_mut()
            .map(|pairs| {
                pairs.sort_unstable();
                let mut lower: Vec<usize> = pairs.iter().map(|&(_, l)| l).collect();
                inversions(&mut lower)
            })
            .sum()
    }

    /// The ordering's starting state: the order by input (by key), its crossings.
    fn start_ordering(&self) -> Ordering {
        let (above, below) = self.neighbours();
        let best = self.order.clone();
        let best_crossings = self.crossings(&best);
        let mut position = vec![0usize; self.slots.len()];
        for layer in &best {
            for (i, &slot) in layer.iter().enumerate() {
                position[slot] = i;
            }
        }
        Ordering {
            above,
            below,
            current: best.clone(),
            position,
            best,
            best_crossings,
            passes: 0,
            part: 0,
        }
    }

    /// The next part of a sweep: the barycentre sweep down, the one up, or the
    /// transpositions (which end the sweep, keeping the best order seen).
    fn sweep_part(&self, o: &mut Ordering) {
        match o.part {
            0 => {
                for layer in 1..o.current.len() {
                    sort_by_barycentre(
                        &mut o.current,
                        &mut o.position,
                        layer,
                        layer - 1,
                        &o.above,
                        &self.layer_of,
                    );
                }
                o.part = 1;
            }
            1 => {
                for layer in (0..o.current.len().saturating_sub(1)).rev() {
                    sort_by_barycentre(
                        &mut o.current,
                        &mut o.position,
                        layer,
                        layer + 1,
                        &o.below,
                        &self.layer_of,
                    );
                }
                o.part = 2;
            }
            _ => {
                transpose(&mut o.current, &mut o.position, &o.above, &o.below);
                let crossings = self.crossings(&o.current);
                if crossings < o.best_crossings {
                    o.best_crossings = crossings;
                    o.best = o.current.clone();
                }
                o.passes += 1;
                o.part = 0;
            }
        }
    }

    /// The x of each slot's centre: packed, then centred over its neighbours.
    fn coordinates(&self) -> Vec<f64> {
        let (above, below) = self.neighbours();
        let mut x = vec![0.0; self.slots.len()];
        for layer in &self.order {
            let mut left = 0.0;
            for &slot in layer {
                x[slot] = left + self.slots[slot].width / 2.0;
                left += self.slots[slot].width + NODE_GAP;
            }
        }
        // The widest layer sets the picture's width: centre the others under it.
        let widest = self
            .order
            .iter()
            .map(|layer| self.layer_width(layer))
            .fold(0.0, f64::max);
        for layer in &self.order {
            let shift = (widest - self.layer_width(layer)) / 2.0;
            for &slot in layer {
                x[slot] += shift;
            }
        }
        for _ in 0..COORDINATE_PASSES {
            for layer in 1..self.order.len() {
                self.centre_layer(&mut x, layer, &above);
            }
            for layer in (0..self.order.len().saturating_sub(1)).rev() {
                self.centre_layer(&mut x, layer, &below);
            }
        }
        let left = self
            .order
            .iter()
            .flatten()
            .map(|&s| x[s] - self.slots[s].width / 2.0)
            .fold(f64::INFINITY, f64::min);
        if left.is_finite() {
            x.iter_mut().for_each(|v| *v -= left);
        }
        x
    }

    fn layer_width(&self, layer: &[usize]) -> f64 {
        let widths: f64 = layer.iter().map(|&s| self.slots[s].width).sum();
        widths + NODE_GAP * layer.len().saturating_sub(1) as f64
    }

    /// Moves the slots of `layer` towards the mean x of their `neighbours`, keeping their order
    /// and the gap between them: the mean of the leftmost and rightmost placements that honour
    /// the gaps (both do, so their mean does).
    fn centre_layer(&self, x: &mut [f64], layer: usize, neighbours: &[Vec<usize>]) {
        let slots = &self.order[layer];
        if slots.is_empty() {
            return;
        }
        let wanted: Vec<f64> = slots
            .iter()
            .map(|&s| {
                let around = &neighbours[s];
                if around.is_empty() {
                    x[s]
                } else {
                    around.iter().map(|&n| x[n]).sum::<f64>() / around.len() as f64
                }
            })
            .collect();
        let separation = |a: usize, b: usize| {
            (self.slots[slots[a]].width + self.slots[slots[b]].width) / 2.0 + NODE_GAP
        };
        let mut from_left = wanted.clone();
        for i in 1..slots.len() {
            from_left[i] = from_left[i].max(from_left[i - 1] + separation(i - 1, i));
        }
        let mut from_right = wanted;
        for i in (0..slots.len().saturating_sub(1)).rev() {
            from_right[i] = from_right[i].min(from_right[i + 1] - separation(i, i + 1));
        }
        for (i, &slot) in slots.iter().enumerate() {
            x[slot] = (from_left[i] + from_right[i]) / 2.0;
        }
    }

    /// Node boxes (dummies' too), each layer's band (top, height), and the total height.
    fn boxes(&self, x: &[f64]) -> (Vec<Rect>, Vec<(f64, f64)>, f64) {
        let mut boxes = vec![Rect::new(0.0, 0.0, 0.0, 0.0); self.slots.len()];
        let mut bands = Vec::with_capacity(self.order.len());
        let mut top = 0.0;
        for layer in &self.order {
            let height = layer
                .iter()
                .map(|&s| self.slots[s].height)
                .fold(0.0, f64::max);
            for &slot in layer {
                let s = self.slots[slot];
                // Boxes of a layer share their middle line.
                boxes[slot] = Rect::new(
                    x[slot] - s.width / 2.0,
                    top + (height - s.height) / 2.0,
                    s.width,
                    s.height,
                );
            }
            bands.push((top, height));
            top += height + LAYER_GAP;
        }
        (boxes, bands, (top - LAYER_GAP).max(0.0))
    }

    /// Each input edge's polyline, from its source's box to its target's.
    fn routes(
        &self,
        x: &[f64],
        boxes: &[Rect],
        bands: &[(f64, f64)],
        reversed: &[bool],
    ) -> Vec<Vec<Point>> {
        // Where each edge leaves and enters a box: spread along the side, in the order of the
        // other ends, so that edges of one box do not cross at it.
        let leave = self.spread_ends(x, boxes, true);
        let enter = self.spread_ends(x, boxes, false);
        self.chains
            .iter()
            .enumerate()
            .map(|(edge, chain)| {
                let mut points = Vec::new();
                let (first, last) = (chain[0], chain[chain.len() - 1]);
                if first == last {
                    // A self-loop has no route here: the caller draws it beside its box, in
                    // room it reserves in the box's width.
                    return Vec::new();
                }
                let start_x = leave[edge];
                let (top, height) = bands[self.layer_of[first]];
                points.push(Point::new(start_x, boxes[first].bottom()));
                points.push(Point::new(start_x, top + height));
                for &dummy in &chain[1..chain.len() - 1] {
                    let (top, height) = bands[self.layer_of[dummy]];
                    points.push(Point::new(x[dummy], top));
                    points.push(Point::new(x[dummy], top + height));
                }
                let end_x = enter[edge];
                let (top, _) = bands[self.layer_of[last]];
                points.push(Point::new(end_x, top));
                points.push(Point::new(end_x, boxes[last].y));
                points.dedup();
                if reversed[edge] {
                    points.reverse();
                }
                points
            })
            .collect()
    }

    /// Per edge: the x where it leaves its upper box (`leaving`) or enters its lower box,
    /// spread over the box's width in the order of the x of the next point.
    fn spread_ends(&self, x: &[f64], boxes: &[Rect], leaving: bool) -> Vec<f64> {
        let mut by_box: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.slots.len()];
        for (edge, chain) in self.chains.iter().enumerate() {
            if chain.len() < 2 || chain[0] == chain[chain.len() - 1] {
                continue;
            }
            let (own, next) = if leaving {
                (chain[0], chain[1])
            } else {
                (chain[chain.len() - 1], chain[chain.len() - 2])
            };
            by_box[own].push((x[next], edge));
        }
        let mut ends = vec![0.0; self.chains.len()];
        for (slot, edges) in by_box.iter_mut().enumerate() {
            edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let r = boxes[slot];
            for (k, &(_, edge)) in edges.iter().enumerate() {
                ends[edge] = r.x + r.width * (k as f64 + 1.0) / (edges.len() as f64 + 1.0);
            }
        }
        ends
    }
}

/// Crossings between the edges of two neighbouring slots `a` (left) and `b` (right) of one
/// layer with the layer `positions` describe, through `neighbours`.
fn pair_crossings(a: &[usize], b: &[usize], position: &[usize]) -> usize {
    a.iter()
        .map(|&u| b.iter().filter(|&&v| position[v] < position[u]).count())
        .sum()
}

/// Swaps neighbouring slots of each layer while that lowers the crossings with the layers
/// above and below (a few rounds at most).
fn transpose(
    order: &mut [Vec<usize>],
    position: &mut [usize],
    above: &[Vec<usize>],
    below: &[Vec<usize>],
) {
    for _ in 0..4 {
        let mut improved = false;
        for layer in order.iter_mut() {
            for i in 1..layer.len() {
                let (a, b) = (layer[i - 1], layer[i]);
                let now = pair_crossings(&above[a], &above[b], position)
                    + pair_crossings(&below[a], &below[b], position);
                let swapped = pair_crossings(&above[b], &above[a], position)
                    + pair_crossings(&below[b], &below[a], position);
                if swapped < now {
                    layer.swap(i - 1, i);
                    position[a] = i;
                    position[b] = i - 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Reorders `layer` by the mean `position` of each slot's neighbours in `reference` (a slot
/// without any keeps its place), stably; `position` follows.
fn sort_by_barycentre(
    order: &mut [Vec<usize>],
    position: &mut [usize],
    layer: usize,
    reference: usize,
    neighbours: &[Vec<usize>],
    layer_of: &[usize],
) {
    let mut keyed: Vec<(f64, usize, usize)> = order[layer]
        .iter()
        .enumerate()
        .map(|(i, &slot)| {
            let (sum, count) = neighbours[slot]
                .iter()
                .filter(|&&n| layer_of[n] == reference)
                .fold((0.0, 0usize), |(sum, count), &n| {
                    (sum + position[n] as f64, count + 1)
                });
            let key = if count == 0 {
                i as f64
            } else {
                sum / count as f64
            };
            (key, i, slot)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    order[layer] = keyed.into_iter().map(|(_, _, slot)| slot).collect();
    for (i, &slot) in order[layer].iter().enumerate() {
        position[slot] = i;
    }
}

/// The number of pairs out of order in `values` (merge sort; `values` ends sorted).
fn inversions(values: &mut [usize]) -> usize {
    if values.len() < 2 {
        return 0;
    }
    let middle = values.len() / 2;
    let mut count = inversions(&mut values[..middle]) + inversions(&mut values[middle..]);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, middle);
    while i < middle && j < values.len() {
        if values[i] <= values[j] {
            merged.push(values[i]);
            i += 1;
        } else {
            merged.push(values[j]);
            count += middle - i;
            j += 1;
        }
    }
    merged.extend_from_slice(&values[i..middle]);
    merged.extend_from_slice(&values[j..]);
    values.copy_from_slice(&merged);
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(n: usize, edges: &[(usize, usize)]) -> LayeredInput {
        LayeredInput {
            sizes: vec![(100.0, 40.0); n],
            edges: edges.to_vec(),
        }
    }

    #[test]
    fn inversions_count_crossing_pairs() {
        assert_eq!(inversions(&mut [0, 1, 2]), 0);
        assert_eq!(inversions(&mut [2, 1, 0]), 3);
        assert_eq!(inversions(&mut [1, 0, 1]), 1);
    }

    #[test]
    fn a_chain_goes_down_one_layer_per_edge() {
        let out = layout(&input(3, &[(0, 1), (1, 2)]));
        assert_eq!(out.layers, [0, 1, 2]);
        assert!(out.boxes[0].bottom() < out.boxes[1].y);
        assert!(out.reversed.iter().all(|r| !r));
    }

    #[test]
    fn a_cycle_is_broken_by_turning_one_edge_around() {
        let out = layout(&input(3, &[(0, 1), (1, 2), (2, 0)]));
        assert_eq!(out.reversed.iter().filter(|&&r| r).count(), 1);
        // Every edge not turned around points down the layers.
        for (edge, &(a, b)) in [(0, 1), (1, 2), (2, 0)].iter().enumerate() {
            if !out.reversed[edge] {
                assert!(out.layers[a] < out.layers[b], "{a} -> {b}");
            }
        }
    }

    #[test]
    fn a_long_edge_runs_through_the_layers_between_without_touching_a_box() {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3: the long edge gets dummies in layers 1 and 2.
        let out = layout(&input(4, &[(0, 1), (1, 2), (2, 3), (0, 3)]));
        let long = &out.routes[3];
        assert!(long.len() >= 6, "{long:?}");
        for (node, rect) in out.boxes.iter().enumerate() {
            if node == 0 || node == 3 {
                continue;
            }
            assert!(
                !long.windows(2).any(|s| rect.crossed_by(s[0], s[1])),
                "through {node}"
            );
        }
    }
}
