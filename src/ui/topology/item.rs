//! What a drawn node and a drawn edge share: where their tooltip goes (under the pointer, or
//! under the item when it has the keyboard focus) and the keys that press them.

use wasm_bindgen::JsCast;

/// Where a tooltip goes for the element an event came from: under the pointer, or under the
/// element's middle when focused by keyboard; and the canvas's size, which it must stay in.
pub fn hover_at(event: &web_sys::Event, pointer: Option<(i32, i32)>) -> ((f64, f64), (f64, f64)) {
    let target = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let container = target
        .as_ref()
        .and_then(|t| t.closest(".fp-topo").ok().flatten());
    let Some(container) = container else {
        return ((0.0, 0.0), (0.0, 0.0));
    };
    let frame = container.get_bounding_client_rect();
    let canvas = (frame.width(), frame.height());
    let point = match (pointer, target) {
        (Some((x, y)), _) => (f64::from(x) - frame.left(), f64::from(y) - frame.top()),
        (None, Some(target)) => {
            let rect = target.get_bounding_client_rect();
            (
                rect.left() + rect.width() / 2.0 - frame.left(),
                rect.bottom() - frame.top(),
            )
        }
        (None, None) => (0.0, 0.0),
    };
    (point, canvas)
}

/// Whether a key press presses the focused item (Enter or Space); its default is prevented
/// when it does.
pub fn pressed(ev: &web_sys::KeyboardEvent) -> bool {
    let press = ev.key() == "Enter" || ev.key() == " ";
    if press {
        ev.prevent_default();
    }
    press
}
