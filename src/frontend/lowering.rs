//! What both nft front ends (text and `nft -j`) share while they lower a ruleset: references to
//! sets and chains, checked once the whole file is read, and verdict maps split per verdict.

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::model::{Match, Rule, Table, Verdict};
use crate::source::Span;
use std::cell::OnceCell;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

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
    tables: &'s [Table],
    declared_sets: impl Fn(usize) -> Option<&'s [String]>,
) -> Vec<Diagnostic> {
    // Each table's names, indexed when the first reference into it is checked: a reference
    // costs a lookup, not a scan of the table's chains.
    let mut names: HashMap<usize, TableNames<'s>> = HashMap::new();
    references
        .iter()
        .filter_map(|reference| {
            let table = tables.get(reference.table)?;
            let names = match names.entry(reference.table) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    let sets = declared_sets(reference.table)?;
                    entry.insert(TableNames {
                        sets: Names::new(sets.iter().map(String::as_str)),
                        chains: Names::new(table.chains.iter().map(|c| c.name.as_str())),
                    })
                }
            };
            undefined_reference(reference, table, names)
        })
        .collect()
}

/// A table's set and chain names.
struct TableNames<'a> {
    sets: Names<'a>,
    chains: Names<'a>,
}

/// Names, found exactly or (for a did-you-mean) in any ASCII case.
struct Names<'a> {
    exact: HashSet<&'a str>,
    /// Each lower-case name's first spelling, built on the first miss.
    folded: OnceCell<HashMap<String, &'a str>>,
    all: Vec<&'a str>,
}

impl<'a> Names<'a> {
    fn new(names: impl Iterator<Item = &'a str>) -> Names<'a> {
        let all: Vec<&str> = names.collect();
        Names {
            exact: all.iter().copied().collect(),
            folded: OnceCell::new(),
            all,
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.exact.contains(name)
    }

    /// The first name equal to `name` but for ASCII case.
    fn in_other_case(&self, name: &str) -> Option<&'a str> {
        let folded = self.folded.get_or_init(|| {
            let mut folded = HashMap::with_capacity(self.all.len());
            for name in &self.all {
                folded.entry(name.to_ascii_lowercase()).or_insert(*name);
            }
            folded
        });
        folded.get(&name.to_ascii_lowercase()).copied()
    }
}

/// PL003 for a reference `table` lacks: `names` are the table's named sets, maps and
/// flowtables, and its chains.
fn undefined_reference(
    reference: &Reference,
    table: &Table,
    names: &TableNames<'_>,
) -> Option<Diagnostic> {
    let (what, known) = match reference.kind {
        ReferenceKind::Set => ("set", &names.sets),
        ReferenceKind::Chain => ("chain", &names.chains),
    };
    if known.contains(&reference.name) {
        return None;
    }
    let family = format!("{:?}", table.family).to_ascii_lowercase();
    let shown = match reference.kind {
        ReferenceKind::Set => format!("@{}", reference.name),
        ReferenceKind::Chain => reference.name.clone(),
    };
    let help = match known.in_other_case(&reference.name) {
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

/// `items` grouped by key, in the order the keys first appear, each group with the `first`
/// value of its first item: a verdict map's keys by (verdict, protocol). One hash lookup per
/// item, so a map of 100,000 distinct jump targets is not a quadratic scan of the groups.
pub fn group_in_order<K, F, T>(items: impl IntoIterator<Item = (K, F, T)>) -> Vec<(K, F, Vec<T>)>
where
    K: std::hash::Hash + Eq + Clone,
{
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<(K, F, Vec<T>)> = Vec::new();
    for (key, first, item) in items {
        match index.entry(key) {
            Entry::Occupied(at) => {
                if let Some(group) = groups.get_mut(*at.get()) {
                    group.2.push(item);
                }
            }
            Entry::Vacant(slot) => {
                let key = slot.key().clone();
                slot.insert(groups.len());
                groups.push((key, first, vec![item]));
            }
        }
    }
    groups
}
