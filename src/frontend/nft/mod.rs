//! The nftables front end: `lexer` → `parser` → `lower`.

pub mod json;
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
    (lowered.ruleset, diagnostics)
}
