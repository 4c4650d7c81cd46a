//! The first-match sweep of one chain (DESIGN "Analysis", Batfish's filterLineReachability):
//! the rules in order, keeping the packets not yet decided. A rule none of whose packets is
//! still undecided when it is reached never matches: its packets were all decided before it.
//!
//! Ternary logic: a rule with an opaque match may or may not match, so it never decides a
//! packet for the rules after it, and its own packets are judged without the opaque match
//! (a superset of what it matches). A finding holds whatever every opaque match evaluates to.

use super::footprint::Footprint;
use super::packets::{PacketSet, Space};
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
    /// Where its packets may lie, for finding the earlier rules that can decide them.
    pub footprint: Footprint,
    /// A jump: the packets of it its target chain surely decides, by verdict.
    pub jumped: Vec<(Decision, PacketSet)>,
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

/// At most this many rules are named as covering a rule; the message counts the others.
pub const MAX_COVERING: usize = 8;

/// How many packet-set operations, and how many looks at an earlier rule, the sweep of one
/// chain may cost: a chain of many rules that all overlap would otherwise cost their product.
/// Past either, the rest of the chain gets no finding (never a wrong one).
const SET_BUDGET: usize = 2_000_000;
const LOOK_BUDGET: usize = 50_000_000;

/// A rule whose set has at most this many BDD nodes, and no address or port bound, is kept in
/// one union to see when every packet is decided (PL203); the union stops growing past
/// [`WIDE_UNION_MAX`] nodes.
const WIDE_RULE_MAX: usize = 256;
const WIDE_UNION_MAX: usize = 20_000;

/// An earlier exact rule that decides what it matches.
struct Decider<'r> {
    id: usize,
    full: &'r PacketSet,
    decision: &'r Decision,
    footprint: &'r Footprint,
}

/// Source-address blocks, as prefix lengths of the 128-bit address field: an IPv4 address is
/// a number below 2^32, so its /8, /16 and /24 are the last three.
const LEVELS: [u32; 7] = [16, 32, 48, 64, 104, 112, 120];

/// The earlier deciders of a chain, indexed by the source-address block their footprint lies
/// in, so that a rule looks only at those that can meet it.
#[derive(Default)]
struct Index<'r> {
    deciders: Vec<Decider<'r>>,
    /// Deciders with no source-address bound that fits a block.
    wide: Vec<u32>,
    /// Deciders whose finest block is (level, block).
    exact: HashMap<(usize, u128), Vec<u32>>,
    /// Deciders whose footprint lies in (level, block), at that level or a finer one.
    within: HashMap<(usize, u128), Vec<u32>>,
}

/// The finest level whose block holds the whole hull, and the hull's block at each level.
fn blocks(hull: Option<(u128, u128)>) -> (usize, [u128; LEVELS.len()]) {
    let mut out = [0u128; LEVELS.len()];
    let Some((lo, hi)) = hull else {
        return (0, out);
    };
    let mut finest = 0;
    for (level, bits) in LEVELS.iter().enumerate() {
        let shift = 128 - bits;
        if lo >> shift != hi >> shift {
            break;
        }
        out[level] = lo >> shift;
        finest = level + 1;
    }
    (finest, out)
}

impl<'r> Index<'r> {
    fn clear(&mut self) {
        *self = Index::default();
    }

    fn insert(&mut self, decider: Decider<'r>) {
        let at = self.deciders.len() as u32;
        let (finest, blocks) = blocks(decider.footprint.saddr_hull());
        if finest == 0 {
            self.wide.push(at);
        } else {
            self.exact
                .entry((finest - 1, blocks[finest - 1]))
                .or_default()
                .push(at);
            for (level, block) in blocks.iter().enumerate().take(finest) {
                self.within.entry((level, *block)).or_default().push(at);
            }
        }
        self.deciders.push(decider);
    }

    /// The deciders whose footprint meets `footprint`, in chain order.
    fn candidates(&self, footprint: &Footprint, looks: &mut usize) -> Vec<u32> {
        let (finest, blocks) = blocks(footprint.saddr_hull());
        let mut out: Vec<u32> = Vec::new();
        let mut take = |list: &[u32], out: &mut Vec<u32>| {
            *looks = looks.saturating_sub(list.len());
            out.extend(
                list.iter()
                    .copied()
                    .filter(|&i| self.deciders[i as usize].footprint.overlaps(footprint)),
            );
        };
        if finest == 0 {
            let all: Vec<u32> = (0..self.deciders.len() as u32).collect();
            take(&all, &mut out);
            return out;
        }
        take(&self.wide, &mut out);
        for (level, block) in blocks.iter().enumerate().take(finest - 1) {
            if let Some(list) = self.exact.get(&(level, *block)) {
                take(list, &mut out);
            }
        }
        if let Some(list) = self.within.get(&(finest - 1, blocks[finest - 1])) {
            take(list, &mut out);
        }
        out.sort_unstable();
        out
    }
}

/// Sweep `rules` (in chain order) over `universe`, the packets that enter the chain.
pub fn sweep(space: &Space, universe: &PacketSet, rules: &[SweepRule]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut index = Index::default();
    let mut wide_union = universe.minus(universe);
    let mut sets = SET_BUDGET;
    let mut looks = LOOK_BUDGET;
    let mut everything_decided_by: Option<usize> = None;
    let mut start = 0;
    while start < rules.len() {
        if sets == 0 || looks == 0 {
            break;
        }
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
        let deciders = if matchable {
            first_deciders(space, &index, parts, &mut sets, &mut looks)
        } else {
            None
        };
        if let Some(deciders) = &deciders {
            findings.push(classify(id, parts, deciders, &mut sets));
        }
        // A packet the rule changed and passed on may be any packet now: the rules after it
        // are judged as if the chain started there.
        if parts
            .iter()
            .any(|p| p.rewrites && !(p.exact && p.decision.is_some()))
        {
            index.clear();
            wide_union = universe.minus(universe);
            continue;
        }
        if deciders.is_some() {
            // It decides nothing the rules before it did not.
            continue;
        }
        for part in parts {
            for (decision, packets) in &part.jumped {
                index.insert(Decider {
                    id,
                    full: packets,
                    decision,
                    footprint: &part.footprint,
                });
            }
            let (true, Some(decision)) = (part.exact, &part.decision) else {
                continue;
            };
            if part.packets.is_empty() {
                continue;
            }
            if part.footprint.is_wide()
                && part.packets.size() <= WIDE_RULE_MAX
                && wide_union.size() <= WIDE_UNION_MAX
            {
                wide_union = wide_union.union(&part.packets);
                sets = sets.saturating_sub(1);
            }
            index.insert(Decider {
                id,
                full: &part.packets,
                decision,
                footprint: &part.footprint,
            });
        }
        if universe.is_subset(&wide_union) {
            everything_decided_by = Some(id);
        }
    }
    findings
}

/// How many packets of a rule are tried against the earlier rules before the exact search:
/// a packet of it that no earlier decider holds shows it is reachable at the cost of a lookup
/// per candidate, where subtracting every candidate from it would grow a set as large as all
/// of them (a catch-all at the end of 100,000 rules).
const PROBES: usize = 8;

/// When earlier rules decide every packet of the written rule `parts`: each earlier rule that
/// is the first to decide some of them, with how many (in chain order). `None` when some packet
/// of it is left undecided (or the budget ran out).
fn first_deciders<'a, 'r>(
    space: &Space,
    index: &'a Index<'r>,
    parts: &[SweepRule],
    sets: &mut usize,
    looks: &mut usize,
) -> Option<Vec<(f64, &'a Decider<'r>)>> {
    let mut found: Vec<(f64, &Decider<'r>)> = Vec::new();
    for part in parts {
        if part.packets.is_empty() {
            continue;
        }
        let candidates = index.candidates(&part.footprint, looks);
        if !probes_all_decided(space, index, &part.packets, &candidates, sets, looks) {
            return None;
        }
        let mut left = part.packets.clone();
        for at in candidates {
            if *sets < 2 {
                *sets = 0;
                return None;
            }
            *sets -= 2;
            let decider = &index.deciders[at as usize];
            let taken = left.intersect(decider.full);
            if taken.is_empty() {
                continue;
            }
            let share = taken.cardinality();
            match found
                .iter_mut()
                .find(|(_, d)| d.id == decider.id && d.decision == decider.decision)
            {
                Some(entry) => entry.0 += share,
                None => found.push((share, decider)),
            }
            left = left.minus(decider.full);
            if left.is_empty() {
                break;
            }
        }
        if !left.is_empty() {
            return None;
        }
    }
    Some(found)
}

/// Whether packets drawn from `packets` all lie in some candidate: `false` as soon as one lies
/// in none (then the rule is reachable); `true` when the probes found no such packet, and the
/// exact search must say.
fn probes_all_decided(
    space: &Space,
    index: &Index<'_>,
    packets: &PacketSet,
    candidates: &[u32],
    sets: &mut usize,
    looks: &mut usize,
) -> bool {
    let mut probe = packets.clone();
    for _ in 0..PROBES {
        let Some(packet) = space.witness(&probe) else {
            return true;
        };
        *looks = looks.saturating_sub(candidates.len());
        let point = space.point(&packet);
        let holder = candidates
            .iter()
            .map(|&at| &index.deciders[at as usize])
            .find(|d| point.is_in(d.full));
        let Some(holder) = holder else {
            return false;
        };
        *sets = sets.saturating_sub(1);
        probe = probe.minus(holder.full);
    }
    true
}

/// The finding for a written rule all of whose packets `deciders` decide first.
fn classify(
    id: usize,
    parts: &[SweepRule],
    deciders: &[(f64, &Decider<'_>)],
    sets: &mut usize,
) -> Finding {
    let mine = |decision: &Decision| parts.iter().all(|p| p.decision.as_ref() == Some(decision));
    let same = deciders.iter().all(|(_, d)| mine(d.decision));
    let mut covering = greedy_cover(parts, deciders, sets);
    // When the named ones all decide as this rule does, one that decides differently is put
    // first, so the reader sees why it is shadowed rather than redundant.
    if !same {
        let differs = |rule: &usize| {
            deciders
                .iter()
                .any(|(_, d)| d.id == *rule && !mine(d.decision))
        };
        if !covering.iter().take(MAX_COVERING).any(differs) {
            let other = deciders
                .iter()
                .filter(|(_, d)| !mine(d.decision))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.id.cmp(&a.1.id)))
                .map(|(_, d)| d.id);
            if let Some(other) = other {
                covering.retain(|r| *r != other);
                covering.insert(0, other);
            }
        }
    }
    if same {
        Finding::Redundant { id, covering }
    } else {
        Finding::Shadowed { id, covering }
    }
}

/// The packets of `universe` that surely reach the end of the chain (its policy, or the
/// return to its caller) unchanged: those no rule that decides, jumps or rewrites may match,
/// whatever every opaque match evaluates to. (An exact `return` counts as taking its packets:
/// what it returns is not claimed to fall through.)
pub fn falls_through(universe: &PacketSet, rules: &[SweepRule]) -> PacketSet {
    let taking: Vec<&PacketSet> = rules
        .iter()
        .filter(|r| r.decision.is_some() || r.rewrites || r.jumps)
        .map(|r| &r.packets)
        .collect();
    // A catch-all (`counter drop` at the end) leaves nothing, at the cost of a test per rule.
    if taking.iter().any(|set| universe.is_subset(set)) {
        return universe.minus(universe);
    }
    universe.minus(&union_of(universe, &taking))
}

/// The union of `sets`, pairwise in a balanced tree: each union then costs about the size of
/// its result, not of everything so far.
fn union_of(universe: &PacketSet, sets: &[&PacketSet]) -> PacketSet {
    match sets {
        [] => universe.minus(universe),
        [one] => (*one).clone(),
        _ => {
            let (left, right) = sets.split_at(sets.len() / 2);
            union_of(universe, left).union(&union_of(universe, right))
        }
    }
}

/// A small set of rules whose whole sets together hold every packet of `parts`: greedily the
/// rule matching most of what is left, for the first [`MAX_COVERING`] picks; then the other
/// deciders by the share they decided.
fn greedy_cover(
    parts: &[SweepRule],
    deciders: &[(f64, &Decider<'_>)],
    sets: &mut usize,
) -> Vec<usize> {
    let mut left: Vec<PacketSet> = parts.iter().map(|p| p.packets.clone()).collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut seen = HashSet::new();
    while left.iter().any(|l| !l.is_empty()) && chosen.len() < MAX_COVERING {
        let cost = deciders.len() * left.len();
        if cost > *sets {
            break;
        }
        *sets -= cost;
        let best = deciders
            .iter()
            .filter(|(_, d)| !seen.contains(&d.id))
            .map(|(_, d)| {
                let gain: f64 = left.iter().map(|l| l.intersect(d.full).cardinality()).sum();
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
            *l = l.minus(best.full);
        }
    }
    if left.iter().any(|l| !l.is_empty()) {
        let mut rest: Vec<&(f64, &Decider<'_>)> = deciders
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
