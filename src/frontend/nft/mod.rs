//! The nftables front end: `include` (splices included files) → `lexer` → `parser` → `lower`,
//! and `grammar` checks each rule; `json` reads `nft -j` output into the same model.

pub mod grammar;
pub mod include;
pub mod json;
pub mod keyword;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod script;
pub mod unused;

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::Resolver;
use crate::model::Ruleset;
use crate::source::{FileId, Span};
use include::{Expansion, Segments};

/// Read one nft text into the model, with every syntax error and resolution finding. Includes
/// are not followed (the text has no place on disk): see [`read_expanded`].
pub fn read(file: FileId, text: &str, resolver: &Resolver<'_>) -> (Ruleset, Vec<Diagnostic>) {
    let lexed = lexer::tokenize(text);
    let expansion = Expansion {
        tokens: lexed.tokens,
        marked: lexed.marked,
        segments: Segments::single(file, text.len()),
        diagnostics: Vec::new(),
        incomplete: false,
        included: Vec::new(),
    };
    read_expanded(&expansion, text, resolver)
}

/// Read a shell script that runs nft: its nft commands and here-documents, at their own bytes
/// ([`script`]); a command left out for a shell expansion is said once (PL006).
pub fn read_script(
    file: FileId,
    text: &str,
    resolver: &Resolver<'_>,
) -> (Ruleset, Vec<Diagnostic>) {
    let (nft_text, skipped) = script::nft_text(text);
    let (mut ruleset, mut diagnostics) = read(file, &nft_text, resolver);
    if crate::frontend::shell::has_control_flow(text) {
        ruleset.forget_sequence();
    }
    let mut unanalysed = crate::frontend::unanalysed::Unanalysed::default();
    for &at in &skipped {
        let end = text
            .get(at..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| at + i);
        unanalysed.saw(
            script::SHELL_EXPANSION,
            Span::new(file, at..end.max(at + 1)),
        );
    }
    diagnostics.extend(unanalysed.findings());
    (ruleset, diagnostics)
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
            let d = match &e.label {
                Some((range, label)) => d.with_label(segments.span(range.clone()), label.clone()),
                None => d,
            };
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
        &expansion.marked,
        &parsed,
        resolver,
        expansion.incomplete,
    );
    diagnostics.extend(lowered.diagnostics);
    let grammar_errors = grammar_errors(segments, text, tokens, &parsed, &diagnostics);
    diagnostics.extend(grammar_errors);
    diagnostics.extend(unused::unused(
        text,
        tokens,
        &expansion.marked,
        &parsed.items,
        segments,
    ));
    (lowered.ruleset, diagnostics)
}

/// Each rule checked against nft's rule grammar, except rules that already have a syntax error
/// from the parser or from lowering: one mistake is reported once.
fn grammar_errors(
    segments: &Segments,
    text: &str,
    tokens: &[lexer::Token],
    parsed: &parser::Parsed,
    reported: &[Diagnostic],
) -> Vec<Diagnostic> {
    let known: Vec<Span> = reported
        .iter()
        .filter(|d| d.rule.code == check::syntax_error::RULE.code)
        .map(|d| d.span)
        .collect();
    // A file this broken has said enough; and the overlap test below stays cheap.
    if known.len() > 1000 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let to_diagnostic = |e: grammar::GrammarError| {
        let d = Diagnostic::new(
            &check::syntax_error::RULE,
            segments.span(e.range),
            e.message,
        );
        match e.help {
            Some(help) => d.with_help(help),
            None => d,
        }
    };
    for e in grammar::check_declarations(text, tokens, &parsed.items) {
        if !known
            .iter()
            .any(|k| overlaps(k, &segments.span(e.range.clone())))
        {
            found.push(to_diagnostic(e));
        }
    }
    grammar::for_each_rule(&parsed.items, |rule| {
        let (Some(first), Some(last)) =
            (tokens.get(rule.start), tokens.get(rule.end.wrapping_sub(1)))
        else {
            return;
        };
        let bytes = segments.span(first.start as usize..last.end as usize);
        if known.iter().any(|k| overlaps(k, &bytes)) {
            return;
        }
        if let Some(e) = grammar::check_rule(text, tokens, rule) {
            found.push(to_diagnostic(e));
        }
    });
    found
}

/// Whether two spans share a byte (an empty span shares the byte it stands at).
fn overlaps(a: &Span, b: &Span) -> bool {
    a.file == b.file && a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

/// Whether `text` starts like an nft ruleset: an `nft -f` shebang, or a first line (after
/// comments) that is an nft command (`table inet filter {`, `flush ruleset`, `add rule …`,
/// `define WAN = …`, `include "…"`). A walk picks files of any name by this; a shell script
/// (`set -e`, a `#!/bin/sh` line) or a configuration file of another program does not pass.
pub fn looks_like_ruleset(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}');
    if let Some(shebang) = text.strip_prefix("#!") {
        let line = shebang.lines().next().unwrap_or("");
        return line
            .split_whitespace()
            .next()
            .is_some_and(|program| program.rsplit('/').next() == Some("nft"));
    }
    let Some(line) = crate::frontend::format::first_line(text, &['#']) else {
        return false;
    };
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let family_or_name = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$'))
    };
    match first {
        "table" | "chain" => family_or_name(second),
        "rule" | "element" => family_or_name(second) && words.next().is_some(),
        "flush" => matches!(
            second,
            "ruleset" | "table" | "chain" | "set" | "map" | "meter" | "flowtable"
        ),
        "add" | "create" | "insert" | "replace" | "delete" | "destroy" | "reset" | "rename" => {
            second == "table" || parser::ADDED_OBJECTS.contains(&second)
        }
        "define" | "redefine" => {
            second.contains('=') || words.next().is_some_and(|w| w.starts_with('='))
        }
        "undefine" => family_or_name(second),
        "include" => second.starts_with('"'),
        _ => false,
    }
}

/// An interface name as nft reads it: a trailing `*` makes it a wildcard of the name before it;
/// `\*` is a star of the name (`iifname "\*"` is the interface called `*`).
pub(crate) fn interface_name(text: &str) -> (String, bool) {
    match text.strip_suffix('*') {
        Some(prefix) => match prefix.strip_suffix('\\') {
            Some(name) => (format!("{name}*"), false),
            None => (prefix.to_string(), true),
        },
        None => (text.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Match, PortDirection, ProtoSet, L4};
    use crate::registry::Registry;

    /// The matches of the only rule of `rule`, written in an inet filter chain.
    fn matches(rule: &str) -> Vec<Match> {
        let registry = Registry::embedded();
        let resolver = Resolver::new(&registry);
        let text = format!("table inet t {{\n\tchain c {{\n\t\t{rule}\n\t}}\n}}\n");
        let (ruleset, diagnostics) = read(FileId(0), &text, &resolver);
        assert!(
            diagnostics.iter().all(|d| d.rule.code != "PL001"),
            "{diagnostics:?}"
        );
        ruleset.tables[0].chains[0].rules[0].matches.to_vec()
    }

    #[test]
    fn a_negated_protocol_is_no_match_of_that_protocol() {
        // Found by the iptables/nft differential test: `ip protocol != sctp` was read as an
        // opaque `ip protocol !=` followed by an sctp match.
        for rule in ["ip protocol != sctp counter", "meta l4proto != tcp accept"] {
            let found = matches(rule);
            assert!(
                found.iter().all(|m| !matches!(m, Match::L4Proto { .. })),
                "{rule}: {found:?}"
            );
        }
        let found = matches("meta l4proto { tcp, udp } th dport 53 accept");
        let protos: Vec<ProtoSet> = found
            .iter()
            .filter_map(|m| match m {
                Match::L4Proto { protos, .. } => Some(*protos),
                _ => None,
            })
            .collect();
        let mut both = ProtoSet::one(L4::Tcp);
        both.insert(L4::Udp);
        assert_eq!(protos, vec![both]);
    }

    #[test]
    fn a_protocol_match_before_a_concatenation_stays_its_own() {
        // `ip protocol tcp tcp sport . tcp dport { … }` once lost the source-port component.
        let found = matches("ip protocol tcp tcp sport . tcp dport { 1 . 2 } accept");
        let directions: Vec<PortDirection> = found
            .iter()
            .filter_map(|m| match m {
                Match::Ports { direction, .. } => Some(*direction),
                _ => None,
            })
            .collect();
        assert_eq!(
            directions,
            vec![PortDirection::Source, PortDirection::Destination]
        );
        assert!(found.iter().any(
            |m| matches!(m, Match::L4Proto { protos, .. } if *protos == ProtoSet::one(L4::Tcp))
        ));
    }

    #[test]
    fn commands_without_add_and_dedented_braces_are_read_as_rules() {
        let registry = Registry::embedded();
        let resolver = Resolver::new(&registry);
        let text = "table ip t\nchain ip t c { type filter hook input priority 0; }\n\
                    rule ip t c tcp dport {\n  22, 80\n} accept\n\
                    chain ip t d {\n    tcp dport {\n  443\n\t} accept\n}\n";
        let (ruleset, diagnostics) = read(FileId(0), text, &resolver);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let chains: Vec<(&str, usize)> = ruleset.tables[0]
            .chains
            .iter()
            .map(|c| (c.name.as_str(), c.rules.len()))
            .collect();
        assert_eq!(chains, [("c", 1), ("d", 1)]);
    }

    /// The help of each undefined variable comes from indices (the lower-case names in scope,
    /// each name's defines, the expired ones), not from a sort and scans per variable.
    #[test]
    fn undefined_variables_get_the_help_that_fits() {
        let registry = Registry::embedded();
        let resolver = Resolver::new(&registry);
        let text = "define Web = 80\ndefine WEB = 81\ndefine gone = 1\nundefine gone\n\
            table inet t {\n\tdefine inner = 22\n\tchain c {\n\t\ttcp dport $inner accept\n\t}\n}\n\
            table inet u {\n\tchain c {\n\t\ttcp dport $web accept\n\t\ttcp dport $inner accept\n\
            \t\ttcp dport $late accept\n\t\ttcp dport $gone accept\n\t\ttcp dport $INNER accept\n\t}\n}\n\
            define late = 2\n";
        let (_, diagnostics) = read(FileId(0), text, &resolver);
        let helps: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.rule.code == "PL003")
            .filter_map(|d| d.help.clone())
            .map(String::from)
            .collect();
        assert_eq!(
            helps,
            [
                "did you mean `$WEB`? Variable names are case-sensitive",
                "a `define` inside a table or chain block is visible only in that block; move it to the top of the file, or into the block that uses it",
                "move the `define` above its first use: nft reads the file top to bottom",
                "add `define gone = …` before the first use (nft reads the file top to bottom)",
                "add `define INNER = …` before the first use (nft reads the file top to bottom)",
            ],
            "{diagnostics:?}"
        );
    }
}
