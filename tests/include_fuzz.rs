//! Issue 15: multi-file include trees never panic. nft splices an included file in as text, so
//! an included file may close the block it is included in and open another that the including
//! file closes (`a.nft`: `chain c {` / `include "b.nft"` / `}`; `b.nft`: `}` / `chain z {`).
//! Random trees of such files, with includes at random points (cycles, globs, missing files
//! among them), go through the whole pipeline as `portlint main.nft` runs it: every finding's
//! span lies on its own file's characters, and every output format renders.
//!
//! proptest stands in for cargo-fuzz (which needs nightly). The panic issue 15 found (a
//! reversed range in the chain declaration check, `grammar.rs`) is the first seed of
//! `include_fuzz.proptest-regressions`, re-run before any new case.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use portlint::lint::{lint, Outcome, RuleFilter};
use portlint::registry::Registry;
use portlint::report::{self, human::Style, Report, Summary};
use proptest::prelude::*;

/// The files of a tree: `main.nft` is linted, the others are reached only through includes.
const FILES: [&str; 4] = ["main.nft", "a.nft", "b.nft", "c.inc"];

/// Stands for an include of a file later in [`FILES`]: includes mostly go down the tree, so that
/// a tree of four files does not fan out into the thousand inclusions portlint stops at (those
/// are tested in `tests/includes.rs`); `main.nft` and `*.inc` close cycles now and then.
const INCLUDE_LATER: &str = "include LATER";

/// Pieces that open and close tables, chains and blocks, declare and use, and include.
fn piece() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        3 => Just("table inet t {"),
        1 => Just("table ip u {"),
        3 => Just("chain c {"),
        2 => Just("chain z {"),
        2 => Just("type filter hook input priority 0;"),
        1 => Just("type nat hook prerouting priority dstnat;"),
        1 => Just("policy drop;"),
        2 => Just("tcp dport 22 accept"),
        1 => Just("udp dport { 53, 5353 } accept"),
        1 => Just("tcp dport $p accept"),
        1 => Just("tcp dport @s accept"),
        1 => Just("jump z"),
        1 => Just("set s { type inet_service; elements = { 22, 80 } }"),
        1 => Just("set s { type inet_service;"),
        1 => Just("elements = {"),
        1 => Just("define p = 8080"),
        1 => Just("define p = {"),
        1 => Just("add rule inet t c tcp dport 80 accept"),
        1 => Just("add chain inet t z"),
        1 => Just("flush ruleset"),
        1 => Just("delete table inet t"),
        6 => Just("}"),
        2 => Just("{"),
        1 => Just(";"),
        1 => Just("# comment"),
        1 => Just("\""),
        6 => Just(INCLUDE_LATER),
        1 => Just("include \"*.inc\""),
        1 => Just("include \"main.nft\""),
        1 => Just("include \"missing.nft\""),
        1 => Just("include \"../outside.nft\""),
    ]
}

/// File `index` of the tree: pieces joined by a newline or a space (a statement may continue
/// over an include).
fn file_text(index: usize) -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), any::<bool>(), any::<usize>()), 0..24).prop_map(move |pieces| {
        let mut text = String::new();
        for (piece, newline, pick) in pieces {
            if piece == INCLUDE_LATER {
                let later = &FILES[index + 1..];
                let target = later
                    .get(pick % later.len().max(1))
                    .unwrap_or(&"missing.nft");
                text.push_str(&format!("include \"{target}\""));
            } else {
                text.push_str(piece);
            }
            text.push(if newline { '\n' } else { ' ' });
        }
        text
    })
}

fn tree() -> impl Strategy<Value = Vec<String>> {
    (file_text(0), file_text(1), file_text(2), file_text(3))
        .prop_map(|(main, a, b, c)| vec![main, a, b, c])
}

/// Every span of every finding lies in the text of the file it names, on character boundaries.
fn assert_spans_on_their_files(outcome: &Outcome) {
    for d in &outcome.diagnostics {
        for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!((span.file.0 as usize) < outcome.sources.len(), "{d:?}");
            let text = &outcome.sources.get(span.file).text;
            let range = span.range();
            assert!(range.start <= range.end && range.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
                "{d:?}"
            );
        }
    }
}

fn render_every_format(outcome: &Outcome, registry: &Registry) {
    let report = Report {
        sources: &outcome.sources,
        diagnostics: &outcome.diagnostics,
        summary: Summary::of(1, &outcome.diagnostics),
        registry: &registry.meta,
        path_errors: &outcome.path_errors,
    };
    let _ = report::human::render(&report, Style::Plain, 80);
    let _ = report::concise::render(&report);
    let _ = report::github::render(&report);
    let json = report::json::render(&report);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    // SARIF carries the whole rule catalogue, which costs more than the rest of a case (6 ms in
    // a debug build): every eighth tree is enough to try its locations.
    if RENDERED.fetch_add(1, Ordering::Relaxed) % 8 == 0 {
        let sarif = report::sarif::render(&report);
        assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
    }
}

static RENDERED: AtomicUsize = AtomicUsize::new(0);

fn lint_tree(dir: &Path, texts: &[String], registry: &Registry) {
    for (name, text) in FILES.iter().zip(texts) {
        std::fs::write(dir.join(name), text).expect("write a file of the tree");
    }
    let main = dir.join(FILES[0]).display().to_string();
    let outcome = lint(&[main], registry, &RuleFilter::default());
    assert_spans_on_their_files(&outcome);
    render_every_format(&outcome, registry);
}

#[test]
fn the_issue_15_tree_is_linted_without_a_panic() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let registry = Registry::embedded();
    let texts = [
        "table inet t {\n chain c {\n  include \"a.nft\"\n }\n}\n",
        "}\nchain z {\n type filter hook input priority 0;\n",
        "",
        "",
    ]
    .map(str::to_string);
    lint_tree(dir.path(), &texts, &registry);
}

proptest! {
    // 10,000 trees in every run (about 30 s in a debug build).
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn include_trees_never_panic(texts in tree()) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        lint_tree(dir.path(), &texts, &Registry::embedded());
    }
}
