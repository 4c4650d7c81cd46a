//! Rule-spec listings: the commands of an iptables run without the program name, one per line,
//! as `iptables -S` prints them and as generators (Aerleon's iptables output) write them:
//!
//! ```text
//! -P INPUT DROP
//! -N web
//! -A INPUT -p tcp -m tcp --dport 443 -j web
//! ```
//!
//! A listing is read like a dump without tables: each line is in the filter table unless its
//! `-t` says otherwise, and, as in a script, its chains may be made elsewhere.

use super::command::{self, Env};
use super::words::{split_restore, Word};
use super::Builder;
use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::ports::Atoms;
use crate::frontend::resolve::Resolver;
use crate::frontend::unanalysed::Unanalysed;
use crate::model::{Family, Ruleset};
use crate::source::{FileId, Span};

pub fn read(
    file: FileId,
    text: &str,
    resolver: &Resolver<'_>,
    family: Option<Family>,
) -> (Ruleset, Vec<Diagnostic>) {
    let tool = if family == Some(Family::Ip6) {
        "ip6tables"
    } else {
        "iptables"
    };
    let mut atoms = Atoms::for_tool(resolver, "iptables");
    let mut unanalysed = Unanalysed::default();
    let mut builder = Builder::new(file);
    let mut out = Vec::new();
    let mut words: Vec<Word<'_>> = Vec::new();
    let bytes = text.as_bytes();
    // A byte-order mark (reported by `lint::bom_refused`) is read past.
    let mut next = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while next < text.len() {
        let line_start = next;
        let first = line_start
            + bytes
                .get(line_start..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r'))
                .count();
        match bytes.get(first) {
            None => break,
            Some(b'\n') => {
                next = first + 1;
                continue;
            }
            Some(b'#') => {
                next = text[first..].find('\n').map_or(text.len(), |i| first + i) + 1;
                continue;
            }
            Some(_) => {}
        }
        let (split, end) = split_restore(text, first, &mut words);
        next = end.max(first + 1);
        if bytes.get(next) == Some(&b'\n') {
            next += 1;
        }
        if let Err(e) = split {
            out.push(
                Diagnostic::new(
                    &check::syntax_error::RULE,
                    Span::new(file, e.span),
                    e.message,
                )
                .with_help("close the quote on the same line"),
            );
            continue;
        }
        let mut env = Env {
            file,
            restore: false,
            tool,
            family,
            atoms: &mut atoms,
            unanalysed: &mut unanalysed,
        };
        let Some(mut command) = command::read(&words, &mut env, &mut out) else {
            continue;
        };
        let (table_name, table_span) = match &command.table {
            Some((name, span)) => (name.clone(), span.clone()),
            None => {
                let span = words.first().map_or(0..0, |w| w.span.clone());
                (std::borrow::Cow::Borrowed("filter"), span)
            }
        };
        // As in a dump, the family is the file's: given, or IPv6 when an address says so.
        let table = builder.table(family.unwrap_or(Family::Ip), &table_name, table_span, false);
        builder.apply(table, &mut command);
    }
    let family = family.or_else(|| builder.saw_ipv6.then_some(Family::Ip6));
    let (ruleset, mut found) = builder.finish(family);
    out.append(&mut atoms.diagnostics);
    out.extend(unanalysed.findings());
    out.append(&mut found);
    (ruleset, out)
}
