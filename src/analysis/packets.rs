//! Packet sets: exact sets of packet headers, with union, intersection, difference, emptiness
//! and a witness packet. DESIGN "Analysis": one engine for every analysis.
//!
//! A packet is a tuple of header fields; a set of packets is a binary decision diagram over the
//! fields' bits (most significant bit first), as Batfish represents header spaces. A prefix is
//! a conjunction of its fixed bits and a range a chain of at most two comparisons per bit, so
//! both are exact and their diagrams stay linear in the field width. The diagrams come from
//! `biodivine-lib-bdd`.

use biodivine_lib_bdd::{Bdd, BddPartialValuation, BddVariable, BddVariableSet};

/// A header field of a packet, as the analyses see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// 0 for IPv4, 1 for IPv6.
    Family,
    /// The layer-4 protocol number (0–255).
    L4,
    SrcPort,
    DstPort,
    /// Conntrack state, one of [`CtState`].
    CtState,
    /// Interfaces are numbered by the analysis (names it saw, and one for every other name).
    InIface,
    OutIface,
    /// Addresses are 128 bits; an IPv4 address is a number below 2^32 (the family tells).
    SrcAddr,
    DstAddr,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Family,
        Field::L4,
        Field::DstPort,
        Field::SrcPort,
        Field::CtState,
        Field::InIface,
        Field::OutIface,
        Field::SrcAddr,
        Field::DstAddr,
    ];

    /// The field's width in bits.
    pub fn width(self) -> u16 {
        match self {
            Field::Family => 1,
            Field::L4 => 8,
            Field::SrcPort | Field::DstPort => 16,
            Field::CtState => 3,
            Field::InIface | Field::OutIface => 16,
            Field::SrcAddr | Field::DstAddr => 128,
        }
    }

    /// The largest value the field holds.
    pub fn max(self) -> u128 {
        if self.width() == 128 {
            u128::MAX
        } else {
            (1u128 << self.width()) - 1
        }
    }

    /// The index of the field's most significant bit among all variables. The order of
    /// [`Field::ALL`] is the diagram's variable order: the fields most rules test come first.
    fn offset(self) -> u16 {
        let mut offset = 0;
        for field in Field::ALL {
            if field == self {
                return offset;
            }
            offset += field.width();
        }
        offset
    }
}

/// Conntrack states, as the field [`Field::CtState`] numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtState {
    New = 0,
    Established = 1,
    Related = 2,
    Invalid = 3,
    Untracked = 4,
}

impl CtState {
    pub const ALL: [CtState; 5] = [
        CtState::New,
        CtState::Established,
        CtState::Related,
        CtState::Invalid,
        CtState::Untracked,
    ];
}

/// The total number of bits of a packet.
fn total_bits() -> u16 {
    Field::ALL.iter().map(|f| f.width()).sum()
}

/// One packet: a value for every field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Packet {
    pub family: u8,
    pub l4: u8,
    pub src_port: u16,
    pub dst_port: u16,
    pub ct_state: u8,
    pub in_iface: u16,
    pub out_iface: u16,
    pub src_addr: u128,
    pub dst_addr: u128,
}

impl Packet {
    pub fn get(&self, field: Field) -> u128 {
        match field {
            Field::Family => self.family.into(),
            Field::L4 => self.l4.into(),
            Field::SrcPort => self.src_port.into(),
            Field::DstPort => self.dst_port.into(),
            Field::CtState => self.ct_state.into(),
            Field::InIface => self.in_iface.into(),
            Field::OutIface => self.out_iface.into(),
            Field::SrcAddr => self.src_addr,
            Field::DstAddr => self.dst_addr,
        }
    }

    /// Set `field` to `value` (cut to the field's width).
    pub fn set(&mut self, field: Field, value: u128) {
        let value = value & field.max();
        match field {
            Field::Family => self.family = value as u8,
            Field::L4 => self.l4 = value as u8,
            Field::SrcPort => self.src_port = value as u16,
            Field::DstPort => self.dst_port = value as u16,
            Field::CtState => self.ct_state = value as u8,
            Field::InIface => self.in_iface = value as u16,
            Field::OutIface => self.out_iface = value as u16,
            Field::SrcAddr => self.src_addr = value,
            Field::DstAddr => self.dst_addr = value,
        }
    }
}

/// The variables of the diagrams, and the sets built on them. Every [`PacketSet`] of one
/// analysis comes from one space.
pub struct Space {
    vars: BddVariableSet,
    valid: Bdd,
}

impl Default for Space {
    fn default() -> Self {
        Space::new()
    }
}

/// A set of packets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketSet(Bdd);

impl Space {
    pub fn new() -> Space {
        let vars = BddVariableSet::new_anonymous(total_bits());
        let mut space = Space {
            valid: vars.mk_true(),
            vars,
        };
        space.valid = space.valid_packets();
        space
    }

    /// The packets that can exist: a conntrack state is one of five. Every set the space
    /// makes lies inside.
    ///
    /// An IPv4 address is the last 32 bits of its field, and the 96 bits above are left free:
    /// every set holds an IPv4 packet with all of them or with none (see [`Space::v4_range`]).
    /// Pinning them to zero instead would put a chain of 192 nodes into every set of IPv4
    /// packets (100,000 rules held 870 MB of such chains).
    fn valid_packets(&self) -> Bdd {
        self.raw_range(Field::CtState, 0, CtState::ALL.len() as u128 - 1)
    }

    fn var(&self, field: Field, bit: u16) -> BddVariable {
        BddVariable::from_index(usize::from(field.offset() + bit))
    }

    /// Whether bit `bit` (0 is the most significant) of `value` is set, for `field`.
    fn bit_of(field: Field, value: u128, bit: u16) -> bool {
        let shift = field.width() - 1 - bit;
        (value >> shift) & 1 == 1
    }

    /// Every valid packet.
    pub fn all(&self) -> PacketSet {
        PacketSet(self.valid.clone())
    }

    /// The union of the sets of `items`, pairwise in a balanced tree: each union then costs
    /// about the size of its result, not of everything so far (a long list of port ranges, the
    /// boxes of a long chain).
    pub fn union_of<T>(&self, items: &[T], set_of: &impl Fn(&T) -> PacketSet) -> PacketSet {
        match items {
            [] => self.none(),
            [one] => set_of(one),
            _ => {
                let (left, right) = items.split_at(items.len() / 2);
                self.union_of(left, set_of)
                    .union(&self.union_of(right, set_of))
            }
        }
    }

    pub fn none(&self) -> PacketSet {
        PacketSet(self.vars.mk_false())
    }

    /// Packets whose `field` is `value`.
    pub fn value(&self, field: Field, value: u128) -> PacketSet {
        self.range(field, value, value)
    }

    /// Packets whose `field` lies in `lo..=hi` (empty when `lo > hi`).
    pub fn range(&self, field: Field, lo: u128, hi: u128) -> PacketSet {
        PacketSet(self.raw_range(field, lo, hi).and(&self.valid))
    }

    /// Packets whose address `field` (source or destination), read as an IPv4 address (its
    /// last 32 bits), lies in `lo..=hi`; the bits above are free. Intersect with the IPv4
    /// family for IPv4 packets.
    pub fn v4_range(&self, field: Field, lo: u128, hi: u128) -> PacketSet {
        let max = u128::from(u32::MAX);
        if lo > hi || lo > max {
            return self.none();
        }
        let skip = field.width() - 32;
        let cubes: Vec<BddPartialValuation> = range_prefixes(lo, hi.min(max), 32)
            .into_iter()
            .map(|(value, len)| {
                BddPartialValuation::from_values_iter(
                    (0..len)
                        .map(|bit| (self.var(field, skip + bit), (value >> (31 - bit)) & 1 == 1)),
                )
            })
            .collect();
        PacketSet(self.cubes(&cubes).and(&self.valid))
    }

    /// The union of `cubes`; one cube (a single port, a prefix) without the DNF builder.
    fn cubes(&self, cubes: &[BddPartialValuation]) -> Bdd {
        match cubes {
            [one] => self.vars.mk_conjunctive_clause(one),
            _ => self.vars.mk_dnf(cubes),
        }
    }

    /// Packets whose `field` starts with the `len` most significant bits of `value`.
    pub fn prefix(&self, field: Field, value: u128, len: u16) -> PacketSet {
        let len = len.min(field.width());
        let fixed = (0..len).map(|bit| (self.var(field, bit), Self::bit_of(field, value, bit)));
        let clause = BddPartialValuation::from_values_iter(fixed);
        PacketSet(self.vars.mk_conjunctive_clause(&clause).and(&self.valid))
    }

    /// `lo <= field <= hi` over all packets, valid or not.
    fn raw_range(&self, field: Field, lo: u128, hi: u128) -> Bdd {
        let max = field.max();
        if lo > hi || lo > max {
            return self.vars.mk_false();
        }
        let cubes: Vec<BddPartialValuation> = range_prefixes(lo, hi.min(max), field.width())
            .into_iter()
            .map(|(value, len)| {
                BddPartialValuation::from_values_iter(
                    (0..len).map(|bit| (self.var(field, bit), Self::bit_of(field, value, bit))),
                )
            })
            .collect();
        // A range is at most 2 × width prefixes, each one cube: no chain of `and`/`or` over
        // every bit (which made lowering 100,000 address prefixes cost seconds).
        self.cubes(&cubes)
    }

    /// The valid packets not in `set`.
    pub fn complement(&self, set: &PacketSet) -> PacketSet {
        PacketSet(self.valid.and_not(&set.0))
    }

    /// One packet of `set`, if it has any.
    pub fn witness(&self, set: &PacketSet) -> Option<Packet> {
        let valuation = set.0.sat_witness()?;
        let mut packet = Packet::default();
        for field in Field::ALL {
            let mut value = 0u128;
            for bit in 0..field.width() {
                value = (value << 1) | u128::from(valuation.value(self.var(field, bit)));
            }
            packet.set(field, value);
        }
        Some(packet)
    }

    /// The values of `field` that some packet of `set` has, as a set that tests `field` only
    /// (every other field is left free, within the valid packets).
    pub fn values_of(&self, set: &PacketSet, field: Field) -> PacketSet {
        let others: Vec<BddVariable> = Field::ALL
            .iter()
            .filter(|f| **f != field)
            .flat_map(|f| (0..f.width()).map(|bit| self.var(*f, bit)))
            .collect();
        PacketSet(set.0.exists(&others).and(&self.valid))
    }

    /// Whether `packet` is in `set`.
    pub fn contains(&self, set: &PacketSet, packet: &Packet) -> bool {
        self.point(packet).is_in(set)
    }

    /// A packet made ready to test against many sets.
    pub fn point(&self, packet: &Packet) -> Point {
        let mut valuation = biodivine_lib_bdd::BddValuation::all_false(self.vars.num_vars());
        for field in Field::ALL {
            let value = packet.get(field);
            for bit in 0..field.width() {
                valuation.set_value(self.var(field, bit), Self::bit_of(field, value, bit));
            }
        }
        Point(valuation)
    }
}

/// A packet as a valuation of the space's variables (see [`Space::point`]).
pub struct Point(biodivine_lib_bdd::BddValuation);

impl Point {
    pub fn is_in(&self, set: &PacketSet) -> bool {
        set.0.eval_in(&self.0)
    }
}

impl PacketSet {
    pub fn union(&self, other: &PacketSet) -> PacketSet {
        PacketSet(self.0.or(&other.0))
    }

    pub fn intersect(&self, other: &PacketSet) -> PacketSet {
        PacketSet(self.0.and(&other.0))
    }

    pub fn minus(&self, other: &PacketSet) -> PacketSet {
        PacketSet(self.0.and_not(&other.0))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_false()
    }

    /// Whether every packet of `self` is in `other`.
    pub fn is_subset(&self, other: &PacketSet) -> bool {
        self.minus(other).is_empty()
    }

    /// Whether both sets hold the same packets (two diagrams of one set may differ in the
    /// order of their nodes, so `==` does not tell).
    pub fn same_as(&self, other: &PacketSet) -> bool {
        self.is_subset(other) && other.is_subset(self)
    }

    pub fn overlaps(&self, other: &PacketSet) -> bool {
        !self.intersect(other).is_empty()
    }

    /// The diagram's node count: what an operation on the set costs.
    pub fn size(&self) -> usize {
        self.0.size()
    }

    /// How many packets the set holds, as a floating-point count (exact up to 2^53).
    pub fn cardinality(&self) -> f64 {
        self.0.cardinality()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranges_prefixes_and_witnesses() {
        let space = Space::new();
        let ssh = space.value(Field::DstPort, 22);
        let low = space.range(Field::DstPort, 0, 1023);
        assert!(ssh.is_subset(&low));
        assert!(!low.is_subset(&ssh));
        let rest = low.minus(&ssh);
        let packet = space.witness(&rest).expect("a packet");
        assert!(packet.dst_port <= 1023 && packet.dst_port != 22);
        assert!(space.contains(&rest, &packet));
        let ten = space
            .v4_range(Field::SrcAddr, 10 << 24, (10 << 24) | 0xff_ffff)
            .intersect(&space.value(Field::Family, 0));
        let packet = space.witness(&ten).expect("a packet");
        assert_eq!((packet.src_addr as u32) >> 24, 10);
        assert!(space.range(Field::DstPort, 5, 4).is_empty());
        assert!(space.all().minus(&space.all()).is_empty());
    }

    #[test]
    fn an_ipv4_address_is_the_last_32_bits() {
        let space = Space::new();
        let v4 = space.value(Field::Family, 0);
        let ten = space.v4_range(Field::SrcAddr, 10 << 24, (10 << 24) | 0xff_ffff);
        let with_high_bits = Packet {
            src_addr: (1 << 100) | (10 << 24) | 5,
            ..Packet::default()
        };
        assert!(space.contains(&ten.intersect(&v4), &with_high_bits));
        assert!(space.v4_range(Field::SrcAddr, 5, 4).is_empty());
        assert!(space.value(Field::CtState, 5).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// A range holds exactly the values between its ends, checked at the ends ±1 and a
        /// random value.
        #[test]
        fn ranges_are_exact(lo in any::<u16>(), hi in any::<u16>(), probe in any::<u16>()) {
            let space = Space::new();
            let set = space.range(Field::SrcPort, lo.into(), hi.into());
            for value in [lo.wrapping_sub(1), lo, lo.wrapping_add(1), hi.wrapping_sub(1), hi,
                          hi.wrapping_add(1), probe] {
                let packet = Packet { src_port: value, ..Packet::default() };
                prop_assert_eq!(space.contains(&set, &packet), lo <= value && value <= hi);
            }
        }

        #[test]
        fn prefixes_are_exact(value in any::<u32>(), len in 0u16..=32, probe in any::<u32>()) {
            let space = Space::new();
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            let (lo, hi) = (value & mask, value | !mask);
            let set = space.v4_range(Field::DstAddr, u128::from(lo), u128::from(hi));
            for address in [value, probe, value ^ 1, value ^ (1 << 31), lo.wrapping_sub(1), hi.wrapping_add(1)] {
                // The bits above the IPv4 address do not matter.
                let packet = Packet { dst_addr: u128::from(address) | (u128::from(probe) << 64), ..Packet::default() };
                prop_assert_eq!(space.contains(&set, &packet), lo <= address && address <= hi);
            }
        }
    }
}

/// The prefixes (value, length in bits) whose union is exactly `lo..=hi` in a field of `width`
/// bits: each the largest aligned block that starts at `lo` and ends by `hi`.
pub fn range_prefixes(mut lo: u128, hi: u128, width: u16) -> Vec<(u128, u16)> {
    let mut out = Vec::new();
    loop {
        // The largest block aligned at `lo`: 2^free values.
        let mut free = if lo == 0 {
            u32::from(width)
        } else {
            lo.trailing_zeros().min(u32::from(width))
        };
        let last = |free: u32| -> u128 {
            if free >= 128 {
                u128::MAX
            } else {
                lo + ((1u128 << free) - 1)
            }
        };
        while free > 0 && last(free) > hi {
            free -= 1;
        }
        out.push((lo, width - free as u16));
        let end = last(free);
        if end >= hi {
            return out;
        }
        lo = end + 1;
    }
}

#[cfg(test)]
mod range_tests {
    use super::range_prefixes;

    #[test]
    fn ranges_split_into_aligned_prefixes() {
        assert_eq!(range_prefixes(0, 65535, 16), [(0, 0)]);
        assert_eq!(range_prefixes(22, 22, 16), [(22, 16)]);
        assert_eq!(
            range_prefixes(1, 6, 16),
            [(1, 16), (2, 15), (4, 15), (6, 16)]
        );
        assert_eq!(range_prefixes(0, u128::MAX, 128), [(0, 0)]);
        assert_eq!(
            range_prefixes(10 << 24, (10 << 24) | 0xff_ffff, 128),
            [(10 << 24, 104)]
        );
        let many = range_prefixes(1, 65534, 16);
        assert_eq!(many.len(), 30);
    }
}
