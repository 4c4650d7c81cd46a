//! A rule's footprint: for each field the sweep indexes, the values its packets may have (a
//! list of intervals, or any value), read from the model's matches. It holds every packet of
//! the rule's set (an over-approximation: negations, interfaces and opaque matches add no
//! bound), so two rules whose footprints do not overlap have no packet in common. The sweep
//! uses it to find, among thousands of earlier rules, the few that can decide a rule's
//! packets, without a packet-set operation on each.

use crate::model::{Direction, Family, Match, PortDirection, PortOp, Rule};
use smallvec::SmallVec;

/// Sorted, disjoint, inclusive intervals.
pub type Intervals = SmallVec<[(u128, u128); 2]>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Bit 0: IPv4, bit 1: IPv6; `None`: either.
    pub family: Option<u8>,
    /// The protocols with ports (a `ProtoSet`'s bits); `None`: any protocol.
    pub l4: Option<u8>,
    pub conntrack: Option<u8>,
    pub dport: Option<Intervals>,
    pub sport: Option<Intervals>,
    pub saddr: Option<Intervals>,
    pub daddr: Option<Intervals>,
}

fn normalise(mut list: Intervals) -> Intervals {
    list.sort_unstable();
    let mut out: Intervals = SmallVec::new();
    for (lo, hi) in list {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The values in both lists.
fn intersect(a: &Intervals, b: &Intervals) -> Intervals {
    let (mut i, mut j) = (0, 0);
    let mut out = SmallVec::new();
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let lo = x.0.max(y.0);
        let hi = x.1.min(y.1);
        if lo <= hi {
            out.push((lo, hi));
        }
        if x.1 < y.1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn meets(a: &Intervals, b: &Intervals) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        if x.0.max(y.0) <= x.1.min(y.1) {
            return true;
        }
        if x.1 < y.1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    false
}

/// Narrows `slot` to `values` (a match ANDs with the ones before it).
fn narrow(slot: &mut Option<Intervals>, values: Intervals) {
    let values = normalise(values);
    *slot = Some(match slot.take() {
        Some(old) => intersect(&old, &values),
        None => values,
    });
}

fn narrow_bits(slot: &mut Option<u8>, bits: u8) {
    *slot = Some(slot.map_or(bits, |old| old & bits));
}

fn optional_meets(a: &Option<Intervals>, b: &Option<Intervals>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => meets(a, b),
        _ => true,
    }
}

fn bits_meet(a: Option<u8>, b: Option<u8>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a & b != 0,
        _ => true,
    }
}

impl Footprint {
    /// The footprint of a model rule's matches.
    pub fn of(rule: &Rule) -> Footprint {
        let mut out = Footprint::default();
        for m in &rule.matches {
            match m {
                Match::L4Proto { protos, .. } => narrow_bits(&mut out.l4, protos.bits()),
                Match::Ports {
                    direction,
                    op,
                    protos,
                    ports,
                    conntrack,
                    ..
                } => {
                    if *conntrack {
                        continue;
                    }
                    // A port match tests the ports of the protocols it names (narrowed by the
                    // rule's), whatever it compares.
                    narrow_bits(&mut out.l4, rule.protocols_of(*protos).bits());
                    if ports.through_named_set() || ports.elements.is_empty() {
                        continue;
                    }
                    let single = ports.single().map(u128::from);
                    let values: Option<Intervals> = match (op, single) {
                        (PortOp::Eq, _) => Some(
                            ports
                                .elements
                                .iter()
                                .map(|e| (u128::from(e.lo), u128::from(e.hi)))
                                .collect(),
                        ),
                        (PortOp::Lt, Some(0)) => Some(SmallVec::new()),
                        (PortOp::Lt, Some(v)) => Some(SmallVec::from_slice(&[(0, v - 1)])),
                        (PortOp::Le, Some(v)) => Some(SmallVec::from_slice(&[(0, v)])),
                        (PortOp::Gt, Some(v)) => Some(SmallVec::from_slice(&[(v + 1, 65535)])),
                        (PortOp::Ge, Some(v)) => Some(SmallVec::from_slice(&[(v, 65535)])),
                        _ => None,
                    };
                    if let Some(values) = values {
                        match direction {
                            PortDirection::Destination => narrow(&mut out.dport, values),
                            PortDirection::Source => narrow(&mut out.sport, values),
                            PortDirection::Either => {}
                        }
                    }
                }
                Match::Family { family, .. } => match family {
                    Family::Ip => narrow_bits(&mut out.family, 1),
                    Family::Ip6 => narrow_bits(&mut out.family, 2),
                    _ => {}
                },
                Match::Addresses {
                    direction,
                    negated: false,
                    set,
                    ..
                } if !set.ranges.is_empty() => {
                    let families = set
                        .ranges
                        .iter()
                        .fold(0u8, |bits, r| bits | if r.v6 { 2 } else { 1 });
                    narrow_bits(&mut out.family, families);
                    let values = set.ranges.iter().map(|r| (r.lo, r.hi)).collect();
                    match direction {
                        Direction::Source => narrow(&mut out.saddr, values),
                        Direction::Destination => narrow(&mut out.daddr, values),
                    }
                }
                Match::CtState { states, .. } => narrow_bits(&mut out.conntrack, states.0),
                _ => {}
            }
        }
        out
    }

    /// Whether some packet may be in both footprints.
    pub fn overlaps(&self, other: &Footprint) -> bool {
        bits_meet(self.family, other.family)
            && bits_meet(self.l4, other.l4)
            && bits_meet(self.conntrack, other.conntrack)
            && optional_meets(&self.dport, &other.dport)
            && optional_meets(&self.sport, &other.sport)
            && optional_meets(&self.saddr, &other.saddr)
            && optional_meets(&self.daddr, &other.daddr)
    }

    /// The source addresses' hull, when bounded.
    pub fn saddr_hull(&self) -> Option<(u128, u128)> {
        let list = self.saddr.as_ref()?;
        Some((list.first()?.0, list.last()?.1))
    }

    /// No address or port bound: such a rule may meet any other (`ct state … accept`).
    pub fn is_wide(&self) -> bool {
        self.saddr.is_none() && self.daddr.is_none() && self.dport.is_none() && self.sport.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_meet_and_intersect() {
        let a: Intervals = normalise(SmallVec::from_slice(&[(10, 20), (1, 3), (4, 5)]));
        assert_eq!(a.as_slice(), &[(1, 5), (10, 20)]);
        let b: Intervals = SmallVec::from_slice(&[(6, 9), (20, 30)]);
        assert!(meets(&a, &b));
        assert_eq!(intersect(&a, &b).as_slice(), &[(20, 20)]);
        let c: Intervals = SmallVec::from_slice(&[(6, 9), (21, 30)]);
        assert!(!meets(&a, &c));
    }
}
