//! The nftables front end: `lexer` → `parser` → `lower`, and `grammar` checks each rule.

pub mod grammar;
pub mod lexer;
pub mod lower;
pub mod parser;

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::Resolver;
use crate::model::Ruleset;
use crate::source::{FileId, Span};

/// Read one nft file into the model, with every syntax error and resolution finding.
pub fn read(file: FileId, text: &str, resolver: &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>) {
    let tokens = lexer::tokenize(text).tokens;
    let parsed = parser::parse(text, &tokens);
    let mut diagnostics: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| {
            let d = Diagnostic::new(
                &check::syntax_error::RULE,
                Span::new(file, e.range.clone()),
                e.message.clone(),
            );
            match &e.help {
                Some(help) => d.with_help(help.clone()),
                None => d,
            }
        })
        .collect();
    let lowered = lower::lower(file, text, &tokens, &parsed, resolver);
    diagnostics.extend(lowered.diagnostics);
    let grammar_errors = grammar_errors(file, text, &tokens, &parsed, &diagnostics);
    diagnostics.extend(grammar_errors);
    (lowered.ruleset, diagnostics)
}

/// Each rule checked against nft's rule grammar, except rules that already have a syntax error
/// from the parser or from lowering: one mistake is reported once.
fn grammar_errors(
    file: FileId,
    text: &str,
    tokens: &[lexer::Token],
    parsed: &parser::Parsed,
    reported: &[Diagnostic],
) -> Vec<Diagnostic> {
    let known: Vec<std::ops::Range<usize>> = reported
        .iter()
        .filter(|d| d.rule.code == check::syntax_error::RULE.code)
        .map(|d| d.span.range())
        .collect();
    // A file this broken has said enough; and the overlap test below stays cheap.
    if known.len() > 1000 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let to_diagnostic = |e: grammar::GrammarError| {
        let d = Diagnostic::new(
            &check::syntax_error::RULE,
            Span::new(file, e.range),
            e.message,
        );
        match e.help {
            Some(help) => d.with_help(help),
            None => d,
        }
    };
    for e in grammar::check_declarations(text, tokens, &parsed.items) {
        if !known.iter().any(|k| overlaps(k, &e.range)) {
            found.push(to_diagnostic(e));
        }
    }
    for rule in grammar::rules(&parsed.items) {
        let (Some(first), Some(last)) =
            (tokens.get(rule.start), tokens.get(rule.end.wrapping_sub(1)))
        else {
            continue;
        };
        let bytes = first.start as usize..last.end as usize;
        if known.iter().any(|k| overlaps(k, &bytes)) {
            continue;
        }
        if let Some(e) = grammar::check_rule(text, tokens, rule) {
            found.push(to_diagnostic(e));
        }
    }
    found
}

/// Whether two byte ranges share a byte (an empty range shares the byte it stands at).
fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}
