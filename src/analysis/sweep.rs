//! The first-match sweep of one chain (DESIGN "Analysis", Batfish's filterLineReachability):
//! the rules in order, keeping the packets not yet decided. A rule none of whose packets is
//! still undecided when it is reached never matches: its packets were all decided before it.
//!
//! Ternary logic: a rule with an opaque match may or may not match, so it never decides a
//! packet for the rules after it, and its own packets are judged without the opaque match
//! (a superset of what it matches). A finding holds whatever every opaque match evaluates to.

use super::packets::PacketSet;

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
    packets: PacketSet,
    decision: Decision,
}

/// At most this many rules are named as covering a rule; the message counts the others.
pub const MAX_COVERING: usize = 8;

/// Sweep `rules` (in chain order) over `universe`, the packets that enter the chain.
pub fn sweep(universe: &PacketSet, rules: &[SweepRule]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut undecided = universe.clone();
    let mut decided: Vec<Decided> = Vec::new();
    let mut everything_decided_by: Option<usize> = None;
    let mut start = 0;
    while start < rules.len() {
        let id = rules[start].id;
        let end = start + rules[start..].iter().take_while(|r| r.id == id).count();
        let parts = &rules[start..end];
        start = end;
        if let Some(after) = everything_decided_by {
            findings.push(Finding::Unreachable { id, after });
            continue;
        }
        // A rule that can match no packet at all is a contradiction (its own check), not a
        // shadowed rule.
        let reachable = parts.iter().any(|p| p.packets.overlaps(&undecided));
        let matchable = parts.iter().any(|p| !p.packets.is_empty());
        if !reachable && matchable {
            findings.push(covered(id, parts, &decided));
        }
        for part in parts {
            if let (true, Some(decision)) = (part.exact, &part.decision) {
                let packets = part.packets.intersect(&undecided);
                if packets.is_empty() {
                    continue;
                }
                undecided = undecided.minus(&packets);
                decided.push(Decided {
                    id,
                    packets,
                    decision: decision.clone(),
                });
            }
        }
        if undecided.is_empty() && everything_decided_by.is_none() {
            everything_decided_by = Some(id);
        }
    }
    findings
}

/// The finding for a written rule all of whose packets were decided before it. The decided
/// portions are disjoint (a packet is decided once), so every portion that meets the rule's
/// packets is needed to cover them: the covering set is exactly those rules.
fn covered(id: usize, parts: &[SweepRule], decided: &[Decided]) -> Finding {
    let mut overlaps: Vec<(f64, usize, &Decision)> = Vec::new();
    for earlier in decided {
        let overlap: f64 = parts
            .iter()
            .map(|p| p.packets.intersect(&earlier.packets).cardinality())
            .sum();
        if overlap > 0.0 {
            overlaps.push((overlap, earlier.id, &earlier.decision));
        }
    }
    let same = parts.iter().all(|p| {
        p.decision
            .as_ref()
            .is_some_and(|mine| overlaps.iter().all(|(_, _, theirs)| *theirs == mine))
    });
    // Largest overlap first; ties in rule order. When the named ones all decide as this rule
    // does, one that decides differently is put first, so the reader sees why.
    overlaps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut seen = std::collections::HashSet::new();
    let mut covering: Vec<usize> = Vec::new();
    for (_, earlier, _) in &overlaps {
        if seen.insert(*earlier) {
            covering.push(*earlier);
        }
    }
    if !same {
        let differs = |earlier: &usize| {
            overlaps.iter().any(|(_, e, theirs)| {
                e == earlier && parts.iter().any(|p| p.decision.as_ref() != Some(*theirs))
            })
        };
        let shown_differs = covering.iter().take(MAX_COVERING).any(differs);
        if !shown_differs {
            if let Some(at) = covering.iter().position(differs) {
                let other = covering.remove(at);
                covering.insert(0, other);
            }
        }
        Finding::Shadowed { id, covering }
    } else {
        Finding::Redundant { id, covering }
    }
}
