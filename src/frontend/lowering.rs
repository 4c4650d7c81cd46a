//! What both nft front ends (text and `nft -j`) share while they lower a ruleset: references to
//! sets and chains, checked once the whole file is read, and rules split per verdict-map verdict
//! and per protocol of a concatenated set.

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

/// A match that is a disjunction the rule model cannot hold in one rule: a concatenated set
/// whose keys name different protocols (`ip protocol . th dport { udp . 51820, tcp . 22 }` is
/// udp 51820 or tcp 22, not either protocol on either port). The rule is lowered once per
/// alternative, each with the same verdict; `merged` (one rule of every protocol on every port,
/// which lets through more) stands in when splitting would make too many rules.
pub struct Alternatives {
    pub each: Vec<Vec<Match>>,
    pub merged: Vec<Match>,
}

/// How one rule becomes several: a verdict map's groups, and alternatives.
#[derive(Default)]
pub struct Splits {
    pub verdicts: Vec<VerdictGroup>,
    pub alternatives: Vec<Alternatives>,
}

impl Splits {
    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty() && self.alternatives.is_empty()
    }
}

/// At most this many rules come from one: past it, alternatives are merged.
const MAX_SPLIT: usize = 64;

/// Push `rule`, or one copy per alternative and verdict-map group, each with its matches (a
/// group's verdict replaces the rule's). Rules split from one are consecutive, with disjoint
/// alternatives and a verdict each, so first-match evaluation decides every packet as the
/// unsplit rule does.
pub fn split_rule(rule: Rule, splits: Splits, out: &mut Vec<Rule>) {
    let mut variants: Vec<Vec<Match>> = vec![Vec::new()];
    let groups = splits.verdicts.len().max(1);
    for alternative in splits.alternatives {
        let product = variants.len() * alternative.each.len() * groups;
        if alternative.each.len() < 2 || product > MAX_SPLIT {
            for variant in &mut variants {
                variant.extend(alternative.merged.iter().cloned());
            }
            continue;
        }
        variants = variants
            .iter()
            .flat_map(|variant| {
                alternative
                    .each
                    .iter()
                    .map(move |each| variant.iter().chain(each).cloned().collect())
            })
            .collect();
    }
    for variant in variants {
        let mut base = rule.clone();
        base.matches.extend(variant);
        if splits.verdicts.is_empty() {
            out.push(base);
            continue;
        }
        for group in &splits.verdicts {
            let mut split = base.clone();
            split.matches.extend(group.matches.iter().cloned());
            split.verdict = Some(group.verdict.clone());
            out.push(split);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProtoSet, L4};
    use crate::source::FileId;

    fn span(start: usize) -> Span {
        Span::new(FileId(0), start..start + 1)
    }

    fn l4(l4: L4, at: usize) -> Match {
        Match::L4Proto {
            protos: ProtoSet::one(l4),
            span: span(at),
        }
    }

    fn rule() -> Rule {
        Rule {
            span: span(0),
            matches: smallvec::smallvec![Match::Opaque { span: span(1) }],
            nat: thin_vec::ThinVec::new(),
            verdict: Some((Verdict::Accept, span(2))),
            rewrites: false,
        }
    }

    fn protocols(rule: &Rule) -> Vec<ProtoSet> {
        rule.matches
            .iter()
            .filter_map(|m| match m {
                Match::L4Proto { protos, .. } => Some(*protos),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn alternatives_split_a_rule_in_order_and_keep_its_verdict_and_matches() {
        let alternatives = |first: L4, second: L4| Alternatives {
            each: vec![vec![l4(first, 3)], vec![l4(second, 4)]],
            merged: vec![],
        };
        let splits = Splits {
            verdicts: vec![],
            alternatives: vec![
                alternatives(L4::Udp, L4::Tcp),
                alternatives(L4::Sctp, L4::Dccp),
            ],
        };
        let mut out = Vec::new();
        split_rule(rule(), splits, &mut out);
        let seen: Vec<Vec<ProtoSet>> = out.iter().map(protocols).collect();
        let one = ProtoSet::one;
        assert_eq!(
            seen,
            [
                vec![one(L4::Udp), one(L4::Sctp)],
                vec![one(L4::Udp), one(L4::Dccp)],
                vec![one(L4::Tcp), one(L4::Sctp)],
                vec![one(L4::Tcp), one(L4::Dccp)],
            ]
        );
        for split in &out {
            assert!(matches!(split.matches.first(), Some(Match::Opaque { .. })));
            assert_eq!(split.verdict.as_ref().map(|v| &v.0), Some(&Verdict::Accept));
        }
    }

    #[test]
    fn too_many_alternatives_are_merged_instead() {
        let wide = || Alternatives {
            each: vec![vec![l4(L4::Udp, 3)], vec![l4(L4::Tcp, 4)]],
            merged: vec![Match::L4Proto {
                protos: ProtoSet::ANY,
                span: span(5),
            }],
        };
        // 2^7 = 128 rules would pass MAX_SPLIT: the seventh is merged.
        let splits = Splits {
            verdicts: vec![],
            alternatives: (0..7).map(|_| wide()).collect(),
        };
        let mut out = Vec::new();
        split_rule(rule(), splits, &mut out);
        assert_eq!(out.len(), 64);
        assert!(out
            .iter()
            .all(|r| protocols(r).last() == Some(&ProtoSet::ANY)));
    }
}
