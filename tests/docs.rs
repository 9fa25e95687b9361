//! The documentation checked against the project: README.md and every page of docs/. Every
//! relative link leads to a file that exists (and, with `#anchor`, to a heading of that page),
//! every `flowpol ...` command shown in a code block parses with the CLI's own definition (so a
//! renamed flag breaks this test rather than a reader's pipeline), and the README stays a front
//! page of at most 300 lines.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::Parser;
use flowpol::cli::Cli;

/// The README is a front page; the reference lives in docs/.
const README_MAX_LINES: usize = 300;

/// Placeholders the synopses show, and a value of the kind each stands for (a `CIDR` must parse
/// as one; a `FILE` is any path).
const PLACEHOLDERS: [(&str, &str); 5] = [
    ("CIDR", "10.0.0.0/8"),
    ("N", "1"),
    ("S", "1"),
    ("SECONDS", "60"),
    ("W,C", "2,3"),
];

/// Shell words that end a command: what follows is another command or a redirection.
const COMMAND_ENDS: [&str; 6] = ["|", "||", "&&", ";", ">", ">>"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page of docs/, by path.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Code blocks whose commands are checked: shell, or no language given. A diagram is fenced as
/// `text`, so that its arrows and names are not read as commands.
const SHELL_FENCES: [&str; 5] = ["", "sh", "bash", "shell", "console"];

/// One line of a page, with its number and where it is: in prose, in a code block of commands,
/// or in another code block (JSON, a diagram).
struct Line<'a> {
    number: usize,
    text: &'a str,
    code: bool,
    shell: bool,
}

/// A page's lines, each marked as prose or code (the fences themselves are neither).
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for (index, text) in text.lines().enumerate() {
        if let Some(info) = text.trim_start().strip_prefix("```") {
            fence = if fence.is_some() {
                None
            } else {
                Some(info.trim())
            };
            continue;
        }
        lines.push(Line {
            number: index + 1,
            text,
            code: fence.is_some(),
            shell: fence.is_some_and(|info| SHELL_FENCES.contains(&info)),
        });
    }
    lines
}

/// A line of prose without its inline code spans (`like this`), which hold no links.
fn without_code_spans(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// The targets of the Markdown links and images on a line of prose: `[text](target)`.
fn link_targets(text: &str) -> Vec<String> {
    let prose = without_code_spans(text);
    prose
        .match_indices("](")
        .filter_map(|(at, opening)| {
            let rest = &prose[at + opening.len()..];
            rest.find(')').map(|end| rest[..end].trim().to_string())
        })
        .collect()
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (a repeated heading gets `-1`, `-2`, as on GitHub).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    for line in lines(text).into_iter().filter(|line| !line.code) {
        let Some(heading) = line.text.strip_prefix('#') else {
            continue;
        };
        let base = slug(heading.trim_start_matches('#'));
        let mut anchor = base.clone();
        let mut repeat = 0;
        while !anchors.insert(anchor.clone()) {
            repeat += 1;
            anchor = format!("{base}-{repeat}");
        }
    }
    anchors
}

/// What is wrong with a relative link from `page`, if anything.
fn broken_link(page: &Path, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let file = if path.is_empty() {
        page.to_path_buf()
    } else {
        page.parent().unwrap().join(path)
    };
    if !file.exists() {
        return Some(format!("{target}: no file {}", file.display()));
    }
    if anchor.is_empty() || file.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let known = anchors(&fs::read_to_string(&file).unwrap());
    (!known.contains(anchor)).then(|| format!("{target}: no heading #{anchor} in {path}"))
}

/// The lines of a page's shell code blocks joined into commands: a line ending in `\`, or a line indented
/// further than the command's first, continues it (as the synopses wrap).
fn logical_code_lines(text: &str) -> Vec<(usize, String)> {
    let indent = |s: &str| s.len() - s.trim_start().len();
    let mut joined: Vec<(usize, String, usize, bool)> = Vec::new();
    let mut previous_code_line = 0;
    for line in lines(text).into_iter().filter(|line| line.shell) {
        let follows = line.number == previous_code_line + 1;
        previous_code_line = line.number;
        if let Some((_, command, first_indent, open)) = joined.last_mut() {
            if follows && (*open || indent(line.text) > *first_indent) {
                *open = line.text.trim_end().ends_with('\\');
                command.push(' ');
                command.push_str(line.text.trim().trim_end_matches('\\'));
                continue;
            }
        }
        let open = line.text.trim_end().ends_with('\\');
        let text = line.text.trim().trim_end_matches('\\').to_string();
        joined.push((line.number, text, indent(line.text), open));
    }
    joined
        .into_iter()
        .map(|(number, text, _, _)| (number, text))
        .collect()
}

/// The `flowpol` commands on a line of code, as the arguments after `flowpol`: the synopses'
/// brackets and `...` dropped, the first of `a|b`, placeholders given a value of their kind.
fn flowpol_commands(line: &str) -> Vec<Vec<String>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut commands = Vec::new();
    for (at, word) in words.iter().enumerate() {
        if *word != "flowpol" && !word.ends_with("/flowpol") {
            continue;
        }
        let arguments = words[at + 1..]
            .iter()
            .take_while(|w| !COMMAND_ENDS.contains(w) && !w.starts_with('#') && !w.starts_with('>'))
            .filter_map(|w| synopsis_word(w))
            .collect();
        commands.push(arguments);
    }
    commands
}

/// A word of a synopsis as an example argument (`[--format` → `--format`, `FILE]...` → `FILE`,
/// `kubernetes|cilium` → `kubernetes`, `CIDR` → `10.0.0.0/8`); none for a bare bracket.
fn synopsis_word(word: &str) -> Option<String> {
    let bare = word.replace(['[', ']'], "");
    let bare = bare.trim_end_matches("...");
    let bare = bare.split('|').next().unwrap_or(bare);
    if bare.is_empty() {
        return None;
    }
    let value = PLACEHOLDERS
        .iter()
        .find(|(placeholder, _)| *placeholder == bare)
        .map_or(bare, |(_, value)| value);
    Some(value.to_string())
}

/// Whether the CLI accepts the arguments (asking for help or the version counts).
fn parse(arguments: &[String]) -> Result<(), String> {
    let argv = std::iter::once("flowpol").chain(arguments.iter().map(String::as_str));
    let asked = [ErrorKind::DisplayHelp, ErrorKind::DisplayVersion];
    match Cli::try_parse_from(argv) {
        Err(error) if !asked.contains(&error.kind()) => Err(error.to_string()),
        _ => Ok(()),
    }
}

fn relative(page: &Path) -> String {
    page.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_relative_link_leads_somewhere() {
    let mut broken = Vec::new();
    let mut links = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        for line in lines(&text).into_iter().filter(|line| !line.code) {
            for target in link_targets(line.text) {
                links += 1;
                if let Some(problem) = broken_link(&page, &target) {
                    broken.push(format!("{}:{}: {problem}", relative(&page), line.number));
                }
            }
        }
    }
    assert!(
        links > 20,
        "the pages link to each other ({links} links found)"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_flowpol_command_shown_parses() {
    let mut failures = Vec::new();
    let mut subcommands = BTreeSet::new();
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        for (number, line) in logical_code_lines(&text) {
            for arguments in flowpol_commands(&line) {
                if let Some(first) = arguments.first() {
                    subcommands.insert(first.clone());
                }
                if let Err(error) = parse(&arguments) {
                    let shown = arguments.join(" ");
                    failures.push(format!(
                        "{}:{number}: flowpol {shown}\n{error}",
                        relative(&page)
                    ));
                }
            }
        }
    }
    for subcommand in ["generate", "verify", "inspect", "demo"] {
        assert!(
            subcommands.contains(subcommand),
            "a code block shows flowpol {subcommand}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_readme_is_a_front_page() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let count = readme.lines().count();
    assert!(
        count <= README_MAX_LINES,
        "README.md has {count} lines; the reference belongs in docs/ (at most {README_MAX_LINES})"
    );
}

#[test]
fn the_checks_see_what_they_check() {
    let synopsis =
        "flowpol verify --policies FILE [--policies FILE]... [--cluster-range CIDR]...\n\
                    \x20              [--ipblock-matches-pods] FLOW_FILE...";
    let commands: Vec<_> = logical_code_lines(&format!("```\n{synopsis}\n```\n"))
        .iter()
        .flat_map(|(_, line)| flowpol_commands(line))
        .collect();
    assert_eq!(commands.len(), 1, "a wrapped synopsis is one command");
    assert!(commands[0].contains(&"10.0.0.0/8".to_string()));
    assert_eq!(parse(&commands[0]), Ok(()));
    let renamed = flowpol_commands("flowpol generate --no-such-flag x.jsonl > out.yaml");
    assert!(parse(&renamed[0]).is_err(), "an unknown flag fails");
    let piped = flowpol_commands("/usr/bin/time -v flowpol inspect a.jsonl | tail # note");
    assert_eq!(piped, [["inspect", "a.jsonl"]]);
    assert_eq!(slug("What `tools/test.sh` runs"), "what-toolstestsh-runs");
    assert_eq!(
        slug("The browser's limits, measured"),
        "the-browsers-limits-measured"
    );
    assert_eq!(
        link_targets("see [a](b.md#c) and `[x](not-a-link)`, ![img](i.png)"),
        ["b.md#c", "i.png"]
    );
}
