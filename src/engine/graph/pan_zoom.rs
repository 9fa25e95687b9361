//! The topology's pan and zoom: where the scene is drawn in its frame, zoomed around a point
//! within bounds, and the whole scene fitted to a frame.

use super::scene::Scene;

/// How far the view zooms out and in.
pub const ZOOM_RANGE: (f64, f64) = (0.05, 4.0);

/// The view's pan and zoom: a point `p` of the scene is drawn at `p * k + (x, y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    pub x: f64,
    pub y: f64,
    pub k: f64,
    /// The frame's size, for zooming around its centre.
    pub width: f64,
    pub height: f64,
}

impl Default for Transform {
    fn default() -> Self {
        Transform {
            x: 0.0,
            y: 0.0,
            k: 1.0,
            width: 800.0,
            height: 600.0,
        }
    }
}

impl Transform {
    /// Zoomed by `factor` around the frame point `(px, py)`.
    pub fn zoomed_at(self, factor: f64, px: f64, py: f64) -> Transform {
        let k = (self.k * factor).clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        let ratio = k / self.k;
        Transform {
            x: px - (px - self.x) * ratio,
            y: py - (py - self.y) * ratio,
            k,
            ..self
        }
    }

    /// Zoomed by `factor` around the frame's centre.
    pub fn zoomed_at_centre(self, factor: f64) -> Transform {
        self.zoomed_at(factor, self.width / 2.0, self.height / 2.0)
    }

    /// The whole scene in a frame of `width` by `height`, centred across and from the top
    /// margin down, never enlarged past 1.5.
    pub fn fitting(scene: &Scene, width: f64, height: f64) -> Transform {
        let margin = 24.0;
        let k = ((width - 2.0 * margin) / scene.width.max(1.0))
            .min((height - 2.0 * margin) / scene.height.max(1.0))
            .clamp(ZOOM_RANGE.0, 1.5);
        Transform {
            x: (width - scene.width * k) / 2.0,
            y: margin.min((height - scene.height * k) / 2.0).max(margin),
            k,
            width,
            height,
        }
    }

    /// The SVG `transform` attribute that draws the scene so.
    pub fn svg(self) -> String {
        format!(
            "translate({:.1} {:.1}) scale({:.4})",
            self.x, self.y, self.k
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(width: f64, height: f64) -> Scene {
        Scene {
            width,
            height,
            ..Scene::default()
        }
    }

    #[test]
    fn zooming_keeps_the_point_under_the_pointer_and_stays_in_range() {
        let start = Transform::default();
        let zoomed = start.zoomed_at(2.0, 100.0, 50.0);
        assert_eq!((zoomed.x, zoomed.y, zoomed.k), (-100.0, -50.0, 2.0));
        // The scene point under (100, 50) is still there: (100 - x) / k.
        assert_eq!(
            ((100.0 - zoomed.x) / zoomed.k, (50.0 - zoomed.y) / zoomed.k),
            (100.0, 50.0)
        );
        assert_eq!(start.zoomed_at(1_000.0, 0.0, 0.0).k, ZOOM_RANGE.1);
        assert_eq!(start.zoomed_at(0.0001, 0.0, 0.0).k, ZOOM_RANGE.0);
        let centre = start.zoomed_at_centre(0.5);
        assert_eq!((centre.x, centre.y, centre.k), (200.0, 150.0, 0.5));
    }

    #[test]
    fn a_small_scene_is_centred_across_at_the_top_and_not_enlarged_past_one_and_a_half() {
        let fitted = Transform::fitting(&scene(100.0, 100.0), 800.0, 600.0);
        assert_eq!((fitted.k, fitted.x, fitted.y), (1.5, 325.0, 24.0));
        assert_eq!((fitted.width, fitted.height), (800.0, 600.0));
    }

    #[test]
    fn a_large_scene_is_shrunk_into_the_frame_from_the_top_margin() {
        let fitted = Transform::fitting(&scene(4_000.0, 1_000.0), 800.0, 600.0);
        assert_eq!(fitted.k, (800.0 - 48.0) / 4_000.0);
        assert_eq!(fitted.x, (800.0 - 4_000.0 * fitted.k) / 2.0);
        assert_eq!(fitted.y, 24.0, "the top margin");
        assert_eq!(
            Transform::fitting(&scene(1e9, 1.0), 800.0, 600.0).k,
            ZOOM_RANGE.0
        );
        assert_eq!(
            fitted.svg(),
            format!(
                "translate({:.1} {:.1}) scale({:.4})",
                fitted.x, fitted.y, fitted.k
            )
        );
        assert_eq!(
            Transform::default().svg(),
            "translate(0.0 0.0) scale(1.0000)"
        );
    }
}
