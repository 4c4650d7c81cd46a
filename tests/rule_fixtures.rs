//! A fixture per rule that fires it and one that must not (tests/fixtures/rules/CODE/).
//!
//! `fires.nft` marks every line that must carry a finding with `# expect: CODE[, CODE…]`; the
//! findings of the file must be exactly those (code and line). `clean.nft` must produce nothing.
//! Every fires fixture's human output is also pinned as an insta snapshot.

use portlint::lint::{lint, Outcome, RuleFilter};
use portlint::registry::Registry;
use portlint::report::{self, human::Style, Report, Summary};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/rules")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Run from the crate root with a relative path, so paths in output are stable.
fn run(path: &Path) -> Outcome {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = path.strip_prefix(root).expect("fixture under the crate");
    std::env::set_current_dir(root).expect("cd to the crate root");
    lint(
        &[relative.display().to_string()],
        &Registry::embedded(),
        &RuleFilter::default(),
    )
}

fn expected(path: &Path) -> BTreeSet<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut set = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        if let Some((_, codes)) = line.split_once("# expect:") {
            for code in codes.split(',') {
                set.insert((index + 1, code.trim().to_string()));
            }
        }
    }
    set
}

fn found(outcome: &Outcome) -> BTreeSet<(usize, String)> {
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

#[test]
fn every_rule_has_both_fixtures() {
    let dirs: BTreeSet<String> = fixtures()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for rule in portlint::check::RULES {
        assert!(
            dirs.contains(rule.code),
            "no fixtures for {} {}",
            rule.code,
            rule.slug
        );
    }
    for dir in fixtures() {
        assert!(
            dir.join("fires.nft").is_file(),
            "{} lacks fires.nft",
            dir.display()
        );
        assert!(
            dir.join("clean.nft").is_file(),
            "{} lacks clean.nft",
            dir.display()
        );
    }
}

#[test]
fn fires_fixtures_produce_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let path = dir.join("fires.nft");
        let want = expected(&path);
        assert!(
            want.iter().any(|(_, c)| *c == code),
            "{} expects no {code}",
            path.display()
        );
        let got = found(&run(&path));
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  found    {got:?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn clean_fixtures_produce_nothing() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        let path = dir.join("clean.nft");
        let got = found(&run(&path));
        if !got.is_empty() {
            failures.push(format!("{}: {got:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn human_output_of_every_fires_fixture() {
    for dir in fixtures() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = run(&dir.join("fires.nft"));
        let meta = Registry::embedded().meta;
        let report = Report {
            sources: &outcome.sources,
            diagnostics: &outcome.diagnostics,
            summary: Summary::of(outcome.sources.len(), &outcome.diagnostics),
            registry: &meta,
        };
        let text = report::human::render(&report, Style::Plain, 100);
        insta::assert_snapshot!(format!("human_{code}"), text);
    }
}

#[test]
fn every_finding_says_what_to_do() {
    for dir in fixtures() {
        let outcome = run(&dir.join("fires.nft"));
        for d in &outcome.diagnostics {
            assert!(
                d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
                "{} {}: `{}` has no help",
                dir.display(),
                d.rule.code,
                d.message
            );
            assert!(
                d.span.start < d.span.end,
                "{}: empty span for `{}`",
                dir.display(),
                d.message
            );
        }
    }
}
