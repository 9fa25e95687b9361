//! Saving the picture as a standalone `.svg` file: the drawn SVG at full size, without pan
//! or zoom and without the background that catches drags, with the design tokens and the
//! topology's styles inlined, so that it opens the same in any viewer.

use wasm_bindgen::JsCast;

use crate::ui::browser::download::download_text;

use super::topo_view::TopoView;

/// The styles an exported picture carries: the tokens (light, and dark where the viewer
/// prefers it) and the drawing's rules, the same files the page uses.
const EXPORT_CSS: &str = concat!(
    include_str!("../../../style/tokens.css"),
    include_str!("../../../style/topology.css"),
);

/// The picture on the page as standalone SVG text.
fn svg_text() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let svg = document
        .query_selector("[data-testid=\"topology-svg\"]")
        .map_err(|e| format!("{e:?}"))?
        .ok_or("no picture to export")?;
    let copy: web_sys::Element = svg
        .clone_node_with_deep(true)
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an element")?;
    let width = svg
        .get_attribute("data-width")
        .unwrap_or_else(|| "800".into());
    let height = svg
        .get_attribute("data-height")
        .unwrap_or_else(|| "600".into());
    // At full size: pan and zoom left out, a margin around.
    let margin = 20.0;
    let (w, h) = (
        width.parse::<f64>().unwrap_or(800.0) + 2.0 * margin,
        height.parse::<f64>().unwrap_or(600.0) + 2.0 * margin,
    );
    for (name, value) in [
        ("width", format!("{w:.0}")),
        ("height", format!("{h:.0}")),
        ("viewBox", format!("0 0 {w:.0} {h:.0}")),
        ("xmlns", "http://www.w3.org/2000/svg".to_string()),
    ] {
        copy.set_attribute(name, &value)
            .map_err(|e| format!("{e:?}"))?;
    }
    for selector in [".fp-topo__backdrop", ".fp-topo__hit"] {
        let found = copy
            .query_selector_all(selector)
            .map_err(|e| format!("{e:?}"))?;
        for index in 0..found.length() {
            if let Some(node) = found.item(index) {
                if let Some(parent) = node.parent_node() {
                    let _ = parent.remove_child(&node);
                }
            }
        }
    }
    if let Some(scene) = copy
        .query_selector(".fp-topo__scene")
        .map_err(|e| format!("{e:?}"))?
    {
        scene
            .set_attribute("transform", &format!("translate({margin} {margin})"))
            .map_err(|e| format!("{e:?}"))?;
    }
    let style = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "style")
        .map_err(|e| format!("{e:?}"))?;
    style.set_text_content(Some(&format!(
        "{EXPORT_CSS}\nsvg {{ background: var(--fp-bg); font-family: var(--fp-font); }}\n"
    )));
    copy.insert_before(&style, copy.first_child().as_ref())
        .map_err(|e| format!("{e:?}"))?;
    let text = web_sys::XmlSerializer::new()
        .and_then(|s| s.serialize_to_string(&copy))
        .map_err(|e| format!("{e:?}"))?;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}\n"
    ))
}

/// Offers the picture of `view` for download; says why when it cannot.
pub fn export(view: TopoView) -> Result<(), String> {
    svg_text().and_then(|text| download_text(view.file_name(), &text, "image/svg+xml"))
}
