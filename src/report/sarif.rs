//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps), built with
//! serde-sarif's types.
//!
//! Every rule is listed with its metadata, its page as help text and a link to it; each result
//! points at its span (columns in Unicode code points, as `columnKind` says) with its labels as
//! related locations, and carries a `partialFingerprints` entry that survives lines moving: the
//! rule, the file and the text of the finding's line and span, not their numbers.

use super::Report;
use crate::check::{RuleInfo, RULES};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};
use serde_sarif::sarif;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// Where the rule pages are published: `{RULE_PAGES}/PL101.md`.
pub const RULE_PAGES: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/rules");

/// The key of portlint's fingerprint in `partialFingerprints`; the number changes if the way
/// it is computed ever does.
const FINGERPRINT_KEY: &str = "portlint/v1";

fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn text(text: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text.into())
        .build()
}

/// The first paragraph under a page's `## What it does`.
fn what_it_does(page: &str) -> &str {
    let Some((_, rest)) = page.split_once("## What it does") else {
        return "";
    };
    rest.trim_start().split("\n\n").next().unwrap_or("").trim()
}

fn descriptor(rule: &RuleInfo) -> sarif::ReportingDescriptor {
    let full = what_it_does(rule.doc).replace('\n', " ");
    sarif::ReportingDescriptor::builder()
        .id(rule.code)
        .name(rule.slug)
        .short_description(text(rule.summary))
        .full_description(text(if full.is_empty() {
            rule.summary.to_string()
        } else {
            full
        }))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(rule.doc)
                .markdown(rule.doc)
                .build(),
        )
        .help_uri(format!("{RULE_PAGES}/{}.md", rule.code))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(level_name(rule.severity)))
                .build(),
        )
        .build()
}

/// A path as a URI reference: relative paths (as shown) against the source root, with `/`
/// separators and percent-encoding; absolute ones as `file://` URIs.
fn artifact(path: &str) -> sarif::ArtifactLocation {
    let slashes = path.replace('\\', "/");
    if slashes.starts_with('/') {
        sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", percent_encode(&slashes)))
            .build()
    } else {
        sarif::ArtifactLocation::builder()
            .uri(percent_encode(&slashes))
            .uri_base_id("%SRCROOT%")
            .build()
    }
}

fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn region(file: &SourceFile, span: Span) -> sarif::Region {
    let start = file.line_col(span.start as usize);
    let end = file.line_col(span.end as usize);
    sarif::Region::builder()
        .start_line(start.line as i64)
        .start_column(start.column as i64)
        .end_line(end.line as i64)
        .end_column(end.column as i64)
        // Offsets into the file as it is on disk (they differ from the text's after a byte that
        // is not UTF-8).
        .byte_offset(file.disk_offset(span.start as usize) as i64)
        .byte_length(
            (file.disk_offset(span.end as usize) - file.disk_offset(span.start as usize)) as i64,
        )
        .build()
}

fn location(report: &Report<'_>, span: Span, message: Option<&str>) -> sarif::Location {
    let file = report.sources.get(span.file);
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact(&file.path))
        .region(region(file, span))
        .build();
    match message {
        Some(message) => sarif::Location::builder()
            .physical_location(physical)
            .message(sarif::Message::builder().text(message).build())
            .build(),
        None => sarif::Location::builder()
            .physical_location(physical)
            .build(),
    }
}

/// FNV-1a, 64 bits: stable across runs, platforms and Rust versions (unlike std's hasher).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// The fingerprint of a finding: its rule, file, the trimmed text of its line and its span's
/// text, and how many equal ones came before it in the file (two findings on equal lines).
fn fingerprint(report: &Report<'_>, d: &Diagnostic, seen: &mut HashMap<u64, u32>) -> String {
    let file = report.sources.get(d.span.file);
    let line = file.line_text(d.span.start as usize).trim();
    let spanned = file.text.get(d.span.range()).unwrap_or("");
    let base = fnv1a(&[d.rule.code, &file.path, line, spanned]);
    let count = seen.entry(base).or_insert(0);
    *count += 1;
    format!("{base:016x}:{count}")
}

fn result(report: &Report<'_>, d: &Diagnostic, seen: &mut HashMap<u64, u32>) -> sarif::Result {
    let index = RULES
        .iter()
        .position(|r| r.code == d.rule.code)
        .unwrap_or(0);
    let mut message = d.message.text().into_owned();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<sarif::Location> = d
        .labels
        .iter()
        .map(|l| location(report, l.span, Some(&l.message)))
        .collect();
    let fingerprints =
        BTreeMap::from([(FINGERPRINT_KEY.to_string(), fingerprint(report, d, seen))]);
    let builder = sarif::Result::builder()
        .rule_id(d.rule.code)
        .rule_index(index as i64)
        .level(level(d.severity))
        .message(sarif::Message::builder().text(message).build())
        .locations(vec![location(report, d.span, None)])
        .partial_fingerprints(fingerprints);
    if related.is_empty() {
        builder.build()
    } else {
        builder.related_locations(related).build()
    }
}

/// The SARIF log of a run.
pub fn log(report: &Report<'_>) -> sarif::Sarif {
    let driver = sarif::ToolComponent::builder()
        .name("portlint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(RULES.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let mut seen = HashMap::new();
    let results: Vec<sarif::Result> = report
        .diagnostics
        .iter()
        .map(|d| result(report, d, &mut seen))
        .collect();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    writeln!(out)
}

pub fn render(report: &Report<'_>) -> String {
    super::to_string(|out| write(report, out))
}
