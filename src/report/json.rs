//! `--format json`: the versioned JSON contract of DESIGN.md (schema in `schemas/`).

use super::{Report, Summary};
use crate::source::{SourceFile, Span};
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    registry: Registry<'a>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
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
    message: &'a str,
    help: Option<&'a str>,
    path: &'a str,
    #[serde(flatten)]
    position: Position,
    byte_start: u32,
    byte_end: u32,
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

pub fn render(report: &Report<'_>) -> String {
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| {
            let file = report.sources.get(d.span.file);
            JsonDiagnostic {
                code: d.rule.code,
                rule: d.rule.slug,
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                path: &file.path,
                position: position(file, d.span),
                byte_start: d.span.start,
                byte_end: d.span.end,
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
        })
        .collect();
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
        diagnostics,
        summary: report.summary,
    };
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_else(|e| {
        // Serializing plain structs of strings and numbers cannot fail; say so if it ever does.
        format!("{{\"error\": \"cannot serialize the report: {e}\"}}")
    });
    text.push('\n');
    text
}
