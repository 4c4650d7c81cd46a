//! The YAML readers never panic or hang, whatever they read: policy-like and configuration-like
//! YAML built from fragments, and arbitrary text, go through the reader, the checks and every
//! emitter, and every span must lie in the text on character boundaries.

mod common;

use portlint::diagnostic::Diagnostic;
use portlint::registry::Registry;
use portlint::report::{self, human::Style, Report, Summary};
use portlint::source::{FileId, Sources};
use proptest::prelude::*;

/// Spans in the text (as every front end's), and a help on every finding.
fn assert_spans_in(text: &str, diagnostics: &[Diagnostic]) {
    common::assert_spans_in(text, diagnostics);
    for d in diagnostics {
        assert!(d.help.as_deref().is_some_and(|h| !h.is_empty()), "{d:?}");
    }
}

/// A policy through the reader, the checks and every emitter; a configuration through its
/// reader.
fn read_through_everything(text: &str) {
    let registry = Registry::embedded();
    let mut sources = Sources::default();
    let file = sources.add("input.yaml".to_string(), text.to_string());
    let (policy, mut diagnostics) = portlint::frontend::policy::read(file, text, &registry);
    let registry = registry.with_local(&policy.local_ports);
    portlint::check::run_policy(&registry, &policy, &mut diagnostics);
    assert_spans_in(text, &diagnostics);
    let report = Report {
        sources: &sources,
        diagnostics: &diagnostics,
        summary: Summary::of(1, &diagnostics),
        registry: &registry.meta,
        path_errors: &[],
    };
    let _ = report::human::render(&report, Style::Plain, 80);
    let _ = report::json::render(&report);
    let _ = report::concise::render(&report);
    let (_, found) = portlint::config::parse(FileId(0), text, std::path::Path::new("."));
    assert_spans_in(text, &found);
}

/// Lines policies and configurations are made of, well-formed or not, at several indentations.
fn piece() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("portlint-policy: 1"),
        Just("portlint-policy: 0022"),
        Just("roles:"),
        Just("web:"),
        Just("default-inbound: deny"),
        Just("default-inbound: no"),
        Just("services:"),
        Just("forbidden:"),
        Just("- name: https"),
        Just("- name: yes"),
        Just("name: ssh"),
        Just("ports: [443/tcp, 0022/tcp, ssh/tcp, http-alt/tcp, 1-2/udp, 9-1/tcp]"),
        Just("ports: [70000/udp, /tcp, 443/, 443/tpc, 53/udp/tcp, é/tcp]"),
        Just("ports: 443"),
        Just("listen: [80/tcp]"),
        Just("required: yes"),
        Just("direction: out"),
        Just("from: [office, any, 10.0.0.0/33, ::1/128, ü]"),
        Just("to: [any]"),
        Just("reason: x"),
        Just("groups:"),
        Just("office: [192.0.2.0/24]"),
        Just("local-ports:"),
        Just("- 9100/tcp node-exporter"),
        Just("- {port: 0022/tcp, name: x}"),
        Just("fail-on: eror"),
        Just("ignore: [PL101, PL999, é]"),
        Just("severity: {PL101: error, x: y}"),
        Just("per-file-ignores: {\"[\": [PL101]}"),
        Just("registry: {local: [1/tcp a], file: x}"),
        Just("---"),
        Just("&a [*a]"),
        Just("'unclosed"),
        Just("{"),
        Just("# ünïcode comment"),
        Just(""),
    ];
    (0usize..4, line).prop_map(|(indent, line)| format!("{}{line}\n", "  ".repeat(indent)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn yaml_like_input_never_panics(pieces in prop::collection::vec(piece(), 0..40)) {
        read_through_everything(&pieces.concat());
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        read_through_everything(&text);
    }
}

#[test]
fn deep_nesting_and_alias_bombs_are_refused_not_followed() {
    let deep = format!(
        "portlint-policy: 1\nroles: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut bomb = String::from("portlint-policy: 1\na0: &a0 [x]\n");
    for i in 1..30 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("roles: {}\n");
    for text in [deep, bomb] {
        let (_, found) = portlint::frontend::policy::read(FileId(0), &text, &Registry::embedded());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule.code, "PL001");
        assert_spans_in(&text, &found);
    }
}
