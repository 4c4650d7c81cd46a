//! The chain analyses end to end, through the binary: the wide-open firewall of issue 16
//! (`examples/open-firewall.nft`) gets what the issue asks for, exact duplicates are PL202, and
//! a rule shadowed by two rules together is found with both labelled.

use std::path::Path;
use std::process::Command;

fn portlint(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run portlint")
}

/// (code, line, labelled lines) of each finding of the JSON report.
fn findings(args: &[&str]) -> Vec<(String, u64, Vec<u64>)> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = portlint(&all);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a JSON report on stdout");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let labels = d["labels"]
                .as_array()
                .map(|ls| ls.iter().filter_map(|l| l["line"].as_u64()).collect())
                .unwrap_or_default();
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                labels,
            )
        })
        .collect()
}

#[test]
fn the_open_firewall_is_reported_as_the_issue_asks() {
    let found = findings(&["examples/open-firewall.nft"]);
    assert_eq!(
        found,
        [
            ("PL206".to_string(), 5, vec![]),
            ("PL201".to_string(), 9, vec![8]),
            ("PL201".to_string(), 12, vec![11]),
            ("PL206".to_string(), 14, vec![]),
        ],
        "{found:?}"
    );
    let out = portlint(&["examples/open-firewall.nft"]);
    assert_eq!(out.status.code(), Some(1), "warnings fail a default run");
    insta::assert_snapshot!("open_firewall_human", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn duplicates_and_a_rule_covered_by_two_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("mixed.nft");
    // What a policy compiler in mixed mode writes: each rule twice; and 8080, decided by two
    // rules of which neither alone covers it (a pairwise check misses it).
    std::fs::write(
        &file,
        "table ip filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr 10.0.0.0/8 tcp dport 22 accept\n\t\tip saddr 10.0.0.0/8 tcp dport 22 accept\n\t\tip saddr 10.0.0.0/8 tcp dport 8080 accept\n\t\tip saddr != 10.0.0.0/8 tcp dport 8000-8999 drop\n\t\ttcp dport 8080 drop\n\t}\n}\n",
    )
    .expect("write");
    let path = file.to_str().expect("a UTF-8 path");
    assert!(Path::new(path).is_file());
    let found = findings(&[path]);
    assert_eq!(
        found,
        [
            ("PL202".to_string(), 5, vec![4]),
            // Largest overlap first: the drop of every source but 10/8, then the accept.
            ("PL201".to_string(), 8, vec![7, 6]),
        ],
        "{found:?}"
    );
}
