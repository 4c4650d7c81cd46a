//! The nftables front end: `include` (splices included files) → `lexer` → `parser` → `lower`;
//! `json` reads `nft -j` output into the same model.

pub mod include;
pub mod json;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod unused;

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::Resolver;
use crate::model::Ruleset;
use crate::source::FileId;
use include::{Expansion, Segments};

/// Read one nft text into the model, with every syntax error and resolution finding. Includes
/// are not followed (the text has no place on disk): see [`read_expanded`].
pub fn read(file: FileId, text: &str, resolver: &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>) {
    let expansion = Expansion {
        tokens: lexer::tokenize(text).tokens,
        segments: Segments::single(file, text.len()),
        diagnostics: Vec::new(),
        incomplete: false,
        included: Vec::new(),
    };
    read_expanded(&expansion, text, resolver)
}

/// Read a file with its includes spliced in; `text` is the expansion's virtual text.
pub fn read_expanded(
    expansion: &Expansion,
    text: &str,
    resolver: &Resolver<'_>,
) -> (Ruleset, Vec<Diagnostic>) {
    let tokens = &expansion.tokens;
    let segments = &expansion.segments;
    let parsed = parser::parse(text, tokens);
    let mut diagnostics: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| {
            let d = Diagnostic::new(
                &check::syntax_error::RULE,
                segments.span(e.range.clone()),
                e.message.clone(),
            );
            match &e.help {
                Some(help) => d.with_help(help.clone()),
                None => d,
            }
        })
        .collect();
    let lowered = lower::lower(
        segments,
        text,
        tokens,
        &parsed,
        resolver,
        expansion.incomplete,
    );
    diagnostics.extend(lowered.diagnostics);
    diagnostics.extend(unused::unused(text, tokens, &parsed.items, segments));
    (lowered.ruleset, diagnostics)
}
