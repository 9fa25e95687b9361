//! Plane geometry for the topology: points, boxes, and the checks the layouts are tested
//! with (boxes that overlap, edges that cross).

/// A point in the picture's coordinates (pixels, y down).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

/// An axis-aligned box.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub const fn new(x: f64, y: f64, width: f64, height: f64) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    pub fn center(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Whether the two boxes share any area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// Whether `other` lies within this box.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    /// Whether the open segment from `a` to `b` passes through the box's inside.
    pub fn crossed_by(&self, a: Point, b: Point) -> bool {
        // Liang–Barsky clipping against the box shrunk by a hair, so that a segment ending on
        // the border does not count.
        let inner = Rect::new(
            self.x + 0.5,
            self.y + 0.5,
            self.width - 1.0,
            self.height - 1.0,
        );
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        for (p, q) in [
            (-dx, a.x - inner.x),
            (dx, inner.right() - a.x),
            (-dy, a.y - inner.y),
            (dy, inner.bottom() - a.y),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
                continue;
            }
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
        t1 - t0 > 1e-9
    }
}

/// The smallest box holding every box of `boxes`, or `None` when there is none.
pub fn bounds<'a>(boxes: impl IntoIterator<Item = &'a Rect>) -> Option<Rect> {
    let mut iter = boxes.into_iter();
    let first = *iter.next()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.right(), first.bottom());
    for r in iter {
        x0 = x0.min(r.x);
        y0 = y0.min(r.y);
        x1 = x1.max(r.right());
        y1 = y1.max(r.bottom());
    }
    Some(Rect::new(x0, y0, x1 - x0, y1 - y0))
}

fn orientation(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Whether segments `a`–`b` and `c`–`d` cross properly: at one point inside both, not at a
/// shared end.
pub fn segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let shares_end = [a, b].iter().any(|p| [c, d].contains(p));
    if shares_end {
        return false;
    }
    let (d1, d2) = (orientation(c, d, a), orientation(c, d, b));
    let (d3, d4) = (orientation(a, b, c), orientation(a, b, d));
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

/// How many times the polylines cross each other (segments of one polyline are not counted
/// against each other).
pub fn crossings(polylines: &[&[Point]]) -> usize {
    let mut count = 0;
    for (i, first) in polylines.iter().enumerate() {
        for second in &polylines[i + 1..] {
            for a in first.windows(2) {
                for b in second.windows(2) {
                    if segments_cross(a[0], a[1], b[0], b[1]) {
                        count += 1;
                    }
                }
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_overlap_only_when_they_share_area() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert!(a.overlaps(&Rect::new(5.0, 5.0, 10.0, 10.0)));
        assert!(!a.overlaps(&Rect::new(10.0, 0.0, 10.0, 10.0)), "touching");
        assert!(!a.overlaps(&Rect::new(0.0, 11.0, 10.0, 10.0)));
        assert!(a.contains(&Rect::new(1.0, 1.0, 2.0, 2.0)));
    }

    #[test]
    fn segments_cross_properly_only() {
        let p = Point::new;
        assert!(segments_cross(
            p(0.0, 0.0),
            p(10.0, 10.0),
            p(0.0, 10.0),
            p(10.0, 0.0)
        ));
        assert!(
            !segments_cross(p(0.0, 0.0), p(10.0, 10.0), p(10.0, 10.0), p(20.0, 0.0)),
            "a shared end"
        );
        assert!(!segments_cross(
            p(0.0, 0.0),
            p(10.0, 0.0),
            p(0.0, 5.0),
            p(10.0, 5.0)
        ));
        let x: &[Point] = &[p(0.0, 0.0), p(10.0, 10.0)];
        let y: &[Point] = &[p(0.0, 10.0), p(5.0, 4.0), p(10.0, 0.0)];
        assert_eq!(crossings(&[x, y]), 1);
    }

    #[test]
    fn a_segment_through_a_box_and_one_ending_on_it() {
        let r = Rect::new(10.0, 10.0, 10.0, 10.0);
        let p = Point::new;
        assert!(r.crossed_by(p(0.0, 15.0), p(30.0, 15.0)));
        assert!(
            !r.crossed_by(p(0.0, 15.0), p(10.0, 15.0)),
            "ends on the border"
        );
        assert!(!r.crossed_by(p(0.0, 0.0), p(30.0, 0.0)));
        assert_eq!(
            bounds([&r, &Rect::new(0.0, 0.0, 1.0, 1.0)]),
            Some(Rect::new(0.0, 0.0, 20.0, 20.0))
        );
    }
}
