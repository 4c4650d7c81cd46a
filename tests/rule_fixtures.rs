//! A fixture per rule that fires it and one that must not (tests/fixtures/rules/CODE/).
//!
//! `fires.nft` marks every line that must carry a finding with `# expect: CODE[, CODE…]`; the
//! findings of the file must be exactly those (code and line). `clean.nft` must produce nothing.
//! Rules that iptables input can trigger also have `fires.rules` / `clean.rules` (iptables-save)
//! and `fires.sh` / `clean.sh` (an iptables script); rules that a YAML policy can trigger have
//! `fires.yaml` / `clean.yaml` (PL109, which only policies trigger, has nothing else). An
//! iptables-restore file has no comments after a rule, so there a `# expect:` comment on a line of
//! its own marks the next rule line. Every fires fixture's human output is also pinned as an
//! insta snapshot.

use portlint::check::version_dependent_syntax::Target;
use portlint::frontend::resolve::Resolver;
use portlint::lint::{lint_files, LintOptions, Outcome, RuleFilter};
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
    // Judged against the installed nft's release, as tests/oracle_nft.rs checks them.
    let registry = Registry::embedded();
    let options = LintOptions {
        target: Target::parse("nft=1.0.6").expect("a target"),
        ..LintOptions::default()
    };
    lint_files(
        &[relative.display().to_string()],
        &Resolver::new(&registry),
        &RuleFilter::default(),
        &options,
    )
}

fn expected(path: &Path) -> BTreeSet<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut set = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some((before, codes)) = line.split_once("# expect:") {
            let codes = codes.split(',').map(|c| c.trim().to_string());
            if before.trim().is_empty() {
                // A comment line of its own: it marks the next rule line.
                pending.extend(codes);
            } else {
                set.extend(codes.map(|c| (index + 1, c)));
            }
            continue;
        }
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            set.extend(pending.drain(..).map(|c| (index + 1, c)));
        }
    }
    assert!(
        pending.is_empty(),
        "{}: an `# expect:` line marks no rule",
        path.display()
    );
    set
}

/// The kinds of fixture, by extension: nft, iptables-save, iptables script, YAML policy.
const EXTENSIONS: [&str; 4] = ["nft", "rules", "sh", "yaml"];

/// The fixtures of a rule directory whose name starts with `stem` (`fires`, `clean`): the nft one,
/// any iptables ones and the policy one.
fn variants(dir: &Path, stem: &str) -> Vec<PathBuf> {
    EXTENSIONS
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .filter(|p| p.is_file())
        .collect()
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
    // At least one fires fixture, and for each a clean one of the same kind (a rule that only
    // policies trigger has only fires.yaml and clean.yaml).
    for dir in fixtures() {
        let fires = variants(&dir, "fires");
        assert!(
            !fires.is_empty(),
            "{} has no fires fixture (fires.{})",
            dir.display(),
            EXTENSIONS.join(", fires.")
        );
        for path in fires {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            assert!(
                dir.join(format!("clean.{ext}")).is_file(),
                "{} has fires.{ext} but no clean.{ext}",
                dir.display()
            );
        }
    }
}

#[test]
fn fires_fixtures_produce_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        for path in variants(&dir, "fires") {
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
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn clean_fixtures_produce_nothing() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        for path in variants(&dir, "clean") {
            let got = found(&run(&path));
            if !got.is_empty() {
                failures.push(format!("{}: {got:?}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn human_output_of_every_fires_fixture() {
    for path in fixtures().iter().flat_map(|dir| variants(dir, "fires")) {
        let dir = path.parent().expect("a rule directory");
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        // `human_PL101` for the nft fixture (as before), `human_PL101_rules`, `human_PL101_yaml`…
        // for the others.
        let name = match path.extension().and_then(|e| e.to_str()) {
            Some("nft") => format!("human_{code}"),
            Some(ext) => format!("human_{code}_{ext}"),
            None => unreachable!("fixtures have extensions"),
        };
        let outcome = run(&path);
        let meta = Registry::embedded().meta;
        let report = Report {
            sources: &outcome.sources,
            diagnostics: &outcome.diagnostics,
            summary: Summary::of(outcome.sources.len(), &outcome.diagnostics),
            registry: &meta,
            path_errors: &[],
        };
        let text = report::human::render(&report, Style::Plain, 100);
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn every_finding_says_what_to_do() {
    for dir in fixtures().iter().flat_map(|dir| variants(dir, "fires")) {
        let outcome = run(&dir);
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
