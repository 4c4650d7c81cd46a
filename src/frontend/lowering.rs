//! What both nft front ends (text and `nft -j`) share while they lower a ruleset: references to
//! sets and chains, checked once the whole file is read, and verdict maps split per verdict.

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::model::{Match, Rule, Table, Verdict};
use crate::source::Span;

pub enum ReferenceKind {
    Set,
    Chain,
}

/// A `@set` or `jump`/`goto` target, checked once the whole file is read (nft resolves them
/// after reading it: a chain may be jumped to before it is declared).
pub struct Reference {
    /// An index into the ruleset's tables.
    pub table: usize,
    pub kind: ReferenceKind,
    pub name: String,
    pub span: Span,
}

/// PL003 for every reference into a table the file declares (so knows whole) that the table
/// lacks. `declared_sets(i)` is table `i`'s named sets, maps and flowtables when the file
/// declares it, `None` for a table it only adds to (which may have them in the kernel).
pub fn undefined_references<'s>(
    references: Vec<Reference>,
    tables: &[Table],
    declared_sets: impl Fn(usize) -> Option<&'s [String]>,
) -> Vec<Diagnostic> {
    references
        .iter()
        .filter_map(|reference| {
            let sets = declared_sets(reference.table)?;
            undefined_reference(reference, tables.get(reference.table)?, sets)
        })
        .collect()
}

/// PL003 for a reference `table` lacks: `sets` are the table's named sets, maps and flowtables.
pub fn undefined_reference(
    reference: &Reference,
    table: &Table,
    sets: &[String],
) -> Option<Diagnostic> {
    let (what, known): (&str, Vec<&str>) = match reference.kind {
        ReferenceKind::Set => ("set", sets.iter().map(String::as_str).collect()),
        ReferenceKind::Chain => (
            "chain",
            table.chains.iter().map(|c| c.name.as_str()).collect(),
        ),
    };
    if known.contains(&reference.name.as_str()) {
        return None;
    }
    let family = format!("{:?}", table.family).to_ascii_lowercase();
    let shown = match reference.kind {
        ReferenceKind::Set => format!("@{}", reference.name),
        ReferenceKind::Chain => reference.name.clone(),
    };
    let help = match known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(&reference.name))
    {
        Some(k) => format!("did you mean `{k}`? Names are case-sensitive"),
        None => format!(
            "declare the {what} in table `{family} {}`, or fix the name",
            table.name
        ),
    };
    Some(
        Diagnostic::new(
            &check::undefined_reference::RULE,
            reference.span,
            format!("table `{family} {}` has no {what} `{shown}`", table.name),
        )
        .with_help(help),
    )
}

/// The keys of a verdict map that share a verdict: lowered as a rule of their own, so that
/// `22 : accept` opens port 22 and `23 : drop` closes 23.
pub struct VerdictGroup {
    pub verdict: (Verdict, Span),
    pub matches: Vec<Match>,
}

/// Push `rule`, or for a verdict map one copy per group, with the group's matches and verdict.
pub fn split_by_verdict(rule: Rule, groups: Vec<VerdictGroup>, out: &mut Vec<Rule>) {
    if groups.is_empty() {
        out.push(rule);
        return;
    }
    for group in groups {
        let mut split = rule.clone();
        split.matches.extend(group.matches);
        split.verdict = Some(group.verdict);
        out.push(split);
    }
}
