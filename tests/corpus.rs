//! The upstream nftables test data in ../shared/corpus (skipped with a message when absent):
//! every file is read without a panic, and every ruleset the real nft accepted gets no
//! error-severity finding (an error fails a default run: it must mean the file is broken).

mod common;

use portlint::diagnostic::Severity;
use portlint::lint::{lint, RuleFilter};
use portlint::registry::Registry;
use std::path::Path;

/// Lint `files` (relative to `dir`) and list the error-severity findings, with paths relative to `dir`.
fn refusals_in(dir: &Path, files: &[String]) -> Vec<String> {
    let absolute: Vec<String> = files
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    let outcome = lint(&absolute, &Registry::embedded(), &RuleFilter::default());
    assert!(outcome.path_errors.is_empty(), "{:?}", outcome.path_errors);
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let file = outcome.sources.get(d.span.file);
            let at = file.line_col(d.span.start as usize);
            let path = file
                .path
                .strip_prefix(&format!("{}/", dir.display()))
                .unwrap_or(&file.path);
            format!(
                "{path}:{}:{}: {} {}",
                at.line, at.column, d.rule.code, d.message
            )
        })
        .collect()
}

#[test]
fn rulesets_nft_accepts_get_no_refusal() {
    let Some(dir) = common::nft_corpus() else {
        return;
    };
    let valid: Vec<String> = common::verdicts(&dir)
        .into_iter()
        .filter(|(_, verdict)| verdict == "valid")
        .map(|(file, _)| file)
        .collect();
    assert_eq!(valid.len(), 460, "the verdicts file changed");
    // Three bogons pass nft 1.0.6 only through memory bugs it misses without ASAN; upstream
    // requires nft to reject every bogon.
    let valid: Vec<String> = valid
        .into_iter()
        .filter(|file| !file.contains("/bogons/"))
        .collect();
    let found = refusals_in(&dir, &valid);
    assert!(
        found.is_empty(),
        "{} false refusals:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_corpus_file_is_read_without_panic() {
    let Some(dir) = common::nft_corpus() else {
        return;
    };
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(&dir)
        .standard_filters(false)
        .build()
    {
        let entry = entry.expect("walk");
        if entry.file_type().is_some_and(|t| t.is_file()) {
            files.push(entry.path().display().to_string());
        }
    }
    assert!(files.len() > 1000, "{} files", files.len());
    let outcome = lint(&files, &Registry::embedded(), &RuleFilter::default());
    // Every file is read: nft text by the text front end, the `nft -j` dumps by the JSON one.
    assert_eq!(outcome.sources.len(), files.len());
    assert!(
        outcome.path_errors.is_empty(),
        "{:?}",
        outcome.path_errors.first()
    );
}

/// The one-rule tests of nft's python suite: each `RULE;ok` line, put in a chain, must get no
/// refusal. Rules that use named sets, maps or objects declared by the test file are included:
/// portlint does not model those and must not refuse them.
#[test]
fn rules_nft_accepts_in_the_py_tests_get_no_refusal() {
    let Some(dir) = common::nft_corpus() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let mut rules = 0;
    for entry in ignore::WalkBuilder::new(dir.join("tests/py")).build() {
        let entry = entry.expect("walk");
        if entry.path().extension().and_then(|e| e.to_str()) != Some("t") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read .t");
        // The table family comes from the first `*FAMILY;TABLE;CHAIN` line; `!NAME type …`
        // lines declare the sets the rules refer to.
        let family = text
            .lines()
            .find_map(|l| l.strip_prefix('*')?.split(';').next())
            .unwrap_or("inet");
        let mut body = format!("table {family} t {{\n");
        for line in text.lines() {
            if let Some(set) = line.strip_prefix('!') {
                let name = set.split_whitespace().next().unwrap_or("s");
                body.push_str(&format!("\tset {name} {{ }}\n"));
            }
        }
        body.push_str("\tchain c {\n");
        for line in text.lines() {
            let fields: Vec<&str> = line.split(';').collect();
            let first = line.chars().next().unwrap_or('#');
            if "#:*!?%-".contains(first) || fields.len() < 2 || fields[1] != "ok" {
                continue;
            }
            body.push_str("\t\t");
            body.push_str(fields[0]);
            body.push('\n');
            rules += 1;
        }
        body.push_str("\t}\n}\n");
        let name = entry
            .path()
            .strip_prefix(&dir)
            .expect("under")
            .display()
            .to_string()
            .replace('/', "__");
        let path = tmp.path().join(format!("{name}.nft"));
        std::fs::write(&path, body).expect("write");
        files.push(
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
        );
    }
    assert!(rules > 1500, "{rules} rules");
    let found = refusals_in(tmp.path(), &files);
    assert!(
        found.is_empty(),
        "{} false refusals:\n{}",
        found.len(),
        found.join("\n")
    );
}
