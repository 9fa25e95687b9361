//! The architecture, checked on the source: the engine's modules form a one-way street in
//! the order docs/architecture.md states (each uses only those before it), no two files import
//! each other, and every source file opens with a `//!` doc saying what it is for.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The engine's top-level modules, each allowed to use only those before it.
const LAYERS: [&str; 16] = [
    "model",
    "yaml",
    "units",
    "l7",
    "ingest",
    "dataset",
    "coverage",
    "resolve",
    "load",
    "decisions",
    "scope",
    "review",
    "graph",
    "verify",
    "policy",
    "demo",
];

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level engine modules a file's non-test code names (`crate::engine::X`).
fn engine_imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    code.match_indices("crate::engine::")
        .map(|(at, prefix)| {
            code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// Whether `file` holds a module's tests only (`#[cfg(test)] mod tests;` beside it).
fn is_test_module(file: &Path) -> bool {
    file.file_name().is_some_and(|name| name == "tests.rs")
}

/// Ingest's rooms, each allowed to use only those before it; `session` and `report`, at
/// ingest's top, may use all three.
const INGEST_ROOMS: [&str; 3] = ["scan", "formats", "flows"];

#[test]
fn the_engine_is_a_one_way_street() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut seen_layers = BTreeSet::new();
    for file in sources(&engine).into_iter().filter(|f| !is_test_module(f)) {
        let relative = file.strip_prefix(&engine).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "mod" {
            continue;
        }
        let position = LAYERS
            .iter()
            .position(|l| *l == top)
            .unwrap_or_else(|| panic!("{top} is not in docs/architecture.md's order of modules"));
        seen_layers.insert(top.clone());
        for import in engine_imports(&fs::read_to_string(&file).unwrap()) {
            if import == top {
                continue;
            }
            let used = LAYERS
                .iter()
                .position(|l| *l == import)
                .unwrap_or_else(|| panic!("{} uses unknown module {import}", file.display()));
            assert!(
                used < position,
                "{} ({top}) uses {import}, which comes after it",
                relative.display()
            );
        }
    }
    assert_eq!(seen_layers.len(), LAYERS.len(), "every layer exists");
    let map =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"));
    assert!(
        map.unwrap().contains(&LAYERS.join(" → ")),
        "docs/architecture.md states the order: {}",
        LAYERS.join(" → ")
    );
}

#[test]
fn ingest_rooms_read_one_way() {
    let ingest = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/ingest");
    let mut seen = BTreeSet::new();
    for file in sources(&ingest).into_iter().filter(|f| !is_test_module(f)) {
        let relative = file.strip_prefix(&ingest).unwrap();
        let mut parts = relative.components();
        let room = parts
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let Some(position) = INGEST_ROOMS.iter().position(|r| *r == room) else {
            assert!(
                ["mod.rs", "session.rs", "report.rs"].contains(&room.as_str()),
                "{} is in no room of ingest",
                relative.display()
            );
            continue;
        };
        seen.insert(room.clone());
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
        for (later, name) in INGEST_ROOMS.iter().enumerate().skip(position + 1) {
            assert!(
                !code.contains(&format!("ingest::{name}::")),
                "{} ({room}) uses {name}, a later room (room {later})",
                relative.display()
            );
        }
        for top in ["session", "report"] {
            assert!(
                !code.contains(&format!("ingest::{top}::")),
                "{} ({room}) uses ingest's {top}, which drives the rooms",
                relative.display()
            );
        }
    }
    assert_eq!(seen.len(), INGEST_ROOMS.len(), "every room exists");
}

#[test]
fn the_module_map_lists_every_source_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let listed: BTreeSet<String> = map
        .lines()
        .filter_map(|line| line.strip_prefix("| `src/"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| format!("src/{path}"))
        .filter(|path| path.ends_with(".rs"))
        .collect();
    let files: BTreeSet<String> = sources(&root.join("src"))
        .into_iter()
        .filter(|f| !is_test_module(f))
        .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect();
    let unlisted: Vec<_> = files.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&files).collect();
    assert!(
        unlisted.is_empty() && gone.is_empty(),
        "docs/architecture.md's module table: missing {unlisted:?}, no longer there {gone:?}"
    );
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["src", "tests", "benches"] {
        for file in sources(&root.join(dir)) {
            let text = fs::read_to_string(&file).unwrap();
            assert!(
                text.starts_with("//!"),
                "{} has no //! doc at its top",
                file.display()
            );
        }
    }
}

#[test]
fn the_check_sees_imports() {
    let imports = engine_imports(
        "use crate::engine::model::Labels;\nfn f() { crate::engine::units::thousands(1); }\n#[cfg(test)]\nuse crate::engine::policy::x;",
    );
    assert_eq!(
        imports.into_iter().collect::<Vec<_>>(),
        ["model", "units"],
        "test code is left out"
    );
}

/// The code of a Rust source without comments, strings and character literals (a path named
/// in a doc or a message is no import), and without its test modules.
fn code_only(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or(' ');
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match (chars[i], at(i + 1)) {
            ('/', '/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', '*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('r', '"' | '#')
                if at(i + 1 + chars[i + 1..].iter().take_while(|&&c| c == '#').count()) == '"' =>
            {
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                i += 2 + hashes;
                while i < chars.len()
                    && !(chars[i] == '"' && (1..=hashes).all(|n| at(i + n) == '#'))
                {
                    i += 1;
                }
                i += 1 + hashes;
                code.push_str("\"\"");
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                code.push_str("\"\"");
            }
            ('\'', '\\') => {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            ('\'', _) if at(i + 2) == '\'' => i += 3,
            (c, _) => {
                code.push(c);
                i += 1;
            }
        }
    }
    code
}

/// The code's tokens that matter to paths: words, `::`, braces, commas, `;`, `*`.
fn path_tokens(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                word.push(n);
                chars.next();
            }
            tokens.push(word);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push("::".into());
        } else if "{},;*".contains(c) {
            tokens.push(c.to_string());
        } else if !c.is_whitespace() {
            tokens.push("?".into());
        }
    }
    tokens
}

/// The paths of a `use` tree starting at `tokens[*at]`, each prefixed with `prefix`, up to the
/// end of the tree (a `,` or `}` of the enclosing group, or the `;`).
fn use_tree(tokens: &[String], at: &mut usize, prefix: Vec<String>, paths: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    while let Some(token) = tokens.get(*at) {
        match token.as_str() {
            "{" => {
                *at += 1;
                while tokens.get(*at).is_some_and(|t| t != "}") {
                    use_tree(tokens, at, path.clone(), paths);
                    if tokens.get(*at).is_some_and(|t| t == ",") {
                        *at += 1;
                    }
                }
                *at += 1;
                return;
            }
            "," | "}" | ";" => break,
            "::" | "*" => *at += 1,
            "as" => *at += 2,
            word => {
                path.push(word.to_string());
                *at += 1;
            }
        }
    }
    paths.push(path);
}

/// Every path the code names, each with the inline modules (`mod name { ... }`) it is named
/// in: `use` trees whole, and paths in the code that start at `crate`, `super`, `self` or a
/// child module.
fn named_paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = path_tokens(code);
    // The modules the file declares in files of their own (`mod name;`).
    let children: BTreeSet<&str> = tokens
        .windows(3)
        .filter(|w| w[0] == "mod" && w[2] == ";")
        .map(|w| w[1].as_str())
        .collect();
    let mut paths = Vec::new();
    // The inline modules around the current token, each with the depth of braces inside it.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut at = 0;
    while at < tokens.len() {
        let token = tokens[at].as_str();
        let within = || {
            inline
                .iter()
                .map(|(name, _)| name.clone())
                .collect::<Vec<_>>()
        };
        let starts_path = at == 0 || tokens[at - 1] != "::";
        match token {
            "use" => {
                at += 1;
                let mut found = Vec::new();
                use_tree(&tokens, &mut at, Vec::new(), &mut found);
                paths.extend(found.into_iter().map(|path| (within(), path)));
                continue;
            }
            "mod" if tokens.get(at + 2).is_some_and(|t| t == "{") => {
                depth += 1;
                inline.push((tokens[at + 1].clone(), depth));
                at += 3;
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if inline.last().is_some_and(|&(_, d)| d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            // A path, not a visibility such as `pub(super)`; or one through a child module.
            word if starts_path
                && tokens.get(at + 1).is_some_and(|t| t == "::")
                && (matches!(word, "crate" | "super" | "self") || children.contains(word)) =>
            {
                let mut path = vec![token.to_string()];
                at += 1;
                while tokens.get(at).is_some_and(|t| t == "::") {
                    match tokens.get(at + 1) {
                        Some(word) if word.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                            path.push(word.clone());
                            at += 2;
                        }
                        _ => break,
                    }
                }
                paths.push((within(), path));
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    paths
}

/// The crate a source file belongs to (its root folder) and its module path in that crate:
/// `src/ui/state.rs` is `ui::state` of `src`, `src/bin/worker/ingest.rs` is `ingest` of
/// `src/bin/worker`.
fn module_of(src: &Path, file: &Path) -> (PathBuf, Vec<String>) {
    let relative = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    let mut root = src.to_path_buf();
    if parts.first().is_some_and(|p| p == "bin") && parts.len() > 2 {
        root = root.join("bin").join(&parts[1]);
        parts.drain(..2);
    }
    if parts.last().is_some_and(|p| p == "mod")
        || parts.len() == 1 && ["lib", "main"].contains(&parts[0].as_str())
    {
        parts.pop();
    }
    (root, parts)
}

/// The file that defines the longest leading part of `path` (a module path in the crate at
/// `root`), if that is a module of its own file.
fn file_of(root: &Path, path: &[String]) -> Option<PathBuf> {
    (1..=path.len()).rev().find_map(|n| {
        let folder = root.join(path[..n].join("/"));
        [folder.with_extension("rs"), folder.join("mod.rs")]
            .into_iter()
            .find(|f| f.is_file())
    })
}

/// The files under `src` each file imports, its own test modules left out.
fn file_imports(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut imports = BTreeMap::new();
    for file in sources(src) {
        let (root, module) = module_of(src, &file);
        let mut found = BTreeSet::new();
        for (inline, path) in named_paths(&code_only(&fs::read_to_string(&file).unwrap())) {
            let mut absolute = module.clone();
            absolute.extend(inline);
            let mut rest = path.as_slice();
            match rest.first().map(String::as_str) {
                Some("crate") => {
                    absolute.clear();
                    rest = &rest[1..];
                }
                Some("self") => rest = &rest[1..],
                _ => {}
            }
            while rest.first().is_some_and(|p| p == "super") {
                absolute.pop();
                rest = &rest[1..];
            }
            absolute.extend(rest.iter().cloned());
            if let Some(target) = file_of(&root, &absolute).filter(|t| *t != file) {
                found.insert(target);
            }
        }
        imports.insert(file, found);
    }
    imports
}

/// The pairs of files under `src` that import each other, as paths relative to it.
fn mutual_imports(src: &Path) -> Vec<(String, String)> {
    let imports = file_imports(src);
    let name = |f: &Path| f.strip_prefix(src).unwrap().display().to_string();
    let mut pairs = Vec::new();
    for (file, targets) in &imports {
        for target in targets.iter().filter(|t| *t > file) {
            if imports.get(target).is_some_and(|back| back.contains(file)) {
                pairs.push((name(file), name(target)));
            }
        }
    }
    pairs
}

#[test]
fn no_two_files_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = mutual_imports(&src);
    assert!(
        found.is_empty(),
        "these files import each other: move the names both use down to a file both import\n{found:#?}"
    );
}

#[test]
fn the_loop_check_reads_use_trees_and_paths() {
    let code = code_only(
        "//! see crate::x::y\nuse super::{a::B, c::{self, D as E}};\nuse crate::f::*;\npub(super) fn g() { let s = \"crate::h\"; crate::i::j(); self::k::L; '{'; }\nmod m { use super::n; }\nmod o;\nfn p() { o::q(); r::s(); }\n#[cfg(test)]\nuse crate::z;",
    );
    let paths: Vec<String> = named_paths(&code)
        .iter()
        .map(|(inline, path)| [inline.clone(), path.clone()].concat().join("::"))
        .collect();
    assert_eq!(
        paths,
        [
            "super::a::B",
            "super::c::self",
            "super::c::D",
            "crate::f",
            "crate::i::j",
            "self::k::L",
            "m::super::n",
            "o::q"
        ]
    );
}

#[test]
fn the_loop_check_finds_a_loop_through_a_folder_and_an_inline_module() {
    let src = Path::new(env!("CARGO_TARGET_TMPDIR")).join("loop_check/src");
    let _ = fs::remove_dir_all(&src);
    let files = [
        ("lib.rs", "pub mod a;\npub mod b;\n"),
        ("a/mod.rs", "mod low;\nuse low::X;\npub struct Y;\n"),
        ("a/low.rs", "pub struct X(super::Y);\n"),
        (
            "b.rs",
            "mod inner { use super::Z; }\npub struct Z;\nfn f() { crate::a::Y; }\n",
        ),
        ("bin/tool/main.rs", "mod part;\nuse part::P;\n"),
        (
            "bin/tool/part.rs",
            "pub struct P;\nfn f() { crate::part::P; }\n",
        ),
    ];
    for (name, text) in files {
        let file = src.join(name);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    assert_eq!(
        mutual_imports(&src),
        [("a/low.rs".to_string(), "a/mod.rs".to_string())],
        "b's inline module imports b itself; the tool's part names its own file"
    );
}
