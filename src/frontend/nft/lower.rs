//! Lowering: the nft syntax tree to the rule model.
//!
//! Rules are read here, token by token, with the `define`s in scope: port matches, protocol
//! matches, verdicts and NAT targets become model matches; everything else becomes an opaque
//! match. `$variables` are expanded where they are used, and every element that came through one
//! keeps the span where it was written and the chain of uses that brought it.

use super::include::Segments;
use super::keyword::Keyword;
use super::lexer::{is_starter, Token, TokenKind, WordClass};
use super::parser::{ChainBlock, ChainEntry, Item, Name, Parsed, TableBlock, TableEntry};
use crate::check;
use crate::diagnostic::{Diagnostic, Message};
use crate::frontend::lowering::{
    split_rule, undefined_references, Reference, ReferenceKind, Splits,
};
use crate::frontend::ports::Atoms;
use crate::frontend::resolve::Resolver;
use crate::frontend::unanalysed::Unanalysed;
use crate::model::*;
use crate::source::Span;
use smallvec::{smallvec, SmallVec};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

#[path = "compound.rs"]
mod compound;
#[path = "dimensions.rs"]
mod dimensions;
use compound::NamedKeys;

/// How deep `$a` → `$b` → … may go before portlint stops expanding. (Cycles cannot happen: a
/// define may only use variables defined before it, which is checked where it stands.)
const MAX_VARIABLE_DEPTH: usize = 16;

pub struct Lowered {
    pub ruleset: Ruleset,
    pub diagnostics: Vec<Diagnostic>,
}

struct Define {
    value: Range<usize>,
}

#[derive(Default)]
struct TableFacts {
    /// Declared in this file (`table … { }`, `add table`): then every set and chain it has is
    /// known, and a reference to another one is an error nft reports too.
    declared: bool,
    /// Named sets, maps and flowtables.
    named: Vec<String>,
    /// Named sets and maps whose key holds ports (`type inet_service`, `typeof tcp dport`,
    /// `type ipv4_addr . inet_service : verdict`): read where a rule refers to them.
    named_keys: HashMap<String, NamedKeys>,
    /// Each chain's index in the table's chains: a rule or block names its chain by a lookup.
    chains_by_name: HashMap<String, usize>,
}

pub fn lower(
    segments: &Segments,
    text: &str,
    tokens: &[Token],
    marked: &[u32],
    parsed: &Parsed,
    resolver: &Resolver<'_>,
    incomplete: bool,
) -> Lowered {
    let mut lowerer = Lowerer {
        segments,
        text,
        tokens,
        marked,
        defines: HashMap::new(),
        scope: Vec::new(),
        expired: HashMap::new(),
        all_defines: HashMap::new(),
        folded_defines: None,
        includes_others: incomplete,
        family: Family::Ip,
        table: 0,
        tables: Vec::new(),
        tables_by_name: HashMap::new(),
        references: Vec::new(),
        atoms: Atoms::new(resolver),
        ruleset: Ruleset {
            file: segments.root(),
            tables: Vec::new(),
        },
        rule_has_variables: true,
        unanalysed: Unanalysed::default(),
    };
    let (defines, includes) = definitions(segments, &parsed.items);
    for (name, at) in defines {
        lowerer.all_defines.entry(name).or_default().push(at);
    }
    // An include left in the tree was not followed (text read without a place on disk).
    lowerer.includes_others |= includes;
    lowerer.declare_named(&parsed.items);
    for item in &parsed.items {
        lowerer.item(item);
    }
    lowerer.check_references();
    let unanalysed = std::mem::take(&mut lowerer.unanalysed);
    lowerer.atoms.diagnostics.extend(unanalysed.findings());
    // A chain's rules grew by doubling; give back the unused tail (for a large chain that is
    // megabytes, and the model lives through all checks).
    for table in &mut lowerer.ruleset.tables {
        for chain in &mut table.chains {
            chain.rules.shrink_to_fit();
        }
    }
    Lowered {
        ruleset: lowerer.ruleset,
        diagnostics: lowerer.atoms.diagnostics,
    }
}

struct Lowerer<'a> {
    /// Maps the (virtual) offsets of the tokens to files.
    segments: &'a Segments,
    text: &'a str,
    tokens: &'a [Token],
    /// The indices of the marked tokens ([`super::lexer::Lexed::marked`]).
    marked: &'a [u32],
    /// Each name's definitions, oldest first: `redefine x = { $x, 443 }` reads the older one.
    defines: HashMap<String, Vec<Define>>,
    /// The names defined so far, in order, with where: a block's defines are dropped when it
    /// ends.
    scope: Vec<(String, Span)>,
    /// Each name whose define's block has ended, with where the last such define stands, for
    /// "defined in another block".
    expired: HashMap<String, Span>,
    /// Each name's `define`s in the file, in file order, with where the name stands, to tell
    /// "defined later" apart from "not defined".
    all_defines: HashMap<String, Vec<Span>>,
    /// The names in `defines` by their ASCII lower case, for "did you mean" in another case:
    /// built at the first undefined variable, then kept up to date (so that 50,000 undefined
    /// variables do not each sort the defines).
    folded_defines: Option<HashMap<String, BTreeSet<String>>>,
    /// An include could not be followed: what it brings in is unknown, so nothing is
    /// "undefined".
    includes_others: bool,
    /// The family of the table whose rules are being read.
    family: Family,
    /// The table whose rules are being read (an index into `ruleset.tables` and `tables`).
    table: usize,
    /// What the file says about each table beyond the model: declared here, its named sets.
    tables: Vec<TableFacts>,
    /// Each table's index by family and name.
    tables_by_name: HashMap<Family, HashMap<String, usize>>,
    /// `@set` and `jump`/`goto` references, checked once the whole file is read (nft resolves
    /// them after reading it: a chain may be jumped to before it is declared).
    references: Vec<Reference>,
    /// Reads port atoms (shared with the JSON front end) and holds every diagnostic.
    atoms: Atoms<'a>,
    ruleset: Ruleset,
    /// Whether the rule being read has a `$variable` (true outside rules): most rules have
    /// none, and then no run of their tokens is searched for one.
    rule_has_variables: bool,
    /// Constructs read but not analysed, for PL006: one entry per kind and file.
    unanalysed: Unanalysed,
}

/// A port value's elements: most values are one port, kept inline.
type Elements = SmallVec<[PortElement; 1]>;

/// What a port value turned out to be.
enum Value {
    Ports(Elements, bool),
    /// A named set, a map, a concatenation: not modelled here.
    Opaque,
}

impl<'a> Lowerer<'a> {
    fn span(&self, range: Range<usize>) -> Span {
        self.segments.span(range)
    }

    fn token_span(&self, index: usize) -> Span {
        self.span(self.tokens[index].range())
    }

    fn tokens_span(&self, range: Range<usize>) -> Span {
        let first = self.tokens[range.start].start as usize;
        let last = self.tokens[range.end - 1].end as usize;
        self.span(first..last)
    }

    fn word(&self, index: usize) -> Option<&'a str> {
        match self.tokens.get(index) {
            Some(t) if t.kind == TokenKind::Word => Some(t.text(self.text)),
            _ => None,
        }
    }

    /// The keyword at `index` (`None` for any other token).
    fn keyword(&self, index: usize) -> Keyword {
        self.tokens.get(index).map_or(Keyword::None, |t| t.keyword)
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Define { name, value } => {
                self.check_variables_defined(value.clone());
                let at = self.span(name.range.clone());
                self.scope.push((name.text.clone(), at));
                let generations = self.defines.entry(name.text.clone()).or_default();
                if generations.is_empty() {
                    if let Some(folded) = &mut self.folded_defines {
                        folded
                            .entry(name.text.to_ascii_lowercase())
                            .or_default()
                            .insert(name.text.clone());
                    }
                }
                generations.push(Define {
                    value: value.clone(),
                });
            }
            Item::Undefine { name } => {
                if self.defines.remove(&name.text).is_some() {
                    self.forget_folded(&name.text);
                } else {
                    let span = self.span(name.range.clone());
                    self.push(
                        Diagnostic::new(
                            &check::undefined_reference::RULE,
                            span,
                            format!("`undefine {}`: the variable is not defined", name.text),
                        )
                        .with_help("remove the `undefine`, or define the variable before it"),
                    );
                }
            }
            // Includes are spliced in before parsing; one left here was not followed.
            Item::Include { .. } => {}
            Item::Removal => {
                // Only chains that already have rules can lose some.
                for chain in self.ruleset.tables.iter_mut().flat_map(|t| &mut t.chains) {
                    if !chain.rules.is_empty() {
                        chain.sequence_known = false;
                    }
                }
            }
            Item::Table(table) => self.table(table),
            Item::AddNamed {
                family,
                table,
                name,
                ..
            } => {
                let index = self.table_index(family.as_ref(), table);
                self.tables[index].named.push(name.text.clone());
            }
            // Read before the rules, by `declare_named`.
            Item::AddElement { .. } => {}
            Item::AddChain {
                family,
                table,
                chain,
            } => {
                let table_index = self.table_index(family.as_ref(), table);
                self.chain(table_index, chain);
            }
            Item::AddRule {
                family,
                table,
                chain,
                rule,
                placed,
            } => {
                let table_index = self.table_index(family.as_ref(), table);
                let chain_index = self.chain_index(table_index, chain);
                if *placed {
                    self.ruleset.tables[table_index].chains[chain_index].sequence_known = false;
                }
                self.family = self.ruleset.tables[table_index].family;
                self.table = table_index;
                let mut rules =
                    std::mem::take(&mut self.ruleset.tables[table_index].chains[chain_index].rules);
                self.rule(rule.clone(), &mut rules);
                self.ruleset.tables[table_index].chains[chain_index].rules = rules;
            }
        }
    }

    /// Report `@set` and `jump`/`goto` targets that a table declared in this file lacks.
    fn check_references(&mut self) {
        if self.includes_others {
            // Sets and chains may come from an include that could not be followed (PL004).
            return;
        }
        let references = std::mem::take(&mut self.references);
        let tables = &self.tables;
        let found = undefined_references(references, &self.ruleset.tables, |i| {
            tables
                .get(i)
                .filter(|facts| facts.declared)
                .map(|facts| facts.named.as_slice())
        });
        for diagnostic in found {
            self.push(diagnostic);
        }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.atoms.diagnostics.push(diagnostic);
    }

    fn syntax_error(&mut self, span: Span, message: impl Into<Message>, help: &'static str) {
        self.push(Diagnostic::new(&check::syntax_error::RULE, span, message).with_help(help));
    }

    fn table_index(&mut self, family: Option<&Name>, name: &Name) -> usize {
        let family = family
            .and_then(|f| Family::parse(&f.text))
            .unwrap_or(Family::Ip);
        let names = self.tables_by_name.entry(family).or_default();
        if let Some(&i) = names.get(&name.text) {
            return i;
        }
        names.insert(name.text.clone(), self.ruleset.tables.len());
        let span = self.span(name.range.clone());
        self.tables.push(TableFacts::default());
        self.ruleset.tables.push(Table {
            family,
            name: name.text.clone(),
            span,
            chains: Vec::new(),
        });
        self.ruleset.tables.len() - 1
    }

    fn chain_index(&mut self, table: usize, name: &Name) -> usize {
        let span = self.span(name.range.clone());
        let chains = &mut self.ruleset.tables[table].chains;
        let by_name = &mut self.tables[table].chains_by_name;
        if let Some(&i) = by_name.get(&name.text) {
            return i;
        }
        by_name.insert(name.text.clone(), chains.len());
        chains.push(Chain {
            name: name.text.clone(),
            span,
            base: None,
            rules: Vec::new(),
            sequence_known: true,
        });
        chains.len() - 1
    }

    /// Leave a block: the defines made in it go out of scope, as in nft, where each table and
    /// chain block is a scope of its own.
    fn close_scope(&mut self, mark: usize) {
        for (name, at) in self.scope.split_off(mark).into_iter().rev() {
            if let Some(generations) = self.defines.get_mut(&name) {
                generations.pop();
                if generations.is_empty() {
                    self.defines.remove(&name);
                    self.forget_folded(&name);
                }
            }
            self.expired.insert(name, at);
        }
    }

    fn table(&mut self, block: &TableBlock) {
        let mark = self.scope.len();
        let index = self.table_index(block.family.as_ref(), &block.name);
        self.tables[index].declared = true;
        self.ruleset.tables[index].span = self.span(block.range.clone());
        for entry in &block.body {
            match entry {
                TableEntry::Chain(chain) => self.chain(index, chain),
                TableEntry::Definition(item) => self.item(item),
                TableEntry::Named(named) => {
                    self.tables[index].named.push(named.name.text.clone());
                }
            }
        }
        self.close_scope(mark);
    }

    fn chain(&mut self, table: usize, block: &ChainBlock) {
        let index = self.chain_index(table, &block.name);
        self.family = self.ruleset.tables[table].family;
        self.table = table;
        let base = block.spec.as_ref().map(|spec| BaseChain {
            chain_type: spec.chain_type.text.clone(),
            hook: spec.hook.as_ref().and_then(|h| Hook::parse(&h.text)),
            priority: spec.priority.clone(),
            policy: block.policy.as_ref().and_then(|p| self.policy(p)),
            policy_span: Some(match &block.policy {
                Some(policy) => self.span(policy.range.clone()),
                None => self.span(
                    spec.hook
                        .as_ref()
                        .map_or(spec.chain_type.range.clone(), |hook| {
                            spec.chain_type.range.start..hook.range.end
                        }),
                ),
            }),
            whole: true,
        });
        let span = self.span(block.range.clone());
        let chain = &mut self.ruleset.tables[table].chains[index];
        chain.span = span;
        if base.is_some() {
            chain.base = base;
        }
        // The block says how many rules it has: reserve them once instead of doubling (for a
        // large chain the unused half would be megabytes, held while the rest is lowered).
        let rules = block
            .body
            .iter()
            .filter(|e| matches!(e, ChainEntry::Rule(_)))
            .count();
        chain.rules.reserve(rules);
        // The rules are lowered straight into the chain's vector (a rule is some 200 bytes;
        // 100,000 of them are worth not moving twice). Definitions in the block never touch it.
        let mut rules = std::mem::take(&mut self.ruleset.tables[table].chains[index].rules);
        let mark = self.scope.len();
        for entry in &block.body {
            match entry {
                ChainEntry::Rule(range) => self.rule(range.clone(), &mut rules),
                ChainEntry::Definition(item) => self.item(item),
            }
        }
        self.ruleset.tables[table].chains[index].rules = rules;
        self.close_scope(mark);
    }

    fn policy(&mut self, name: &Name) -> Option<Verdict> {
        let word = if let Some(var) = name.text.strip_prefix('$') {
            let Some(define) = self.defines.get(var).and_then(|d| d.last()) else {
                let span = self.span(name.range.clone());
                self.undefined_variable(span, var);
                return None;
            };
            self.word(define.value.start)?.to_string()
        } else {
            name.text.clone()
        };
        match word.as_str() {
            "accept" => Some(Verdict::Accept),
            "drop" => Some(Verdict::Drop),
            _ => {
                let span = self.span(name.range.clone());
                self.syntax_error(
                    span,
                    format!("`{word}` is not a chain policy"),
                    "a base chain's policy is `accept` or `drop`",
                );
                None
            }
        }
    }

    /// `name` left `defines`: out of the lower-case index too.
    fn forget_folded(&mut self, name: &str) {
        if let Some(folded) = &mut self.folded_defines {
            if let Some(names) = folded.get_mut(&name.to_ascii_lowercase()) {
                names.remove(name);
            }
        }
    }

    /// The least name (in byte order) of `defines` that is `name` but for ASCII case.
    fn define_in_other_case(&mut self, name: &str) -> Option<&str> {
        let folded = self.folded_defines.get_or_insert_with(|| {
            let mut folded: HashMap<String, BTreeSet<String>> = HashMap::new();
            for known in self.defines.keys() {
                folded
                    .entry(known.to_ascii_lowercase())
                    .or_default()
                    .insert(known.clone());
            }
            folded
        });
        folded
            .get(&name.to_ascii_lowercase())?
            .first()
            .map(String::as_str)
    }

    fn undefined_variable(&mut self, span: Span, name: &str) {
        if self.includes_others {
            // The variable may come from an include that could not be followed (PL004).
            return;
        }
        let mut diagnostic = Diagnostic::new(
            &check::undefined_reference::RULE,
            span,
            format!("undefined variable `${name}`"),
        )
        .with_span_label("not defined before this use");
        let later = self
            .all_defines
            .get(name)
            .and_then(|all| all.iter().find(|at| at.start > span.start))
            .copied();
        // Defined before, but in a block that has ended.
        let out_of_scope = self.expired.get(name).copied();
        let help = match (later, self.define_in_other_case(name)) {
            (None, _) if out_of_scope.is_some() => {
                if let Some(at) = out_of_scope {
                    diagnostic = diagnostic.with_label(at, "defined here, inside another block");
                }
                "a `define` inside a table or chain block is visible only in that block; move it to the top of the file, or into the block that uses it".to_string()
            }
            (Some(at), _) => {
                diagnostic = diagnostic.with_label(at, "defined here, after its use");
                "move the `define` above its first use: nft reads the file top to bottom"
                    .to_string()
            }
            (None, Some(k)) => format!("did you mean `${k}`? Variable names are case-sensitive"),
            (None, None) => format!(
                "add `define {name} = …` before the first use (nft reads the file top to bottom)"
            ),
        };
        diagnostic = diagnostic.with_help(help);
        self.push(diagnostic);
    }

    /// Report `$variables` used in `range` (outside a port value) that are not defined.
    fn check_variables_defined(&mut self, range: Range<usize>) {
        if !self.rule_has_variables {
            return;
        }
        for index in range {
            let token = self.tokens[index];
            if token.kind == TokenKind::Variable {
                let name = &token.text(self.text)[1..];
                if !self.defines.contains_key(name) {
                    let span = self.token_span(index);
                    self.undefined_variable(span, name);
                }
            }
        }
    }

    // ---- rules ----

    /// A rule's model, pushed to `out`: one rule, or one per verdict of a verdict map keyed by
    /// ports.
    fn rule(&mut self, range: Range<usize>, out: &mut Vec<Rule>) {
        if range.is_empty() {
            return;
        }
        let mut rule = Rule {
            span: self.tokens_span(range.clone()),
            matches: SmallVec::new(),
            nat: thin_vec::ThinVec::new(),
            verdict: None,
            rewrites: false,
        };
        // Whether the rule may hold a concatenation, a map or a conntrack port: most rules do
        // not, and then no match start needs to look for one.
        let mut may_compound = false;
        let mut has_variables = false;
        // Only marked tokens are looked for here: visit those of this rule.
        let first = self.marked.partition_point(|&i| (i as usize) < range.start);
        let marked = self.marked[first..]
            .iter()
            .map(|&i| i as usize)
            .take_while(|&i| i < range.end);
        for index in marked {
            let token = self.tokens[index];
            match token.kind {
                TokenKind::Variable => has_variables = true,
                // The lexer classed each word once: this runs for every token of every rule.
                TokenKind::Word if token.class.has(WordClass::COMPOUND) => may_compound = true,
                // Every `jump`/`goto` target, also inside a verdict map (`{ 22 : jump ssh }`).
                TokenKind::Word if token.class.has(WordClass::JUMP) && index + 1 < range.end => {
                    if let Some(target) = self.word(index + 1) {
                        self.references.push(Reference {
                            table: self.table,
                            kind: ReferenceKind::Chain,
                            name: target.to_string(),
                            span: self.token_span(index + 1),
                        });
                    }
                }
                TokenKind::SetRef => {
                    // `@nh,32,32` is a raw payload expression, not a set.
                    let raw_payload = self
                        .tokens
                        .get(index + 1)
                        .is_some_and(|t| t.kind == TokenKind::Comma && !t.spaced);
                    if !raw_payload {
                        self.references.push(Reference {
                            table: self.table,
                            kind: ReferenceKind::Set,
                            name: token.text(self.text)[1..].to_string(),
                            span: self.token_span(index),
                        });
                    }
                }
                _ => {}
            }
        }
        self.rule_has_variables = has_variables;
        let end = range.end;
        let mut pos = range.start;
        let mut nat_pending: Vec<(NatKind, Range<usize>)> = Vec::new();
        let mut verdict_groups = Splits::default();
        while pos < end {
            let start = pos;
            if let Some(selector) = may_compound
                .then(|| self.compound_selector(pos, end))
                .flatten()
            {
                pos = self.compound_match(&mut rule, selector, end, &mut verdict_groups);
                continue;
            }
            // Every word this reads is a keyword: the lexer looked each up once.
            let keyword = self.keyword(pos);
            match keyword {
                Keyword::None => pos = self.opaque(&mut rule, pos, end),
                Keyword::Tcp | Keyword::Udp | Keyword::Sctp | Keyword::Dccp | Keyword::Udplite => {
                    let l4 = transport_of(keyword).unwrap_or(L4::Tcp);
                    rule.matches.push(Match::L4Proto {
                        protos: ProtoSet::one(l4),
                        span: self.token_span(pos),
                    });
                    pos = self.port_match(&mut rule, pos, end, ProtoSet::one(l4));
                }
                Keyword::Th => pos = self.port_match(&mut rule, pos, end, ProtoSet::ANY),
                Keyword::Meta if self.keyword(pos + 1) == Keyword::L4proto => {
                    pos = self.proto_match(&mut rule, pos, pos + 2, end)
                }
                Keyword::Ip if self.keyword(pos + 1) == Keyword::Protocol => {
                    rule.matches.push(Match::Family {
                        family: Family::Ip,
                        span: self.tokens_span(pos..pos + 2),
                    });
                    pos = self.proto_match(&mut rule, pos, pos + 2, end)
                }
                Keyword::Ip6 if self.keyword(pos + 1) == Keyword::Nexthdr => {
                    rule.matches.push(Match::Family {
                        family: Family::Ip6,
                        span: self.tokens_span(pos..pos + 2),
                    });
                    pos = self.proto_match(&mut rule, pos, pos + 2, end)
                }
                // A tunnel's inner header (`vxlan ip saddr 10.0.0.1`, `gretap udp dport 53`):
                // not the packet's own addresses or ports.
                Keyword::Vxlan | Keyword::Geneve | Keyword::Gretap | Keyword::Gre
                    if self
                        .tokens
                        .get(pos + 1)
                        .is_some_and(|t| pos + 2 < end && t.class.has(WordClass::STARTER)) =>
                {
                    // `vxlan ip saddr . vxlan ip daddr`: every inner field of a concatenation.
                    let mut stop = self.opaque_run(pos + 2, end);
                    while stop > pos + 2
                        && stop + 1 < end
                        && matches!(
                            self.keyword(stop - 1),
                            Keyword::Vxlan | Keyword::Geneve | Keyword::Gretap | Keyword::Gre
                        )
                    {
                        stop = self.opaque_run(stop + 1, end);
                    }
                    self.check_variables_defined(pos..stop);
                    rule.matches.push(Match::Opaque {
                        span: self.tokens_span(pos..stop),
                    });
                    pos = stop;
                }
                // `fib saddr . iif oif missing`: `iif` and `oif` are fib's, not matches.
                Keyword::Fib => {
                    let result = (pos + 1..end).find(|&i| {
                        matches!(self.word(i), Some("oif" | "oifname" | "type" | "addr"))
                            && self.keyword(i - 1) != Keyword::Dot
                    });
                    pos = match result {
                        Some(result) => self.opaque_from(&mut rule, pos, result + 1, end),
                        None => self.opaque(&mut rule, pos, end),
                    };
                }
                Keyword::Ip | Keyword::Ip6
                    if matches!(self.keyword(pos + 1), Keyword::Saddr | Keyword::Daddr) =>
                {
                    pos = self.address_match(&mut rule, pos, end, keyword == Keyword::Ip6)
                }
                Keyword::Iif | Keyword::Iifname | Keyword::Oif | Keyword::Oifname => {
                    pos = self.interface_match(&mut rule, pos, pos, end)
                }
                Keyword::Meta
                    if matches!(
                        self.keyword(pos + 1),
                        Keyword::Iif | Keyword::Iifname | Keyword::Oif | Keyword::Oifname
                    ) =>
                {
                    pos = self.interface_match(&mut rule, pos, pos + 1, end)
                }
                Keyword::Ct if self.keyword(pos + 1) == Keyword::State => {
                    pos = self.ct_state_match(&mut rule, pos, end)
                }
                Keyword::Accept | Keyword::Drop | Keyword::Return | Keyword::Continue => {
                    let verdict = match keyword {
                        Keyword::Accept => Verdict::Accept,
                        Keyword::Drop => Verdict::Drop,
                        Keyword::Return => Verdict::Return,
                        _ => Verdict::Continue,
                    };
                    rule.verdict = Some((verdict, self.token_span(pos)));
                    pos += 1;
                }
                Keyword::Reject | Keyword::Queue => {
                    let verdict = if keyword == Keyword::Reject {
                        Verdict::Reject
                    } else {
                        Verdict::Queue
                    };
                    rule.verdict = Some((verdict, self.token_span(pos)));
                    // `reject with tcp reset`, `reject with icmpx type port-unreachable`: the
                    // words after `with` are its arguments, though `tcp` would start a match.
                    let mut args = pos + 1;
                    if self.keyword(args) == Keyword::With {
                        args += 1;
                        while args < end && self.word(args).is_some_and(is_reject_argument) {
                            args += 1;
                        }
                    }
                    pos = self.opaque_run(args, end);
                }
                Keyword::Jump | Keyword::Goto
                    if pos + 1 < end && self.tokens[pos + 1].kind != TokenKind::Word =>
                {
                    // `jump $chain` or an anonymous chain binding `jump { … }`.
                    let stop = self.opaque_run(pos + 1, end);
                    self.check_variables_defined(pos..stop);
                    let target = self.tokens[pos + 1].text(self.text).to_string();
                    let verdict = if keyword == Keyword::Jump {
                        Verdict::Jump(target.into())
                    } else {
                        Verdict::Goto(target.into())
                    };
                    rule.verdict = Some((verdict, self.tokens_span(pos..stop)));
                    pos = stop;
                }
                Keyword::Jump | Keyword::Goto => match self.word(pos + 1) {
                    Some(target) => {
                        // (The target is a reference: recorded with every other one above.)
                        let verdict = if keyword == Keyword::Jump {
                            Verdict::Jump(target.into())
                        } else {
                            Verdict::Goto(target.into())
                        };
                        rule.verdict = Some((verdict, self.tokens_span(pos..pos + 2)));
                        pos += 2;
                    }
                    None => {
                        let span = self.token_span(pos);
                        self.syntax_error(
                            span,
                            format!("`{}` needs a chain name", keyword.text()),
                            "write `jump CHAIN` with the name of a chain in this table",
                        );
                        pos += 1;
                    }
                },
                Keyword::Dnat
                | Keyword::Snat
                | Keyword::Redirect
                | Keyword::Masquerade
                | Keyword::Tproxy => {
                    let kind = match keyword {
                        Keyword::Dnat => NatKind::Dnat,
                        Keyword::Snat => NatKind::Snat,
                        Keyword::Redirect => NatKind::Redirect,
                        Keyword::Tproxy => NatKind::Tproxy,
                        _ => NatKind::Masquerade,
                    };
                    // `dnat ip to …` in an inet table: the family word belongs to the statement.
                    let mut args = pos + 1;
                    while args < end && matches!(self.keyword(args), Keyword::Ip | Keyword::Ip6) {
                        args += 1;
                    }
                    let stop = self.opaque_run(args, end);
                    nat_pending.push((kind, pos..stop));
                    pos = stop;
                }
                _ => pos = self.opaque(&mut rule, pos, end),
            }
            // Every branch consumes at least one token; should one ever not, move on rather
            // than loop forever on untrusted input.
            debug_assert!(pos > start);
            pos = pos.max(start + 1);
        }
        // NAT targets are read last: their port protocol is the rule's, wherever it was matched.
        let rule_start = range.start;
        for (kind, statement) in nat_pending {
            // `dnat to ip daddr map @x`, `snat to numgen inc mod 2 map { … }`: a packet whose
            // key the map lacks is not translated, and the rule does not match it.
            // (The address expression after `to` is read as a value of its own: look on to the
            // rule's end.)
            if (statement.start..end).any(|i| self.keyword(i) == Keyword::Map) {
                rule.matches.push(Match::Opaque {
                    span: self.tokens_span(statement.clone()),
                });
            }
            self.implied_protocols(&mut rule, statement.clone());
            let mut nat = self.nat(&rule, kind, statement.clone(), rule_start);
            if nat.ports.is_none() {
                nat.ports = self.nat_map_ports(&mut rule, statement, end);
            }
            rule.nat.push(nat.without_own_port());
        }
        self.rule_has_variables = true;
        rule.matches.shrink_to_fit();
        if verdict_groups.is_empty() {
            // Most rules: moved once, straight into the chain.
            out.push(rule);
        } else {
            split_rule(rule, verdict_groups, out);
        }
    }

    /// An opaque match from `pos` to the next starter word.
    fn opaque(&mut self, rule: &mut Rule, pos: usize, end: usize) -> usize {
        // `meta mark 0x1`, `ct mark 0x1`: the key is a starter word itself (`mark` alone is
        // `meta mark`), but here it belongs to `meta` or `ct`.
        let prefix = matches!(self.keyword(pos), Keyword::Meta | Keyword::Ct);
        let key = if prefix && self.word(pos + 1).is_some() {
            pos + 2
        } else {
            pos + 1
        };
        self.opaque_from(rule, pos, key, end)
    }

    /// An opaque match from `pos` whose arguments start at `key`.
    fn opaque_from(&mut self, rule: &mut Rule, pos: usize, key: usize, end: usize) -> usize {
        let stop = self.opaque_run(key.min(end), end);
        self.check_variables_defined(pos..stop);
        self.implied_protocols(rule, pos + 1..stop);
        let span = self.tokens_span(pos..stop);
        // The value of a statement (`meta mark set ct mark`, `ip daddr set numgen …`, `counter
        // name meta mark map @c`, `dnat to jhash …`) matches nothing.
        let is_value = pos > 0 && matches!(self.word(pos - 1), Some("set" | "name" | "to"));
        let words = (pos..stop.min(pos + 3)).map(|i| self.word(i).unwrap_or(""));
        if let Some(kind) = crate::frontend::unanalysed::nft_kind(words).filter(|_| !is_value) {
            self.unanalysed.saw(kind, span);
        }
        if !is_value && !self.is_statement(rule, pos, stop) {
            rule.matches.push(Match::Opaque { span });
        }
        stop
    }

    /// The end of a run of arguments starting at `pos`: the next starter word outside brackets
    /// (a word right after a `.` belongs to a concatenation and continues the run).
    fn opaque_run(&self, mut pos: usize, end: usize) -> usize {
        let mut depth = 0usize;
        while pos < end {
            let token = self.tokens[pos];
            match token.kind {
                TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                    depth = depth.saturating_sub(1)
                }
                TokenKind::Word if depth == 0 && token.class.has(WordClass::STARTER) => {
                    let after_dot = pos > 0 && self.keyword(pos - 1) == Keyword::Dot;
                    if !after_dot && !self.is_ct_status_flag(pos) {
                        return pos;
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        end
    }

    /// Whether the word at `pos` is a conntrack status flag (`ct status dnat`, `ct status
    /// snat,dnat`): a value, not the NAT statement of the same name.
    fn is_ct_status_flag(&self, mut pos: usize) -> bool {
        while pos > 0 {
            match self.tokens[pos - 1].kind {
                TokenKind::Word => return self.keyword(pos - 1) == Keyword::Status,
                TokenKind::Comma if pos >= 2 && self.word(pos - 2).is_some() => pos -= 2,
                _ => return false,
            }
        }
        false
    }

    /// A port payload inside a statement (`update @m { ip saddr : tcp sport }`, `redirect to
    /// :tcp dport map { … }`) makes nft match that protocol only, as a `tcp dport` match does.
    fn implied_protocols(&self, rule: &mut Rule, range: Range<usize>) {
        for index in range.start..range.end.saturating_sub(1) {
            // Runs over every opaque run: look at the text only of words that can match.
            let token = self.tokens[index];
            if token.kind != TokenKind::Word {
                continue;
            }
            let l4 = if token.class.has(WordClass::STARTER) {
                transport_of(token.keyword)
            } else if self.text.as_bytes().get(token.start as usize) == Some(&b':') {
                // `:tcp dport`: the expression is glued to the `:` of a NAT target.
                transport_of(Keyword::of(&token.text(self.text)[1..]))
            } else {
                None
            };
            let Some(l4) = l4 else { continue };
            if matches!(self.keyword(index + 1), Keyword::Dport | Keyword::Sport) {
                rule.matches.push(Match::L4Proto {
                    protos: ProtoSet::one(l4),
                    span: self.token_span(index),
                });
            }
        }
    }

    /// `meta l4proto X`, `ip protocol X`, `ip6 nexthdr X` (X a name, number or set).
    fn proto_match(&mut self, rule: &mut Rule, start: usize, value: usize, end: usize) -> usize {
        let stop = self.protocol_value_end(value, end);
        let mut protos = ProtoSet::EMPTY;
        let mut negated = false;
        let mut opaque = stop == value;
        for index in value..stop {
            let token = self.tokens[index];
            match token.kind {
                TokenKind::Word => match token.text(self.text) {
                    "eq" | "==" => {}
                    "ne" => negated = true,
                    w => match L4::parse(w) {
                        Some(l4) => protos.insert(l4),
                        // Another protocol (icmp, esp…): no ports; not modelled here.
                        None => opaque = true,
                    },
                },
                TokenKind::Operator if token.text(self.text) == "!=" => negated = true,
                TokenKind::LBrace | TokenKind::RBrace | TokenKind::Comma | TokenKind::Newline => {}
                _ => opaque = true,
            }
        }
        let span = self.tokens_span(start..stop.max(value));
        if negated || opaque {
            self.check_variables_defined(start..stop);
            rule.matches.push(Match::Opaque { span });
        } else {
            rule.matches.push(Match::L4Proto { protos, span });
        }
        stop
    }

    /// The end of the value of `meta l4proto` / `ip protocol` / `ip6 nexthdr` at `value`: an
    /// optional `==`/`!=`, then one word, variable or `{ … }` set. (Not an opaque run: the
    /// value `tcp` also starts a match, and `ip protocol != tcp` must not become a TCP match.)
    fn protocol_value_end(&self, value: usize, end: usize) -> usize {
        let mut pos = value;
        let is_operator = |t: &Token| {
            matches!(t.kind, TokenKind::Word | TokenKind::Operator)
                && matches!(t.text(self.text), "==" | "!=" | "eq" | "ne")
        };
        if pos < end && is_operator(&self.tokens[pos]) {
            pos += 1;
        }
        if pos >= end {
            return pos;
        }
        match self.tokens[pos].kind {
            TokenKind::LBrace => {
                super::lexer::matching_brace(self.tokens, pos, end).map_or(end, |close| close + 1)
            }
            // `meta l4proto vmap { tcp : goto … }`: a lookup, read as an opaque run.
            TokenKind::Word if matches!(self.keyword(pos), Keyword::Map | Keyword::Vmap) => {
                self.opaque_run(value, end)
            }
            TokenKind::Word | TokenKind::Variable => pos + 1,
            // Anything else (a bitwise expression…) is read as an opaque run.
            _ => self.opaque_run(pos, end),
        }
    }

    /// `tcp dport [op] VALUE` and friends, from the protocol word at `start`.
    fn port_match(&mut self, rule: &mut Rule, start: usize, end: usize, protos: ProtoSet) -> usize {
        let direction = match self.keyword(start + 1) {
            Keyword::Dport => PortDirection::Destination,
            Keyword::Sport => PortDirection::Source,
            // `tcp flags syn`, `udp length 5`, …: another header field.
            _ => return self.opaque(rule, start, end),
        };
        let mut pos = start + 2;
        let op = match self.tokens.get(pos).filter(|_| pos < end) {
            Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::Operator) => {
                match t.text(self.text) {
                    "==" | "eq" => Some(PortOp::Eq),
                    "!=" | "ne" => Some(PortOp::Ne),
                    "<" | "lt" => Some(PortOp::Lt),
                    ">" | "gt" => Some(PortOp::Gt),
                    "<=" | "le" => Some(PortOp::Le),
                    ">=" | "ge" => Some(PortOp::Ge),
                    _ => None,
                }
            }
            _ => None,
        };
        if op.is_some() {
            pos += 1;
        }
        let op = op.unwrap_or(PortOp::Eq);
        let missing = pos >= end
            || self.tokens[pos].kind == TokenKind::Word
                && self.tokens[pos].class.has(WordClass::STARTER);
        if missing {
            let span = if pos < end {
                self.token_span(pos)
            } else {
                self.tokens_span(start..pos)
            };
            let found = match self.word(pos) {
                Some(w) if pos < end => format!("a port match needs a value, found `{w}`"),
                _ => "a port match needs a value".to_string(),
            };
            self.syntax_error(
                span,
                found,
                "write the port, range, service name or set to match, e.g. `tcp dport 22`",
            );
            return pos;
        }
        // Mangling (`tcp dport set 80`), maps, bit operations and concatenations are opaque.
        let next = self.tokens[pos];
        let opaque_follow =
            matches!(
                self.keyword(pos),
                Keyword::Set | Keyword::Map | Keyword::Vmap | Keyword::Dot
            ) || (next.kind == TokenKind::Operator && op == PortOp::Eq && pos == start + 2);
        if opaque_follow {
            let bitwise = next.kind == TokenKind::Operator
                && matches!(next.text(self.text), "&" | "|" | "^" | "<<" | ">>");
            let stop = self.opaque(rule, start, end);
            if bitwise {
                self.not_judged(start..stop);
            }
            return stop;
        }
        let value_start = pos;
        let value = self.value(&mut pos, end, protos, &[], 0);
        if matches!(self.keyword(pos), Keyword::Dot | Keyword::Colon) {
            return self.opaque(rule, start, end);
        }
        match value {
            Value::Opaque => {
                let stop = self.opaque_run(pos.max(value_start + 1), end);
                self.check_variables_defined(start..stop);
                rule.matches.push(Match::Opaque {
                    span: self.tokens_span(start..stop),
                });
                stop
            }
            Value::Ports(mut elements, is_list) => {
                // Most sets are one port: keep 100,000-rule files small.
                elements.shrink_to_fit();
                let value_span = self.tokens_span(value_start..pos);
                rule.matches.push(Match::Ports {
                    direction,
                    conntrack: false,
                    op,
                    protos,
                    ports: Box::new(PortSet {
                        elements,
                        span: value_span,
                        is_list,
                    }),
                    span: self.tokens_span(start..pos),
                });
                pos
            }
        }
    }

    /// PL006 for a port match with a bit operation: its ports are not judged.
    fn not_judged(&mut self, range: Range<usize>) {
        let span = self.tokens_span(range);
        self.unanalysed
            .saw(crate::frontend::unanalysed::PORT_BIT_OPERATION, span);
    }

    /// One port value at `*pos`: a word, a spaced range `a - b`, a `$variable`, or a `{ set }`.
    /// `via` is the chain of variable uses that led here (innermost last while recursing).
    fn value(
        &mut self,
        pos: &mut usize,
        end: usize,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> Value {
        let index = *pos;
        let token = self.tokens[index];
        match token.kind {
            TokenKind::LBrace => self.set_value(pos, end, protos, via, depth),
            TokenKind::Variable => {
                *pos += 1;
                self.variable_value(index, protos, via, depth)
            }
            TokenKind::SetRef => {
                *pos += 1;
                self.named_set_value(index, protos, via, depth)
            }
            TokenKind::Word | TokenKind::String => {
                *pos += 1;
                let mut range = token.range();
                if token.kind == TokenKind::String {
                    range = range.start + 1..range.end - 1;
                }
                let text = &self.text[range.clone()];
                // `1024 - 65535` (spaced range).
                if self.word(*pos) == Some("-") && *pos + 1 < end && self.word(*pos + 1).is_some() {
                    let hi = self.tokens[*pos + 1];
                    *pos += 2;
                    let joined = format!("{text}-{}", hi.text(self.text));
                    let span = self.span(range.start..hi.end as usize);
                    return self.elements_of_atom(&joined, span, protos, via);
                }
                self.elements_of_atom(text, self.span(range), protos, via)
            }
            _ => {
                *pos += 1;
                Value::Opaque
            }
        }
    }

    fn elements_of_atom(
        &mut self,
        text: &str,
        span: Span,
        protos: ProtoSet,
        via: &[VariableUse],
    ) -> Value {
        match self.atoms.atom(text, span, protos, via) {
            Some(element) => Value::Ports(smallvec![element], false),
            None => Value::Ports(SmallVec::new(), false),
        }
    }

    fn set_value(
        &mut self,
        pos: &mut usize,
        end: usize,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> Value {
        // A set that is never closed was reported by the parser; do not read its contents.
        let Some(close) = self.matching_brace(*pos, end) else {
            *pos = end;
            return Value::Opaque;
        };
        let end = close + 1;
        *pos += 1;
        // One element per comma and one more (more through variables): reserved at once, the
        // vector is neither grown nor shrunk for a set written in place.
        let commas = self.tokens[*pos..close]
            .iter()
            .filter(|t| t.kind == TokenKind::Comma)
            .count();
        let mut elements = SmallVec::with_capacity(commas + 1);
        let mut opaque = false;
        while *pos < end {
            let token = self.tokens[*pos];
            match token.kind {
                TokenKind::RBrace => {
                    *pos += 1;
                    return if opaque {
                        Value::Opaque
                    } else {
                        Value::Ports(elements, true)
                    };
                }
                TokenKind::Comma | TokenKind::Newline => *pos += 1,
                _ => {
                    let word = self.word(*pos).unwrap_or("");
                    if word == ":" || word == "." || word.ends_with(':') {
                        // A map (`22 : accept`) or a concatenation (`22 . 10.0.0.1`).
                        opaque = true;
                        *pos += 1;
                        continue;
                    }
                    if depth >= MAX_VARIABLE_DEPTH {
                        opaque = true;
                        *pos += 1;
                        continue;
                    }
                    // Most elements are a port or a range written in place: read straight into
                    // the set (what `value` does for a word that no spaced `-` follows).
                    if token.kind == TokenKind::Word && self.word(*pos + 1) != Some("-") {
                        *pos += 1;
                        let span = self.span(token.range());
                        if let Some(element) = self.atoms.atom(word, span, protos, via) {
                            elements.push(element);
                        }
                        continue;
                    }
                    match self.value(pos, end, protos, via, depth + 1) {
                        Value::Ports(more, _) => elements.extend(more),
                        Value::Opaque => opaque = true,
                    }
                }
            }
        }
        Value::Opaque
    }

    /// The index of the `}` that closes the `{` at `open`, if it is before `end`.
    fn matching_brace(&self, open: usize, end: usize) -> Option<usize> {
        super::lexer::matching_brace(self.tokens, open, end)
    }

    fn variable_value(
        &mut self,
        index: usize,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> Value {
        let span = self.token_span(index);
        let name = &self.tokens[index].text(self.text)[1..];
        // Inside `redefine x = { $x, … }`, `$x` is the definition before; each enclosing use of
        // the same name steps one definition back.
        let generations = self.defines.get(name).map_or(0, Vec::len);
        let enclosing = via.iter().filter(|u| !u.is_set && u.name == name).count();
        let Some(generation) = generations.checked_sub(enclosing + 1) else {
            // Undefined here. Inside a define it was reported where the define was read (nft
            // reads a define's value where it stands), which also rules out cycles.
            if via.is_empty() {
                self.undefined_variable(span, name);
            }
            return Value::Ports(SmallVec::new(), false);
        };
        if depth >= MAX_VARIABLE_DEPTH {
            return Value::Opaque;
        }
        let value = self.defines[name][generation].value.clone();
        let mut chain = via.to_vec();
        chain.push(VariableUse {
            name: name.to_string(),
            span,
            is_set: false,
        });
        let mut pos = value.start;
        let result = self.value(&mut pos, value.end, protos, &chain, depth + 1);
        if pos < value.end {
            // The define holds more than one value (`define p = 22 80`): not a port value.
            return Value::Opaque;
        }
        match result {
            Value::Ports(elements, is_list) => Value::Ports(elements, is_list),
            Value::Opaque => Value::Opaque,
        }
    }

    /// Every named set and map whose key holds ports, with all its elements, before any rule
    /// is read: nft loads a file as one transaction, so a set declared (or filled by
    /// `add element`) after the rule that uses it still holds those elements.
    fn declare_named(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Table(block) => {
                    let index = self.table_index(block.family.as_ref(), &block.name);
                    for entry in &block.body {
                        if let TableEntry::Named(named) = entry {
                            if let Some(body) = &named.body {
                                self.port_set_declaration(index, &named.name.text, body.clone());
                            }
                        }
                    }
                }
                Item::AddNamed {
                    family,
                    table,
                    name,
                    body: Some(body),
                } => {
                    let index = self.table_index(family.as_ref(), table);
                    self.port_set_declaration(index, &name.text, body.clone());
                }
                Item::AddElement {
                    family,
                    table,
                    name,
                    body,
                } => {
                    let index = self.table_index(family.as_ref(), table);
                    if let Some(keys) = self.tables[index].named_keys.get_mut(&name.text) {
                        // The `{` before the elements.
                        keys.elements.push(body.start - 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// `set NAME { type inet_service; elements = { … } }` (or `typeof tcp dport`): remember
    /// where its elements are. Other sets (addresses, concatenations) are not port sets.
    fn port_set_declaration(&mut self, table: usize, name: &str, body: Range<usize>) {
        let mut key = None;
        let mut elements = None;
        let mut pos = body.start;
        while pos < body.end {
            let statement_start = pos;
            while pos < body.end
                && !matches!(
                    self.tokens[pos].kind,
                    TokenKind::Newline | TokenKind::Semicolon | TokenKind::LBrace
                )
            {
                pos += 1;
            }
            let words: Vec<&str> = (statement_start..pos)
                .filter_map(|i| self.word(i))
                .collect();
            match words.as_slice() {
                ["type" | "typeof", ..] => key = compound::declared_ports(&words),
                ["elements"] if pos < body.end && self.tokens[pos].kind == TokenKind::LBrace => {
                    elements = Some(pos);
                }
                _ => {}
            }
            // Step over a braced value (the elements) and the separator.
            if pos < body.end && self.tokens[pos].kind == TokenKind::LBrace {
                pos = self
                    .matching_brace(pos, body.end)
                    .map_or(body.end, |close| close + 1);
            } else {
                pos += 1;
            }
        }
        if let Some((ports, is_vmap)) = key {
            self.tables[table].named_keys.insert(
                name.to_string(),
                NamedKeys {
                    elements: elements.into_iter().collect(),
                    ports,
                    is_vmap,
                },
            );
        }
    }

    /// `@name` in a port position: the elements of the named set of ports, each keeping the
    /// span where the set declares it, with a label at the `@name` use.
    fn named_set_value(
        &mut self,
        index: usize,
        protos: ProtoSet,
        via: &[VariableUse],
        depth: usize,
    ) -> Value {
        let name = &self.tokens[index].text(self.text)[1..];
        let blocks = self
            .tables
            .get(self.table)
            .and_then(|t| t.named_keys.get(name))
            .filter(|keys| keys.ports.as_slice() == [true] && !keys.is_vmap)
            .map(|keys| keys.elements.clone())
            .unwrap_or_default();
        // Not a set of ports this file declares (or `@nh,32,32`), or one filled at run time:
        // not modelled.
        if blocks.is_empty() || depth >= MAX_VARIABLE_DEPTH {
            return Value::Opaque;
        }
        let mut chain = via.to_vec();
        chain.push(VariableUse {
            name: name.to_string(),
            span: self.token_span(index),
            is_set: true,
        });
        let mut elements = Elements::new();
        for open in blocks {
            let mut pos = open;
            match self.set_value(&mut pos, self.tokens.len(), protos, &chain, depth + 1) {
                Value::Ports(more, _) => elements.extend(more),
                Value::Opaque => return Value::Opaque,
            }
        }
        Value::Ports(elements, true)
    }

    /// `dnat [ip|ip6] to ADDR[:PORT]`, `redirect [to] :PORT`, `masquerade [to :PORT]`, `snat …`.
    fn nat(&mut self, rule: &Rule, kind: NatKind, range: Range<usize>, rule_start: usize) -> Nat {
        let span = self.tokens_span(range.clone());
        let mut nat = Nat {
            kind,
            address: None,
            ports: None,
            span,
        };
        let mut pos = range.start + 1;
        let family_given = matches!(self.word(pos), Some("ip" | "ip6"));
        while matches!(self.word(pos), Some("ip" | "ip6" | "inet")) && pos < range.end {
            pos += 1;
        }
        let has_address = self.word(pos) == Some("to")
            && pos + 1 < range.end
            && !self.word(pos + 1).is_some_and(|w| w.starts_with(':'));
        let needs_family = matches!(kind, NatKind::Dnat | NatKind::Snat) && has_address;
        // nft infers the family from an `ip …`/`ip6 …` match earlier in the rule.
        let inferred = (rule_start..range.start)
            .any(|i| matches!(self.word(i), Some("ip" | "ip6")) || self.word(i) == Some("nfproto"));
        if needs_family && self.family == Family::Inet && !family_given && !inferred {
            let span = self.token_span(range.start);
            let word = self.tokens[range.start].text(self.text);
            self.syntax_error(
                span,
                format!("`{word}` to an address in an inet table must say `ip` or `ip6`"),
                "write `dnat ip to 10.0.0.1:8080` or `dnat ip6 to [2001:db8::1]:8080`; nft refuses the rule otherwise",
            );
        }
        if self.word(pos) == Some("to") {
            pos += 1;
        }
        if pos >= range.end || matches!(self.word(pos), Some("map")) {
            return nat;
        }
        // The target: tokens written together (`10.0.0.1:80`, `[::1]:80`, `$addr:$port`).
        let mut stop = pos + 1;
        while stop < range.end && !self.tokens[stop].spaced {
            stop += 1;
        }
        // `10.0.0.1 : 80` (spaced colon) also writes a port; a lone `:` takes the next token.
        while stop < range.end && matches!(self.word(stop), Some(w) if w.starts_with(':')) {
            if self.word(stop) == Some(":") && stop + 1 < range.end {
                stop += 1;
            }
            stop += 1;
            while stop < range.end && !self.tokens[stop].spaced {
                stop += 1;
            }
        }
        // `redirect to :tcp dport map { 22 : 8000 }`: ports from a map are not modelled.
        if self
            .tokens
            .get(pos..range.end)
            .unwrap_or_default()
            .iter()
            .any(|t| self.word_is(t, "map"))
        {
            return nat;
        }
        let protos = match rule.l4_protocols() {
            p if p.is_any() || p.is_empty() => {
                let mut p = ProtoSet::one(L4::Tcp);
                p.insert(L4::Udp);
                p
            }
            p => p,
        };
        let (address, port_part) = self.split_target(pos..stop);
        nat.address =
            address.map(|a| crate::frontend::addresses::nat_address(&self.expand_address(a)));
        if let Some((first, text_offset)) = port_part {
            nat.ports = self.nat_ports(first, text_offset, stop, protos);
            if let Some(ports) = nat.ports.as_ref().filter(|_| rule.l4_protocols().is_any()) {
                let span = ports.span;
                self.atoms.invalid_port(
                    span,
                    &[],
                    "a NAT target port needs a transport protocol match before it".to_string(),
                    "match the protocol first, e.g. `meta l4proto { tcp, udp }` or `tcp dport 80`; nft refuses port mappings without one",
                );
            }
        }
        self.check_variables_defined(range);
        nat
    }

    /// The target ports a NAT statement takes from a map: `redirect to :tcp dport map { 22 :
    /// 8000 }` (the values are ports), `dnat ip to ip daddr . tcp dport map { … : 10.0.0.1 .
    /// 8080 }` (the last part of each value is a port).
    fn nat_map_ports(
        &mut self,
        rule: &mut Rule,
        statement: Range<usize>,
        end: usize,
    ) -> Option<PortSet> {
        // `to :…`: the target is a port only (`:tcp` may be one word).
        let to = (statement.start..statement.end).find(|&i| self.word(i) == Some("to"))?;
        let port_only = self.word(to + 1).is_some_and(|w| w.starts_with(':'));
        // The selector words after `to` (inside the statement or after it), up to `map {`.
        let mut map = to + 1;
        while map < end && self.word(map).is_some_and(|w| w != "map") {
            map += 1;
        }
        if self.word(map) != Some("map") || self.tokens.get(map + 1)?.kind != TokenKind::LBrace {
            return None;
        }
        let open = map + 1;
        let close = self.matching_brace(open, end)?;
        let protos = match rule.l4_protocols() {
            p if p.is_any() || p.is_empty() => ProtoSet::one(L4::Tcp),
            p => p,
        };
        // `:tcp dport map { 22 : 8000 }` inside the statement: the keys are a port match too
        // (a packet whose port is not a key is not redirected), as a `tcp dport map` outside it.
        let key_selector = if map < statement.end && port_only {
            let word = self.word(to + 1).map(|w| w.trim_start_matches(':'));
            let direction = match self.word(to + 2) {
                Some("dport") => Some(PortDirection::Destination),
                Some("sport") => Some(PortDirection::Source),
                _ => None,
            };
            match (word, direction) {
                (Some("th"), Some(direction)) => Some((direction, ProtoSet::ANY)),
                (Some(w), Some(direction)) => L4::parse(w).map(|l4| (direction, ProtoSet::one(l4))),
                _ => None,
            }
        } else {
            None
        };
        let mut keys = Elements::new();
        let mut elements = Elements::new();
        let mut pos = open + 1;
        while pos < close {
            let entry_end = (pos..close)
                .find(|&i| self.tokens[i].kind == TokenKind::Comma)
                .unwrap_or(close);
            let colon = (pos..entry_end).find(|&i| self.word(i) == Some(":"));
            if let (Some(colon), Some((_, key_protos))) = (colon, key_selector) {
                if colon > pos {
                    let mut key = pos;
                    if let Value::Ports(more, _) = self.value(&mut key, colon, key_protos, &[], 0) {
                        keys.extend(more);
                    }
                }
            }
            if let Some(colon) = colon {
                let value = colon + 1..entry_end;
                let last_dot = value.clone().rev().find(|&i| self.word(i) == Some("."));
                let port_at = match last_dot {
                    Some(dot) => Some(dot + 1),
                    None if port_only => Some(value.start),
                    None => None,
                };
                if let Some(at) = port_at.filter(|&at| at < entry_end) {
                    let token = self.tokens[at];
                    if token.kind == TokenKind::Word {
                        let text = token.text(self.text).to_string();
                        let span = self.token_span(at);
                        if let Some(element) = self.atoms.atom(&text, span, protos, &[]) {
                            elements.push(element);
                        }
                    }
                }
            }
            pos = entry_end + 1;
        }
        if let Some((direction, protos)) = key_selector.filter(|_| !keys.is_empty()) {
            let span = self.tokens_span(open..close + 1);
            rule.matches.push(Match::Ports {
                direction,
                conntrack: false,
                op: PortOp::Eq,
                protos,
                ports: Box::new(PortSet {
                    elements: keys,
                    span,
                    is_list: true,
                }),
                span: self.tokens_span(to + 1..close + 1),
            });
        }
        if elements.is_empty() {
            return None;
        }
        let span = self.tokens_span(open..close + 1);
        // No PL002 here: whether nft takes the protocol from the map's key (`tcp dport map`)
        // differs between versions (1.0.6 refuses `redirect to :tcp dport map …` yet accepts
        // `dnat ip to … . tcp dport map …`), and a false refusal is worse than a missed one.
        Some(PortSet {
            elements,
            span,
            is_list: false,
        })
    }

    /// A NAT address written as `$name` whose define is one word: that word (for the loopback
    /// test of PL107); anything else as written.
    fn expand_address(&self, address: String) -> String {
        let Some(name) = address.strip_prefix('$') else {
            return address;
        };
        let value = self.defines.get(name).and_then(|d| d.last());
        match value {
            Some(define) if define.value.len() == 1 => match self.word(define.value.start) {
                Some(word) => word.to_string(),
                None => address,
            },
            _ => address,
        }
    }

    fn word_is(&self, token: &Token, word: &str) -> bool {
        token.kind == TokenKind::Word && token.text(self.text) == word
    }

    /// Split a NAT target into its address text and where its port part starts: the token
    /// index and the byte offset of the port text in that token.
    fn split_target(&self, range: Range<usize>) -> (Option<String>, Option<(usize, usize)>) {
        let text_of = |r: Range<usize>| -> String {
            self.tokens[r]
                .iter()
                .map(|t| t.text(self.text))
                .collect::<Vec<_>>()
                .join("")
        };
        // `[addr]:port`
        if self.tokens[range.start].kind == TokenKind::LBracket {
            let close =
                (range.start..range.end).find(|&i| self.tokens[i].kind == TokenKind::RBracket);
            return match close {
                Some(close) => {
                    let address = Some(text_of(range.start + 1..close));
                    match self.word(close + 1) {
                        Some(w) if close + 1 < range.end && w.starts_with(':') => {
                            (address, Some((close + 1, 1)))
                        }
                        _ => (address, None),
                    }
                }
                None => (Some(text_of(range)), None),
            };
        }
        for index in range.clone() {
            let token = self.tokens[index];
            if token.kind != TokenKind::Word {
                continue;
            }
            let word = token.text(self.text);
            let colons = word.matches(':').count();
            // Several colons without brackets: an IPv6 address, no port.
            if colons > 1 {
                return (Some(text_of(range)), None);
            }
            if let Some(at) = word.find(':') {
                let address = format!("{}{}", text_of(range.start..index), &word[..at]);
                let address = (!address.is_empty()).then_some(address);
                return (address, Some((index, at + 1)));
            }
        }
        (Some(text_of(range)), None)
    }

    fn nat_ports(
        &mut self,
        first: usize,
        offset: usize,
        stop: usize,
        protos: ProtoSet,
    ) -> Option<PortSet> {
        let token = *self.tokens.get(first)?;
        let rest = token.text(self.text).get(offset..).unwrap_or_default();
        if !rest.is_empty() {
            let start = token.start as usize + offset;
            let span = self.span(start..token.end as usize);
            let element = self.atoms.atom(rest, span, protos, &[])?;
            return Some(PortSet {
                elements: smallvec![element],
                span,
                is_list: false,
            });
        }
        // `addr:` followed by `$port`, or `addr : port` written with spaces.
        let next = first + 1;
        if next < stop && self.tokens[next].kind == TokenKind::Word {
            let span = self.token_span(next);
            let text = self.tokens[next].text(self.text);
            let element = self.atoms.atom(text, span, protos, &[])?;
            return Some(PortSet {
                elements: smallvec![element],
                span,
                is_list: false,
            });
        }
        if next < stop && self.tokens[next].kind == TokenKind::Variable {
            let span = self.token_span(next);
            return match self.variable_value(next, protos, &[], 0) {
                Value::Ports(elements, is_list) => Some(PortSet {
                    elements,
                    span,
                    is_list,
                }),
                Value::Opaque => None,
            };
        }
        None
    }
}

/// The `define`s of a file, at the top level and inside blocks, and whether it has an `include`.
fn definitions(segments: &Segments, items: &[Item]) -> (Vec<(String, Span)>, bool) {
    let mut found = Vec::new();
    let mut includes = false;
    let mut note = |item: &Item| match item {
        Item::Define { name, .. } => {
            found.push((name.text.clone(), segments.span(name.range.clone())))
        }
        Item::Include { .. } => includes = true,
        _ => {}
    };
    for item in items {
        note(item);
        let Item::Table(table) = item else { continue };
        for entry in &table.body {
            match entry {
                TableEntry::Definition(item) => note(item),
                TableEntry::Chain(chain) => {
                    for entry in &chain.body {
                        if let ChainEntry::Definition(item) = entry {
                            note(item);
                        }
                    }
                }
                TableEntry::Named(_) => {}
            }
        }
    }
    (found, includes)
}

/// A word that can follow `reject with`: anything but the start of another statement, except
/// the protocol words the reject types are named with.
/// The transport protocol a keyword names (`tcp`, `udp`, `sctp`, `dccp`, `udplite`).
fn transport_of(keyword: Keyword) -> Option<L4> {
    Some(match keyword {
        Keyword::Tcp => L4::Tcp,
        Keyword::Udp => L4::Udp,
        Keyword::Sctp => L4::Sctp,
        Keyword::Dccp => L4::Dccp,
        Keyword::Udplite => L4::UdpLite,
        _ => return None,
    })
}

fn is_reject_argument(word: &str) -> bool {
    !is_starter(word) || matches!(word, "tcp" | "icmp" | "icmpv6")
}
