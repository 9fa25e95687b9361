//! Where the topology's tooltip goes so that it always lies inside the canvas: beside the
//! point it describes, on the side with more room (right or left, below or above), and never
//! larger than the room on that side (it scrolls inside when its text is longer).

/// The gap between the point and the tooltip, in pixels.
const GAP: f64 = 12.0;
/// The margin kept from the canvas's edges.
const MARGIN: f64 = 4.0;
/// The widest a tooltip gets.
const MAX_WIDTH: f64 = 420.0;

/// A tooltip's place in its canvas (CSS pixels from the canvas's edges: one of `left` and
/// `right`, one of `top` and `bottom`), and the most room it may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TooltipPlace {
    pub left: Option<f64>,
    pub right: Option<f64>,
    pub top: Option<f64>,
    pub bottom: Option<f64>,
    pub max_width: f64,
    pub max_height: f64,
}

/// The place of a tooltip about the point `(x, y)` of a canvas `width` × `height`.
pub fn place_tooltip((x, y): (f64, f64), (width, height): (f64, f64)) -> TooltipPlace {
    let (width, height) = (width.max(0.0), height.max(0.0));
    let (x, y) = (x.clamp(0.0, width), y.clamp(0.0, height));
    // One side or the other, and the room there (never negative: a tiny canvas gets a
    // tooltip of no size rather than one outside it).
    let side = |at: f64, extent: f64| -> (bool, f64, f64) {
        if at <= extent / 2.0 {
            let start = (at + GAP).min(extent);
            (true, start, (extent - start - MARGIN).max(0.0))
        } else {
            let end = (extent - at + GAP).min(extent);
            (false, end, (extent - end - MARGIN).max(0.0))
        }
    };
    let (after_x, offset_x, room_x) = side(x, width);
    let (after_y, offset_y, room_y) = side(y, height);
    TooltipPlace {
        left: after_x.then_some(offset_x),
        right: (!after_x).then_some(offset_x),
        top: after_y.then_some(offset_y),
        bottom: (!after_y).then_some(offset_y),
        max_width: room_x.min(MAX_WIDTH),
        max_height: room_y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The box a tooltip of `size` (at most its room) takes, as (left, top, right, bottom).
    fn extent(
        place: TooltipPlace,
        (width, height): (f64, f64),
        size: (f64, f64),
    ) -> (f64, f64, f64, f64) {
        let w = size.0.min(place.max_width);
        let h = size.1.min(place.max_height);
        let left = place
            .left
            .unwrap_or_else(|| width - place.right.unwrap() - w);
        let top = place
            .top
            .unwrap_or_else(|| height - place.bottom.unwrap() - h);
        (left, top, left + w, top + h)
    }

    #[test]
    fn a_point_at_the_right_edge_gets_its_tooltip_on_the_left() {
        let place = place_tooltip((990.0, 500.0), (1000.0, 600.0));
        assert_eq!(place.right, Some(22.0));
        assert_eq!(place.left, None);
        assert_eq!(place.bottom, Some(112.0));
        let (left, top, right, bottom) = extent(place, (1000.0, 600.0), (400.0, 300.0));
        assert!(left >= 0.0 && top >= 0.0 && right <= 1000.0 && bottom <= 600.0);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(crate::regressions::beside_the_source(Default::default()))]
        /// Wherever the point (even outside), whatever the canvas and the tooltip's size, the
        /// tooltip lies inside the canvas.
        #[test]
        fn a_tooltip_always_lies_inside_the_canvas(
            x in -100.0f64..3000.0,
            y in -100.0f64..3000.0,
            width in 0.0f64..2500.0,
            height in 0.0f64..2500.0,
            size in (0.0f64..2000.0, 0.0f64..2000.0),
        ) {
            let place = place_tooltip((x, y), (width, height));
            let (left, top, right, bottom) = extent(place, (width, height), size);
            proptest::prop_assert!(left >= -1e-9 && top >= -1e-9, "{place:?}");
            proptest::prop_assert!(right <= width + 1e-9 && bottom <= height + 1e-9, "{place:?}");
        }
    }
}
