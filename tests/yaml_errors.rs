//! Mistakes in YAML policies and in `.portlint.yaml`, as users see them.
//!
//! Each policy case is a small file of its own, linted through the library (`lint_files`, as a
//! run does) and rendered in the human format, pinned as an insta snapshot. Every case also
//! checks that the file gets at least one PL001/PL002 finding, that every finding says what to
//! do (a non-empty help), and, by byte offsets, that the finding points at exactly the
//! characters it is about. The binary's output for the same file must be the same text.
//!
//! The configuration cases go through the binary (an invalid `.portlint.yaml` stops the run with
//! exit code 2 and its findings on stderr); their spans are checked with `config::parse`.

use portlint::cli::InputFormat;
use portlint::diagnostic::Diagnostic;
use portlint::frontend::resolve::Resolver;
use portlint::lint::{lint_files, LintOptions, RuleFilter};
use portlint::registry::Registry;
use portlint::report::{self, human::Style, Report, Summary};
use portlint::source::{FileId, Sources};
use std::path::Path;
use std::process::{Command, Output};

/// A temporary directory with an empty `.portlint.yaml` (the defaults), so that no
/// configuration above it is read when the binary runs there.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join(".portlint.yaml"), "").expect("write .portlint.yaml");
    dir
}

fn portlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("run portlint")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exit code")
}

/// A policy file linted: its text and its findings.
struct Linted {
    text: String,
    diagnostics: Vec<Diagnostic>,
}

impl Linted {
    /// The one finding whose span covers exactly `written`, of rule `code`, at the
    /// `occurrence`-th (0-based) place `written` appears in the file.
    fn at(&self, code: &str, written: &str, occurrence: usize) -> &Diagnostic {
        let start = nth_offset(&self.text, written, occurrence);
        let found: Vec<&Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == code && d.span.range() == (start..start + written.len()))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {code} at {start}..{} (`{written}`); findings:\n{}",
            start + written.len(),
            self.describe()
        );
        found[0]
    }

    fn describe(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| {
                format!(
                    "  {} {}..{} {:?}: {}",
                    d.rule.code,
                    d.span.start,
                    d.span.end,
                    self.text
                        .get(d.span.range())
                        .unwrap_or("<not a char boundary>"),
                    d.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The byte offset of the `n`-th (0-based) occurrence of `needle`.
fn nth_offset(text: &str, needle: &str, n: usize) -> usize {
    text.match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {} times", n + 1))
        .0
}

/// Lint `text` as the policy `name` (`--input-format` as given), snapshot the human output as
/// `name`, and check what every case must satisfy.
fn policy_case(name: &str, text: &str, input: InputFormat) -> Linted {
    let dir = workdir();
    let file = format!("{name}.yaml");
    let path = dir.path().join(&file);
    std::fs::write(&path, text).expect("write the policy");

    let registry = Registry::embedded();
    let outcome = lint_files(
        &[path.display().to_string()],
        &Resolver::new(&registry),
        &RuleFilter::default(),
        &LintOptions {
            input,
            ..LintOptions::default()
        },
    );
    assert!(outcome.path_errors.is_empty(), "{name}: path errors");
    assert_eq!(outcome.sources.len(), 1, "{name}: one file read");
    assert_eq!(outcome.sources.get(FileId(0)).text, text);

    // The same file under the name the binary shows when run in its directory.
    let mut sources = Sources::default();
    sources.add(file.clone(), text.to_string());
    let report = Report {
        sources: &sources,
        diagnostics: &outcome.diagnostics,
        summary: Summary::of(sources.len(), &outcome.diagnostics),
        registry: &registry.meta,
        path_errors: &[],
    };
    let rendered = report::human::render(&report, Style::Plain, 100);
    insta::assert_snapshot!(name, rendered);

    let linted = Linted {
        text: text.to_string(),
        diagnostics: outcome.diagnostics,
    };
    assert!(
        linted
            .diagnostics
            .iter()
            .any(|d| matches!(d.rule.code, "PL001" | "PL002")),
        "{name}: no PL001/PL002 finding:\n{}",
        linted.describe()
    );
    for d in &linted.diagnostics {
        assert!(
            d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
            "{name}: {} `{}` has no help",
            d.rule.code,
            d.message
        );
        assert!(
            text.is_char_boundary(d.span.start as usize)
                && text.is_char_boundary(d.span.end as usize)
                && d.span.start <= d.span.end,
            "{name}: span {}..{} of `{}` is not a range of characters",
            d.span.start,
            d.span.end,
            d.message
        );
    }

    // The binary, run where the file is, prints the same report and exits 1 (errors).
    let mut args = vec!["--format", "human"];
    if input == InputFormat::Policy {
        args.extend(["--input-format", "policy"]);
    }
    args.push(&file);
    let out = portlint(dir.path(), &args);
    assert_eq!(
        String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout"),
        rendered,
        "{name}: the binary's output differs"
    );
    assert_eq!(code(&out), 1, "{name}: exit code");
    linted
}

fn policy(name: &str, text: &str) -> Linted {
    policy_case(name, text, InputFormat::Auto)
}

// ---------------------------------------------------------------------------------------------
// YAML that does not parse

#[test]
fn syntax_unclosed_quote() {
    let text = r#"portlint-policy: 1
roles:
  web:
    description: "Public web
    default-inbound: deny
"#;
    let l = policy("syntax_unclosed_quote", text);
    let d = l.at("PL001", "\"", 0);
    assert!(d.message.text().contains("unclosed quote"), "{}", d.message);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn syntax_bad_indentation() {
    // `services:` is indented by three spaces, between the role (2) and its keys (4).
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
   services:
      - name: https
        ports: [443/tcp]
";
    let l = policy("syntax_bad_indentation", text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    assert!(
        d.message.text().starts_with("YAML syntax:"),
        "{}",
        d.message
    );
    // The first character of the misplaced key.
    let start = text.find("   services").unwrap() + 3;
    assert_eq!(d.span.range(), start..start + 1, "{}", l.describe());
}

#[test]
fn syntax_tab_indentation() {
    let text = "portlint-policy: 1\nroles:\n  web:\n\tdefault-inbound: deny\n";
    let l = policy("syntax_tab_indentation", text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    assert!(d.message.text().contains("tab"), "{}", d.message);
    // On the tab's line: the tab itself or the character after it.
    let tab = text.find('\t').unwrap();
    assert!(
        (tab..=tab + 1).contains(&(d.span.start as usize)),
        "{}",
        l.describe()
    );
}

#[test]
fn second_document() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
---
portlint-policy: 1
";
    let l = policy("second_document", text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    assert!(
        d.message.text().contains("second YAML document"),
        "{}",
        d.message
    );
    // At the separator of the second document.
    l.at("PL001", "---", 0);
}

// ---------------------------------------------------------------------------------------------
// Keys

#[test]
fn unknown_key_with_near_miss() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    servics:
      - name: https
        ports: [443/tcp]
";
    let l = policy("unknown_key_with_near_miss", text);
    let d = l.at("PL001", "servics", 0);
    assert_eq!(d.message.text(), "unknown key `servics` in role `web`");
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `services`?"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn unknown_key_without_near_miss() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    owner: team-web
";
    let l = policy("unknown_key_without_near_miss", text);
    let d = l.at("PL001", "owner", 0);
    assert_eq!(d.message.text(), "unknown key `owner` in role `web`");
    let help = d.help.as_deref().unwrap();
    assert!(!help.contains("did you mean"), "{help}");
    assert!(help.contains("`default-inbound`"), "{help}");
}

#[test]
fn unknown_top_level_key() {
    let text = "portlint-policy: 1
rolse:
  web:
    default-inbound: deny
";
    let l = policy("unknown_top_level_key", text);
    let d = l.at("PL001", "rolse", 0);
    assert!(
        d.help.as_deref().unwrap().contains("did you mean `roles`?"),
        "{:?}",
        d.help
    );
    // The missing `roles` is that misspelling: not reported a second time.
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn duplicate_key_shows_both_places() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: https
        ports: [443/tcp]
        ports: [8443/tcp]
";
    let l = policy("duplicate_key_shows_both_places", text);
    let d = l.at("PL001", "ports", 1);
    assert_eq!(d.message.text(), "`ports` is given twice in a service");
    assert_eq!(d.labels.len(), 1);
    let first = nth_offset(text, "ports", 0);
    assert_eq!(d.labels[0].span.range(), first..first + "ports".len());
    assert_eq!(d.labels[0].message, "first given here");
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn duplicate_role_name() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
  web:
    default-inbound: allow
";
    let l = policy("duplicate_role_name", text);
    let d = l.at("PL001", "web", 1);
    let first = nth_offset(text, "web", 0);
    assert_eq!(d.labels[0].span.range(), first..first + 3);
}

#[test]
fn missing_required_key() {
    let text = "portlint-policy: 1
roles:
  web:
    services:
      - name: https
        ports: [443/tcp]
";
    let l = policy("missing_required_key", text);
    // At the role's name: the mapping that lacks the key.
    let d = l.at("PL001", "web", 0);
    assert_eq!(d.message.text(), "role `web` has no `default-inbound`");
    assert!(
        d.help.as_deref().unwrap().contains("default-inbound: deny"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn service_without_name_and_ports() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - description: the shop
";
    let l = policy("service_without_name_and_ports", text);
    let messages: Vec<String> = l
        .diagnostics
        .iter()
        .map(|d| d.message.to_string())
        .collect();
    assert_eq!(
        messages,
        ["the service has no `name`", "the service has no `ports`"],
        "{}",
        l.describe()
    );
    for d in &l.diagnostics {
        assert_eq!(&text[d.span.range()], "description: the shop");
    }
}

// ---------------------------------------------------------------------------------------------
// Types

#[test]
fn mapping_where_a_list_is_expected() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      name: https
      ports: [443/tcp]
";
    let l = policy("mapping_where_a_list_is_expected", text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    assert_eq!(
        d.message.text(),
        "expected `services` (a list), found a mapping"
    );
    // From the mapping's first key to its last value.
    let start = text.find("name: https").unwrap();
    assert_eq!(d.span.start as usize, start);
    let covered = &text[d.span.range()];
    assert!(
        covered.starts_with("name: https\n      ports: [443/tcp"),
        "{covered:?}"
    );
}

#[test]
fn list_where_text_is_expected() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: [https, http]
        ports: [443/tcp]
";
    let l = policy("list_where_text_is_expected", text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    assert_eq!(d.message.text(), "expected a service name, found a list");
    // The flow list, from its `[` (its closing `]` is not covered yet: see the report).
    let start = text.find("[https").unwrap();
    assert_eq!(d.span.start as usize, start);
    assert!(
        "[https, http]".starts_with(&text[d.span.range()]) && d.span.end as usize > start + 7,
        "{}",
        l.describe()
    );
}

#[test]
fn text_where_a_list_is_expected() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: https
        ports: 443/tcp
";
    let l = policy("text_where_a_list_is_expected", text);
    let d = l.at("PL001", "443/tcp", 0);
    assert!(
        d.message.text().contains("found the text \"443/tcp\""),
        "{}",
        d.message
    );
    assert!(
        d.help.as_deref().unwrap().contains("`[443/tcp]`"),
        "{:?}",
        d.help
    );
}

// ---------------------------------------------------------------------------------------------
// What YAML 1.1 would coerce

#[test]
fn yes_where_a_name_is_expected() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: yes
        ports: [443/tcp]
";
    let l = policy("yes_where_a_name_is_expected", text);
    let d = l.at("PL001", "yes", 0);
    assert!(
        d.message
            .text()
            .contains("which YAML 1.1 tools read as the boolean true"),
        "{}",
        d.message
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn no_where_a_word_is_expected() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: no
";
    let l = policy("no_where_a_word_is_expected", text);
    let d = l.at("PL001", "no", 0);
    assert!(
        d.message
            .text()
            .contains("which YAML 1.1 tools read as the boolean false"),
        "{}",
        d.message
    );
    assert_eq!(d.help.as_deref(), Some("write `deny` or `allow`"));
}

#[test]
fn yes_as_a_role_name() {
    let text = "portlint-policy: 1
roles:
  yes:
    default-inbound: deny
";
    let l = policy("yes_as_a_role_name", text);
    let d = l.at("PL001", "yes", 0);
    assert!(
        d.message
            .text()
            .starts_with("a key in `roles` must be a name"),
        "{}",
        d.message
    );
}

#[test]
fn yes_for_required() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: https
        ports: [443/tcp]
        required: yes
";
    let l = policy("yes_for_required", text);
    let d = l.at("PL001", "yes", 0);
    assert!(
        d.message.text().contains("`true` or `false`"),
        "{}",
        d.message
    );
    assert_eq!(d.help.as_deref(), Some("write `true` or `false`"));
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn bare_port_with_leading_zero() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: ssh
        ports: [0022]
";
    let l = policy("bare_port_with_leading_zero", text);
    let d = l.at("PL002", "0022", 0);
    assert_eq!(
        d.message.text(),
        "`0022` has a leading zero and no protocol"
    );
    assert!(
        d.help.as_deref().unwrap().contains("`22/tcp`"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn quoted_port_with_leading_zero() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: ssh
        ports: [\"0022/tcp\"]
";
    let l = policy("quoted_port_with_leading_zero", text);
    // The port inside the quotes, not the quotes or the protocol.
    let d = l.at("PL002", "0022", 0);
    assert_eq!(d.message.text(), "port `0022` has a leading zero");
    assert!(
        d.help.as_deref().unwrap().starts_with("write `22`"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

// ---------------------------------------------------------------------------------------------
// Ports

#[test]
fn port_without_protocol() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: https
        ports: [443]
";
    let l = policy("port_without_protocol", text);
    let d = l.at("PL002", "443", 0);
    assert_eq!(d.message.text(), "port `443` has no protocol");
    assert!(
        d.help.as_deref().unwrap().contains("`443/tcp`"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn unknown_protocol() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: https
        ports: [443/tpc]
";
    let l = policy("unknown_protocol", text);
    // The protocol alone.
    let d = l.at("PL001", "tpc", 0);
    assert_eq!(d.message.text(), "`tpc` is not a transport protocol");
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `tcp`?"),
        "{:?}",
        d.help
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn port_out_of_range_and_inverted_range() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: app
        ports: [70000/tcp, 9000-8000/udp]
";
    let l = policy("port_out_of_range_and_inverted_range", text);
    l.at("PL002", "70000", 0);
    l.at("PL002", "9000-8000", 0);
    assert_eq!(l.diagnostics.len(), 2, "{}", l.describe());
}

// ---------------------------------------------------------------------------------------------
// The version and the whole file

#[test]
fn wrong_version() {
    let text = "portlint-policy: 2
roles:
  web:
    default-inbound: deny
";
    let l = policy("wrong_version", text);
    let d = l.at("PL001", "2", 0);
    assert_eq!(
        d.message.text(),
        "policy version 2 is not one this portlint reads"
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn version_written_as_text() {
    let text = "portlint-policy: \"1\"
roles:
  web:
    default-inbound: deny
";
    let l = policy("version_written_as_text", text);
    let d = l.at("PL001", "\"1\"", 0);
    assert!(
        d.message.text().contains("found the text \"1\""),
        "{}",
        d.message
    );
}

#[test]
fn empty_file() {
    // An empty file says nothing of being a policy, so it is named one (auto-detection would
    // read it as an empty nft ruleset).
    let text = "";
    let l = policy_case("empty_file", text, InputFormat::Policy);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    assert_eq!(d.message.text(), "the policy is empty");
    assert_eq!(d.span.range(), 0..0);
}

#[test]
fn policy_that_is_a_list() {
    let text = "- portlint-policy: 1\n- roles: {}\n";
    let l = policy_case("policy_that_is_a_list", text, InputFormat::Policy);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert!(d.message.text().contains("found a list"), "{}", d.message);
    assert_eq!(d.span.start, 0);
}

// ---------------------------------------------------------------------------------------------
// Non-ASCII text before the mistake: spans are byte offsets

const GERMAN_HEADER: &str = "# Richtlinie für Übergänge — ünïcode\n";

#[test]
fn non_ascii_before_an_unknown_key() {
    let text = format!(
        "{GERMAN_HEADER}portlint-policy: 1
description: \"Öffentliche Webserver — größtenteils\"
roles:
  wéb:
    description: Zugang für Kunden ✓
    default-inbound: deny
    servics:
      - name: https
        ports: [443/tcp]
"
    );
    let l = policy("non_ascii_before_an_unknown_key", &text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(&text[d.span.range()], "servics");
    let start = text.find("servics").unwrap();
    assert_eq!(d.span.range(), start..start + "servics".len());
    // Characters and bytes differ before it: a character offset would point elsewhere.
    assert_ne!(text[..start].chars().count(), start);
    assert_eq!(d.message.text(), "unknown key `servics` in role `wéb`");
}

#[test]
fn non_ascii_before_port_mistakes() {
    let text = format!(
        "{GERMAN_HEADER}portlint-policy: 1
roles:
  wéb:
    default-inbound: deny
    services:
      - name: https
        description: \"Verschlüsselt — ÄÖÜ\"
        ports: [443/tpc, \"0022/tcp\", 8080]
"
    );
    let l = policy("non_ascii_before_port_mistakes", &text);
    assert_eq!(l.diagnostics.len(), 3, "{}", l.describe());
    let protocol = l.at("PL001", "tpc", 0);
    assert_eq!(&text[protocol.span.range()], "tpc");
    let zero = l.at("PL002", "0022", 0);
    assert_eq!(&text[zero.span.range()], "0022");
    let bare = l.at("PL002", "8080", 0);
    assert_eq!(&text[bare.span.range()], "8080");
}

#[test]
fn non_ascii_before_a_syntax_error_on_the_same_line() {
    // A second `: ` in a plain value, after non-ASCII characters on its line: serde-saphyr
    // reports a line and a column in characters, which must become the right byte.
    let text = format!(
        "{GERMAN_HEADER}portlint-policy: 1
roles:
  wéb:
    description: Zugang für Kunden ✓: offen
    default-inbound: deny
"
    );
    let l = policy("non_ascii_before_a_syntax_error_on_the_same_line", &text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let d = &l.diagnostics[0];
    assert_eq!(d.rule.code, "PL001");
    let colon = text.find("✓:").unwrap() + "✓".len();
    assert_eq!(d.span.range(), colon..colon + 1, "{}", l.describe());
    assert_eq!(&text[d.span.range()], ":");
}

#[test]
fn non_ascii_before_an_unclosed_quote() {
    let text = format!(
        "{GERMAN_HEADER}portlint-policy: 1
roles:
  wéb:
    description: \"Zugang für Kunden ✓
    default-inbound: deny
"
    );
    let l = policy("non_ascii_before_an_unclosed_quote", &text);
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
    let quote = text.find("\"Zugang").unwrap();
    assert_eq!(l.diagnostics[0].span.range(), quote..quote + 1);
}

// ---------------------------------------------------------------------------------------------
// Several mistakes in one file: all reported, in file order

#[test]
fn several_mistakes_in_one_policy() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    servics: []
    services:
      - name: https
        ports: [443/tpc, 0080]
        required: on
  db:
    default-inbound: maybe
";
    let l = policy("several_mistakes_in_one_policy", text);
    let at: Vec<(&str, &str)> = l
        .diagnostics
        .iter()
        .map(|d| (d.rule.code, &text[d.span.range()]))
        .collect();
    assert_eq!(
        at,
        [
            ("PL001", "servics"),
            ("PL001", "tpc"),
            ("PL002", "0080"),
            ("PL001", "on"),
            ("PL001", "maybe"),
        ],
        "{}",
        l.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// `.portlint.yaml` mistakes, through the binary

/// Run the binary in a directory whose `.portlint.yaml` is `config`; the configuration's
/// findings (from `config::parse`) and stderr.
fn config_case(name: &str, config: &str) -> (Vec<Diagnostic>, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join(".portlint.yaml"), config).expect("write .portlint.yaml");
    std::fs::write(dir.path().join("rules.nft"), "table inet filter {\n}\n").expect("write rules");
    let out = portlint(dir.path(), &["rules.nft"]);
    assert_eq!(code(&out), 2, "{name}: an invalid configuration exits 2");
    assert!(out.stdout.is_empty(), "{name}: nothing is linted");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    insta::assert_snapshot!(name, stderr);

    let (_, mut diagnostics) = portlint::config::parse(FileId(0), config, dir.path());
    // In file order, as they are shown.
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    assert!(
        diagnostics.iter().any(|d| d.rule.code == "PL001"),
        "{name}: no PL001"
    );
    for d in &diagnostics {
        assert!(
            d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
            "{name}: `{}` has no help",
            d.message
        );
    }
    let count = diagnostics.len();
    let summary = format!(
        "portlint: .portlint.yaml: invalid configuration ({count} problem{})",
        if count == 1 { "" } else { "s" }
    );
    assert!(stderr.contains(&summary), "{name}: {stderr}");
    (diagnostics, stderr)
}

#[test]
fn config_unknown_key_after_non_ascii_comment() {
    let config = "# Einstellungen für Übergänge — ünïcode\nfail-on: error\nignroe: [PL101]\n";
    let (diagnostics, stderr) = config_case("config_unknown_key_after_non_ascii_comment", config);
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(&config[d.span.range()], "ignroe");
    let start = config.find("ignroe").unwrap();
    assert_eq!(d.span.range(), start..start + "ignroe".len());
    assert!(stderr.contains("unknown key `ignroe`"), "{stderr}");
    assert!(stderr.contains("did you mean `ignore`?"), "{stderr}");
    assert!(stderr.contains(".portlint.yaml:3:"), "{stderr}");
}

#[test]
fn config_yaml_coercions_and_bad_values() {
    let config = "fail-on: no
severity:
  PL101: fatal
  unassigned-prot: error
ignore: PL101
";
    let (diagnostics, _) = config_case("config_yaml_coercions_and_bad_values", config);
    let at: Vec<&str> = diagnostics
        .iter()
        .map(|d| &config[d.span.range()])
        .collect();
    assert_eq!(at, ["no", "fatal", "unassigned-prot", "PL101"]);
    assert!(diagnostics[0].message.text().contains("boolean false"));
    assert!(diagnostics[2]
        .help
        .as_deref()
        .unwrap()
        .contains("did you mean `unassigned-port`?"));
}

#[test]
fn config_syntax_error() {
    let config = "# Übergänge\nfail-on: [error\n";
    let (diagnostics, _) = config_case("config_syntax_error", config);
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert!(
        d.message.text().starts_with("YAML syntax:"),
        "{}",
        d.message
    );
    let bracket = config.find('[').unwrap();
    assert_eq!(d.span.range(), bracket..bracket + 1);
}

// ---------------------------------------------------------------------------------------------
// Recognising a policy

#[test]
fn a_policy_with_a_byte_order_mark_is_still_a_policy() {
    let (code, text) = concise_run(
        "bom.yaml",
        "\u{feff}portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: https\n        ports: [443/tcp]\n",
    );
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn a_yaml_file_without_the_marker_is_told_to_add_it() {
    let (code, text) = concise_run("web.yaml", "roles:\n  web:\n    default-inbound: deny\n");
    assert_eq!(code, Some(1), "{text}");
    // One finding, the marker's; no nft "unknown statement" noise.
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("PL001") && text.contains("has no `portlint-policy` version"),
        "{text}"
    );
}

#[test]
fn two_protocols_in_one_entry_are_named() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: domain
        ports: [53/udp/tcp]
";
    let l = policy("two_protocols_in_one_entry", text);
    let d = l.at("PL002", "53/udp/tcp", 0);
    assert!(
        d.message.text().contains("more than one protocol"),
        "{}",
        d.message
    );
    assert_eq!(l.diagnostics.len(), 1, "{}", l.describe());
}

#[test]
fn a_prefix_of_a_choice_is_suggested() {
    let text = "portlint-policy: 1
roles:
  web:
    default-inbound: deny
    services:
      - name: domain
        direction: out
        ports: [53/udp]
";
    let l = policy("a_prefix_of_a_choice", text);
    let d = l.at("PL001", "out", 0);
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("did you mean `outbound`?")),
        "{:?}",
        d.help
    );
}

/// `portlint --format concise NAME` on a file of its own: the exit code and the output.
fn concise_run(name: &str, text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write the file");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portlint"))
        .args(["--format", "concise"])
        .arg(&path)
        .output()
        .expect("run portlint");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
