//! The rule pages in `rules/` are part of the product (`portlint rule CODE` prints them), so
//! their examples are tested like code:
//!
//! - every rule in `portlint::check::RULES` has a page whose first line is `# CODE slug` and whose
//!   `Default severity:` line is the rule's, and every page belongs to a rule;
//! - the headings are the ones every page has, in the same order;
//! - the first ```nft block after `## Example`, written to `example.nft` and linted with
//!   `portlint --format concise example.nft` from its directory, prints exactly the first
//!   ```text block after it — and every finding of that output is of the page's own rule (a page whose example
//!   shows nothing says so with an empty ```text block). A rule only policies trigger (PL109)
//!   has a ```yaml block instead, written to `example.yaml` and linted the same way;
//! - the first ```nft block under `## How to fix` (or, without one, the first ```yaml block),
//!   if there is one, lints clean;
//! - `portlint rule CODE` (and `portlint rule SLUG`) prints the page;
//! - where `nft` can run (`unshare -n nft -c`, as in `oracle_nft.rs`), nft accepts every ```nft
//!   fix, and refuses an ```nft example exactly when portlint reports a refusal (PL001, PL002,
//!   PL003, PL005); ```yaml blocks are portlint's own format, which nft does not read.
//!
//! Each test checks every page and reports all failures together, naming the page.

mod common;

use portlint::check::{RuleInfo, RULES};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

struct Page {
    /// `rules/PL101.md`, for messages.
    name: String,
    /// The file stem: `PL101`.
    stem: String,
    text: String,
}

fn pages() -> Vec<Page> {
    let dir = rules_dir();
    let mut pages: Vec<Page> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry of rules/").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            Page {
                name: format!("rules/{}", path.file_name().unwrap().to_string_lossy()),
                stem,
                text,
            }
        })
        .collect();
    pages.sort_by(|a, b| a.stem.cmp(&b.stem));
    assert!(!pages.is_empty(), "no pages in {}", dir.display());
    pages
}

fn rule_of(page: &Page) -> Option<&'static RuleInfo> {
    RULES.iter().copied().find(|r| r.code == page.stem)
}

/// Panic with every failure, one block per page.
fn report(test: &str, failures: Vec<String>) {
    if !failures.is_empty() {
        panic!(
            "{test}: {} failure(s)\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}

// ---- reading a page ----

/// A fenced code block: its info string and its lines.
struct Block {
    lang: String,
    body: String,
}

/// A page split into its `## ` sections (headings inside code fences do not count), each with
/// its prose and its code blocks in order.
struct Section {
    heading: String,
    blocks: Vec<Block>,
}

fn sections(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut fence: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        if let Some((lang, body)) = fence.as_mut() {
            if line.trim_end() == "```" {
                let mut text = body.join("\n");
                if !body.is_empty() {
                    text.push('\n');
                }
                let block = Block {
                    lang: std::mem::take(lang),
                    body: text,
                };
                if let Some(section) = sections.last_mut() {
                    section.blocks.push(block);
                }
                fence = None;
            } else {
                body.push(line);
            }
            continue;
        }
        if let Some(info) = line.strip_prefix("```") {
            fence = Some((info.trim().to_string(), Vec::new()));
        } else if let Some(heading) = line.strip_prefix("## ") {
            sections.push(Section {
                heading: heading.trim_end().to_string(),
                blocks: Vec::new(),
            });
        }
    }
    sections
}

fn section<'a>(sections: &'a [Section], heading: &str) -> Option<&'a Section> {
    sections.iter().find(|s| s.heading == heading)
}

fn first_block<'a>(section: &'a Section, lang: &str) -> Option<&'a str> {
    section
        .blocks
        .iter()
        .find(|b| b.lang == lang)
        .map(|b| b.body.as_str())
}

/// The languages an example or a fix may be written in, in the order they are looked for: a
/// ruleset, or (for a rule only policies trigger) a policy. Each is also the extension of the file
/// it is written to.
const INPUT_LANGS: [&str; 2] = ["nft", "yaml"];

/// The input of an example or a fix: the first ```nft block, or without one the first ```yaml
/// block, with its language.
fn input_block(section: &Section) -> Option<(&'static str, &str)> {
    INPUT_LANGS
        .iter()
        .find_map(|&lang| first_block(section, lang).map(|body| (lang, body)))
}

// ---- running portlint ----

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn portlint(args: &[&str], dir: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run the portlint binary");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code(),
    }
}

/// `portlint --format concise example.LANG` (`example.nft`, `example.yaml`), run in a fresh
/// directory holding that file.
fn lint_example(lang: &str, text: &str) -> Run {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = format!("example.{lang}");
    std::fs::write(dir.path().join(&file), text).unwrap_or_else(|e| panic!("write {file}: {e}"));
    // Judged as the installed nft (the oracle below) reads it: PL007's example needs a target.
    portlint(
        &["--format", "concise", "--target", common::NFT_TARGET, &file],
        dir.path(),
    )
}

/// A line diff (longest common subsequence; pages are small): ` ` both, `-` expected only,
/// `+` actual only.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "  {}", a[i]);
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "- {}", a[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", b[j]);
            j += 1;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n')
        && !(expected.is_empty() || actual.is_empty())
    {
        let _ = writeln!(out, "(the final newline differs)");
    }
    out
}

/// One item a line, each ending in a newline; nothing for no items.
fn lines<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(|s| format!("{}\n", s.as_ref())).collect()
}

fn mismatch(page: &str, what: &str, expected: &str, actual: &str) -> String {
    format!(
        "{page}: {what}\n--- expected\n{}--- actual\n{}--- diff (- expected, + actual)\n{}",
        show(expected),
        show(actual),
        diff(expected, actual)
    )
}

fn show(text: &str) -> String {
    if text.is_empty() {
        "(nothing)\n".to_string()
    } else if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n(no final newline)\n")
    }
}

// ---- the tests ----

#[test]
fn every_rule_has_a_page_with_its_code_slug_and_severity() {
    let dir = rules_dir();
    let mut failures = Vec::new();
    for rule in RULES {
        let path = dir.join(format!("{}.md", rule.code));
        let name = format!("rules/{}.md", rule.code);
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!(
                "{name}: missing (rule {} {} has no page)",
                rule.code, rule.slug
            ));
            continue;
        };
        let mut lines = text.lines();
        let title = format!("# {} {}", rule.code, rule.slug);
        let first = lines.next().unwrap_or("");
        if first != title {
            failures.push(mismatch(
                &name,
                "the first line is not `# CODE slug`",
                &format!("{title}\n"),
                &format!("{first}\n"),
            ));
        }
        let severity = format!("Default severity: {}.", rule.severity.as_str());
        let stated = lines
            .find(|l| l.starts_with("Default severity:"))
            .unwrap_or("");
        if stated != severity {
            failures.push(mismatch(
                &name,
                "the `Default severity:` line is not the rule's",
                &format!("{severity}\n"),
                &format!("{stated}\n"),
            ));
        }
        if rule.doc != text {
            failures.push(format!(
                "{name}: the page embedded in the library (RuleInfo::doc) is not the file on disk"
            ));
        }
    }
    report("every rule has a page", failures);
}

#[test]
fn every_page_belongs_to_a_rule() {
    let failures: Vec<String> = pages()
        .iter()
        .filter(|page| rule_of(page).is_none())
        .map(|page| {
            let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
            format!(
                "{}: no rule has the code `{}` (rules: {})",
                page.name,
                page.stem,
                codes.join(", ")
            )
        })
        .collect();
    report("every page belongs to a rule", failures);
}

#[test]
fn pages_have_the_headings_in_order() {
    let mut failures = Vec::new();
    for page in pages() {
        let headings: Vec<String> = sections(&page.text)
            .into_iter()
            .map(|s| s.heading)
            .collect();
        // The third section says how ranges and protocols are judged, or, for rules where that
        // does not apply, what triggers the rule.
        let third = match headings.get(2).map(String::as_str) {
            Some("What triggers it") => "What triggers it",
            _ => "What ranges and protocols get",
        };
        let expected = [
            "What it does",
            "Why is this bad?",
            third,
            "Example",
            "How to fix",
            "References",
        ];
        if headings != expected {
            failures.push(mismatch(
                &page.name,
                "the `## ` headings are not the page format's",
                &lines(&expected),
                &lines(&headings),
            ));
        }
    }
    report("pages have the headings in order", failures);
}

#[test]
fn examples_print_what_the_page_says() {
    let mut failures = Vec::new();
    for page in pages() {
        let sections = sections(&page.text);
        let Some(example) = section(&sections, "Example") else {
            failures.push(format!("{}: no `## Example` section", page.name));
            continue;
        };
        let (Some((lang, input)), Some(expected)) =
            (input_block(example), first_block(example, "text"))
        else {
            failures.push(format!(
                "{}: the `## Example` section needs a ```nft block (or, for a rule only policies trigger, a ```yaml block) and a ```text block with the output",
                page.name
            ));
            continue;
        };
        let run = lint_example(lang, input);
        if run.stdout != expected {
            failures.push(mismatch(
                &page.name,
                &format!("`portlint --format concise example.{lang}` does not print the ```text block of the example"),
                expected,
                &run.stdout,
            ));
        }
        if !run.stderr.is_empty() || run.code == Some(2) || run.code.is_none() {
            failures.push(format!(
                "{}: portlint could not lint the example (exit {:?}):\n{}",
                page.name, run.code, run.stderr
            ));
        }
        // An empty ```text block is how a page says its example shows nothing.
        if !expected.is_empty() {
            let own = format!(" {} [", page.stem);
            // The example triggers exactly the rule it documents: every finding is its own.
            if !expected.lines().all(|l| l.contains(&own)) {
                failures.push(format!(
                    "{}: the example's output shows findings of other rules than {} (an example triggers exactly the rule of its page)\n--- expected\n{}",
                    page.name,
                    page.stem,
                    show(expected)
                ));
            }
        }
    }
    report("examples print what the page says", failures);
}

#[test]
fn fixes_lint_clean() {
    let mut failures = Vec::new();
    for page in pages() {
        let sections = sections(&page.text);
        let Some(fix) = section(&sections, "How to fix") else {
            continue; // reported by pages_have_the_headings_in_order
        };
        let Some((lang, input)) = input_block(fix) else {
            continue;
        };
        let run = lint_example(lang, input);
        if !run.stdout.is_empty() || !run.stderr.is_empty() || run.code != Some(0) {
            failures.push(mismatch(
                &page.name,
                &format!(
                    "the ```{lang} block of `## How to fix` does not lint clean (exit {:?}{})",
                    run.code,
                    if run.stderr.is_empty() {
                        String::new()
                    } else {
                        format!(", stderr: {}", run.stderr.trim_end())
                    }
                ),
                "",
                &run.stdout,
            ));
        }
    }
    report("fixes lint clean", failures);
}

#[test]
fn portlint_rule_prints_the_page() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut failures = Vec::new();
    for rule in RULES {
        let name = format!("rules/{}.md", rule.code);
        let Ok(text) = std::fs::read_to_string(rules_dir().join(format!("{}.md", rule.code)))
        else {
            failures.push(format!("{name}: missing"));
            continue;
        };
        for query in [rule.code, rule.slug] {
            let run = portlint(&["rule", query], dir.path());
            if run.stdout != text || run.code != Some(0) {
                failures.push(mismatch(
                    &name,
                    &format!(
                        "`portlint rule {query}` (exit {:?}) does not print the page",
                        run.code
                    ),
                    &text,
                    &run.stdout,
                ));
            }
        }
    }
    report("portlint rule prints the page", failures);
}

// ---- nft as an oracle (see oracle_nft.rs) ----

/// `nft -c -f example.nft` in a private network namespace. A file the example includes by a
/// plain name is given as an empty file, so that the include itself does not fail.
fn nft_check(nft: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("example.nft"), nft).expect("write example.nft");
    for line in nft.lines() {
        let included = line
            .trim()
            .strip_prefix("include \"")
            .and_then(|r| r.strip_suffix('"'));
        if let Some(name) = included.filter(|n| !n.contains('/') && !n.contains('*')) {
            std::fs::write(dir.path().join(name), "").expect("write an included file");
        }
    }
    common::nft_check(dir.path(), "example.nft")
}

#[test]
fn nft_agrees_with_the_examples_and_accepts_the_fixes() {
    if !common::nft_available() {
        return;
    }
    let mut failures = Vec::new();
    for page in pages() {
        let sections = sections(&page.text);
        if let Some(nft) = section(&sections, "Example").and_then(|s| first_block(s, "nft")) {
            let (accepted, says) = nft_check(nft);
            let refusals: Vec<String> = lint_example("nft", nft)
                .stdout
                .lines()
                .filter(|l| {
                    common::REFUSALS
                        .iter()
                        .any(|code| l.contains(&format!(" {code} [")))
                })
                .map(str::to_string)
                .collect();
            if accepted != refusals.is_empty() {
                failures.push(format!(
                    "{}: nft {} the example, portlint reports {} refusal(s)\n--- nft\n{}\n--- portlint\n{}",
                    page.name,
                    if accepted { "accepts" } else { "rejects" },
                    refusals.len(),
                    if says.is_empty() { "(nothing)" } else { &says },
                    refusals.join("\n")
                ));
            }
        }
        if let Some(nft) = section(&sections, "How to fix").and_then(|s| first_block(s, "nft")) {
            let (accepted, says) = nft_check(nft);
            if !accepted {
                failures.push(format!(
                    "{}: nft rejects the fix\n--- nft\n{says}",
                    page.name
                ));
            }
        }
    }
    report(
        "nft agrees with the examples and accepts the fixes",
        failures,
    );
}
