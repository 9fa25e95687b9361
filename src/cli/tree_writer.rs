//! `flowpol generate --out-dir DIR`: the engine's GitOps tree written to disk. A file whose
//! text is already what it would write is left as it is; a file flowpol wrote before (its first
//! line is `tree::MARKER`) that the tree no longer holds is removed, and said so, as is a folder
//! it leaves empty; a file flowpol did not write is never touched, and one where the tree puts
//! a file stops the run before anything is written. Symbolic links are not followed.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::engine::policy::tree::{Tree, MARKER};

/// What writing the tree did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
}

/// Whether the file at `path` starts with flowpol's marker line.
fn written_by_flowpol(path: &Path) -> bool {
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    BufReader::new(file).read_line(&mut first).is_ok() && first.trim_end() == MARKER
}

/// The `.yaml` files under `dir` that flowpol wrote, relative and `/`-separated.
fn flowpol_files(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let folder = dir.join(&relative);
        let entries = match fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot read {}: {e}", folder.display())),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
            let name = relative.join(entry.file_name());
            if kind.is_dir() {
                pending.push(name);
            } else if kind.is_file()
                && name.extension().is_some_and(|e| e == "yaml")
                && written_by_flowpol(&entry.path())
            {
                let parts: Vec<String> = name
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.insert(parts.join("/"));
            }
        }
    }
    Ok(found)
}

/// Writes `tree` under `dir` (created if missing).
pub fn write_tree(dir: &Path, tree: &Tree) -> Result<Written, String> {
    let before = flowpol_files(dir)?;
    // Refuse before writing anything: a file of the user's where the tree puts one.
    let foreign: Vec<String> = tree
        .files
        .iter()
        .filter(|file| {
            let path = dir.join(&file.path);
            fs::symlink_metadata(&path).is_ok() && !before.contains(&file.path)
        })
        .map(|file| dir.join(&file.path).display().to_string())
        .collect();
    if !foreign.is_empty() {
        return Err(format!(
            "{} not written by flowpol, where the tree puts a file: move {} away or choose \
             another --out-dir; nothing was written",
            foreign.join(", "),
            if foreign.len() == 1 { "it" } else { "them" }
        ));
    }
    let mut done = Written::default();
    for file in &tree.files {
        let path = dir.join(&file.path);
        if fs::read_to_string(&path).is_ok_and(|text| text == file.text) {
            done.unchanged += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, &file.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        done.written.push(file.path.clone());
    }
    let kept: BTreeSet<&str> = tree.files.iter().map(|f| f.path.as_str()).collect();
    for gone in before.iter().filter(|path| !kept.contains(path.as_str())) {
        let path = dir.join(gone);
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        done.removed.push(gone.clone());
        // Folders it leaves empty go too (up to DIR, which stays).
        let mut folder = path.parent().map(Path::to_path_buf);
        while let Some(current) = folder.filter(|f| f.as_path() != dir) {
            if fs::remove_dir(&current).is_err() {
                break;
            }
            folder = current.parent().map(Path::to_path_buf);
        }
    }
    Ok(done)
}
