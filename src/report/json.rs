//! `--format json`: the versioned JSON contract of DESIGN.md (schema in `schemas/`).

use super::{Report, Summary};
use crate::source::{SourceFile, Span};
use serde::{Serialize, Serializer};
use std::io::{self, Write};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    registry: Registry<'a>,
    diagnostics: Diagnostics<'a>,
    summary: Summary,
    /// What could not be linted: an unreadable path, a file over its size cap, or a walk that
    /// found nothing to lint. Any entry means exit code 2.
    path_errors: Vec<JsonPathError<'a>>,
}

#[derive(Serialize)]
struct JsonPathError<'a> {
    path: &'a str,
    message: &'a str,
}

/// The diagnostics, serialized one by one as they are converted: a run with 100,000 findings
/// never holds a second copy of them.
struct Diagnostics<'a>(&'a Report<'a>);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        serializer.collect_seq(
            report
                .diagnostics
                .iter()
                .map(|d| json_diagnostic(report, d)),
        )
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Registry<'a> {
    source: &'a str,
    date: &'a str,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    rule: &'static str,
    severity: &'static str,
    message: std::borrow::Cow<'a, str>,
    help: Option<&'a str>,
    path: &'a str,
    #[serde(flatten)]
    position: Position,
    byte_start: u64,
    byte_end: u64,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    path: &'a str,
    #[serde(flatten)]
    position: Position,
}

fn position(file: &SourceFile, span: Span) -> Position {
    let start = file.line_col(span.start as usize);
    let end = file.line_col(span.end as usize);
    Position {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

fn json_diagnostic<'a>(
    report: &'a Report<'a>,
    d: &'a crate::diagnostic::Diagnostic,
) -> JsonDiagnostic<'a> {
    let file = report.sources.get(d.span.file);
    JsonDiagnostic {
        code: d.rule.code,
        rule: d.rule.slug,
        severity: d.severity.as_str(),
        message: d.message.text(),
        help: d.help.as_deref(),
        path: &file.path,
        position: position(file, d.span),
        // Offsets into the file as it is on disk (they differ from the text's after a byte that
        // is not UTF-8).
        byte_start: file.disk_offset(d.span.start as usize) as u64,
        byte_end: file.disk_offset(d.span.end as usize) as u64,
        labels: d
            .labels
            .iter()
            .map(|l| {
                let label_file = report.sources.get(l.span.file);
                JsonLabel {
                    message: &l.message,
                    path: &label_file.path,
                    position: position(label_file, l.span),
                }
            })
            .collect(),
    }
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let output = Output {
        version: 1,
        tool: Tool {
            name: "portlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        registry: Registry {
            source: &report.registry.source,
            date: &report.registry.date,
        },
        diagnostics: Diagnostics(report),
        summary: report.summary,
        path_errors: report
            .path_errors
            .iter()
            .map(|e| JsonPathError {
                path: &e.path,
                message: &e.message,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

pub fn render(report: &Report<'_>) -> String {
    super::to_string(|out| write(report, out))
}
