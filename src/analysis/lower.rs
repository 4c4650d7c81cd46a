//! A model rule as a packet set. What the model does not type (an opaque match) is left out of
//! the set and makes the rule *inexact*: its set then holds every packet the rule may match,
//! and the sweep never lets it decide a packet (DESIGN, ternary logic).

use super::footprint::{Footprint, DST_ADDR, DST_PORT, IN_IFACE, OUT_IFACE, SRC_ADDR, SRC_PORT};
use super::packets::{Field, PacketSet, Space};
use crate::model::{
    AddressSet, CtStates, Direction, Family, InterfaceName, Match, PortDirection, PortOp, PortSet,
    ProtoSet, Rule, L4,
};
use std::cell::RefCell;
use std::collections::HashMap;

/// The protocol number of a layer-4 protocol with ports.
pub fn protocol_number(l4: L4) -> u128 {
    u128::from(l4.number())
}

/// The packets a chain of a table of `family` sees; `None` for the families whose packets are
/// not IP packets (arp, bridge, netdev), which the analyses do not judge.
pub fn family_packets(space: &Space, family: Family) -> Option<PacketSet> {
    if !is_ip(family) {
        return None;
    }
    match family {
        Family::Ip => Some(space.value(Field::Family, 0)),
        Family::Ip6 => Some(space.value(Field::Family, 1)),
        Family::Inet => Some(space.all()),
        Family::Arp | Family::Bridge | Family::Netdev => None,
    }
}

/// Whether the packets of `family` are IP packets, which the packet model holds.
pub fn is_ip(family: Family) -> bool {
    matches!(family, Family::Ip | Family::Ip6 | Family::Inet)
}

/// A rule's packets, and whether the set is exact.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// Every packet the rule may match (exactly those it matches when `exact`).
    pub packets: PacketSet,
    /// No opaque match: the rule matches exactly `packets`.
    pub exact: bool,
}

pub fn protocols(space: &Space, protos: ProtoSet) -> PacketSet {
    protos.iter().fold(space.none(), |set, l4| {
        set.union(&space.value(Field::L4, protocol_number(l4)))
    })
}

/// The packets whose port in `field` is in `ports`.
fn ports_in(space: &Space, field: Field, ports: &PortSet) -> PacketSet {
    ports.elements.iter().fold(space.none(), |set, e| {
        set.union(&space.range(field, e.lo.into(), e.hi.into()))
    })
}

/// The port condition of a port match, or `None` when it is not modelled (a comparison with a
/// list).
fn port_condition(
    space: &Space,
    direction: PortDirection,
    op: PortOp,
    ports: &PortSet,
) -> Option<PacketSet> {
    // Until the model says which named sets cannot change, a match on one is not modelled.
    if ports.through_named_set() {
        return None;
    }
    let fields: &[Field] = match direction {
        PortDirection::Source => &[Field::SrcPort],
        PortDirection::Destination => &[Field::DstPort],
        PortDirection::Either => &[Field::SrcPort, Field::DstPort],
    };
    let each = |field: Field| -> Option<PacketSet> {
        let single = || ports.single().map(u128::from);
        Some(match op {
            PortOp::Eq | PortOp::Ne => ports_in(space, field, ports),
            PortOp::Lt => match single()? {
                0 => space.none(),
                v => space.range(field, 0, v - 1),
            },
            PortOp::Le => space.range(field, 0, single()?),
            PortOp::Gt => space.range(field, single()? + 1, field.max()),
            PortOp::Ge => space.range(field, single()?, field.max()),
        })
    };
    let mut any = space.none();
    for field in fields {
        any = any.union(&each(*field)?);
    }
    // `!=` negates the whole test: iptables `! --ports 22` is "neither port is 22".
    Some(if op == PortOp::Ne {
        space.complement(&any)
    } else {
        any
    })
}

/// Interface names as numbers of the interface fields: each exact name the ruleset writes gets
/// its own, and 0 stands for every other name. A wildcard (`eth*`) is not modelled.
#[derive(Default)]
pub struct Interfaces {
    ids: HashMap<String, u128>,
    /// The packets of each set of protocols, made once: nearly every rule has one.
    protocol_sets: HashMap<u8, PacketSet>,
}

impl Interfaces {
    fn protocols(&mut self, space: &Space, protos: ProtoSet) -> PacketSet {
        self.protocol_sets
            .entry(protos.bits())
            .or_insert_with(|| protocols(space, protos))
            .clone()
    }

    /// The number of `lo`, the loopback interface (the same in every analysis that asks
    /// first).
    pub fn loopback(&mut self) -> u128 {
        self.id("lo").unwrap_or(0)
    }

    /// The number of interface `name`: given on first sight; `None` when none is left.
    pub fn id(&mut self, name: &str) -> Option<u128> {
        if let Some(id) = self.ids.get(name) {
            return Some(*id);
        }
        let id = self.ids.len() as u128 + 1;
        if id > Field::InIface.max() {
            return None;
        }
        self.ids.insert(name.to_string(), id);
        Some(id)
    }
}

fn interface_condition(
    space: &Space,
    interfaces: &mut Interfaces,
    direction: Direction,
    negated: bool,
    names: &[InterfaceName],
) -> Option<PacketSet> {
    let field = match direction {
        Direction::Source => Field::InIface,
        Direction::Destination => Field::OutIface,
    };
    let mut any = space.none();
    for name in names {
        if name.wildcard {
            return None;
        }
        any = any.union(&space.value(field, interfaces.id(&name.name)?));
    }
    Some(if negated { space.complement(&any) } else { any })
}

fn address_condition(
    space: &Space,
    direction: Direction,
    negated: bool,
    set: &AddressSet,
) -> PacketSet {
    let field = match direction {
        Direction::Source => Field::SrcAddr,
        Direction::Destination => Field::DstAddr,
    };
    let mut any = space.none();
    for range in &set.ranges {
        let family = space.value(Field::Family, u128::from(range.v6));
        let addresses = if range.v6 {
            space.range(field, range.lo, range.hi)
        } else {
            space.v4_range(field, range.lo, range.hi)
        };
        any = any.union(&addresses.intersect(&family));
    }
    if negated {
        space.complement(&any)
    } else {
        any
    }
}

fn ct_condition(space: &Space, states: CtStates) -> PacketSet {
    (0..CtStates::NAMES.len())
        .filter(|&state| states.contains(state))
        .fold(space.none(), |set, state| {
            set.union(&space.value(Field::CtState, state as u128))
        })
}

/// Whether the packet model types match `m`: [`match_condition`] is `None` for the others
/// (and for an interface name past the last number, which [`Interfaces::id`] tells).
pub fn is_modelled(m: &Match) -> bool {
    match m {
        // A set left with no element is one whose elements were all in error (`tcp dport
        // 70000`, an address nft refuses): the error is reported, and the match is not judged.
        Match::Addresses { set, .. } => !set.ranges.is_empty(),
        Match::Interface { names, .. } => !names.is_empty() && names.iter().all(|n| !n.wildcard),
        // Conntrack's port is not the header's (NAT, replies): unknown to the packet model.
        // Until the model says which named sets cannot change, a match on one is not modelled.
        Match::Ports {
            conntrack,
            op,
            ports,
            ..
        } => {
            !ports.elements.is_empty()
                && !*conntrack
                && !ports.through_named_set()
                && (matches!(op, PortOp::Eq | PortOp::Ne) || ports.single().is_some())
        }
        Match::Family { family, .. } => is_ip(*family),
        Match::L4Proto { .. } | Match::CtState { .. } => true,
        Match::Opaque { .. } => false,
    }
}

/// The packets one match of `rule` lets through, or `None` when the match is not modelled.
pub fn match_condition(
    space: &Space,
    interfaces: &mut Interfaces,
    rule: &Rule,
    m: &Match,
) -> Option<PacketSet> {
    if !is_modelled(m) {
        return None;
    }
    match m {
        Match::L4Proto { protos, .. } => Some(interfaces.protocols(space, *protos)),
        Match::Ports {
            direction,
            op,
            protos,
            ports,
            ..
        } => port_condition(space, *direction, *op, ports).map(|ports| {
            // A port match tests the port of the protocols it names, as narrowed by the
            // rule's protocol matches.
            interfaces
                .protocols(space, rule.protocols_of(*protos))
                .intersect(&ports)
        }),
        Match::Family { family, .. } => family_packets(space, *family),
        Match::Addresses {
            direction,
            negated,
            set,
            ..
        } => Some(address_condition(space, *direction, *negated, set)),
        Match::Interface {
            direction,
            negated,
            names,
            ..
        } => interface_condition(space, interfaces, *direction, *negated, names),
        Match::CtState { states, .. } => Some(ct_condition(space, *states)),
        Match::Opaque { .. } => None,
    }
}

/// The packets of `rule`, a rule of a chain whose packets are `universe`.
pub fn rule_packets(
    space: &Space,
    interfaces: &mut Interfaces,
    universe: &PacketSet,
    rule: &Rule,
) -> RuleSet {
    let mut packets = universe.clone();
    let mut exact = true;
    for m in &rule.matches {
        match match_condition(space, interfaces, rule, m) {
            Some(condition) => packets = packets.intersect(&condition),
            None => exact = false,
        }
    }
    RuleSet { packets, exact }
}

/// Builds a rule's packet set when the sweep first asks for it: most rules of a large chain
/// are shown reachable by their footprints alone and never need one.
pub struct Lazy<'a> {
    pub space: &'a Space,
    pub interfaces: &'a RefCell<Interfaces>,
    /// The packets the chain sees.
    pub universe: &'a PacketSet,
}

impl Lazy<'_> {
    pub fn rule_packets(&self, rule: &Rule) -> RuleSet {
        rule_packets(
            self.space,
            &mut self.interfaces.borrow_mut(),
            self.universe,
            rule,
        )
    }
}

/// The packets of a footprint's box, as the packet model holds them: for an exact footprint,
/// the set of its rule (the analysis checks that they agree, in tests and debug builds).
pub fn footprint_packets(space: &Space, footprint: &Footprint) -> PacketSet {
    let bits = |field: Field, bits: u8, width: u32| {
        (0..width)
            .filter(|b| bits & (1 << b) != 0)
            .fold(space.none(), |set, b| {
                set.union(&space.value(field, u128::from(b)))
            })
    };
    let mut set = bits(Field::Family, footprint.family, 2).intersect(&bits(
        Field::CtState,
        footprint.conntrack,
        5,
    ));
    let mut protocols = space.none();
    for (class, l4) in L4::ALL.iter().enumerate() {
        if footprint.l4 & (1 << class) != 0 {
            protocols = protocols.union(&space.value(Field::L4, protocol_number(*l4)));
        }
    }
    if footprint.l4 & (1 << L4::ALL.len()) != 0 {
        let five = self::protocols(space, ProtoSet::ANY);
        protocols = protocols.union(&space.complement(&five));
    }
    set = set.intersect(&protocols);
    let fields = [
        (SRC_PORT, Field::SrcPort),
        (DST_PORT, Field::DstPort),
        (IN_IFACE, Field::InIface),
        (OUT_IFACE, Field::OutIface),
        (SRC_ADDR, Field::SrcAddr),
        (DST_ADDR, Field::DstAddr),
    ];
    for (dim, field) in fields {
        let Some(list) = footprint.dim(dim) else {
            continue;
        };
        let v4 = footprint.family == 0b01 && matches!(field, Field::SrcAddr | Field::DstAddr);
        let values = space.union_of(list, &|&(lo, hi): &(u128, u128)| {
            if v4 {
                space.v4_range(field, lo, hi)
            } else {
                space.range(field, lo, hi)
            }
        });
        set = set.intersect(&values);
    }
    set
}
