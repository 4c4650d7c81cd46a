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

/// The diagnostics of the JSON report for `args`.
fn diagnostics(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = portlint(&all);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a JSON report on stdout");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone()
}

/// (code, line, labelled lines) of each finding of the JSON report.
fn findings(args: &[&str]) -> Vec<(String, u64, Vec<u64>)> {
    diagnostics(args)
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

/// The messages of each PL206 finding of the JSON report for `args`.
fn default_accept_messages(args: &[&str]) -> Vec<String> {
    let mut all = vec!["--select", "PL206"];
    all.extend_from_slice(args);
    diagnostics(&all)
        .iter()
        .filter_map(|d| d["message"].as_str().map(str::to_string))
        .collect()
}

/// An IPv4 chain with more rules than its fall-through is built exactly from
/// (`EXACT_FALL_THROUGH_RULES`, 2,000) and no catch-all: what falls through is told from the
/// rules widened to every address, and the message says "at least". The same rules in a short
/// chain are told exactly.
#[test]
fn a_long_open_chain_is_told_at_least_what_falls_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chain = |rules: usize| {
        let mut text = String::from(
            "table ip filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n",
        );
        for i in 0..rules {
            // Each from its own /24 of 10.0.0.0/8, to TCP 22 or UDP 53.
            let proto = if i % 2 == 0 {
                "tcp dport 22"
            } else {
                "udp dport 53"
            };
            text.push_str(&format!(
                "\t\tip saddr 10.{}.{}.0/24 {proto} accept\n",
                i / 256,
                i % 256
            ));
        }
        text.push_str("\t}\n}\n");
        text
    };
    let long = dir.path().join("long.nft");
    let short = dir.path().join("short.nft");
    std::fs::write(&long, chain(2_500)).expect("write");
    std::fs::write(&short, chain(10)).expect("write");
    let long = default_accept_messages(&[long.to_str().expect("utf-8 path")]);
    let short = default_accept_messages(&[short.to_str().expect("utf-8 path")]);
    assert_eq!(
        long,
        ["the policy accepts new connections that no rule decides: at least TCP to every port but 22, UDP to every port but 53, and every other protocol, from any source, over IPv4"],
        "{long:?}"
    );
    assert_eq!(
        short,
        ["the policy accepts new connections that no rule decides: every protocol and port, from any source, over IPv4"],
        "{short:?}"
    );
}
