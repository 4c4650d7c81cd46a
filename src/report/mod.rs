//! Emitters: one per output format. Each takes the sorted diagnostics of a run.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;

/// Counts for the summary line and the JSON summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(files: usize, diagnostics: &[Diagnostic]) -> Summary {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}

/// Everything an emitter needs.
pub struct Report<'a> {
    pub sources: &'a Sources,
    pub diagnostics: &'a [Diagnostic],
    pub summary: Summary,
    pub registry: &'a crate::registry::Meta,
    /// Paths that could not be linted, and a run that found nothing to lint (exit 2).
    pub path_errors: &'a [crate::discover::PathError],
}

/// Run a writer-based emitter into a string (for tests and callers that want the text).
/// `text` with its control characters written out (`\n`, `\u{1b}`), for the text formats: a
/// message quotes its input, and a newline in a value must not start a line of its own in a CI
/// log (`::error::…` is a GitHub workflow command) nor an escape sequence reach a terminal.
/// `keep_newlines` keeps line breaks that the human report draws itself.
pub fn printable(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if !text.chars().any(escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn to_string(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}
