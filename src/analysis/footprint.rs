//! A rule's footprint: a box of packets, per field the values its packets may have (a bit set
//! for family, protocol and conntrack state; a list of intervals, or any value, for ports,
//! interfaces and addresses), read from the model's matches without building a packet set.
//!
//! It holds every packet of the rule's set (an over-approximation: negated addresses, a port
//! match on either port, an opaque match add no bound), so two rules whose footprints do not
//! overlap have no packet in common; the sweep uses that to find, among thousands of earlier
//! rules, the few that can decide a rule's packets. When every modelled match of the rule is a
//! box (the common case: prefixes, ports, protocols, states, interface names), the footprint is
//! *exact*: it is the rule's packet set, and the sweep can show a rule reachable by splitting
//! boxes, without a packet set at all ([`Cube::minus`], [`Cube::witness`]).
//!
//! An IPv4 address is compared as the last 32 bits of the address field, as the packet model
//! reads it; an exact footprint that bounds an address is of one family only.

use super::lower::{is_modelled, Interfaces};
use super::packets::Packet;
use crate::model::{Direction, Family, InterfaceName, Match, PortDirection, PortOp, Rule, L4};
use smallvec::SmallVec;

/// Sorted, disjoint, inclusive intervals.
pub type Intervals = SmallVec<[(u128, u128); 1]>;

/// Family bits: IPv4, IPv6.
pub const FAMILIES: u8 = 0b11;
/// Protocol classes: the five protocols with ports in the order of [`L4::ALL`], then every
/// other protocol number (which no match of the model tells apart).
pub const PROTOCOLS: u8 = 0b11_1111;
/// Conntrack states, as [`crate::model::CtStates`] numbers them.
pub const STATES: u8 = 0b1_1111;

/// The fields a footprint bounds by intervals, in the order [`Cube::minus`] splits them.
pub const SRC_PORT: usize = 0;
pub const DST_PORT: usize = 1;
pub const IN_IFACE: usize = 2;
pub const OUT_IFACE: usize = 3;
pub const SRC_ADDR: usize = 4;
pub const DST_ADDR: usize = 5;
const RANGED: usize = 6;

/// How many intervals a footprint holds at most.
const MAX_VALUES: usize = u16::MAX as usize;

/// A rule's footprint, compact: it is kept for every rule of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Footprint {
    pub family: u8,
    pub l4: u8,
    pub conntrack: u8,
    /// The footprint is exactly the rule's packet set (without its opaque matches).
    pub exact: bool,
    /// Bit `d`: ranged field `d` is bounded, by the intervals of `values` from the end of
    /// field `d - 1`'s to `ends[d]`.
    bounded: u8,
    ends: [u16; RANGED],
    values: Box<[(u128, u128)]>,
}

/// A box being worked on: the same fields as a [`Footprint`], each list of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cube {
    pub family: u8,
    pub l4: u8,
    pub conntrack: u8,
    pub dims: [Option<Intervals>; RANGED],
}

/// The intervals sorted, without empty ones, overlapping and adjacent ones merged.
pub fn normalise(mut list: Intervals) -> Intervals {
    list.sort_unstable();
    let mut out: Intervals = SmallVec::new();
    for (lo, hi) in list {
        if lo > hi {
            continue;
        }
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The values in both lists.
fn intersect(a: &[(u128, u128)], b: &[(u128, u128)]) -> Intervals {
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

/// The values of `a` not in `b`.
fn difference(a: &[(u128, u128)], b: &[(u128, u128)]) -> Intervals {
    let mut out = SmallVec::new();
    let mut j = 0;
    for &(lo, hi) in a {
        let mut lo = lo;
        let mut open = true;
        while let Some(&(blo, bhi)) = b.get(j) {
            if bhi < lo {
                j += 1;
                continue;
            }
            if blo > hi {
                break;
            }
            if blo > lo {
                out.push((lo, blo - 1));
            }
            if bhi >= hi {
                open = false;
                break;
            }
            lo = bhi + 1;
            j += 1;
        }
        if open {
            out.push((lo, hi));
        }
    }
    out
}

/// The values in `0..=max` not in `list`.
fn complement(list: &[(u128, u128)], max: u128) -> Intervals {
    difference(&[(0, max)], list)
}

fn meets(a: &[(u128, u128)], b: &[(u128, u128)]) -> bool {
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

fn contains(list: &[(u128, u128)], value: u128) -> bool {
    let at = list.partition_point(|(_, hi)| *hi < value);
    list.get(at).is_some_and(|(lo, _)| *lo <= value)
}

fn optional_meets(a: Option<&[(u128, u128)]>, b: Option<&[(u128, u128)]>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => meets(a, b),
        _ => true,
    }
}

/// The largest value of a ranged field, for packets of the families `family`: `None` when it
/// differs between them (an address of a box of both families).
fn max_of(dim: usize, family: u8) -> Option<u128> {
    match dim {
        SRC_ADDR | DST_ADDR => match family {
            0b01 => Some(u128::from(u32::MAX)),
            0b10 => Some(u128::MAX),
            _ => None,
        },
        _ => Some(u128::from(u16::MAX)),
    }
}

/// The protocol classes of a set of protocols with ports.
fn classes(protos: crate::model::ProtoSet) -> u8 {
    protos.bits() & 0b1_1111
}

/// The protocol class of protocol number `number`.
fn class_of(number: u8) -> u8 {
    L4::ALL
        .iter()
        .position(|l4| l4.number() == number)
        .map_or(1 << 5, |i| 1 << i)
}

/// The packets' value of ranged field `dim`, as a footprint compares it.
fn value_of(packet: &Packet, dim: usize) -> u128 {
    let address = |a: u128| {
        if packet.family == 0 {
            a & u128::from(u32::MAX)
        } else {
            a
        }
    };
    match dim {
        SRC_PORT => packet.src_port.into(),
        DST_PORT => packet.dst_port.into(),
        IN_IFACE => packet.in_iface.into(),
        OUT_IFACE => packet.out_iface.into(),
        SRC_ADDR => address(packet.src_addr),
        _ => address(packet.dst_addr),
    }
}

impl Cube {
    /// Every packet of the families `family`.
    pub fn families(family: u8) -> Cube {
        Cube {
            family,
            l4: PROTOCOLS,
            conntrack: STATES,
            dims: Default::default(),
        }
    }

    /// Narrows field `dim` to `values` (a match ANDs with the ones before it).
    fn narrow(&mut self, dim: usize, values: Intervals) {
        let values = normalise(values);
        let slot = &mut self.dims[dim];
        *slot = Some(match slot.take() {
            Some(old) => intersect(&old, &values),
            None => values,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.family == 0
            || self.l4 == 0
            || self.conntrack == 0
            || self
                .dims
                .iter()
                .any(|d| d.as_ref().is_some_and(|d| d.is_empty()))
    }

    /// The values field `dim` may have; `None`: any.
    pub fn dim(&self, dim: usize) -> Option<&[(u128, u128)]> {
        self.dims.get(dim)?.as_deref()
    }

    /// Whether some packet may be in the cube and in `footprint`.
    pub fn meets(&self, footprint: &Footprint) -> bool {
        self.family & footprint.family != 0
            && self.l4 & footprint.l4 != 0
            && self.conntrack & footprint.conntrack != 0
            && (0..RANGED).all(|d| optional_meets(self.dim(d), footprint.dim(d)))
    }

    /// The packets of the cube outside `footprint` (an exact one), as disjoint cubes; `None`
    /// when an address field would have to be split in a cube of both families.
    pub fn minus(&self, footprint: &Footprint) -> Option<Vec<Cube>> {
        if !self.meets(footprint) {
            return Some(vec![self.clone()]);
        }
        let mut out = Vec::new();
        let mut rest = self.clone();
        let theirs = [footprint.family, footprint.l4, footprint.conntrack];
        for (which, theirs) in theirs.into_iter().enumerate() {
            let bits = rest.bits(which);
            let outside = bits & !theirs;
            if outside != 0 {
                let mut piece = rest.clone();
                piece.set_bits(which, outside);
                out.push(piece);
            }
            rest.set_bits(which, bits & theirs);
        }
        for dim in 0..RANGED {
            let Some(theirs) = footprint.dim(dim) else {
                continue;
            };
            let full;
            let mine: &[(u128, u128)] = match rest.dim(dim) {
                Some(list) => list,
                None => {
                    full = [(0, max_of(dim, rest.family)?)];
                    &full
                }
            };
            let outside = difference(mine, theirs);
            let inside = intersect(mine, theirs);
            if !outside.is_empty() {
                let mut piece = rest.clone();
                piece.dims[dim] = Some(outside);
                out.push(piece);
            }
            rest.dims[dim] = Some(inside);
        }
        Some(out)
    }

    fn bits(&self, which: usize) -> u8 {
        match which {
            0 => self.family,
            1 => self.l4,
            _ => self.conntrack,
        }
    }

    fn set_bits(&mut self, which: usize, bits: u8) {
        match which {
            0 => self.family = bits,
            1 => self.l4 = bits,
            _ => self.conntrack = bits,
        }
    }

    /// The packets of the cube inside `footprint`.
    pub fn within(&self, footprint: &Footprint) -> Cube {
        let mut out = self.clone();
        out.family &= footprint.family;
        out.l4 &= footprint.l4;
        out.conntrack &= footprint.conntrack;
        for dim in 0..RANGED {
            if let Some(theirs) = footprint.dim(dim) {
                out.dims[dim] = Some(match &self.dims[dim] {
                    Some(mine) => intersect(mine, theirs),
                    None => SmallVec::from_slice(theirs),
                });
            }
        }
        out
    }

    /// How many packets the cube holds, counted as the packet model counts them (an IPv4
    /// address leaves the 96 bits above it free), as a floating-point number.
    pub fn cardinality(&self) -> f64 {
        let count = |list: &[(u128, u128)]| -> f64 {
            list.iter().map(|(lo, hi)| (hi - lo) as f64 + 1.0).sum()
        };
        let two = |bits: i32| 2f64.powi(bits);
        let protocols = f64::from((self.l4 & 0b1_1111).count_ones())
            + if self.l4 & (1 << 5) != 0 { 251.0 } else { 0.0 };
        let mut total = f64::from(self.family.count_ones())
            * protocols
            * f64::from(self.conntrack.count_ones());
        for dim in 0..RANGED {
            let address = matches!(dim, SRC_ADDR | DST_ADDR);
            total *= match (self.dim(dim), address) {
                (None, false) => two(16),
                (None, true) => two(128),
                (Some(list), false) => count(list),
                (Some(list), true) if self.family == 0b01 => count(list) * two(96),
                (Some(list), true) => count(list),
            };
        }
        total
    }

    /// One packet of the cube (which must not be empty): the lowest value of every field.
    pub fn witness(&self) -> Packet {
        let lowest = |bits: u8| bits.trailing_zeros().min(7) as u8;
        let class = lowest(self.l4);
        let first = |dim: usize| self.dim(dim).and_then(|d| d.first()).map_or(0, |d| d.0);
        Packet {
            family: lowest(self.family),
            l4: L4::ALL.get(usize::from(class)).map_or(0, |l4| l4.number()),
            src_port: first(SRC_PORT) as u16,
            dst_port: first(DST_PORT) as u16,
            ct_state: lowest(self.conntrack),
            in_iface: first(IN_IFACE) as u16,
            out_iface: first(OUT_IFACE) as u16,
            src_addr: first(SRC_ADDR),
            dst_addr: first(DST_ADDR),
        }
    }

    /// The compact form.
    pub fn footprint(&self, exact: bool) -> Footprint {
        let mut exact = exact;
        let mut bounded = 0u8;
        let mut ends = [0u16; RANGED];
        let mut values = Vec::new();
        for (dim, list) in self.dims.iter().enumerate() {
            if let Some(list) = list {
                bounded |= 1 << dim;
                if values.len() + list.len() <= MAX_VALUES {
                    values.extend_from_slice(list);
                } else if let (Some(first), Some(last)) = (list.first(), list.last()) {
                    // More intervals than a footprint holds: the field is cut to its hull,
                    // still a bound, no longer exact.
                    exact = false;
                    values.push((first.0, last.1));
                }
            }
            ends[dim] = values.len().min(MAX_VALUES) as u16;
        }
        Footprint {
            family: self.family,
            l4: self.l4,
            conntrack: self.conntrack,
            exact,
            bounded,
            ends,
            values: values.into_boxed_slice(),
        }
    }
}

impl Footprint {
    /// The footprint of a model rule of a table of `family`, and whether every match of the
    /// rule is modelled (the rule's set is then exact; see [`super::lower::rule_packets`]).
    /// Interface names get their numbers here, in the order the rules are read.
    pub fn of(rule: &Rule, family: Family, interfaces: &mut Interfaces) -> (Footprint, bool) {
        let mut cube = Cube::families(family_bits(family));
        let mut exact = true;
        let mut modelled = true;
        for m in &rule.matches {
            if !is_modelled(m) {
                modelled = false;
                continue;
            }
            match m {
                Match::L4Proto { protos, .. } => cube.l4 &= classes(*protos),
                Match::Ports {
                    direction,
                    op,
                    protos,
                    ports,
                    ..
                } => {
                    // A port match tests the ports of the protocols it names (narrowed by the
                    // rule's), whatever it compares.
                    cube.l4 &= classes(rule.protocols_of(*protos));
                    let max = u128::from(u16::MAX);
                    let listed: Intervals = ports
                        .elements
                        .iter()
                        .map(|e| (u128::from(e.lo), u128::from(e.hi)))
                        .collect();
                    let single = ports.single().map(u128::from);
                    let values: Intervals = match (op, single) {
                        (PortOp::Eq, _) => listed,
                        (PortOp::Ne, _) => complement(&normalise(listed), max),
                        (PortOp::Lt, Some(0)) => SmallVec::new(),
                        (PortOp::Lt, Some(v)) => SmallVec::from_slice(&[(0, v - 1)]),
                        (PortOp::Le, Some(v)) => SmallVec::from_slice(&[(0, v)]),
                        (PortOp::Gt, Some(v)) => SmallVec::from_slice(&[(v + 1, max)]),
                        (PortOp::Ge, Some(v)) => SmallVec::from_slice(&[(v, max)]),
                        // Not modelled (is_modelled said so): no bound.
                        _ => continue,
                    };
                    match direction {
                        PortDirection::Destination => cube.narrow(DST_PORT, values),
                        PortDirection::Source => cube.narrow(SRC_PORT, values),
                        // Either port: not a box.
                        PortDirection::Either => exact = false,
                    }
                }
                Match::Family { family, .. } => match family {
                    Family::Ip => cube.family &= 0b01,
                    Family::Ip6 => cube.family &= 0b10,
                    _ => {}
                },
                Match::Addresses {
                    direction,
                    negated,
                    set,
                    ..
                } => {
                    let families = set
                        .ranges
                        .iter()
                        .fold(0u8, |bits, r| bits | if r.v6 { 0b10 } else { 0b01 });
                    // Negated, or of both families: not a box (the family decides how the
                    // address is read).
                    if *negated || families == FAMILIES {
                        exact = false;
                    }
                    if *negated {
                        continue;
                    }
                    cube.family &= families;
                    let values = set.ranges.iter().map(|r| (r.lo, r.hi)).collect();
                    match direction {
                        Direction::Source => cube.narrow(SRC_ADDR, values),
                        Direction::Destination => cube.narrow(DST_ADDR, values),
                    }
                }
                Match::Interface {
                    direction,
                    negated,
                    names,
                    ..
                } => {
                    let Some(values) = interface_ids(interfaces, names) else {
                        modelled = false;
                        continue;
                    };
                    let values = if *negated {
                        complement(&normalise(values), u128::from(u16::MAX))
                    } else {
                        values
                    };
                    match direction {
                        Direction::Source => cube.narrow(IN_IFACE, values),
                        Direction::Destination => cube.narrow(OUT_IFACE, values),
                    }
                }
                Match::CtState { states, .. } => cube.conntrack &= states.0 & STATES,
                Match::Opaque { .. } => {}
            }
        }
        let bounds_address = cube.dims[SRC_ADDR].is_some() || cube.dims[DST_ADDR].is_some();
        if bounds_address && cube.family.count_ones() > 1 {
            exact = false;
        }
        (cube.footprint(exact), modelled)
    }

    /// The values field `dim` may have; `None`: any.
    #[inline]
    pub fn dim(&self, dim: usize) -> Option<&[(u128, u128)]> {
        if self.bounded & (1 << dim) == 0 {
            return None;
        }
        let start = match dim.checked_sub(1) {
            Some(before) => usize::from(*self.ends.get(before)?),
            None => 0,
        };
        self.values.get(start..usize::from(*self.ends.get(dim)?))
    }

    /// The box as a cube to split.
    pub fn cube(&self) -> Cube {
        let mut dims: [Option<Intervals>; RANGED] = Default::default();
        for (dim, slot) in dims.iter_mut().enumerate() {
            *slot = self.dim(dim).map(SmallVec::from_slice);
        }
        Cube {
            family: self.family,
            l4: self.l4,
            conntrack: self.conntrack,
            dims,
        }
    }

    /// The same box with no bound on either address nor on the destination port, and its
    /// destination ports (`None`: any): together they hold every packet this one does.
    pub fn without_addresses(&self) -> (Footprint, Option<&[(u128, u128)]>) {
        let mut cube = self.cube();
        cube.dims[SRC_ADDR] = None;
        cube.dims[DST_ADDR] = None;
        cube.dims[DST_PORT] = None;
        (cube.footprint(false), self.dim(DST_PORT))
    }

    /// Whether some packet may be in both footprints.
    pub fn overlaps(&self, other: &Footprint) -> bool {
        self.family & other.family != 0
            && self.l4 & other.l4 != 0
            && self.conntrack & other.conntrack != 0
            && (self.bounded & other.bounded == 0
                || [DST_PORT, SRC_ADDR, DST_ADDR, SRC_PORT, IN_IFACE, OUT_IFACE]
                    .iter()
                    .all(|d| optional_meets(self.dim(*d), other.dim(*d))))
    }

    /// The blocks of 1,024 destination ports the footprint meets, a bit each (all of them
    /// when unbounded): a filter cheaper than comparing lists.
    pub fn dport_blocks(&self) -> u64 {
        port_blocks(self.dim(DST_PORT))
    }

    /// Whether `packet` lies in the box (for an exact footprint: in the rule's set).
    pub fn contains(&self, packet: &Packet) -> bool {
        self.family & (1 << packet.family.min(7)) != 0
            && self.l4 & class_of(packet.l4) != 0
            && self.conntrack & (1 << packet.ct_state.min(7)) != 0
            && (0..RANGED).all(|d| self.dim(d).is_none_or(|l| contains(l, value_of(packet, d))))
    }

    /// No packet at all (meaningful for an exact footprint).
    pub fn is_empty(&self) -> bool {
        self.family == 0
            || self.l4 == 0
            || self.conntrack == 0
            || (0..RANGED).any(|d| self.dim(d).is_some_and(|l| l.is_empty()))
    }

    /// Every packet of the families `family`: no field bounded.
    pub fn is_full(&self, family: u8) -> bool {
        self.family & family == family
            && self.l4 == PROTOCOLS
            && self.conntrack == STATES
            && self.bounded == 0
    }

    /// The source addresses' hull, when bounded.
    pub fn saddr_hull(&self) -> Option<(u128, u128)> {
        hull(self.dim(SRC_ADDR)?)
    }

    /// No address or port bound: such a rule may meet any other (`ct state … accept`).
    pub fn is_wide(&self) -> bool {
        let bounds = [SRC_ADDR, DST_ADDR, SRC_PORT, DST_PORT]
            .iter()
            .fold(0u8, |bits, d| bits | 1 << d);
        self.bounded & bounds == 0
    }
}

/// The families of the packets of a table of `family`, as footprint bits.
pub fn family_bits(family: Family) -> u8 {
    match family {
        Family::Ip => 0b01,
        Family::Ip6 => 0b10,
        _ => FAMILIES,
    }
}

/// The blocks of 1,024 ports a list of ports meets, a bit each (all of them for `None`, any
/// port).
pub fn port_blocks(list: Option<&[(u128, u128)]>) -> u64 {
    let Some(list) = list else {
        return u64::MAX;
    };
    let mut bits = 0u64;
    for (lo, hi) in list {
        let (first, last) = ((lo >> 10).min(63), (hi >> 10).min(63));
        for block in first..=last {
            bits |= 1 << block;
        }
    }
    bits
}

/// The ports of block `block` (of 1,024) a list of ports meets, by 32-port piece, a bit each
/// (all of them for `None`, any port).
pub fn ports_within_block(list: Option<&[(u128, u128)]>, block: u32) -> u32 {
    let Some(list) = list else {
        return u32::MAX;
    };
    let start = u128::from(block) << 10;
    let end = start + 1023;
    let mut bits = 0u32;
    for &(lo, hi) in list {
        if hi < start || lo > end {
            continue;
        }
        let (first, last) = ((lo.max(start) - start) >> 5, (hi.min(end) - start) >> 5);
        for piece in first..=last {
            bits |= 1 << piece;
        }
    }
    bits
}

/// The smallest interval holding a list's.
pub fn hull(list: &[(u128, u128)]) -> Option<(u128, u128)> {
    Some((list.first()?.0, list.last()?.1))
}

/// The numbers of interface names; `None` when one is a wildcard or no number is left.
fn interface_ids(interfaces: &mut Interfaces, names: &[InterfaceName]) -> Option<Intervals> {
    names
        .iter()
        .map(|name| {
            if name.wildcard {
                return None;
            }
            interfaces.id(&name.name).map(|id| (id, id))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_meet_intersect_and_subtract() {
        let a: Intervals = normalise(SmallVec::from_slice(&[(10, 20), (1, 3), (4, 5)]));
        assert_eq!(a.as_slice(), &[(1, 5), (10, 20)]);
        let b: Intervals = SmallVec::from_slice(&[(6, 9), (20, 30)]);
        assert!(meets(&a, &b));
        assert_eq!(intersect(&a, &b).as_slice(), &[(20, 20)]);
        let c: Intervals = SmallVec::from_slice(&[(6, 9), (21, 30)]);
        assert!(!meets(&a, &c));
        assert_eq!(difference(&a, &b).as_slice(), &[(1, 5), (10, 19)]);
        assert_eq!(
            difference(&a, &[(0, 2), (4, 12)]).as_slice(),
            &[(3, 3), (13, 20)]
        );
        assert_eq!(difference(&a, &[(0, 100)]).as_slice(), &[]);
        assert_eq!(
            complement(&[(0, 5), (65535, 65535)], 65535).as_slice(),
            &[(6, 65534)]
        );
        assert!(contains(&a, 5) && contains(&a, 10) && !contains(&a, 7) && !contains(&a, 21));
    }

    #[test]
    fn a_cube_minus_a_box_is_what_lies_outside() {
        let mut ssh = Cube::families(FAMILIES);
        ssh.narrow(DST_PORT, SmallVec::from_slice(&[(22, 22)]));
        ssh.l4 = 1;
        let ssh = ssh.footprint(true);
        let mut low = Cube::families(0b01);
        low.narrow(DST_PORT, SmallVec::from_slice(&[(0, 1023)]));
        let pieces = low.minus(&ssh).expect("no address split");
        // Every piece is outside ssh, and the pieces with ssh hold every packet of `low`.
        for piece in &pieces {
            assert!(!piece.meets(&ssh));
        }
        let probe = |port: u16, l4: u8| Packet {
            dst_port: port,
            l4,
            ..Packet::default()
        };
        let low_box = low.footprint(true);
        for (port, l4) in [(22, 6), (22, 17), (21, 6), (23, 6), (1023, 6), (1024, 6)] {
            let packet = probe(port, l4);
            let in_pieces = pieces.iter().any(|p| p.footprint(true).contains(&packet));
            assert_eq!(
                in_pieces,
                low_box.contains(&packet) && !ssh.contains(&packet),
                "{port}/{l4}"
            );
        }
    }
}
