//! `--format concise`: one line per diagnostic, `path:line:column: CODE [severity] message`.

use super::Report;
use std::fmt::Write;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::with_capacity(report.diagnostics.len() * 96);
    for d in report.diagnostics {
        let file = report.sources.get(d.span.file);
        let at = file.line_col(d.span.start as usize);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            file.path,
            at.line,
            at.column,
            d.rule.code,
            d.severity.as_str(),
            d.message
        );
    }
    out
}
