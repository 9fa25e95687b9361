//! `flowpol diff` on the shipped demo data: from no policies to flowpol's own, the same set
//! on both sides, a hand edit; its three formats and its exit status.

use super::{flowpol, text, DEMO_FLOWS, DEMO_INVENTORY};

/// flowpol's policies for the demo data, written to a file in `dir`, and how many of the
/// observed communications the default review excludes (from `generate`'s verification line).
fn generated(dir: &std::path::Path) -> (std::path::PathBuf, usize) {
    let output = flowpol(&["generate", "--inventory", DEMO_INVENTORY, DEMO_FLOWS]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let path = dir.join("proposed.yaml");
    std::fs::write(&path, &output.stdout).unwrap();
    let stderr = text(&output.stderr);
    let excluded = stderr
        .split("all ")
        .nth(2)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no excluded count in: {stderr}"));
    (path, excluded)
}

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut with_format = vec!["diff", "--format", "json"];
    with_format.extend_from_slice(args);
    let output = flowpol(&with_format);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&output.stdout)));
    (output.status.code(), report, text(&output.stderr))
}

#[test]
fn from_no_policies_to_flowpols_breaks_what_the_review_excludes_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (proposed, excluded) = generated(dir.path());
    let proposed = proposed.to_str().unwrap();
    let (status, report, stderr) = json(&[
        "--proposed",
        proposed,
        "--inventory",
        DEMO_INVENTORY,
        DEMO_FLOWS,
    ]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{excluded} observed communications would break")),
        "{stderr}"
    );
    let rows = report["communications"].as_array().unwrap();
    let breaks: Vec<_> = rows
        .iter()
        .filter(|r| r["change"] == "would-break")
        .collect();
    assert_eq!(breaks.len(), excluded);
    assert_eq!(report["summary"]["would_break"], excluded);
    assert_eq!(report["summary"]["would_open"], 0);
    assert_eq!(report["summary"]["communications"], rows.len());
    for row in rows {
        assert_eq!(row["current"], "allowed", "nothing runs today: {row}");
        let broken = row["change"] == "would-break";
        assert_eq!(
            row["proposed"],
            if broken { "denied" } else { "allowed" },
            "{row}"
        );
        assert!(row["port"].as_u64().is_some() && row["connections"].as_u64().is_some());
        assert!(
            ["TCP", "UDP", "SCTP"].contains(&row["protocol"].as_str().unwrap()),
            "{row}"
        );
        assert_eq!(row["by"].as_str().unwrap().is_empty(), !broken, "{row}");
    }
    // Workloads as Kind/namespace/name, unresolved addresses by their address.
    assert!(rows
        .iter()
        .any(|r| r["client"] == "Deployment/shop/frontend"));
    assert!(rows.iter().any(|r| r["server"]
        .as_str()
        .unwrap()
        .parse::<std::net::IpAddr>()
        .is_ok()));
    let added = report["policies"]["added"].as_array().unwrap();
    assert_eq!(added.len(), 13);
    assert!(added.contains(&serde_json::json!("NetworkPolicy/shop/frontend-deployment")));
}

#[test]
fn the_same_policies_on_both_sides_change_nothing_and_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let (proposed, _) = generated(dir.path());
    let file = proposed.to_str().unwrap();
    let output = flowpol(&[
        "diff",
        "--current",
        file,
        "--proposed",
        file,
        "--inventory",
        DEMO_INVENTORY,
        DEMO_FLOWS,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.ends_with(
            "0 would break, 0 would open, 72 unchanged; policies: 0 added, 0 removed, 0 changed\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("WOULD"), "{stdout}");
}

#[test]
fn a_hand_edit_breaks_its_flows_names_the_policy_and_shows_its_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (current, _) = generated(dir.path());
    let yaml = std::fs::read_to_string(&current).unwrap();
    // The cart's policy: its port 7070 becomes 7071.
    let edited = yaml.replacen("port: 7070", "port: 7071", 1);
    assert_ne!(edited, yaml, "the demo's policies name port 7070");
    let proposed = dir.path().join("edited.yaml");
    std::fs::write(&proposed, edited).unwrap();
    let (current, proposed) = (current.to_str().unwrap(), proposed.to_str().unwrap());
    let args = [
        "--current",
        current,
        "--proposed",
        proposed,
        "--inventory",
        DEMO_INVENTORY,
        DEMO_FLOWS,
    ];
    let mut text_args = vec!["diff"];
    text_args.extend_from_slice(&args);
    let output = flowpol(&text_args);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let breaking: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("WOULD BREAK"))
        .collect();
    assert!(!breaking.is_empty(), "{stdout}");
    for line in &breaking {
        assert!(line.contains("TCP/7070"), "{line}");
        assert!(
            line.contains("selects it and does not allow it; today, NetworkPolicy/"),
            "{line}"
        );
    }
    assert!(
        stdout.contains("\n-      port: 7070\n+      port: 7071\n"),
        "{stdout}"
    );
    let mut markdown_args = vec!["diff", "--format", "markdown"];
    markdown_args.extend_from_slice(&args);
    let markdown = text(&flowpol(&markdown_args).stdout);
    assert!(markdown.starts_with("**flowpol diff**: "), "{markdown}");
    assert!(markdown.contains("WOULD BREAK"), "{markdown}");
    assert!(markdown.contains("\n### Would break ("), "{markdown}");
    assert!(
        markdown.contains("<details><summary>changed: NetworkPolicy/"),
        "{markdown}"
    );
    assert!(markdown.contains("```diff\n"), "{markdown}");
    assert!(!markdown.contains("### Would open"), "{markdown}");
}

#[test]
fn an_unreadable_policy_file_is_an_error_with_status_2() {
    let output = flowpol(&["diff", "--proposed", "no/such/file.yaml", DEMO_FLOWS]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no/such/file.yaml"));
}
