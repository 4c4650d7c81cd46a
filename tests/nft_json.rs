//! The `nft -j` front end: hand-written fixtures (tests/fixtures/json/) with the findings they
//! must get, the binary reading a JSON file, JSON syntax errors at their byte, and robustness
//! against arbitrary and mutated JSON.

mod common;

use portlint::frontend::resolve::Resolver;
use portlint::lint::{lint, Outcome, RuleFilter};
use portlint::registry::Registry;
use portlint::source::Sources;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Read `text` as `nft -j` JSON through the front end, the checks and every emitter.
fn read_everything(text: &str) {
    common::read_through_everything(text, portlint::frontend::nft::json::read);
}

/// Lint one fixture from the crate root, so that paths in output are stable.
fn run(fixture: &str) -> Outcome {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("cd to the crate root");
    lint(
        &[format!("tests/fixtures/json/{fixture}")],
        &Registry::embedded(),
        &RuleFilter::default(),
    )
}

/// The findings of an outcome as (line, code).
fn found(outcome: &Outcome) -> BTreeSet<(usize, String)> {
    assert!(outcome.path_errors.is_empty(), "{:?}", outcome.path_errors);
    outcome
        .diagnostics
        .iter()
        .map(|d| {
            let file = outcome.sources.get(d.span.file);
            (
                file.line_col(d.span.start as usize).line,
                d.rule.code.to_string(),
            )
        })
        .collect()
}

fn expect(lines: &[(usize, &str)]) -> BTreeSet<(usize, String)> {
    lines.iter().map(|&(l, c)| (l, c.to_string())).collect()
}

/// The characters a finding of `code` points at (the first such finding).
fn quoted<'o>(outcome: &'o Outcome, code: &str) -> (&'o str, Vec<&'o str>) {
    let d = outcome
        .diagnostics
        .iter()
        .find(|d| d.rule.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", outcome.diagnostics));
    let text = &outcome.sources.get(d.span.file).text;
    let labels = d.labels.iter().map(|l| &text[l.span.range()]).collect();
    (&text[d.span.range()], labels)
}

#[test]
fn ports_sets_ranges_concatenations_verdict_maps_and_conntrack() {
    let outcome = run("ports.json");
    assert_eq!(
        found(&outcome),
        expect(&[
            (9, "PL103"),  // 1021 in an anonymous set
            (18, "PL204"), // 8080 inside 8000-8100
            (22, "PL002"), // inverted range
            (27, "PL002"), // 70000
            (32, "PL101"), // th dport 4, tcp and udp by meta l4proto
            (38, "PL103"), // 1022, the port component of a concatenation
            // (43: 100 is a verdict-map key that leads to `drop`: one rule per verdict, and a
            // dropped port is not judged, as in the text front end.)
            (47, "PL103"), // ct original proto-dst 1021, tcp by meta l4proto
        ])
    );
    assert_eq!(quoted(&outcome, "PL103").0, "1021");
    assert_eq!(
        quoted(&outcome, "PL002").0,
        "{\"range\": [2000,\n                                   1000]}"
    );
}

/// `ip protocol . th dport vmap { udp . 50004 : accept, tcp . 50005 : accept }` and the same
/// keys in a plain set (what `nft -j list ruleset` prints for them): each key's protocol half
/// narrows its port half, so each port is open on its own protocol only (issue 14: the
/// protocol half was dropped).
#[test]
fn a_concatenations_protocol_half_narrows_its_ports() {
    let outcome = run("concat-protocol.json");
    let mut messages: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "PL108")
        .map(|d| d.message.to_string())
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "inbound port 50004/udp is in the dynamic/private range 49152-65535",
            "inbound port 50005/tcp is in the dynamic/private range 49152-65535",
            "inbound port 50006/udp is in the dynamic/private range 49152-65535",
            "inbound port 50007/tcp is in the dynamic/private range 49152-65535",
        ]
    );
}

#[test]
fn service_names_named_sets_and_references() {
    let outcome = run("names.json");
    assert_eq!(
        found(&outcome),
        expect(&[
            (7, "PL103"),  // 1021 in set `web`, used by a rule
            (10, "PL102"), // 1023 in the concatenated set `pairs`
            (16, "PL005"), // sshh
            (20, "PL110"), // http-alt
            (32, "PL003"), // @missing
            (33, "PL003"), // jump nowhere
        ])
    );
    // A named set's element is reported where the set declares it, labelled at the use.
    let (span, labels) = quoted(&outcome, "PL103");
    assert_eq!(span, "1021");
    assert_eq!(labels, vec!["@web"]);
    assert_eq!(quoted(&outcome, "PL005").0, "sshh");
    let help = outcome
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "PL005")
        .and_then(|d| d.help.as_deref())
        .unwrap_or_default();
    assert!(help.contains("did you mean `ssh`"), "{help}");
}

#[test]
fn nat_targets_in_the_command_form() {
    let outcome = run("nat.json");
    assert_eq!(
        found(&outcome),
        expect(&[
            (8, "PL107"),  // redirect to 80
            (12, "PL107"), // dnat to 127.0.0.1:443
            (16, "PL107"), // redirect to 100-2000
            (20, "PL002"), // a NAT port without a protocol match
            (24, "PL107"), // tproxy to 25
        ])
    );
    assert_eq!(quoted(&outcome, "PL107").0, "80");
}

#[test]
fn invalid_json_is_a_syntax_error_at_its_byte() {
    let outcome = run("invalid.json");
    assert_eq!(found(&outcome), expect(&[(2, "PL001")]));
    let d = &outcome.diagnostics[0];
    let file = outcome.sources.get(d.span.file);
    assert_eq!(&file.text[d.span.range()], ",");
    assert_eq!(file.line_col(d.span.start as usize).column, 50);
    assert!(d.message.text().contains("trailing comma"), "{}", d.message);
    assert!(d.help.as_deref().unwrap_or("").contains("remove it"));
}

/// Read `text` with the JSON front end; return the PL001 messages and what they point at.
fn syntax_errors(text: &str) -> Vec<(String, String)> {
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let mut sources = Sources::default();
    let file = sources.add("input.json".to_string(), text.to_string());
    let (_, diagnostics) = portlint::frontend::nft::json::read(file, text, &resolver);
    diagnostics
        .iter()
        .filter(|d| d.rule.code == "PL001")
        .map(|d| (d.message.to_string(), text[d.span.range()].to_string()))
        .collect()
}

#[test]
fn json_that_is_not_libnftables_says_what_was_expected() {
    let errors = syntax_errors(r#"{"nftables": 5}"#);
    assert_eq!(
        errors,
        vec![(
            "`nftables` must be an array of objects".to_string(),
            "5".to_string()
        )]
    );
    let errors = syntax_errors(r#"{"nftables": [{"tabel": {"name": "t"}}]}"#);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].0.contains("unknown libnftables object `tabel`"),
        "{errors:?}"
    );
    let errors = syntax_errors(
        r#"{"nftables": [{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"acept": null}]}}]}"#,
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].1, r#"{"acept": null}"#);
    let errors = syntax_errors(
        "\u{feff}{\"nftables\": [ {\"table\": {\"family\": \"ip\", \"name\": \"t\"}} ] } x",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].1, "x");
}

#[test]
fn the_binary_reads_a_json_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(["--format", "concise", "tests/fixtures/json/nat.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run portlint");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("tests/fixtures/json/nat.json:8:20: PL107"),
        "{stdout}{stderr}"
    );
    assert!(!stderr.contains("JSON support"), "{stderr}");
}

// ---- robustness ----

const SEEDS: &[&str] = &[
    include_str!("fixtures/json/ports.json"),
    include_str!("fixtures/json/names.json"),
    include_str!("fixtures/json/nat.json"),
];

/// Pieces of libnftables JSON, so that random documents reach deep into the lowering.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#"{"nftables": ["#.to_string()),
        Just(r#"{"table": {"family": "inet", "name": "t"}}"#.to_string()),
        Just(r#"{"chain": {"family": "inet", "table": "t", "name": "c", "hook": "input", "policy": "drop"}}"#.to_string()),
        Just(r#"{"set": {"family": "inet", "table": "t", "name": "s", "type": "inet_service", "elem": ["#.to_string()),
        Just(r#"{"rule": {"family": "inet", "table": "t", "chain": "c", "expr": ["#.to_string()),
        Just(r#"{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": "#.to_string()),
        Just(r#"{"concat": ["#.to_string()),
        Just(r#"{"set": ["#.to_string()),
        Just(r#"{"range": ["#.to_string()),
        Just(r#"{"elem": {"val": "#.to_string()),
        Just(r#"{"vmap": {"key": {"payload": {"protocol": "udp", "field": "sport"}}, "data": "#.to_string()),
        Just(r#"{"dnat": {"addr": "127.0.0.1", "port": "#.to_string()),
        Just(r#"{"jump": {"target": "c"}}"#.to_string()),
        Just(r#"{"accept": null}"#.to_string()),
        Just(r#""@s""#.to_string()),
        Just(r#""ssh""#.to_string()),
        Just(r#""*""#.to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"".to_string()),
        Just("é".to_string()),
        (0u32..70000).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z@*-]{1,8}".prop_map(|s| format!("\"{s}\"")),
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

/// `seed` with `count` characters at character `at` replaced by `insert`.
fn mutate(seed: &str, at: usize, count: usize, insert: &str) -> String {
    let chars: Vec<char> = seed.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + count).min(chars.len());
    let mut out: String = chars[..at].iter().collect();
    out.push_str(insert);
    out.extend(&chars[end..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn json_like_input_never_panics(pieces in prop::collection::vec(piece(), 0..60)) {
        read_everything(&pieces.join(" "));
    }

    #[test]
    fn mutated_json_never_panics(
        seed in 0..SEEDS.len(),
        edits in prop::collection::vec((any::<usize>(), 0usize..8, piece()), 1..6),
    ) {
        let mut text = SEEDS[seed].to_string();
        for (at, count, insert) in edits {
            text = mutate(&text, at, count, &insert);
        }
        read_everything(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        read_everything(&format!("{{\"nftables\": [{text}"));
    }
}

#[test]
fn deep_nesting_and_large_documents_are_fine() {
    read_everything(&format!("{{\"nftables\": {}", "[".repeat(100_000)));
    read_everything(&format!(
        "{{\"nftables\": [{{\"rule\": {{\"table\": \"t\", \"chain\": \"c\", \"expr\": [{{\"match\": {{\"op\": \"==\", \"left\": {{\"payload\": {{\"protocol\": \"tcp\", \"field\": \"dport\"}}}}, \"right\": {}22{}}}}}]}}}}]}}",
        "{\"set\": [".repeat(400),
        "]}".repeat(400)
    ));
    let ports: Vec<String> = (0..50_000).map(|p| p.to_string()).collect();
    read_everything(&format!(
        "{{\"nftables\": [{{\"rule\": {{\"table\": \"t\", \"chain\": \"c\", \"expr\": [{{\"match\": {{\"left\": {{\"payload\": {{\"protocol\": \"tcp\", \"field\": \"dport\"}}}}, \"right\": {{\"set\": [{}]}}}}}}]}}}}]}}",
        ports.join(", ")
    ));
}

#[test]
fn every_model_node_points_at_its_json() {
    let text = r#"{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"match": {"op": "!=", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": {"set": [53, "ntp"]}}}, {"redirect": {"port": 5353}}, {"goto": {"target": "c"}}]}}]}"#;
    let registry = Registry::embedded();
    let resolver = Resolver::new(&registry);
    let mut sources = Sources::default();
    let file = sources.add("input.json".to_string(), text.to_string());
    let (ruleset, diagnostics) = portlint::frontend::nft::json::read(file, text, &resolver);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let at = |span: portlint::source::Span| &text[span.range()];
    let table = &ruleset.tables[0];
    assert_eq!(
        at(table.span),
        r#"{"table": {"family": "inet", "name": "t"}}"#
    );
    let chain = &table.chains[0];
    assert!(
        at(chain.span).starts_with(r#"{"chain": {"#),
        "{}",
        at(chain.span)
    );
    let base = chain.base.as_ref().expect("a base chain");
    assert_eq!(base.hook, Some(portlint::model::Hook::Input));
    assert_eq!(base.policy, Some(portlint::model::Verdict::Drop));
    assert_eq!(base.priority.as_deref(), Some("0"));
    let rule = &chain.rules[0];
    assert!(at(rule.span).starts_with(r#"{"rule": {"#) && at(rule.span).ends_with("]}}"));
    use portlint::model::{Match, PortDirection, PortOp, ProtoSet, Verdict, L4};
    match &rule.matches[..] {
        [Match::L4Proto { protos, span: l4 }, Match::Ports {
            direction,
            op,
            ports,
            span,
            ..
        }] => {
            assert_eq!(*protos, ProtoSet::one(L4::Udp));
            assert_eq!(
                at(*l4),
                r#"{"payload": {"protocol": "udp", "field": "sport"}}"#
            );
            assert_eq!((*direction, *op), (PortDirection::Source, PortOp::Ne));
            assert!(at(*span).starts_with(r#"{"match": "#));
            assert_eq!(at(ports.span), r#"{"set": [53, "ntp"]}"#);
            let elements: Vec<(&str, u16)> =
                ports.elements.iter().map(|e| (at(e.span), e.lo)).collect();
            assert_eq!(elements, vec![("53", 53), ("ntp", 123)]);
            assert!(ports.is_list);
        }
        other => panic!("{other:?}"),
    }
    let nat = &rule.nat[0];
    assert_eq!(at(nat.span), r#"{"redirect": {"port": 5353}}"#);
    assert_eq!(
        at(nat.ports.as_ref().expect("ports").elements[0].span),
        "5353"
    );
    let (verdict, span) = rule.verdict.as_ref().expect("a verdict");
    assert_eq!(*verdict, Verdict::Goto("c".into()));
    assert_eq!(at(*span), r#"{"goto": {"target": "c"}}"#);
}

#[test]
fn input_format_forces_a_front_end() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_portlint"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run portlint");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let nat = "tests/fixtures/json/nat.json";
    assert!(run(&["--format", "concise", "--input-format", "nft-json", nat]).contains("PL107"));
    // Read as nft text, the JSON is a syntax error.
    assert!(run(&["--format", "concise", "--input-format", "nft", nat]).contains("PL001"));
    // An nft text file read as JSON is invalid JSON at its first character.
    let text = "tests/fixtures/rules/PL107/fires.nft";
    let out = run(&["--format", "concise", "--input-format", "nft-json", text]);
    assert!(
        out.contains("fires.nft:1:1: PL001 [error] invalid JSON"),
        "{out}"
    );
}
