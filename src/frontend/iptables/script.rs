//! Shell scripts that run iptables: every command whose program is `iptables`, `ip6tables`,
//! `iptables-nft`, `iptables-legacy` (by path, through `sudo`, or through a variable the script
//! sets, `IPT=/sbin/iptables` … `$IPT -A …`) is read; every other shell line is skipped.
//! Variables set in the script are expanded; others make their word opaque (PL006).

use super::command::{self, Env};
use super::words::{split_shell, Stop, Word};
use super::Builder;
use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::ports::Atoms;
use crate::frontend::resolve::Resolver;
use crate::frontend::unanalysed::Unanalysed;
use crate::model::{Family, Ruleset};
use crate::source::{FileId, Span};
use std::collections::HashMap;

/// The programs whose commands are read, and the family each works on.
fn program_family(word: &str) -> Option<Family> {
    let name = word.rsplit('/').next().unwrap_or(word);
    match name {
        "iptables" | "iptables-nft" | "iptables-legacy" => Some(Family::Ip),
        "ip6tables" | "ip6tables-nft" | "ip6tables-legacy" => Some(Family::Ip6),
        _ => None,
    }
}

/// Words before a command that do not change it: `sudo`, `if`, `then`, …
fn is_prefix_word(word: &str) -> bool {
    matches!(
        word,
        "sudo"
            | "doas"
            | "command"
            | "exec"
            | "nice"
            | "time"
            | "if"
            | "then"
            | "else"
            | "elif"
            | "do"
            | "while"
            | "until"
            | "!"
            | "{"
            | "("
            | "env"
    )
}

/// A `NAME=value` word.
fn assignment<'a>(word: &'a Word<'_>) -> Option<(&'a str, &'a str)> {
    let (name, value) = word.text.split_once('=')?;
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some((name, value))
}

/// Whether some line runs an iptables program (for format detection).
pub fn has_iptables_command(text: &str) -> bool {
    // Every program name holds one of these words. Looking for them first spares every nft file
    // a shell reading when the format is detected (7% of a 200-file walk). A name spelled with
    // quotes inside it (`ip"tables"`) is not recognised; no one writes that.
    if !text.contains("iptables") && !text.contains("ip6tables") {
        return false;
    }
    let mut variables: HashMap<String, String> = HashMap::new();
    let mut words = Vec::new();
    let mut pos = 0;
    let mut commands = 0;
    while pos < text.len() && commands < 10_000 {
        commands += 1;
        let Ok((_, end)) = split_shell(text, pos, &variables, &mut words) else {
            return false;
        };
        pos = next_start(text, end, pos);
        let (program, _) = program_of(&words, &mut variables);
        if program.is_some() {
            return true;
        }
    }
    false
}

/// Where the next command starts after one that ended at `end`.
fn next_start(text: &str, end: usize, pos: usize) -> usize {
    let next = if text.as_bytes().get(end) == Some(&b'\n') {
        end + 1
    } else {
        end
    };
    // Never stand still on untrusted input.
    next.max(pos + 1)
}

/// The family of the iptables program a command runs and the index of its first argument, after
/// prefix words and assignments (which are recorded).
fn program_of(
    words: &[Word<'_>],
    variables: &mut HashMap<String, String>,
) -> (Option<Family>, usize) {
    let mut index = 0;
    let mut assignments = Vec::new();
    while let Some(word) = words.get(index) {
        if matches!(
            word.text.as_ref(),
            "export" | "readonly" | "local" | "declare"
        ) {
            index += 1;
            continue;
        }
        if let Some((name, value)) = assignment(word) {
            if !word.opaque {
                assignments.push((name.to_string(), value.to_string()));
            }
            index += 1;
            continue;
        }
        if is_prefix_word(&word.text) {
            index += 1;
            // `sudo -E iptables …`: the prefix's own options.
            while words
                .get(index)
                .is_some_and(|w| w.text.starts_with('-') && w.text.len() > 1)
            {
                index += 1;
            }
            continue;
        }
        break;
    }
    let only_assignments = index >= words.len();
    if only_assignments {
        variables.extend(assignments);
        return (None, index);
    }
    let family = words.get(index).filter(|w| !w.opaque).and_then(|w| {
        // `IPT="sudo iptables"`: the variable's value is several words.
        w.text
            .split_whitespace()
            .filter(|p| !is_prefix_word(p))
            .find_map(program_family)
    });
    (family, index + 1)
}

pub fn read(
    file: FileId,
    text: &str,
    resolver: &Resolver<'_>,
    family: Option<Family>,
) -> (Ruleset, Vec<Diagnostic>) {
    let mut atoms = Atoms::for_tool(resolver, "iptables");
    let mut unanalysed = Unanalysed::default();
    let mut builder = Builder::new(file);
    let mut out = Vec::new();
    let mut variables: HashMap<String, String> = HashMap::new();
    let mut words: Vec<Word<'_>> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let (stop, end) = match split_shell(text, pos, &variables, &mut words) {
            Ok(split) => split,
            Err(e) => {
                // A quote left open runs to the end of the script in a shell; skip the line.
                let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                if command_words_run_iptables(text, pos, line_end) {
                    out.push(
                        Diagnostic::new(
                            &check::syntax_error::RULE,
                            Span::new(file, e.span),
                            e.message.to_string(),
                        )
                        .with_help("close the quote on the same line"),
                    );
                }
                pos = line_end + 1;
                continue;
            }
        };
        let start = pos;
        pos = next_start(text, end, pos);
        let _ = stop == Stop::Operator;
        let (program, first_argument) = program_of(&words, &mut variables);
        let Some(program_family) = program else {
            continue;
        };
        let arguments = words.get(first_argument..).unwrap_or(&[]);
        let tool = if program_family == Family::Ip6 {
            "ip6tables"
        } else {
            "iptables"
        };
        let mut env = Env {
            file,
            restore: false,
            tool,
            family: Some(program_family),
            atoms: &mut atoms,
            unanalysed: &mut unanalysed,
        };
        let Some(mut command) = command::read(arguments, &mut env, &mut out) else {
            continue;
        };
        let _ = start;
        let family = family.unwrap_or(program_family);
        let (table_name, table_span) = match &command.table {
            Some((name, span)) => (name.clone(), span.clone()),
            None => {
                let span = words
                    .get(first_argument.saturating_sub(1))
                    .map_or(0..0, |w| w.span.clone());
                (std::borrow::Cow::Borrowed("filter"), span)
            }
        };
        let table = builder.table(family, &table_name, table_span, false);
        builder.apply(table, &mut command);
    }
    let (mut ruleset, mut found) = builder.finish(None);
    if crate::frontend::shell::has_control_flow(text) {
        ruleset.forget_sequence();
    }
    out.append(&mut atoms.diagnostics);
    out.extend(unanalysed.findings());
    out.append(&mut found);
    (ruleset, out)
}

/// Whether the line at `start..end` mentions an iptables program (so an error in it is worth
/// reporting).
fn command_words_run_iptables(text: &str, start: usize, end: usize) -> bool {
    text.get(start..end)
        .is_some_and(|line| line.split_whitespace().any(|w| program_family(w).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn scripts_find_their_iptables_commands() {
        assert!(has_iptables_command(
            "#!/bin/sh\niptables -A INPUT -j ACCEPT\n"
        ));
        assert!(has_iptables_command("IPT=/sbin/iptables\n$IPT -F\n"));
        assert!(has_iptables_command(
            "if sudo ip6tables -C INPUT -j DROP; then :; fi\n"
        ));
        assert!(!has_iptables_command("table inet f {\n}\n"));
        assert!(!has_iptables_command(
            "# iptables -A INPUT\necho iptables\n"
        ));
    }

    #[test]
    fn a_script_lowers_its_commands() {
        let registry = Registry::embedded();
        let resolver = Resolver::new(&registry);
        let text = "#!/bin/sh\nIPT=\"sudo /usr/sbin/iptables\"\n$IPT -P INPUT DROP\n$IPT -N web\n$IPT -A INPUT -p tcp \\\n  --dport 443 -j web\nip6tables -A INPUT -p udp --dport \"$DNS\" -j ACCEPT || true\necho done\n";
        let (ruleset, diagnostics) = read(FileId(0), text, &resolver, None);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.rule.code).collect();
        assert_eq!(codes, ["PL006"], "{diagnostics:?}");
        assert_eq!(ruleset.tables.len(), 2);
        let filter = &ruleset.tables[0];
        assert_eq!(filter.family, Family::Ip);
        let input = filter
            .chains
            .iter()
            .find(|c| c.name == "INPUT")
            .expect("INPUT");
        assert_eq!(input.rules.len(), 1);
        assert_eq!(ruleset.tables[1].family, Family::Ip6);
    }
}
