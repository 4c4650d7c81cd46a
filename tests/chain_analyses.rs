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

/// An `-m iprange` range is typed like `-s`: a host inside a range dropped before it is
/// shadowed, and a destination both inside and outside one is a contradiction. (A reversed
/// range, which iptables warns never matches, stays opaque.)
#[test]
fn iptables_address_ranges_are_typed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ranges.rules");
    std::fs::write(
        &file,
        "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -j DROP\n-A INPUT -s 10.0.0.5 -j ACCEPT\n-A INPUT -m iprange ! --dst-range 192.168.0.1-192.168.0.20 -d 192.168.0.5 -j ACCEPT\n-A INPUT -m iprange --src-range 10.0.0.9-10.0.0.1 -j ACCEPT\nCOMMIT\n",
    )
    .expect("write");
    let found = findings(&[
        "--select",
        "PL201,PL205",
        file.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        found,
        [
            ("PL201".to_string(), 6, vec![5]),
            ("PL205".to_string(), 7, vec![7]),
        ],
        "{found:?}"
    );
}

/// `ct state ! new,related` (none of the flags) is typed in the text and in `nft -j` output
/// (which writes it as the operator `!`): a packet has one state, so the rule accepts every
/// other, and `ct state established accept` after it is redundant.
#[test]
fn none_of_the_conntrack_flags_is_every_other_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("none-of.nft");
    std::fs::write(
        &text,
        "table ip6 filter {\n chain INPUT {\n  type filter hook input priority 0; policy drop;\n  ct state ! new,related accept\n  ct state established accept\n }\n}\n",
    )
    .expect("write");
    // `nft -j list ruleset` of the same file (nftables 1.0.6).
    let json = dir.path().join("none-of.json");
    std::fs::write(
        &json,
        r#"{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "ip6", "name": "filter", "handle": 1}}, {"chain": {"family": "ip6", "table": "filter", "name": "INPUT", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}, {"rule": {"family": "ip6", "table": "filter", "chain": "INPUT", "handle": 2, "expr": [{"match": {"op": "!", "left": {"ct": {"key": "state"}}, "right": ["related", "new"]}}, {"accept": null}]}}, {"rule": {"family": "ip6", "table": "filter", "chain": "INPUT", "handle": 3, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "established"}}, {"accept": null}]}}]}"#,
    )
    .expect("write");
    let codes = |path: &Path| -> Vec<String> {
        findings(&[path.to_str().expect("utf-8 path")])
            .into_iter()
            .map(|(code, ..)| code)
            .collect()
    };
    assert_eq!(codes(&text), ["PL202"]);
    assert_eq!(codes(&json), ["PL202"]);
}
