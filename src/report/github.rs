//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner turns
//! into annotations on the pull request's diff:
//! `::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=PL101 unassigned-port::message`.

use super::Report;
use crate::diagnostic::Severity;
use std::io::{self, Write};

/// The workflow command's level: GitHub has no "info", its "notice" is that.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// A message as a workflow command's data: `%`, CR and LF escaped (GitHub's toolkit does the
/// same), so that a message with a newline stays one annotation; other control characters are
/// written out.
fn escape_data(text: &str) -> String {
    // Other control characters (an escape sequence a value carries) are written out.
    super::printable(text, true)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as data, and `:` and `,` too, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let file = report.sources.get(d.span.file);
        let start = file.line_col(d.span.start as usize);
        let end = file.line_col(d.span.end as usize);
        let mut message = d.message.text().into_owned();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(d.severity),
            escape_property(&file.path),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", d.rule.code, d.rule.slug)),
            escape_data(&message)
        )?;
    }
    Ok(())
}

pub fn render(report: &Report<'_>) -> String {
    super::to_string(|out| write(report, out))
}
