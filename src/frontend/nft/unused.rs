//! PL207 unused-definition: a `define`, a named set, map or flowtable, or a regular chain that
//! nothing in the ruleset (with its includes) uses.
//!
//! Uses are found by name over the whole token stream: any `$name`, `@name`, `jump name` or
//! `goto name` counts, wherever it stands (a rule, another define, a verdict map's elements).
//! That can only miss a finding, never invent one.

use super::include::Segments;
use super::lexer::{Token, TokenKind, WordClass};
use super::parser::{ChainEntry, Item, Name, TableEntry};
use crate::check;
use crate::diagnostic::Diagnostic;
use std::collections::HashSet;

/// Names the ruleset uses, by kind.
#[derive(Default)]
struct Uses<'t> {
    variables: HashSet<&'t str>,
    sets: HashSet<&'t str>,
    chains: HashSet<&'t str>,
    /// `jump $target`: any chain may be the target.
    dynamic_jump: bool,
}

/// The uses among the marked tokens (every `$var`, `@set`, `jump` and `goto` is one).
fn uses<'t>(text: &'t str, tokens: &[Token], marked: &[u32]) -> Uses<'t> {
    let mut uses = Uses::default();
    for &index in marked {
        let index = index as usize;
        let Some(token) = tokens.get(index) else {
            continue;
        };
        match token.kind {
            TokenKind::Variable => {
                uses.variables.insert(&token.text(text)[1..]);
            }
            TokenKind::SetRef => {
                uses.sets.insert(&token.text(text)[1..]);
            }
            // The lexer marked `jump` and `goto`: no other word is compared.
            TokenKind::Word if token.class.has(WordClass::JUMP) => match tokens.get(index + 1) {
                Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::String) => {
                    uses.chains.insert(t.text(text).trim_matches('"'));
                }
                Some(t) if t.kind == TokenKind::Variable => uses.dynamic_jump = true,
                _ => {}
            },
            _ => {}
        }
    }
    uses
}

/// PL207 findings for the definitions among `items` that nothing uses.
pub fn unused(
    text: &str,
    tokens: &[Token],
    marked: &[u32],
    items: &[Item],
    segments: &Segments,
) -> Vec<Diagnostic> {
    let has_rules = items.iter().any(|item| {
        matches!(
            item,
            Item::Table(_) | Item::AddRule { .. } | Item::AddChain { .. }
        )
    });
    let uses = uses(text, tokens, marked);
    let mut found = Vec::new();
    let mut report = |name: &Name, message: String, help: &'static str| {
        found.push(
            Diagnostic::new(
                &check::unused_definition::RULE,
                segments.span(name.range.clone()),
                message,
            )
            .with_help(help),
        );
    };
    let define = |item: &Item, report: &mut dyn FnMut(&Name, String, &'static str)| {
        // A file of defines alone is a library for others to include: not judged on its own.
        if let Item::Define { name, .. } = item {
            if has_rules && !uses.variables.contains(name.text.as_str()) {
                report(
                    name,
                    format!("`define {}` is never used", name.text),
                    "remove the define, or use it as `$NAME`; an unused define often means a rule was meant to use it and writes the value out instead",
                );
            }
        }
    };
    for item in items {
        define(item, &mut report);
        let Item::Table(table) = item else { continue };
        for entry in &table.body {
            match entry {
                TableEntry::Definition(item) => define(item, &mut report),
                TableEntry::Named(named) => {
                    if !uses.sets.contains(named.name.text.as_str()) {
                        let what = if named.is_set {
                            "set"
                        } else {
                            "map or flowtable"
                        };
                        report(
                            &named.name,
                            format!("{what} `{}` is never used by a rule", named.name.text),
                            "remove it, or refer to it as `@NAME` in a rule; a set the control plane fills but no rule reads filters nothing",
                        );
                    }
                }
                TableEntry::Chain(chain) => {
                    for entry in &chain.body {
                        if let ChainEntry::Definition(item) = entry {
                            define(item, &mut report);
                        }
                    }
                    let regular = chain.spec.is_none();
                    let used = uses.dynamic_jump || uses.chains.contains(chain.name.text.as_str());
                    if regular && !used {
                        report(
                            &chain.name,
                            format!("chain `{}` is never jumped to", chain.name.text),
                            "a regular chain (without `type … hook …`) sees packets only through `jump` or `goto`; add the jump, give it a hook, or remove it",
                        );
                    }
                }
            }
        }
    }
    found
}
