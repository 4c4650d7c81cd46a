//! The first-match sweep of one chain (DESIGN "Analysis", Batfish's filterLineReachability):
//! the rules in order, keeping the packets not yet decided. A rule none of whose packets is
//! still undecided when it is reached never matches: its packets were all decided before it.
//!
//! Ternary logic: a rule with an opaque match may or may not match, so it never decides a
//! packet for the rules after it, and its own packets are judged without the opaque match
//! (a superset of what it matches). A finding holds whatever every opaque match evaluates to.

use super::packets::PacketSet;
use std::collections::{HashMap, HashSet};

/// What a rule does with the packets it matches, for the rules after it in its chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    Accept,
    Drop,
    Reject,
    Queue,
    /// Back to the calling chain (in a base chain: the policy).
    Return,
    /// On to another chain, never to come back.
    Goto(String),
    /// A NAT statement, as written (`dnat to 10.0.0.1 port 80`): translated, then accepted.
    Nat(String),
}

impl Decision {
    pub fn describe(&self) -> String {
        match self {
            Decision::Accept => "accept".into(),
            Decision::Drop => "drop".into(),
            Decision::Reject => "reject".into(),
            Decision::Queue => "queue".into(),
            Decision::Return => "return".into(),
            Decision::Goto(chain) => format!("goto {chain}"),
            Decision::Nat(text) => text.clone(),
        }
    }
}

/// One rule of the chain, as the sweep sees it.
#[derive(Clone, Debug)]
pub struct SweepRule {
    /// The rule as written: consecutive parts with the same id are one written rule (a verdict
    /// map split by verdict), judged together.
    pub id: usize,
    /// Every packet the rule may match.
    pub packets: PacketSet,
    /// Whether it matches exactly `packets` (no opaque match).
    pub exact: bool,
    /// What it does with them; `None` when the packet goes on in the chain (no verdict,
    /// `continue`, `jump`, which may come back).
    pub decision: Option<Decision>,
    /// The rule may change a header field the analysis models (`ip saddr set`, `notrack`, a
    /// jump to a chain that does) and pass the packet on.
    pub rewrites: bool,
    /// A jump: the target chain may decide the packet, or return it.
    pub jumps: bool,
}

/// Why a written rule never matches a packet.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// Every packet it may match is decided before it, by `covering` (ids, largest overlap
    /// first), and at least one of them decides differently (or it has no verdict of its own).
    Shadowed { id: usize, covering: Vec<usize> },
    /// The same, every covering rule deciding as it does: removing it changes nothing.
    Redundant { id: usize, covering: Vec<usize> },
    /// An earlier rule, `after`, decides every packet that reaches it.
    Unreachable { id: usize, after: usize },
}

/// The packets an exact, deciding rule decided: what is left of its set when it is reached.
struct Decided {
    id: usize,
    /// What it decided (disjoint from every other entry's).
    packets: PacketSet,
    /// Everything it matches.
    full: PacketSet,
    /// It decided every packet it matches (`packets` is `full`).
    whole: bool,
    decision: Decision,
}

/// At most this many rules are named as covering a rule; the message counts the others.
pub const MAX_COVERING: usize = 8;

/// How many intersections the search for covering rules may cost in one chain, beyond the
/// exact-duplicate index: a chain of many shadowed rules over many deciding rules would
/// otherwise cost their product. Past it, a finding names no covering rules.
const COVERING_BUDGET: usize = 2_000_000;

/// A set's shape, as a key for finding exact duplicates in constant time.
fn shape(set: &PacketSet) -> (usize, u64) {
    (set.size(), set.cardinality().to_bits())
}

/// Sweep `rules` (in chain order) over `universe`, the packets that enter the chain.
pub fn sweep(universe: &PacketSet, rules: &[SweepRule]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut undecided = universe.clone();
    let mut decided: Vec<Decided> = Vec::new();
    let mut by_shape: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    let mut budget = COVERING_BUDGET;
    let mut everything_decided_by: Option<usize> = None;
    let mut start = 0;
    while start < rules.len() {
        let id = rules[start].id;
        let end = start + rules[start..].iter().take_while(|r| r.id == id).count();
        let parts = &rules[start..end];
        start = end;
        // A rule that can match no packet at all is a contradiction (its own check), not a
        // shadowed or unreachable rule.
        let matchable = parts.iter().any(|p| !p.packets.is_empty());
        if let Some(after) = everything_decided_by {
            if matchable {
                findings.push(Finding::Unreachable { id, after });
            }
            continue;
        }
        let reachable = parts.iter().any(|p| p.packets.overlaps(&undecided));
        if !reachable && matchable {
            let index = Covering {
                decided: &decided,
                by_shape: &by_shape,
            };
            findings.push(index.covered(id, parts, &mut budget));
        }
        for part in parts {
            if let (true, Some(decision)) = (part.exact, &part.decision) {
                let packets = part.packets.intersect(&undecided);
                if packets.is_empty() {
                    continue;
                }
                undecided = undecided.minus(&packets);
                let whole = part.packets.is_subset(&packets);
                if whole {
                    by_shape
                        .entry(shape(&part.packets))
                        .or_default()
                        .push(decided.len());
                }
                decided.push(Decided {
                    id,
                    packets,
                    full: part.packets.clone(),
                    whole,
                    decision: decision.clone(),
                });
            }
        }
        // A packet the rule changed and passed on may be any packet now: the rules after it
        // are judged as if the chain started there.
        if parts
            .iter()
            .any(|p| p.rewrites && !(p.exact && p.decision.is_some()))
        {
            undecided = universe.clone();
            decided.clear();
            by_shape.clear();
            continue;
        }
        if undecided.is_empty() && everything_decided_by.is_none() {
            everything_decided_by = Some(id);
        }
    }
    findings
}

/// What a chain surely does, whatever every opaque match evaluates to.
pub struct Outcome {
    /// Packets that reach the end of the chain (its policy, or the return to its caller)
    /// unchanged: no rule that may decide or change them matches them.
    pub falls_through: PacketSet,
    /// Packets an exact accept (or NAT) rule accepts, no rule before it able to take them.
    pub surely_accepted: PacketSet,
}

/// The packets of `universe` that surely fall through `rules`, and those surely accepted.
pub fn outcome(universe: &PacketSet, rules: &[SweepRule]) -> Outcome {
    let mut undecided = universe.clone();
    // Packets some earlier rule may have decided or changed (an opaque match, a jump).
    let mut maybe_taken = universe.minus(universe);
    let mut surely_accepted = maybe_taken.clone();
    // Packets an exact `return` sends to the chain's end as they are.
    let mut returned = maybe_taken.clone();
    for rule in rules {
        let reaching = rule.packets.intersect(&undecided);
        if reaching.is_empty() {
            continue;
        }
        let deciding = rule.decision.is_some() && !rule.rewrites;
        if rule.exact && deciding {
            match rule.decision {
                // A NAT statement accepts the packet it translates.
                Some(Decision::Accept | Decision::Nat(_)) => {
                    surely_accepted = surely_accepted.union(&reaching.minus(&maybe_taken));
                }
                Some(Decision::Return) => returned = returned.union(&reaching.minus(&maybe_taken)),
                _ => {}
            }
            undecided = undecided.minus(&reaching);
        } else if rule.decision.is_some() || rule.rewrites || rule.jumps {
            maybe_taken = maybe_taken.union(&reaching);
        }
    }
    Outcome {
        falls_through: undecided.minus(&maybe_taken).union(&returned),
        surely_accepted,
    }
}

/// The earlier deciding rules of a chain, for naming the ones that cover a rule.
struct Covering<'a> {
    decided: &'a [Decided],
    /// Entries whose rule decided all it matches, by the shape of what it matches.
    by_shape: &'a HashMap<(usize, u64), Vec<usize>>,
}

impl Covering<'_> {
    /// The finding for a written rule all of whose packets were decided before it.
    fn covered(&self, id: usize, parts: &[SweepRule], budget: &mut usize) -> Finding {
        let classify = |covering: Vec<usize>, same: bool| {
            if same {
                Finding::Redundant { id, covering }
            } else {
                Finding::Shadowed { id, covering }
            }
        };
        let mine =
            |decision: &Decision| parts.iter().all(|p| p.decision.as_ref() == Some(decision));
        // An exact duplicate of an earlier rule that decided everything it matches: that
        // rule alone decides every packet of this one.
        if let [part] = parts {
            let twin = self
                .by_shape
                .get(&shape(&part.packets))
                .and_then(|entries| {
                    entries
                        .iter()
                        .filter_map(|&e| self.decided.get(e))
                        .find(|d| {
                            d.whole
                                && part.packets.is_subset(&d.full)
                                && d.full.is_subset(&part.packets)
                        })
                });
            if let Some(twin) = twin {
                return classify(vec![twin.id], mine(&twin.decision));
            }
        }
        // Every rule that decided some packet of this one: the decided portions are disjoint
        // and together hold all its packets.
        let cost = self.decided.len() * parts.len();
        if cost > *budget {
            return Finding::Shadowed {
                id,
                covering: Vec::new(),
            };
        }
        *budget -= cost;
        let mut deciders: Vec<(f64, &Decided)> = Vec::new();
        for earlier in self.decided {
            let overlap: f64 = parts
                .iter()
                .map(|p| p.packets.intersect(&earlier.packets).cardinality())
                .sum();
            if overlap > 0.0 {
                deciders.push((overlap, earlier));
            }
        }
        let same = deciders.iter().all(|(_, d)| mine(&d.decision));
        let covering = greedy_cover(parts, &deciders, budget);
        let mut covering = covering;
        // When the named ones all decide as this rule does, one that decides differently is
        // put first, so the reader sees why it is shadowed rather than redundant.
        if !same {
            let differs = |rule: &usize| {
                deciders
                    .iter()
                    .any(|(_, d)| d.id == *rule && !mine(&d.decision))
            };
            if !covering.iter().take(MAX_COVERING).any(differs) {
                let other = deciders
                    .iter()
                    .filter(|(_, d)| !mine(&d.decision))
                    .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.id.cmp(&a.1.id)))
                    .map(|(_, d)| d.id);
                if let Some(other) = other {
                    covering.retain(|r| *r != other);
                    covering.insert(0, other);
                }
            }
        }
        classify(covering, same)
    }
}

/// A small set of rules whose whole sets together hold every packet of `parts`: greedily the
/// rule matching most of what is left, for the first [`MAX_COVERING`] picks; then the other
/// deciders by the share they decided.
fn greedy_cover(
    parts: &[SweepRule],
    deciders: &[(f64, &Decided)],
    budget: &mut usize,
) -> Vec<usize> {
    let mut left: Vec<PacketSet> = parts.iter().map(|p| p.packets.clone()).collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut seen = HashSet::new();
    while left.iter().any(|l| !l.is_empty()) && chosen.len() < MAX_COVERING {
        let cost = deciders.len() * left.len();
        if cost > *budget {
            break;
        }
        *budget -= cost;
        let best = deciders
            .iter()
            .filter(|(_, d)| !seen.contains(&d.id))
            .map(|(_, d)| {
                let gain: f64 = left
                    .iter()
                    .map(|l| l.intersect(&d.full).cardinality())
                    .sum();
                (gain, d)
            })
            .filter(|(gain, _)| *gain > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.id.cmp(&a.1.id)));
        let Some((_, best)) = best else {
            break;
        };
        seen.insert(best.id);
        chosen.push(best.id);
        for l in &mut left {
            *l = l.minus(&best.full);
        }
    }
    if left.iter().any(|l| !l.is_empty()) {
        let mut rest: Vec<&(f64, &Decided)> = deciders
            .iter()
            .filter(|(_, d)| !seen.contains(&d.id))
            .collect();
        rest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        for (_, d) in rest {
            if seen.insert(d.id) {
                chosen.push(d.id);
            }
        }
    }
    chosen
}
