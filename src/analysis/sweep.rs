//! The first-match sweep of one chain (DESIGN "Analysis", Batfish's filterLineReachability):
//! the rules in order, keeping the packets not yet decided. A rule none of whose packets is
//! still undecided when it is reached never matches: its packets were all decided before it.
//!
//! Ternary logic: a rule with an opaque match may or may not match, so it never decides a
//! packet for the rules after it, and its own packets are judged without the opaque match
//! (a superset of what it matches). A finding holds whatever every opaque match evaluates to.

use super::footprint::{
    hull, normalise, port_blocks, ports_within_block, Cube, Footprint, Intervals, DST_PORT,
    SRC_ADDR,
};
use super::lower::{footprint_packets, Lazy};
use super::packets::PacketSet;
use crate::model::Rule;
use rustc_hash::FxHasher;
use smallvec::SmallVec;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use thin_vec::ThinVec;

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
    Goto(Box<str>),
    /// A NAT statement, as written (`dnat to 10.0.0.1 port 80`): translated, then accepted.
    Nat(Box<str>),
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
            Decision::Nat(text) => text.to_string(),
        }
    }
}

/// One rule of the chain, as the sweep sees it.
#[derive(Clone, Debug)]
pub struct SweepRule<'m> {
    /// The rule as written: consecutive parts with the same id are one written rule (a verdict
    /// map split by verdict), judged together.
    pub id: usize,
    /// The model rule, made a packet set when first needed ([`SweepRule::packets`]).
    pub rule: &'m Rule,
    packets: OnceCell<PacketSet>,
    /// Whether it matches exactly its packets (no opaque match).
    pub exact: bool,
    /// What it does with them; `None` when the packet goes on in the chain (no verdict,
    /// `continue`, `jump`, which may come back).
    pub decision: Option<Decision>,
    /// The rule may change a header field the analysis models (`ip saddr set`, `notrack`, a
    /// jump to a chain that does) and pass the packet on.
    pub rewrites: bool,
    /// A jump: the target chain may decide the packet, or return it.
    pub jumps: bool,
    /// Where its packets may lie, for finding the earlier rules that can decide them; when
    /// exact, its packets themselves.
    pub footprint: Footprint,
    /// A jump: the packets of it its target chain surely decides, by verdict.
    pub jumped: ThinVec<(Decision, PacketSet)>,
}

impl<'m> SweepRule<'m> {
    pub fn new(id: usize, rule: &'m Rule, footprint: Footprint, exact: bool) -> SweepRule<'m> {
        SweepRule {
            id,
            rule,
            packets: OnceCell::new(),
            exact,
            decision: None,
            rewrites: false,
            jumps: false,
            footprint,
            jumped: ThinVec::new(),
        }
    }

    /// Every packet the rule may match (exactly those it matches when `exact`).
    pub fn packets(&self, lazy: &Lazy<'_>) -> &PacketSet {
        self.packets.get_or_init(|| {
            let set = lazy.rule_packets(self.rule);
            debug_assert_eq!(set.exact, self.exact, "exactness of {:?}", self.rule);
            debug_assert!(
                !self.footprint.exact
                    || set
                        .packets
                        .same_as(&footprint_packets(lazy.space, &self.footprint)),
                "an exact footprint that is not the rule's set: {:?}",
                self.rule
            );
            set.packets
        })
    }

    /// Whether the rule can match no packet.
    pub fn is_empty(&self, lazy: &Lazy<'_>) -> bool {
        if self.footprint.exact {
            self.footprint.is_empty()
        } else {
            self.packets(lazy).is_empty()
        }
    }

    /// Whether the rule matches every packet of the chain, known from its footprint alone.
    pub fn takes_everything(&self, families: u8) -> bool {
        self.footprint.exact && self.footprint.is_full(families)
    }
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
/// chain may cost, at least and per rule: a chain of many rules that all overlap would
/// otherwise cost their product. Past either, the rest of the chain gets no finding (never a
/// wrong one).
const SET_BUDGET: usize = 2_000_000;
const SETS_PER_RULE: usize = 20;
const LOOK_BUDGET: usize = 50_000_000;
const LOOKS_PER_RULE: usize = 1_000;

/// A rule whose set has at most this many BDD nodes, and no address or port bound, is kept in
/// one union to see when every packet is decided (PL203); the union stops growing past
/// [`WIDE_UNION_MAX`] nodes.
const WIDE_RULE_MAX: usize = 256;
const WIDE_UNION_MAX: usize = 20_000;

/// An earlier exact rule that decides what it matches.
struct Decider<'r> {
    id: usize,
    rule: &'r SweepRule<'r>,
    /// What a jump's target chain surely decides of it; `None`: the rule's whole set.
    portion: Option<&'r PacketSet>,
    decision: &'r Decision,
}

impl<'r> Decider<'r> {
    fn full(&self, lazy: &Lazy<'_>) -> &'r PacketSet {
        match self.portion {
            Some(portion) => portion,
            None => self.rule.packets(lazy),
        }
    }

    fn footprint(&self) -> &'r Footprint {
        &self.rule.footprint
    }

    /// Its footprint is the set it decides.
    fn box_exact(&self) -> bool {
        self.portion.is_none() && self.rule.footprint.exact
    }
}

/// Source-address blocks, as prefix lengths of the 128-bit address field: an IPv4 address is
/// a number below 2^32, so its /8, /16 and /24 are the last three.
const LEVELS: [u32; 7] = [16, 32, 48, 64, 104, 112, 120];

/// What the index looks at first, dense and apart from the deciders: most earlier rules are
/// ruled out by their protocol or destination ports without reading their footprint.
#[derive(Clone, Copy)]
struct Sketch {
    bits: [u8; 3],
    /// Bit `b`: some destination port of the rule lies in `b * 1024 .. (b + 1) * 1024`.
    dports: u64,
    saddr: (u128, u128),
    /// A decider's: its footprint is the set it decides ([`Decider::box_exact`]).
    box_exact: bool,
}

impl Sketch {
    fn of(footprint: &Footprint) -> Sketch {
        Sketch {
            bits: [footprint.family, footprint.l4, footprint.conntrack],
            dports: footprint.dport_blocks(),
            saddr: footprint.saddr_hull().unwrap_or((0, u128::MAX)),
            box_exact: false,
        }
    }

    fn of_cube(cube: &Cube) -> Sketch {
        Sketch {
            bits: [cube.family, cube.l4, cube.conntrack],
            dports: port_blocks(cube.dim(DST_PORT)),
            saddr: cube.dim(SRC_ADDR).and_then(hull).unwrap_or((0, u128::MAX)),
            box_exact: false,
        }
    }

    #[inline]
    fn meets(&self, other: &Sketch) -> bool {
        self.bits[0] & other.bits[0] != 0
            && self.bits[1] & other.bits[1] != 0
            && self.bits[2] & other.bits[2] != 0
            && self.dports & other.dports != 0
            && self.saddr.0.max(other.saddr.0) <= self.saddr.1.min(other.saddr.1)
    }
}

/// A decider in a list of the index, with what rules most of them out kept in place, so that
/// a scan of a long list reads it in order. Eight bytes: a long chain files a decider in a few
/// lists each.
#[derive(Clone, Copy)]
struct Entry {
    at: u32,
    /// The decider's destination ports as the list sees them ([`ports_in_list`]).
    ports: u32,
}

/// A footprint's destination ports as list `list` sees them: in the list of a block of 1,024
/// ports, which 32-port pieces of that block they meet; in the list [`ANY_PORT`], which pairs
/// of blocks. A rule and a decider whose ports meet have a port in a list both are read for,
/// and the same bit set for that list: testing the bits never drops a decider that meets the
/// rule, and tells apart most that only share a block (on a million rules, a block holds
/// thousands).
fn ports_in_list(dports: Option<&[(u128, u128)]>, list: u32) -> u32 {
    if list == ANY_PORT {
        let blocks = port_blocks(dports);
        (0..32).fold(0, |bits, pair| {
            if blocks & (0b11 << (2 * pair)) != 0 {
                bits | 1 << pair
            } else {
                bits
            }
        })
    } else {
        ports_within_block(dports, list)
    }
}

/// The levels of [`LEVELS`] that can tell IPv4 addresses apart: above them, every IPv4 address
/// is in block 0.
const FIRST_V4_LEVEL: usize = 4;

/// Whether a hull lies where IPv4 addresses do.
fn v4_like(hull: (u128, u128)) -> bool {
    hull.1 <= u128::from(u32::MAX)
}

/// The lists of one (level, block) are split by destination-port block ([`Sketch::dports`]):
/// a decider is in the list of each block its ports meet, or, when they meet all of them, in
/// the list [`ANY_PORT`]. A rule then reads only the lists of its own port blocks, and a long
/// chain of rules with random ports stays linear.
const ANY_PORT: u32 = 64;

/// The port lists a decider with port blocks `dports` is in.
fn port_lists(dports: u64) -> SmallVec<[u32; 8]> {
    if dports == u64::MAX {
        return SmallVec::from_slice(&[ANY_PORT]);
    }
    (0..64).filter(|b| dports & (1 << b) != 0).collect()
}

/// The port lists a rule with port blocks `dports` reads.
fn lists_to_read(dports: u64) -> SmallVec<[u32; 8]> {
    if dports == u64::MAX {
        return (0..=ANY_PORT).collect();
    }
    let mut lists = port_lists(dports);
    lists.push(ANY_PORT);
    lists
}

/// (level, block, port list) as one key: a block of a level has at most 120 bits.
fn key(level: usize, block: u128, port_list: u32) -> Key {
    let key = ((level as u128) << 124) | (u128::from(port_list) << 120) | block;
    [(key >> 64) as u64, key as u64]
}

/// A key in two halves: a `u128` would be aligned to 16 bytes, and pad every slot of the maps.
type Key = [u64; 2];

/// Most lists hold one decider (a /24 of its own): kept inline, without an allocation.
type Lists = HashMap<Key, SmallVec<[Entry; 1]>, BuildHasherDefault<FxHasher>>;

/// The earlier deciders of a chain, indexed by the source-address block their footprint lies
/// in and by their destination-port blocks, so that a rule looks only at those that can meet
/// it.
#[derive(Default)]
struct Index<'r> {
    deciders: Vec<Decider<'r>>,
    sketches: Vec<Sketch>,
    /// Every decider, by port list.
    all: Lists,
    /// Deciders with no source-address bound that fits a block, by port list.
    wide: Lists,
    /// Deciders whose finest block is (level, block).
    exact: Lists,
    /// Deciders whose footprint lies in (level, block), at that level or a finer one (an
    /// IPv4-like one only from [`FIRST_V4_LEVEL`] on: above, the list would be all of them).
    within: Lists,
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
        let mut sketch = Sketch::of(decider.footprint());
        sketch.box_exact = decider.box_exact();
        let dports = decider.footprint().dim(DST_PORT);
        let entry = |list: u32| Entry {
            at,
            ports: ports_in_list(dports, list),
        };
        let hull = decider.footprint().saddr_hull();
        let (finest, blocks) = blocks(hull);
        let skip = if hull.is_some_and(v4_like) {
            FIRST_V4_LEVEL
        } else {
            0
        };
        let push = |lists: &mut Lists, key: Key, list: u32| {
            lists.entry(key).or_default().push(entry(list));
        };
        let ports = port_lists(sketch.dports);
        for &list in &ports {
            push(&mut self.all, key(0, 0, list), list);
        }
        if finest == 0 {
            for &list in &ports {
                push(&mut self.wide, key(0, 0, list), list);
            }
        } else {
            self.push_at(finest - 1, blocks[finest - 1], &ports, &entry, true);
            for (level, block) in blocks.iter().enumerate().take(finest).skip(skip) {
                self.push_at(level, *block, &ports, &entry, false);
            }
        }
        self.sketches.push(sketch);
        self.deciders.push(decider);
    }

    /// Files a decider under (level, block) of the lists `exact` or `within`: by port list at
    /// the coarse levels, whose lists grow with the chain; in one list at the fine ones.
    fn push_at(
        &mut self,
        level: usize,
        block: u128,
        ports: &[u32],
        entry: &impl Fn(u32) -> Entry,
        exact: bool,
    ) {
        let lists = if exact {
            &mut self.exact
        } else {
            &mut self.within
        };
        if level > FIRST_V4_LEVEL {
            lists
                .entry(key(level, block, ANY_PORT))
                .or_default()
                .push(entry(ANY_PORT));
            return;
        }
        for &list in ports {
            lists
                .entry(key(level, block, list))
                .or_default()
                .push(entry(list));
        }
    }

    /// The deciders whose footprint may meet `footprint`, in chain order: every one that does,
    /// and some that do not (their sketch meets it), which the caller tells apart when it must.
    fn candidates(&self, footprint: &Footprint, looks: &mut usize) -> Vec<u32> {
        let hull = footprint.saddr_hull();
        let (finest, blocks) = blocks(hull);
        let sketch = Sketch::of(footprint);
        let dports = footprint.dim(DST_PORT);
        let read = lists_to_read(sketch.dports);
        let mut out: Vec<u32> = Vec::new();
        let one_list: [u32; 1] = [ANY_PORT];
        let mut take = |lists: &Lists, level: usize, block: u128, out: &mut Vec<u32>| {
            // The fine levels' lists are not split by port ([`Index::push_at`]).
            let read: &[u32] = if level > FIRST_V4_LEVEL {
                &one_list
            } else {
                &read
            };
            for &list in read {
                let Some(entries) = lists.get(&key(level, block, list)) else {
                    continue;
                };
                *looks = looks.saturating_sub(entries.len());
                let ports = ports_in_list(dports, list);
                out.extend(
                    entries
                        .iter()
                        .filter(|e| e.ports & ports != 0)
                        .map(|e| e.at)
                        .filter(|&at| self.sketches[at as usize].meets(&sketch)),
                );
            }
        };
        // A rule with no block of its own, or one whose block's list leaves out the IPv4-like
        // deciders it may meet: every decider is looked at.
        let whole = finest == 0
            || (finest - 1 < FIRST_V4_LEVEL
                && hull.is_some_and(|(lo, _)| lo <= u128::from(u32::MAX)));
        if whole {
            take(&self.all, 0, 0, &mut out);
        } else {
            take(&self.wide, 0, 0, &mut out);
            for (level, block) in blocks.iter().enumerate().take(finest - 1) {
                take(&self.exact, level, *block, &mut out);
            }
            take(&self.within, finest - 1, blocks[finest - 1], &mut out);
        }
        // A decider of several port blocks is in several lists.
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Sweep `rules` (in chain order) over the packets that enter the chain (`lazy.universe`,
/// of the families `families`).
pub fn sweep(lazy: &Lazy<'_>, families: u8, rules: &[SweepRule<'_>]) -> Vec<Finding> {
    let universe = lazy.universe;
    let mut findings = Vec::new();
    let mut index = Index::default();
    let mut wide_union = lazy.space.none();
    let mut sets = SET_BUDGET.max(SETS_PER_RULE.saturating_mul(rules.len()));
    let mut looks = LOOK_BUDGET.max(LOOKS_PER_RULE.saturating_mul(rules.len()));
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
        let matchable = parts.iter().any(|p| !p.is_empty(lazy));
        if let Some(after) = everything_decided_by {
            if matchable {
                findings.push(Finding::Unreachable { id, after });
            }
            continue;
        }
        let deciders = if matchable {
            first_deciders(lazy, &index, parts, &mut sets, &mut looks)
        } else {
            None
        };
        if let Some(deciders) = &deciders {
            findings.push(classify(lazy, id, parts, deciders, &mut sets));
        }
        // A packet the rule changed and passed on may be any packet now: the rules after it
        // are judged as if the chain started there.
        if parts
            .iter()
            .any(|p| p.rewrites && !(p.exact && p.decision.is_some()))
        {
            index.clear();
            wide_union = lazy.space.none();
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
                    rule: part,
                    portion: Some(packets),
                    decision,
                });
            }
            let (true, Some(decision)) = (part.exact, &part.decision) else {
                continue;
            };
            if part.is_empty(lazy) {
                continue;
            }
            if part.takes_everything(families) {
                everything_decided_by = Some(id);
            } else if part.footprint.is_wide()
                && wide_union.size() <= WIDE_UNION_MAX
                && part.packets(lazy).size() <= WIDE_RULE_MAX
            {
                // Wide rules together may decide everything (`ct state established accept`,
                // then `ct state new,invalid,untracked drop`).
                wide_union = wide_union.union(part.packets(lazy));
                sets = sets.saturating_sub(1);
                if universe.is_subset(&wide_union) {
                    everything_decided_by = Some(id);
                }
            }
            index.insert(Decider {
                id,
                rule: part,
                portion: None,
                decision,
            });
        }
    }
    findings
}

/// How many packets of a rule are tried against the earlier rules before the exact search,
/// when the rule's footprint is not its set: a packet of it that no earlier decider holds
/// shows it is reachable at the cost of a lookup per candidate, where subtracting every
/// candidate from it would grow a set as large as all of them (a catch-all at the end of
/// 100,000 rules).
const PROBES: usize = 8;

/// How many boxes [`reachable_by_boxes`] may split a rule's box into before it leaves the
/// question to the packet sets: at least, and per candidate (each that meets a box cuts it in
/// a few).
const BOX_STEPS: usize = 64;
const BOX_STEPS_PER_CANDIDATE: usize = 8;

/// When earlier rules decide every packet of the written rule `parts`: each earlier rule that
/// is the first to decide some of them, with how many (in chain order). `None` when some packet
/// of it is left undecided (or the budget ran out).
fn first_deciders<'a, 'r>(
    lazy: &Lazy<'_>,
    index: &'a Index<'r>,
    parts: &[SweepRule<'_>],
    sets: &mut usize,
    looks: &mut usize,
) -> Option<Vec<(f64, &'a Decider<'r>)>> {
    // First the cheap proofs that a packet of some part is undecided, part by part; only a
    // rule none of them shows reachable, and whose boxes do not tell who decides what, gets
    // packet sets.
    let mut searched = Vec::with_capacity(parts.len());
    for part in parts {
        if part.is_empty(lazy) {
            searched.push((Vec::new(), None));
            continue;
        }
        let candidates = index.candidates(&part.footprint, looks);
        let firsts = if part.footprint.exact {
            match reachable_by_boxes(lazy, index, part, &candidates, looks) {
                BoxSearch::Reachable => return None,
                BoxSearch::Covered(firsts) => firsts,
                BoxSearch::Unsure => None,
            }
        } else if probes_all_decided(lazy, index, part.packets(lazy), &candidates, sets, looks) {
            None
        } else {
            return None;
        };
        searched.push((candidates, firsts));
    }
    let mut found: Vec<(f64, &Decider<'r>)> = Vec::new();
    let mut add = |share: f64, decider: &'a Decider<'r>| match found
        .iter_mut()
        .find(|(_, d)| d.id == decider.id && d.decision == decider.decision)
    {
        Some(entry) => entry.0 += share,
        None => found.push((share, decider)),
    };
    for (part, (candidates, firsts)) in parts.iter().zip(searched) {
        if part.is_empty(lazy) {
            continue;
        }
        if let Some(mut firsts) = firsts {
            // In chain order, as the packet sets below would find them.
            firsts.sort_by_key(|(k, _)| *k);
            for (k, share) in firsts {
                if let Some(&at) = candidates.get(k) {
                    add(share, &index.deciders[at as usize]);
                }
            }
            continue;
        }
        let mut left = part.packets(lazy).clone();
        for at in candidates {
            if *sets < 2 {
                *sets = 0;
                return None;
            }
            let decider = &index.deciders[at as usize];
            if !decider.footprint().overlaps(&part.footprint) {
                continue;
            }
            *sets -= 2;
            let taken = left.intersect(decider.full(lazy));
            if taken.is_empty() {
                continue;
            }
            add(taken.cardinality(), decider);
            left = left.minus(decider.full(lazy));
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

/// What splitting a rule's box along the candidates' boxes found.
enum BoxSearch {
    /// A packet of the rule that no candidate decides.
    Reachable,
    /// Every packet is decided; when every candidate that may meet the rule is box-exact,
    /// with the packets each candidate (by position in the list) decides first.
    Covered(Option<Vec<(usize, f64)>>),
    /// Too many pieces, or a decider whose box is more than its set holds the packet found:
    /// the packet sets must say.
    Unsure,
}

/// Whether some packet of `part` (whose footprint is its set) lies in none of the deciders
/// `candidates`, found by splitting its box along theirs.
fn reachable_by_boxes(
    lazy: &Lazy<'_>,
    index: &Index<'_>,
    part: &SweepRule<'_>,
    candidates: &[u32],
    looks: &mut usize,
) -> BoxSearch {
    let decider = |at: &u32| &index.deciders[*at as usize];
    // Each cube with the first candidate it may still meet: the pieces of a cube cut by a
    // candidate lie outside it, and the cube met none before it. The part inside is the
    // candidate's to decide first, unless a decider whose box is not its set, skipped here,
    // comes before it.
    let all_exact = candidates
        .iter()
        .map(decider)
        .all(|d| d.box_exact() || !d.footprint().overlaps(&part.footprint));
    let mut firsts: Vec<(usize, f64)> = Vec::new();
    let mut stack: Vec<(Cube, usize)> = vec![(part.footprint.cube(), 0)];
    let mut steps = 0;
    let mut unsure = false;
    while let Some((cube, from)) = stack.pop() {
        steps += 1;
        if steps > BOX_STEPS + BOX_STEPS_PER_CANDIDATE * candidates.len() {
            return BoxSearch::Unsure;
        }
        *looks = looks.saturating_sub(candidates.len() - from.min(candidates.len()));
        // The dense sketches first: the footprints are read only for those that pass.
        let sketch = Sketch::of_cube(&cube);
        let next = candidates.iter().enumerate().skip(from).find(|(_, at)| {
            let theirs = &index.sketches[**at as usize];
            theirs.box_exact && theirs.meets(&sketch) && cube.meets(decider(at).footprint())
        });
        if let Some((k, at)) = next {
            let footprint = decider(at).footprint();
            match cube.minus(footprint) {
                Some(pieces) => {
                    if all_exact {
                        firsts.push((k, cube.within(footprint).cardinality()));
                    }
                    stack.extend(pieces.into_iter().map(|piece| (piece, k + 1)));
                }
                None => unsure = true,
            }
            continue;
        }
        // No box-exact decider meets the cube: one packet of it is undecided unless a decider
        // whose box is more than its set holds it.
        let packet = cube.witness();
        let mut inexact = candidates
            .iter()
            .map(decider)
            .filter(|d| !d.box_exact() && d.footprint().contains(&packet))
            .peekable();
        let held = inexact.peek().is_some() && {
            let point = lazy.space.point(&packet);
            inexact.any(|d| point.is_in(d.full(lazy)))
        };
        if !held {
            return BoxSearch::Reachable;
        }
        unsure = true;
    }
    if unsure {
        BoxSearch::Unsure
    } else {
        BoxSearch::Covered(all_exact.then_some(firsts))
    }
}

/// Whether packets drawn from `packets` all lie in some candidate: `false` as soon as one lies
/// in none (then the rule is reachable); `true` when the probes found no such packet, and the
/// exact search must say.
fn probes_all_decided(
    lazy: &Lazy<'_>,
    index: &Index<'_>,
    packets: &PacketSet,
    candidates: &[u32],
    sets: &mut usize,
    looks: &mut usize,
) -> bool {
    let mut probe = packets.clone();
    for _ in 0..PROBES {
        let Some(packet) = lazy.space.witness(&probe) else {
            return true;
        };
        *looks = looks.saturating_sub(candidates.len());
        let holder = candidates
            .iter()
            .map(|&at| &index.deciders[at as usize])
            .find(|d| {
                // A footprint holds its rule's packets: outside it, the packet is not the
                // decider's; inside an exact one, it is.
                d.footprint().contains(&packet)
                    && (d.box_exact() || lazy.space.point(&packet).is_in(d.full(lazy)))
            });
        let Some(holder) = holder else {
            return false;
        };
        *sets = sets.saturating_sub(1);
        probe = probe.minus(holder.full(lazy));
    }
    true
}

/// The finding for a written rule all of whose packets `deciders` decide first.
fn classify(
    lazy: &Lazy<'_>,
    id: usize,
    parts: &[SweepRule<'_>],
    deciders: &[(f64, &Decider<'_>)],
    sets: &mut usize,
) -> Finding {
    let mine = |decision: &Decision| parts.iter().all(|p| p.decision.as_ref() == Some(decision));
    let same = deciders.iter().all(|(_, d)| mine(d.decision));
    let mut covering = greedy_cover(lazy, parts, deciders, sets);
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

/// Above this many rules that take packets, a chain's fall-through is not built from their
/// packet sets: the union of 3,000 rules' sets costs a third of a second, of 100,000 twenty
/// seconds (a long chain with an accepting policy and no catch-all).
pub const EXACT_FALL_THROUGH_RULES: usize = 2_000;

/// The packets of a chain that surely reach its end, and whether they are only some of them.
pub struct FallThrough {
    pub packets: PacketSet,
    /// Built from the rules' footprints widened to every address (the chain had more than
    /// [`EXACT_FALL_THROUGH_RULES`] rules that take packets): every packet of it falls
    /// through, but so may packets outside it.
    pub partial: bool,
}

/// The packets of the chain that surely reach its end (its policy, or the return to its
/// caller) unchanged: those no rule that decides, jumps or rewrites may match, whatever every
/// opaque match evaluates to. (An exact `return` counts as taking its packets: what it returns
/// is not claimed to fall through.)
pub fn falls_through(lazy: &Lazy<'_>, families: u8, rules: &[SweepRule<'_>]) -> FallThrough {
    falls_through_with(lazy, families, rules, EXACT_FALL_THROUGH_RULES)
}

/// [`falls_through`], exact for chains of at most `exact_up_to` rules that take packets
/// (tests compare the two ways on the same chains).
pub fn falls_through_with(
    lazy: &Lazy<'_>,
    families: u8,
    rules: &[SweepRule<'_>],
    exact_up_to: usize,
) -> FallThrough {
    let exact = |packets| FallThrough {
        packets,
        partial: false,
    };
    let taking: Vec<&SweepRule<'_>> = rules
        .iter()
        .filter(|r| r.decision.is_some() || r.rewrites || r.jumps)
        .collect();
    // A catch-all (`counter drop` at the end) leaves nothing: seen from its footprint, or at
    // the cost of a test per rule.
    if taking.iter().any(|r| r.takes_everything(families)) {
        return exact(lazy.space.none());
    }
    if taking.len() > exact_up_to {
        return widened_fall_through(lazy, &taking);
    }
    let sets: Vec<&PacketSet> = taking.iter().map(|r| r.packets(lazy)).collect();
    if sets.iter().any(|set| lazy.universe.is_subset(set)) {
        return exact(lazy.space.none());
    }
    let taken = lazy
        .space
        .union_of(&sets, &|set: &&PacketSet| (*set).clone());
    exact(lazy.universe.minus(&taken))
}

/// What surely falls through a long chain, from each taking rule's footprint with its
/// address bounds dropped: a box that holds every packet the rule may take, so what lies
/// outside all of them falls through. Boxes that differ only in their destination ports (a
/// long chain's rules mostly differ in addresses and ports) are one box, of the union of
/// their ports: a few packet sets, however long the chain.
fn widened_fall_through(lazy: &Lazy<'_>, taking: &[&SweepRule<'_>]) -> FallThrough {
    // Fx hashing: the same boxes in the same order on every run.
    let mut ports_by_box: HashMap<Footprint, Option<Intervals>, BuildHasherDefault<FxHasher>> =
        HashMap::default();
    for rule in taking {
        let (widened, dports) = rule.footprint.without_addresses();
        let ports = ports_by_box
            .entry(widened)
            .or_insert_with(|| Some(Intervals::new()));
        match (ports.as_mut(), dports) {
            (Some(ports), Some(dports)) => ports.extend_from_slice(dports),
            _ => *ports = None,
        }
    }
    let boxes: Vec<Footprint> = ports_by_box
        .into_iter()
        .map(|(widened, ports)| {
            let mut cube = widened.cube();
            cube.dims[DST_PORT] = ports.map(normalise);
            cube.footprint(false)
        })
        .collect();
    let taken = lazy
        .space
        .union_of(&boxes, &|b: &Footprint| footprint_packets(lazy.space, b));
    FallThrough {
        packets: lazy.universe.minus(&taken),
        partial: true,
    }
}

/// A small set of rules whose whole sets together hold every packet of `parts`: greedily the
/// rule matching most of what is left, for the first [`MAX_COVERING`] picks; then the other
/// deciders by the share they decided. On boxes when every set is its box, else on packet sets.
fn greedy_cover(
    lazy: &Lazy<'_>,
    parts: &[SweepRule<'_>],
    deciders: &[(f64, &Decider<'_>)],
    sets: &mut usize,
) -> Vec<usize> {
    let boxes =
        parts.iter().all(|p| p.footprint.exact) && deciders.iter().all(|(_, d)| d.box_exact());
    if boxes {
        let cubes = parts.iter().map(|p| p.footprint.cube()).collect();
        let cover = greedy_cover_of(
            deciders,
            sets,
            cubes,
            |c: &Cube| c.is_empty(),
            |c, d| {
                if c.meets(d.footprint()) {
                    c.within(d.footprint()).cardinality()
                } else {
                    0.0
                }
            },
            |c, d| c.minus(d.footprint()),
        );
        // `None`: a cube could not be split (an address in a cube of both families).
        if let Some(cover) = cover {
            return cover;
        }
    }
    let left = parts.iter().map(|p| p.packets(lazy).clone()).collect();
    greedy_cover_of(
        deciders,
        sets,
        left,
        PacketSet::is_empty,
        |l, d| l.intersect(d.full(lazy)).cardinality(),
        |l, d| Some(vec![l.minus(d.full(lazy))]),
    )
    .unwrap_or_default()
}

/// [`greedy_cover`] on what is left of the rule as pieces of type `L`: `gain` counts a
/// decider's packets in a piece, `remove` takes them out (`None`: it cannot).
fn greedy_cover_of<L>(
    deciders: &[(f64, &Decider<'_>)],
    sets: &mut usize,
    mut left: Vec<L>,
    is_empty: impl Fn(&L) -> bool,
    gain: impl Fn(&L, &Decider<'_>) -> f64,
    remove: impl Fn(&L, &Decider<'_>) -> Option<Vec<L>>,
) -> Option<Vec<usize>> {
    left.retain(|l| !is_empty(l));
    let mut chosen: Vec<usize> = Vec::new();
    let mut seen = HashSet::new();
    while !left.is_empty() && chosen.len() < MAX_COVERING {
        let cost = deciders.len() * left.len();
        if cost > *sets {
            break;
        }
        *sets -= cost;
        let best = deciders
            .iter()
            .filter(|(_, d)| !seen.contains(&d.id))
            .map(|(_, d)| (left.iter().map(|l| gain(l, d)).sum::<f64>(), d))
            .filter(|(gain, _)| *gain > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.id.cmp(&a.1.id)));
        let Some((_, best)) = best else {
            break;
        };
        seen.insert(best.id);
        chosen.push(best.id);
        let mut rest = Vec::new();
        for l in &left {
            rest.extend(remove(l, best)?);
        }
        rest.retain(|l| !is_empty(l));
        left = rest;
    }
    if !left.is_empty() {
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
    Some(chosen)
}
