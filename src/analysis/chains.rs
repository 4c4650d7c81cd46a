//! The analysis of a whole ruleset: every chain of every IP table swept once (DESIGN
//! "Analysis"), what each chain lets fall through to its policy, and the rules that can match
//! nothing. The checks PL201–PL206 read [`Analysis`]; they never build packet sets.

use super::footprint::{family_bits, Footprint};
use super::lower::{self, family_packets, Interfaces, Lazy};
use super::packets::{CtState, Field, PacketSet, Space};
use super::sweep::{self, Decision, Finding, SweepRule};
use crate::model::{Chain, Hook, NatKind, Rule, Ruleset, Table, Verdict};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};

/// What the sweep found in one chain.
pub struct ChainAnalysis {
    /// Indices into the ruleset: `ruleset.tables[table].chains[chain]`.
    pub table: usize,
    pub chain: usize,
    /// Shadowed, redundant and unreachable rules. A finding's ids (and its covering set's) are
    /// indices into the chain's rules: the first part of the written rule.
    pub findings: Vec<Finding>,
    /// Rules that can match no packet at all, with the matches that contradict.
    pub contradictions: Vec<Contradiction>,
    /// The packets that reach the chain's end unchanged whatever every opaque match does (and
    /// whether they are only some of them); computed for the base chains whose policy accepts
    /// (PL206 reads nothing else), empty for the others.
    pub falls_through: sweep::FallThrough,
    /// The packets the chain sees.
    pub universe: PacketSet,
}

/// A rule no packet can match: match `second` of the rule contradicts match `first` (or,
/// `first` being `None`, the matches before it together, or the table's family).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contradiction {
    pub rule: usize,
    pub first: Option<usize>,
    pub second: usize,
    /// Match `second` alone matches no packet of the table's family.
    pub family_alone: bool,
}

/// The analysis of one ruleset.
pub struct Analysis {
    pub space: Space,
    pub chains: Vec<ChainAnalysis>,
    /// The interface number of loopback (`lo`).
    pub loopback: u128,
}

impl Analysis {
    /// Each chain's analysis with its table and chain in the model.
    pub fn with_models<'a>(
        &'a self,
        ruleset: &'a Ruleset,
    ) -> impl Iterator<Item = (&'a ChainAnalysis, &'a Table, &'a Chain)> {
        self.chains.iter().filter_map(move |analysis| {
            let table = ruleset.tables.get(analysis.table)?;
            let chain = table.chains.get(analysis.chain)?;
            Some((analysis, table, chain))
        })
    }

    pub fn chain(&self, table: usize, chain: usize) -> Option<&ChainAnalysis> {
        self.chains
            .iter()
            .find(|c| c.table == table && c.chain == chain)
    }
}

/// What a rule does with the packets it matches, for the rules after it.
pub fn decision(rule: &Rule) -> Option<Decision> {
    match &rule.verdict {
        Some((verdict, _)) => match verdict {
            Verdict::Accept => Some(Decision::Accept),
            Verdict::Drop => Some(Decision::Drop),
            Verdict::Reject => Some(Decision::Reject),
            Verdict::Queue => Some(Decision::Queue),
            Verdict::Return => Some(Decision::Return),
            Verdict::Goto(target) => Some(Decision::Goto(target.clone())),
            // A jump may come back; `continue` goes on.
            Verdict::Jump(_) | Verdict::Continue => None,
        },
        // A NAT statement ends the rule's chain (nft's nat expressions and iptables' DNAT,
        // SNAT, MASQUERADE and REDIRECT targets accept after translating). A transparent proxy
        // statement does not in nft, so it never decides here.
        None => rule
            .nat
            .iter()
            .find(|n| n.kind != NatKind::Tproxy)
            .map(|n| Decision::Nat(nat_text(n).into())),
    }
}

fn nat_text(nat: &crate::model::Nat) -> String {
    let kind = match nat.kind {
        NatKind::Dnat => "dnat",
        NatKind::Snat => "snat",
        NatKind::Redirect => "redirect",
        NatKind::Masquerade => "masquerade",
        NatKind::Tproxy => "tproxy",
    };
    let mut text = kind.to_string();
    if let Some(address) = &nat.address {
        text.push_str(" to ");
        text.push_str(&address.text);
    }
    if let Some(ports) = &nat.ports {
        let list: Vec<String> = ports
            .elements
            .iter()
            .map(|e| {
                if e.is_single() {
                    e.lo.to_string()
                } else {
                    format!("{}-{}", e.lo, e.hi)
                }
            })
            .collect();
        text.push_str(&format!(" port {}", list.join(",")));
    }
    text
}

/// Analyse every chain of every table whose packets are IP packets.
pub fn analyse(ruleset: &Ruleset, refused: &Refused) -> Analysis {
    let space = Space::new();
    let interfaces = RefCell::new(Interfaces::default());
    let loopback = interfaces.borrow_mut().loopback();
    let mut chains = Vec::new();
    for_each_ip_table(
        ruleset,
        refused,
        &space,
        &interfaces,
        |t, table, lazy, context| {
            // Each chain is lowered once: the chains jumped to are summarised from the same rules
            // their own sweep reads.
            let mut lowered: Vec<Lowered<'_>> = table
                .chains
                .iter()
                .map(|chain| lower_chain(lazy, context, chain))
                .collect();
            let summaries = summaries(lazy, context, table, &lowered);
            for (c, chain) in table.chains.iter().enumerate() {
                let Some(mut rules) = lowered.get_mut(c).map(std::mem::take) else {
                    continue;
                };
                rules.decide_jumps(lazy, &summaries);
                chains.push(analyse_chain(lazy, context, chain, rules, (t, c)));
            }
        },
    );
    Analysis {
        space,
        chains,
        loopback,
    }
}

/// Calls `visit` with each table whose packets are IP packets (by index), the packets it sees
/// and what its chains share.
fn for_each_ip_table<'m>(
    ruleset: &'m Ruleset,
    refused: &Refused,
    space: &Space,
    interfaces: &RefCell<Interfaces>,
    mut visit: impl FnMut(usize, &'m Table, &Lazy<'_>, &TableContext<'_>),
) {
    for (t, table) in ruleset.tables.iter().enumerate() {
        let Some(universe) = family_packets(space, table.family) else {
            continue;
        };
        let lazy = Lazy {
            space,
            interfaces,
            universe: &universe,
        };
        visit(t, table, &lazy, &TableContext::of(table, refused));
    }
}

/// The chains of a table that may change a packet and return it: a chain with a rewriting
/// rule, or one that jumps to such a chain (found backwards along the jumps, once each).
fn rewriting_chains(table: &Table) -> HashSet<usize> {
    let by_name = table.chains_by_name();
    let mut callers: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut found: HashSet<usize> = HashSet::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    for (c, chain) in table.chains.iter().enumerate() {
        for rule in &chain.rules {
            if rule.rewrites && found.insert(c) {
                queue.push_back(c);
            }
            if let Some((Verdict::Jump(target), _)) = &rule.verdict {
                if let Some(&t) = by_name.get(target.as_ref()) {
                    callers.entry(t).or_default().push(c);
                }
            }
        }
    }
    while let Some(c) = queue.pop_front() {
        for &caller in callers.get(&c).map(Vec::as_slice).unwrap_or(&[]) {
            if found.insert(caller) {
                queue.push_back(caller);
            }
        }
    }
    found
}

/// Where the tool refuses a rule: the spans of the refusals (PL001, PL002, PL003, PL005) read
/// so far, by file and start.
pub struct Refused(Vec<crate::source::Span>);

impl Refused {
    pub fn new(mut spans: Vec<crate::source::Span>) -> Refused {
        spans.sort_by_key(|s| (s.file.0, s.start, s.end));
        Refused(spans)
    }

    /// Whether a refusal lies inside `rule`: nft refuses the file, iptables the command, and
    /// in either case the rule as read (`--dport 22` without `-p` reads as "every packet")
    /// is not what any kernel would run.
    pub fn within(&self, rule: crate::source::Span) -> bool {
        let first = self
            .0
            .partition_point(|s| (s.file.0, s.start) < (rule.file.0, rule.start));
        self.0[first..]
            .iter()
            .take_while(|s| s.file == rule.file && s.start <= rule.end)
            .any(|s| s.end <= rule.end)
    }
}

/// What every chain of one table needs: its chains by name, the ones that rewrite packets,
/// and the refused rules.
struct TableContext<'a> {
    by_name: HashMap<&'a str, usize>,
    rewriting: HashSet<usize>,
    refused: &'a Refused,
    family: crate::model::Family,
}

impl<'a> TableContext<'a> {
    fn of(table: &'a Table, refused: &'a Refused) -> TableContext<'a> {
        TableContext {
            by_name: table.chains_by_name(),
            rewriting: rewriting_chains(table),
            refused,
            family: table.family,
        }
    }
}

/// What a chain surely decides for a rule that jumps to it: the packets each final verdict
/// takes (accept, drop, reject, queue, NAT), whatever every opaque match does. Packets it
/// returns, or that a rule of it may take otherwise (an opaque match, a jump of its own, a
/// goto), are in none: for them the jump decides nothing.
type Summary = Vec<(Decision, PacketSet)>;

/// A chain longer than this is not summarised (its first-match sweep keeps one set of
/// undecided packets): a jump to it decides nothing.
const SUMMARY_MAX_RULES: usize = 1_000;

/// A chain's rules as the sweep reads them.
#[derive(Default)]
struct Lowered<'m> {
    rules: Vec<SweepRule<'m>>,
    /// Per rule of `rules`: the chain an exact jump that rewrites nothing goes to.
    jump_targets: Vec<Option<usize>>,
    /// (written rule, model rule) of the model rules that match no packet.
    empty: Vec<(usize, usize)>,
}

impl Lowered<'_> {
    /// An exact jump decides what its target surely decides.
    fn decide_jumps(&mut self, lazy: &Lazy<'_>, summaries: &HashMap<usize, Summary>) {
        for (rule, target) in self.rules.iter_mut().zip(&self.jump_targets) {
            let Some(summary) = target.and_then(|t| summaries.get(&t)) else {
                continue;
            };
            let jumped = summary
                .iter()
                .map(|(d, portion)| (d.clone(), rule.packets(lazy).intersect(portion)))
                .filter(|(_, part)| !part.is_empty())
                .collect();
            rule.jumped = jumped;
        }
    }
}

fn lower_chain<'m>(lazy: &Lazy<'_>, context: &TableContext<'_>, chain: &'m Chain) -> Lowered<'m> {
    let TableContext {
        by_name,
        rewriting,
        refused,
        ..
    } = context;
    let mut out = Lowered {
        rules: Vec::with_capacity(chain.rules.len()),
        jump_targets: Vec::with_capacity(chain.rules.len()),
        empty: Vec::new(),
    };
    let mut id = 0;
    for (i, rule) in chain.rules.iter().enumerate() {
        // The parts of one written rule (a verdict map split by verdict, iptables alternatives)
        // share its span and follow each other.
        if i == 0 || chain.rules[i - 1].span != rule.span {
            id = i;
        }
        // A refused rule is not run: as if it were not written.
        if refused.within(rule.span) {
            continue;
        }
        let (footprint, exact) =
            Footprint::of(rule, context.family, &mut lazy.interfaces.borrow_mut());
        let target = match &rule.verdict {
            Some((Verdict::Jump(target), _)) => by_name.get(target.as_ref()).copied(),
            _ => None,
        };
        let jumps_to_rewriter = target.is_some_and(|t| rewriting.contains(&t));
        let mut lowered = SweepRule::new(id, rule, footprint, exact);
        lowered.decision = decision(rule);
        lowered.rewrites = rule.rewrites || jumps_to_rewriter;
        lowered.jumps = matches!(rule.verdict, Some((Verdict::Jump(_), _)));
        if lowered.is_empty(lazy) {
            out.empty.push((id, i));
        }
        out.jump_targets
            .push(target.filter(|_| exact && !rule.rewrites));
        out.rules.push(lowered);
    }
    out
}

/// The summaries of the chains an exact jump of the table goes to (one level: a jump inside
/// the target counts as taking its packets, so no loop can arise).
fn summaries(
    lazy: &Lazy<'_>,
    context: &TableContext<'_>,
    table: &Table,
    lowered: &[Lowered<'_>],
) -> HashMap<usize, Summary> {
    let mut targets: Vec<usize> = lowered
        .iter()
        .flat_map(|l| l.jump_targets.iter().flatten().copied())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let mut out = HashMap::new();
    for target in targets {
        let (Some(chain), Some(rules)) = (table.chains.get(target), lowered.get(target)) else {
            continue;
        };
        if context.rewriting.contains(&target)
            || !chain.sequence_known
            || chain.base.is_some()
            || chain.rules.len() > SUMMARY_MAX_RULES
        {
            continue;
        }
        out.insert(target, summary_of(lazy, &rules.rules));
    }
    out
}

/// The first-match sweep of a chain jumped to, keeping what its exact final verdicts surely
/// decide.
fn summary_of(lazy: &Lazy<'_>, rules: &[SweepRule<'_>]) -> Summary {
    let mut undecided = lazy.universe.clone();
    let mut maybe_taken = lazy.space.none();
    let mut decided: Summary = Vec::new();
    for rule in rules {
        let reaching = rule.packets(lazy).intersect(&undecided);
        if reaching.is_empty() {
            continue;
        }
        match &rule.decision {
            Some(verdict) if rule.exact && !rule.rewrites => {
                undecided = undecided.minus(&reaching);
                match verdict {
                    // Back to the caller, which goes on: not decided.
                    Decision::Return => {}
                    // Decided by a chain this one does not look into.
                    Decision::Goto(_) => maybe_taken = maybe_taken.union(&reaching),
                    verdict => {
                        let surely = reaching.minus(&maybe_taken);
                        match decided.iter_mut().find(|(d, _)| d == verdict) {
                            Some((_, set)) => *set = set.union(&surely),
                            None => decided.push((verdict.clone(), surely)),
                        }
                    }
                }
            }
            Some(_) => maybe_taken = maybe_taken.union(&reaching),
            None if rule.jumps || rule.rewrites => maybe_taken = maybe_taken.union(&reaching),
            None => {}
        }
    }
    decided.retain(|(_, set)| !set.is_empty());
    decided
}

fn analyse_chain(
    lazy: &Lazy<'_>,
    context: &TableContext<'_>,
    chain: &Chain,
    lowered: Lowered<'_>,
    (t, c): (usize, usize),
) -> ChainAnalysis {
    let rules = lowered.rules;
    let contradictions = contradictions_of(lazy, chain, &lowered.empty);
    // When the rules' order is not known, nothing that depends on it is said: no finding, and
    // no packet is known to fall through.
    let families = family_bits(context.family);
    let none = || sweep::FallThrough {
        packets: lazy.space.none(),
        partial: false,
    };
    let (findings, falls_through) = if chain.sequence_known {
        let falls_through = if accepts_by_default(chain) {
            sweep::falls_through(lazy, families, &rules)
        } else {
            none()
        };
        (sweep::sweep(lazy, families, &rules), falls_through)
    } else {
        (Vec::new(), none())
    };
    ChainAnalysis {
        table: t,
        chain: c,
        findings,
        contradictions,
        falls_through,
        universe: lazy.universe.clone(),
    }
}

/// The written rules all of whose parts match nothing, each with the two matches (or the
/// match and those before it) that contradict.
fn contradictions_of(
    lazy: &Lazy<'_>,
    chain: &Chain,
    empty: &[(usize, usize)],
) -> Vec<Contradiction> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < empty.len() {
        let id = empty[start].0;
        let parts: Vec<usize> = empty[start..]
            .iter()
            .take_while(|(i, _)| *i == id)
            .map(|(_, part)| *part)
            .collect();
        start += parts.len();
        let written = chain
            .rules
            .iter()
            .skip(id)
            .take_while(|r| {
                chain
                    .rules
                    .get(id)
                    .is_some_and(|first| first.span == r.span)
            })
            .count();
        if parts.len() != written {
            continue;
        }
        let Some(rule) = chain.rules.get(id) else {
            continue;
        };
        out.push(explain_contradiction(lazy, rule, id));
    }
    out
}

/// The first match after which the rule matches nothing, and an earlier match it contradicts
/// on its own when there is one.
fn explain_contradiction(lazy: &Lazy<'_>, rule: &Rule, id: usize) -> Contradiction {
    let Lazy {
        space, universe, ..
    } = *lazy;
    let conditions: Vec<Option<PacketSet>> = rule
        .matches
        .iter()
        .map(|m| lower::match_condition(space, &mut lazy.interfaces.borrow_mut(), rule, m))
        .collect();
    let mut so_far = universe.clone();
    for (second, condition) in conditions.iter().enumerate() {
        let Some(condition) = condition else {
            continue;
        };
        so_far = so_far.intersect(condition);
        if !so_far.is_empty() {
            continue;
        }
        let first = conditions[..second].iter().position(|earlier| {
            earlier
                .as_ref()
                .is_some_and(|e| e.intersect(condition).intersect(universe).is_empty())
        });
        return Contradiction {
            rule: id,
            first,
            second,
            family_alone: condition.intersect(universe).is_empty(),
        };
    }
    Contradiction {
        rule: id,
        first: None,
        second: 0,
        family_alone: true,
    }
}

/// New connections: the packets whose conntrack state is new.
pub fn new_connections(space: &Space) -> PacketSet {
    space.value(Field::CtState, CtState::New as u128)
}

/// The base chains of `hook` in the ruleset, as (table, chain) indices.
pub fn base_chains_of(ruleset: &Ruleset, hook: Hook) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (t, table) in ruleset.tables.iter().enumerate() {
        for (c, chain) in table.chains.iter().enumerate() {
            if chain.hook() == Some(hook) {
                out.push((t, c));
            }
        }
    }
    out
}

impl Analysis {
    /// The new connections base chain `(table, chain)` of an input or forward hook accepts by
    /// its policy, in words, when there are any: packets that surely fall through it to an
    /// accepting policy and that every other base chain of the hook surely lets through.
    /// Loopback traffic on the input hook is not counted. When a chain was too long to tell
    /// every packet that falls through it ([`sweep::FallThrough::partial`]), the words start
    /// "at least".
    pub fn open_by_default(&self, ruleset: &Ruleset, table: usize, chain: usize) -> Option<String> {
        let model = ruleset.tables.get(table)?.chains.get(chain)?;
        let hook = model.hook()?;
        let mine = self.chain(table, chain)?;
        if !accepts_by_default(model) {
            return None;
        }
        let mut open = mine
            .falls_through
            .packets
            .intersect(&new_connections(&self.space));
        let mut partial = mine.falls_through.partial;
        if hook == Hook::Input {
            open = open.minus(&self.space.value(Field::InIface, self.loopback));
        }
        for (t, c) in base_chains_of(ruleset, hook) {
            if (t, c) == (table, chain) || open.is_empty() {
                continue;
            }
            let (Some(other), Some(other_model)) = (
                self.chain(t, c),
                ruleset.tables.get(t).and_then(|t| t.chains.get(c)),
            ) else {
                continue;
            };
            // A packet is open by default when no rule of any base chain of the hook decides
            // it: each other chain does not see it, or it surely falls through that chain to
            // an accepting policy. (A packet another chain accepts by a rule is decided there;
            // one it drops is not open. A chain shown only in part decides unknown packets.)
            let mut passes = self.space.complement(&other.universe);
            if accepts_by_default(other_model) {
                passes = passes.union(&other.falls_through.packets);
                partial |= other.falls_through.partial;
            }
            open = open.intersect(&passes);
        }
        (!open.is_empty()).then(|| {
            let words = super::describe::describe(&self.space, &open);
            if partial {
                format!("at least {words}")
            } else {
                words
            }
        })
    }
}

/// A base chain the file shows whole whose policy is accept, written or by default.
fn accepts_by_default(chain: &Chain) -> bool {
    chain
        .base
        .as_ref()
        .is_some_and(|b| b.whole && matches!(b.policy, None | Some(Verdict::Accept)))
}

/// How the fall-through of a long chain, made from widened boxes, compares with the exact one
/// on the chains of `ruleset` (each chain as if it were long): the number of chains whose
/// widened fall-through has a packet, and a line for each chain where it has a packet the
/// exact one has not (a packet claimed to fall through that a rule may take). Tests run it over
/// generated rulesets; the list must be empty.
pub fn widened_fall_through_escapes(ruleset: &Ruleset, refused: &Refused) -> (usize, Vec<String>) {
    let space = Space::new();
    let interfaces = RefCell::new(Interfaces::default());
    let (mut nonempty, mut escapes) = (0, Vec::new());
    for_each_ip_table(
        ruleset,
        refused,
        &space,
        &interfaces,
        |_, table, lazy, context| {
            let families = family_bits(table.family);
            for chain in &table.chains {
                let rules = lower_chain(lazy, context, chain).rules;
                let exact = sweep::falls_through_with(lazy, families, &rules, usize::MAX);
                let widened = sweep::falls_through_with(lazy, families, &rules, 0);
                if !widened.packets.is_empty() {
                    nonempty += 1;
                }
                if !widened.packets.is_subset(&exact.packets) {
                    let extra = widened.packets.minus(&exact.packets);
                    escapes.push(format!(
                        "chain {}: the widened fall-through holds {}, which a rule may take",
                        chain.name,
                        super::describe::describe(&space, &extra)
                    ));
                }
            }
        },
    );
    (nonempty, escapes)
}

/// Every rule of the ruleset's IP tables whose footprint disagrees with its packet set: an
/// exact footprint that is not the rule's set, or a different word on whether the rule is
/// exact. The sweep trusts an exact footprint in place of the set (it builds few sets), so
/// tests run this over the corpus and generated rulesets; the answer must be empty.
pub fn footprint_disagreements(ruleset: &Ruleset) -> Vec<String> {
    let space = Space::new();
    let mut interfaces = Interfaces::default();
    let mut out = Vec::new();
    for table in &ruleset.tables {
        let Some(universe) = family_packets(&space, table.family) else {
            continue;
        };
        for rule in table.chains.iter().flat_map(|c| c.rules.iter()) {
            let (footprint, exact) = Footprint::of(rule, table.family, &mut interfaces);
            let set = lower::rule_packets(&space, &mut interfaces, &universe, rule);
            if set.exact != exact {
                out.push(format!(
                    "exact: footprint says {exact}, packet set {}: {rule:?}",
                    set.exact
                ));
            }
            if footprint.exact
                && !set
                    .packets
                    .same_as(&lower::footprint_packets(&space, &footprint))
            {
                out.push(format!(
                    "exact footprint {footprint:?} is not the set of {rule:?}"
                ));
            }
        }
    }
    out
}
