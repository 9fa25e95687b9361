//! The review's decisions in the browser's `localStorage`, under a fingerprint of the data
//! they were made for, so loading the same capture again restores them.

use crate::engine::decisions::Decisions;

const STORAGE_PREFIX: &str = "flowpol.decisions.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The decisions stored for the data with fingerprint `key`, if any.
pub fn load_decisions(key: &str) -> Option<Decisions> {
    let text = storage()?
        .get_item(&format!("{STORAGE_PREFIX}{key}"))
        .ok()??;
    Decisions::from_json(&text).ok()
}

/// Stores `decisions` for the data with fingerprint `key`. Err when the browser keeps
/// nothing: storage turned off or unavailable (some private windows), or full.
pub fn save_decisions(key: &str, decisions: &Decisions) -> Result<(), String> {
    let storage = storage().ok_or("this browser offers no storage to this page")?;
    storage
        .set_item(&format!("{STORAGE_PREFIX}{key}"), &decisions.to_json())
        .map_err(|_| "the browser's storage is full or refuses this page".to_string())
}
