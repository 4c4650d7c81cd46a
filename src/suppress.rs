//! Suppressions: `# portlint: ignore[CODE, …] reason` on a finding's line or on a comment line
//! of its own just before it, and `# portlint: ignore-file[CODE, …]` anywhere in a file. Every
//! format portlint reads has `#` comments (nft, iptables-save, shell scripts, YAML).
//!
//! A suppression that names a rule portlint does not have is PL902; one that hides nothing is
//! PL901 (per rule named), so stale suppressions do not pile up.

use crate::check::{self, RuleInfo};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile, Sources, Span};
use std::collections::HashMap;
use std::ops::Range;

const MARKER: &str = "portlint:";

/// One rule named in a suppression, with where it was written and whether it hid anything.
struct Named {
    rule: &'static RuleInfo,
    span: Range<usize>,
    used: bool,
}

/// A suppression comment.
struct Suppression {
    file: FileId,
    /// The 0-based line whose findings it hides; `None` for `ignore-file`.
    line: Option<usize>,
    /// Written on a comment line of its own (so for the next line).
    own_line: bool,
    rules: Vec<Named>,
}

/// Apply the suppressions of every file: drop what they hide, and add PL901 and PL902.
pub fn apply(sources: &Sources, diagnostics: &mut Vec<Diagnostic>) {
    let mut suppressions = Vec::new();
    for index in 0..sources.len() {
        let file = FileId(index as u32);
        read_file(file, sources.get(file), &mut suppressions, diagnostics);
    }
    if suppressions.is_empty() {
        return;
    }
    let mut by_place: HashMap<(FileId, Option<usize>), Vec<usize>> = HashMap::new();
    for (index, suppression) in suppressions.iter().enumerate() {
        by_place
            .entry((suppression.file, suppression.line))
            .or_default()
            .push(index);
    }
    diagnostics.retain(|d| !hidden(sources, &mut suppressions, &by_place, d));
    for suppression in &suppressions {
        for named in suppression.rules.iter().filter(|n| !n.used) {
            let scope = match (suppression.line, suppression.own_line) {
                (None, _) => "in this file",
                (Some(_), true) => "on the next line",
                (Some(_), false) => "on this line",
            };
            diagnostics.push(
                Diagnostic::new(
                    &check::unused_suppression::RULE,
                    Span::new(suppression.file, named.span.clone()),
                    format!("this suppression of {} {} hides nothing {scope}", named.rule.code, named.rule.slug),
                )
                .with_help("remove it: the finding it was for is gone (or it is on the wrong line: a suppression goes on the finding's line or on a comment line just before it)"),
            );
        }
    }
}

/// Whether a suppression hides `d` (marking the suppression used). `by_place` indexes the
/// suppressions by file and line (`None`: the whole file), so that a file with many findings
/// and many suppressions is not a product of the two.
fn hidden(
    sources: &Sources,
    suppressions: &mut [Suppression],
    by_place: &HashMap<(FileId, Option<usize>), Vec<usize>>,
    d: &Diagnostic,
) -> bool {
    // A suppression never hides the findings about suppressions.
    if d.rule.code == check::invalid_suppression::RULE.code {
        return false;
    }
    let line = sources.get(d.span.file).line_index(d.span.start as usize);
    let mut hidden = false;
    for place in [(d.span.file, Some(line)), (d.span.file, None)] {
        for &index in by_place.get(&place).map_or(&[][..], Vec::as_slice) {
            for named in suppressions[index]
                .rules
                .iter_mut()
                .filter(|n| n.rule.code == d.rule.code)
            {
                named.used = true;
                hidden = true;
            }
        }
    }
    hidden
}

/// The suppressions of one file; PL902 for the rules they name that do not exist.
fn read_file(
    file: FileId,
    source: &SourceFile,
    suppressions: &mut Vec<Suppression>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let text = &source.text;
    // Most files have none: one search decides.
    if !text.contains(MARKER) {
        return;
    }
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let comment = &line[hash + 1..];
        let Some(at) = comment.find(MARKER) else {
            continue;
        };
        if !comment[..at].trim().is_empty() {
            continue;
        }
        let directive_start = start + hash + 1 + at + MARKER.len();
        let directive = &text[directive_start..start + line.trim_end().len()];
        let own_line = line[..hash].trim().is_empty();
        // On a comment line of its own, it is for the next line.
        let target = if own_line { number + 1 } else { number };
        if let Some(mut suppression) =
            directive_of(file, directive, directive_start, target, diagnostics)
        {
            suppression.own_line = own_line;
            suppressions.push(suppression);
        }
    }
}

/// Where a line's `#` comment starts: a `#` at the start or after a space or tab (not inside a
/// word such as `a#b`).
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')))
}

/// Reads `ignore[…]` or `ignore-file[…]` after `portlint:`.
fn directive_of(
    file: FileId,
    directive: &str,
    at: usize,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Suppression> {
    let trimmed = directive.trim_start();
    let lead = directive.len() - trimmed.len();
    let (line, rest, keyword_len) = if let Some(rest) = trimmed.strip_prefix("ignore-file") {
        (None, rest, "ignore-file".len())
    } else if let Some(rest) = trimmed.strip_prefix("ignore") {
        (Some(line), rest, "ignore".len())
    } else {
        let word_end = trimmed
            .find(|c: char| c.is_whitespace() || c == '[')
            .unwrap_or(trimmed.len());
        let word = &trimmed[..word_end];
        // Nothing after the marker: point at the marker.
        let span = if word.is_empty() {
            at - MARKER.len()..at
        } else {
            at + lead..at + lead + word_end
        };
        invalid(
            file,
            span,
            format!("`portlint: {word}` is not a suppression"),
            "write `# portlint: ignore[PL101] reason` for this line, or `# portlint: ignore-file[PL101]` for the file",
            diagnostics,
        );
        return None;
    };
    let keyword_end = at + lead + keyword_len;
    let Some(list) = rest
        .strip_prefix('[')
        .and_then(|r| r.find(']').map(|end| &r[..end]))
    else {
        invalid(
            file,
            at + lead..keyword_end,
            "a suppression names the rules it is for".to_string(),
            "write them in brackets: `# portlint: ignore[unassigned-port] reason` (a bare ignore would hide findings no one has seen)",
            diagnostics,
        );
        return None;
    };
    let list_start = keyword_end + 1;
    let mut rules = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let name = part.trim();
        let name_start = list_start + offset + (part.len() - part.trim_start().len());
        offset += part.len() + 1;
        if name.is_empty() {
            continue;
        }
        let span = name_start..name_start + name.len();
        match check::lookup(name) {
            Some(rule) => rules.push(Named { rule, span, used: false }),
            None => invalid(
                file,
                span,
                format!("no rule is named `{name}`"),
                "name a rule by its code or name (`PL101`, `unassigned-port`); `portlint rule --all` lists them",
                diagnostics,
            ),
        }
    }
    (!rules.is_empty()).then_some(Suppression {
        file,
        line,
        own_line: false,
        rules,
    })
}

fn invalid(
    file: FileId,
    span: Range<usize>,
    message: String,
    help: &'static str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    diagnostics.push(
        Diagnostic::new(
            &check::invalid_suppression::RULE,
            Span::new(file, span),
            message,
        )
        .with_help(help),
    );
}
