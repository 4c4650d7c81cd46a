//! The human format: miette's graphical report, one per diagnostic, then a summary line.

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, MAX_DRAWN_LINE};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::fmt;

/// Terminal styling: colors on a terminal, none in files, pipes and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// A diagnostic bound to its file, as miette wants it.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    file: &'a SourceFile,
    code: String,
    /// Labels in other files cannot be drawn in this file's snippet; they go into the help.
    help: Option<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message.text())
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::printable(&self.diagnostic.message.text(), false))
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            d.span_label.as_deref().map(str::to_string),
            (d.span.start as usize, (d.span.end - d.span.start) as usize),
        );
        let secondary = d
            .labels
            .iter()
            .filter(|l| l.span.file == d.span.file)
            .map(|l| {
                LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    (l.span.start as usize, (l.span.end - l.span.start) as usize),
                )
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// The report without the source snippet, with the position spelled out instead.
fn write_without_snippet(out: &mut String, r: &Rendered<'_>) {
    let d = r.diagnostic;
    let at = r.file.line_col(d.span.start as usize);
    let mark = match d.severity {
        Severity::Error => "×",
        Severity::Warning => "⚠",
        Severity::Info => "☞",
    };
    out.push_str(&format!(
        "{}\n\n  {mark} {}\n   at {}:{}:{} (the line is too long to show)\n",
        r.code,
        super::printable(&d.message.text(), false),
        super::printable(&r.file.path, false),
        at.line,
        at.column
    ));
    if let Some(help) = &r.help {
        out.push_str(&format!("  help: {help}\n"));
    }
}

pub fn handler(style: Style, width: usize) -> GraphicalReportHandler {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_context_lines(1)
}

pub fn render(report: &Report<'_>, style: Style, width: usize) -> String {
    super::to_string(|out| write(report, style, width, out))
}

pub fn write(
    report: &Report<'_>,
    style: Style,
    width: usize,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let handler = handler(style, width);
    let mut out = String::new();
    for d in report.diagnostics {
        out.clear();
        let file = report.sources.get(d.span.file);
        let mut help = d.help.as_deref().map(str::to_string);
        for l in d.labels.iter().filter(|l| l.span.file != d.span.file) {
            let other = report.sources.get(l.span.file);
            let at = other.line_col(l.span.start as usize);
            let note = format!("{} ({}:{}:{})", l.message, other.path, at.line, at.column);
            help = Some(match help {
                Some(h) => format!("{h}\n{note}"),
                None => note,
            });
        }
        let rendered = Rendered {
            diagnostic: d,
            file,
            code: format!("{}/{}", d.rule.code, d.rule.slug),
            help: help.map(|h| super::printable(&h, true).into_owned()),
        };
        let drawable = std::iter::once(d.span)
            .chain(d.labels.iter().map(|l| l.span))
            .filter(|span| span.file == d.span.file)
            .all(|span| file.line_text(span.start as usize).len() <= MAX_DRAWN_LINE);
        if !drawable || handler.render_report(&mut out, &rendered).is_err() {
            out.clear();
            write_without_snippet(&mut out, &rendered);
        }
        out.push('\n');
        sink.write_all(out.as_bytes())?;
    }
    out.clear();
    let s = report.summary;
    let total = s.errors + s.warnings + s.infos;
    if s.files == 0 && !report.path_errors.is_empty() {
        // Nothing was linted: stderr says why, and "No problems found" would read as a pass.
    } else if total == 0 {
        out.push_str(&format!(
            "No problems found in {} {}.\n",
            s.files,
            plural(s.files, "file")
        ));
    } else {
        out.push_str(&format!(
            "Found {total} {} ({} {}, {} {}, {} {}) in {} {}.\n",
            plural(total, "problem"),
            s.errors,
            plural(s.errors, "error"),
            s.warnings,
            plural(s.warnings, "warning"),
            s.infos,
            plural(s.infos, "info"),
            s.files,
            plural(s.files, "file")
        ));
    }
    sink.write_all(out.as_bytes())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
