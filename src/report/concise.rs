//! `--format concise`: one line per diagnostic, `path:line:column: CODE [severity] message`.

use super::Report;
use std::io::{self, Write};

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let file = report.sources.get(d.span.file);
        let at = file.line_col(d.span.start as usize);
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            super::printable(&file.path, false),
            at.line,
            at.column,
            d.rule.code,
            d.severity.as_str(),
            super::printable(&d.message.text(), false)
        )?;
    }
    Ok(())
}

pub fn render(report: &Report<'_>) -> String {
    super::to_string(|out| write(report, out))
}
