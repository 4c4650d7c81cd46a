//! A packet simulator for the model: it runs concrete packets through a ruleset's chains, one
//! rule at a time, as the kernel would (first match, jumps and gotos, returns, policies), and is
//! the oracle the chain analyses (PL201–PL205) are checked against.
//!
//! It shares nothing with `src/analysis` but the model: where the analysis reasons about packet
//! *sets* with BDDs, this evaluates each match on one packet. A match the model does not type
//! (`Match::Opaque`, a wildcard interface, a port through a named set) has no value here either:
//! an [`Assignment`] decides it, packet by packet, so that a finding can be checked "whatever
//! each opaque match evaluates to".
#![allow(dead_code)] // each test binary uses a part

use portlint::model::{
    AddressSet, CtStates, Direction, Family, InterfaceName, Match, PortDirection, PortOp, PortSet,
    Rule, Ruleset, Table, Verdict, L4,
};
use std::collections::{BTreeSet, HashMap};

/// One packet, every field the model types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Packet {
    pub v6: bool,
    /// The protocol number (6 tcp, 17 udp, 1 icmp, …).
    pub l4: u8,
    pub sport: u16,
    pub dport: u16,
    /// An index into [`CtStates::NAMES`].
    pub ct: usize,
    pub iif: String,
    pub oif: String,
    /// An IPv4 address is below 2^32.
    pub saddr: u128,
    pub daddr: u128,
}

/// What each opaque match evaluates to: a pseudo-random bit per (seed, chain, rule, match,
/// packet), so a run sees opaque matches that depend on the packet in any way.
#[derive(Clone, Copy, Debug)]
pub struct Assignment {
    pub seed: u64,
    pub packet: u64,
}

impl Assignment {
    fn opaque(&self, chain: usize, rule: usize, m: usize) -> bool {
        let mut x = self.seed
            ^ (chain as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (rule as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            ^ (m as u64).wrapping_mul(0x1656_67B1_9E37_79F9)
            ^ self.packet.wrapping_mul(0x27D4_EB2F_1656_67C5);
        // splitmix64's finaliser
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (x ^ (x >> 31)) & 1 == 1
    }
}

fn protocol_number(l4: L4) -> u8 {
    l4.number()
}

/// Whether a table of `family` sees the packet at all (arp, bridge and netdev tables are not
/// simulated).
pub fn family_sees(family: Family, packet: &Packet) -> Option<bool> {
    match family {
        Family::Ip => Some(!packet.v6),
        Family::Ip6 => Some(packet.v6),
        Family::Inet => Some(true),
        Family::Arp | Family::Bridge | Family::Netdev => None,
    }
}

fn in_ports(ports: &PortSet, port: u16) -> bool {
    ports.elements.iter().any(|e| e.lo <= port && port <= e.hi)
}

/// One match on one packet: `Some(result)`, or `None` when the model does not say.
fn evaluate(rule: &Rule, m: &Match, packet: &Packet) -> Option<bool> {
    match m {
        Match::L4Proto { protos, .. } => {
            Some(protos.iter().any(|l4| protocol_number(l4) == packet.l4))
        }
        Match::Ports {
            direction,
            op,
            protos,
            ports,
            conntrack,
            ..
        } => {
            if *conntrack || ports.elements.is_empty() || ports.through_named_set() {
                return None;
            }
            let has_protocol = rule
                .protocols_of(*protos)
                .iter()
                .any(|l4| protocol_number(l4) == packet.l4);
            let single = ports.single();
            let test = |port: u16| -> Option<bool> {
                Some(match op {
                    PortOp::Eq | PortOp::Ne => in_ports(ports, port),
                    PortOp::Lt => port < single?,
                    PortOp::Le => port <= single?,
                    PortOp::Gt => port > single?,
                    PortOp::Ge => port >= single?,
                })
            };
            let hit = match direction {
                PortDirection::Source => test(packet.sport)?,
                PortDirection::Destination => test(packet.dport)?,
                PortDirection::Either => test(packet.sport)? || test(packet.dport)?,
            };
            Some(has_protocol && (hit != (*op == PortOp::Ne)))
        }
        Match::Family { family, .. } => match family {
            Family::Ip => Some(!packet.v6),
            Family::Ip6 => Some(packet.v6),
            _ => None,
        },
        Match::Addresses {
            direction,
            negated,
            set,
            ..
        } => {
            if set.ranges.is_empty() {
                return None;
            }
            let address = match direction {
                Direction::Source => packet.saddr,
                Direction::Destination => packet.daddr,
            };
            Some(in_addresses(set, packet.v6, address) != *negated)
        }
        Match::Interface {
            direction,
            negated,
            names,
            ..
        } => {
            if names.is_empty() || names.iter().any(|n| n.wildcard) {
                return None;
            }
            let name = match direction {
                Direction::Source => &packet.iif,
                Direction::Destination => &packet.oif,
            };
            Some(names.iter().any(|n: &InterfaceName| &n.name == name) != *negated)
        }
        Match::CtState { states, .. } => Some(states.contains(packet.ct)),
        Match::Opaque { .. } => None,
    }
}

fn in_addresses(set: &AddressSet, v6: bool, address: u128) -> bool {
    set.ranges
        .iter()
        .any(|r| r.v6 == v6 && r.lo <= address && address <= r.hi)
}

/// Whether rule `index` of chain `chain` matches the packet, opaque matches as assigned.
pub fn rule_matches(
    chain: usize,
    index: usize,
    rule: &Rule,
    packet: &Packet,
    assignment: &Assignment,
) -> bool {
    rule.matches.iter().enumerate().all(|(m, candidate)| {
        evaluate(rule, candidate, packet).unwrap_or_else(|| assignment.opaque(chain, index, m))
    })
}

/// Whether the typed matches of a rule leave some packet (opaque ones counted as true).
pub fn typed_matches(rule: &Rule, packet: &Packet) -> bool {
    rule.matches
        .iter()
        .all(|m| evaluate(rule, m, packet).unwrap_or(true))
}

/// How a packet leaves a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A final verdict: accept, drop, reject, queue (and a NAT statement, which accepts).
    Final(String),
    /// The chain ran out or returned: the caller goes on (a base chain's policy applies).
    Continue,
    /// Too deep (a jump loop): no verdict is claimed.
    Unknown,
}

/// A simulation of one table: which rules each packet reached and matched.
pub struct Run<'a> {
    pub table: &'a Table,
    pub table_index: usize,
    by_name: HashMap<&'a str, usize>,
    /// Rules left out, as if deleted: (chain, rule).
    pub skip: BTreeSet<(usize, usize)>,
    /// Every (chain, rule) that matched a packet that reached it.
    pub matched: BTreeSet<(usize, usize)>,
}

const MAX_DEPTH: usize = 16;

impl<'a> Run<'a> {
    pub fn new(table: &'a Table, table_index: usize) -> Run<'a> {
        Run {
            table,
            table_index,
            by_name: table
                .chains
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.as_str(), i))
                .collect(),
            skip: BTreeSet::new(),
            matched: BTreeSet::new(),
        }
    }

    /// Runs the packet through chain `chain` as its entry, and the base chain's policy after.
    pub fn verdict(&mut self, chain: usize, packet: &Packet, assignment: &Assignment) -> String {
        match self.chain(chain, packet, assignment, 0) {
            Outcome::Final(v) => v,
            Outcome::Unknown => "unknown".into(),
            Outcome::Continue => match self.table.chains.get(chain).and_then(|c| c.base.as_ref()) {
                Some(base) => match base.policy {
                    Some(Verdict::Drop) => "drop".into(),
                    _ => "accept".into(),
                },
                None => "continue".into(),
            },
        }
    }

    fn chain(
        &mut self,
        chain: usize,
        packet: &Packet,
        assignment: &Assignment,
        depth: usize,
    ) -> Outcome {
        if depth > MAX_DEPTH {
            return Outcome::Unknown;
        }
        let Some(model) = self.table.chains.get(chain) else {
            return Outcome::Continue;
        };
        for (index, rule) in model.rules.iter().enumerate() {
            if self.skip.contains(&(chain, index)) {
                continue;
            }
            if !rule_matches(chain, index, rule, packet, assignment) {
                continue;
            }
            self.matched.insert((chain, index));
            let nat = rule
                .nat
                .iter()
                .find(|n| n.kind != portlint::model::NatKind::Tproxy);
            let verdict = match &rule.verdict {
                Some((verdict, _)) => verdict.clone(),
                None if nat.is_some() => return Outcome::Final("nat".into()),
                None => continue,
            };
            match verdict {
                Verdict::Accept => return Outcome::Final("accept".into()),
                Verdict::Drop => return Outcome::Final("drop".into()),
                Verdict::Reject => return Outcome::Final("reject".into()),
                Verdict::Queue => return Outcome::Final("queue".into()),
                Verdict::Return => return Outcome::Continue,
                Verdict::Continue => continue,
                Verdict::Jump(target) => {
                    let Some(&target) = self.by_name.get(target.as_ref()) else {
                        return Outcome::Unknown;
                    };
                    match self.chain(target, packet, assignment, depth + 1) {
                        Outcome::Continue => continue,
                        other => return other,
                    }
                }
                Verdict::Goto(target) => {
                    let Some(&target) = self.by_name.get(target.as_ref()) else {
                        return Outcome::Unknown;
                    };
                    // The goto'd chain's end returns to this chain's caller.
                    return self.chain(target, packet, assignment, depth + 1);
                }
            }
        }
        Outcome::Continue
    }
}

/// Boundary packets of a ruleset: every port, address and interface the rules write, the edges
/// of each range and prefix, one past them, and values no rule writes, combined at random (a
/// deterministic generator seeded by `seed`) into `count` packets.
pub fn packets(ruleset: &Ruleset, count: usize, seed: u64) -> Vec<Packet> {
    let mut ports: BTreeSet<u16> = [0, 1, 22, 53, 80, 443, 1023, 1024, 8080, 65535]
        .into_iter()
        .collect();
    let mut v4: BTreeSet<u128> = [0, 0x0a00_0001, 0xc0a8_0101, 0xffff_ffff]
        .into_iter()
        .collect();
    let mut v6: BTreeSet<u128> = [0, 1, 0x2001_0db8 << 96, u128::MAX].into_iter().collect();
    let mut names: BTreeSet<String> = ["lo", "eth0", "unnamed0"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut protocols: BTreeSet<u8> = [1, 6, 17, 33, 58, 132, 136].into_iter().collect();
    let edge = |set: &mut BTreeSet<u128>, lo: u128, hi: u128, max: u128| {
        set.insert(lo);
        set.insert(hi);
        set.insert(lo.saturating_sub(1));
        set.insert(hi.saturating_add(1).min(max));
        set.insert(lo + (hi - lo) / 2);
    };
    for table in &ruleset.tables {
        for chain in &table.chains {
            for rule in &chain.rules {
                for m in &rule.matches {
                    match m {
                        Match::Ports { ports: set, .. } => {
                            for e in &set.elements {
                                for p in [e.lo, e.hi] {
                                    ports.insert(p);
                                    ports.insert(p.saturating_sub(1));
                                    ports.insert(p.saturating_add(1));
                                }
                            }
                        }
                        Match::Addresses { set, .. } => {
                            for r in &set.ranges {
                                if r.v6 {
                                    edge(&mut v6, r.lo, r.hi, u128::MAX);
                                } else {
                                    edge(&mut v4, r.lo, r.hi, u128::from(u32::MAX));
                                }
                            }
                        }
                        Match::Interface { names: written, .. } => {
                            for n in written.iter() {
                                names.insert(n.name.clone());
                                names.insert(format!("{}9", n.name));
                            }
                        }
                        Match::L4Proto { protos, .. } => {
                            protocols.extend(protos.iter().map(protocol_number));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let ports: Vec<u16> = ports.into_iter().collect();
    let v4: Vec<u128> = v4.into_iter().collect();
    let v6: Vec<u128> = v6.into_iter().collect();
    let names: Vec<String> = names.into_iter().collect();
    let protocols: Vec<u8> = protocols.into_iter().collect();
    let mut state = seed ^ 0x5851_F42D_4C95_7F2D;
    let mut next = move |n: usize| -> usize {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n.max(1)
    };
    (0..count)
        .map(|_| {
            let is_v6 = next(2) == 1;
            let addresses = if is_v6 { &v6 } else { &v4 };
            Packet {
                v6: is_v6,
                l4: protocols[next(protocols.len())],
                sport: ports[next(ports.len())],
                dport: ports[next(ports.len())],
                ct: next(CtStates::NAMES.len()),
                iif: names[next(names.len())].clone(),
                oif: names[next(names.len())].clone(),
                saddr: addresses[next(addresses.len())],
                daddr: addresses[next(addresses.len())],
            }
        })
        .collect()
}

/// What one ruleset's check found.
#[derive(Default, Debug, Clone, Copy)]
pub struct Stats {
    pub shadowed: usize,
    pub redundant: usize,
    pub unreachable: usize,
    pub contradictory: usize,
    /// Rules no finding is about, and how many of them some simulated packet matched.
    pub unflagged: usize,
    pub unflagged_matched: usize,
    pub packets: usize,
}

impl Stats {
    pub fn add(&mut self, other: Stats) {
        self.shadowed += other.shadowed;
        self.redundant += other.redundant;
        self.unreachable += other.unreachable;
        self.contradictory += other.contradictory;
        self.unflagged += other.unflagged;
        self.unflagged_matched += other.unflagged_matched;
        self.packets += other.packets;
    }

    pub fn findings(&self) -> usize {
        self.shadowed + self.redundant + self.unreachable + self.contradictory
    }
}

/// The model rules of the written rule that starts at `id` (a verdict map split by verdict is
/// several model rules with one span).
fn group(chain: &portlint::model::Chain, id: usize) -> Vec<usize> {
    let Some(first) = chain.rules.get(id) else {
        return Vec::new();
    };
    (id..chain.rules.len())
        .take_while(|&i| chain.rules[i].span == first.span)
        .collect()
}

/// A finding of the analysis: its code, chain and the model rules of the written rule.
struct Flagged {
    code: &'static str,
    chain: usize,
    parts: Vec<usize>,
}

fn flagged_in(
    analysis: &portlint::analysis::chains::Analysis,
    table: &Table,
    t: usize,
) -> Vec<Flagged> {
    use portlint::analysis::sweep::Finding;
    let mut out = Vec::new();
    for chain in analysis.chains.iter().filter(|a| a.table == t) {
        let model = &table.chains[chain.chain];
        for finding in &chain.findings {
            let (id, code) = match finding {
                Finding::Shadowed { id, .. } => (*id, "PL201"),
                Finding::Redundant { id, .. } => (*id, "PL202"),
                Finding::Unreachable { id, .. } => (*id, "PL203"),
            };
            out.push(Flagged {
                code,
                chain: chain.chain,
                parts: group(model, id),
            });
        }
        for contradiction in &chain.contradictions {
            out.push(Flagged {
                code: "PL205",
                chain: chain.chain,
                parts: group(model, contradiction.rule),
            });
        }
    }
    out
}

/// Checks the chain analyses of `ruleset` against the simulator on `packets`, each under every
/// seed's assignment of the opaque matches:
///
/// - no rule PL201, PL202 or PL203 reports is matched by a packet that reaches it, entering at
///   any chain of its table (a finding must hold for any packet a jump brings);
/// - leaving out a PL202 rule changes no packet's verdict;
/// - no packet the table sees passes the typed matches of a PL205 rule.
///
/// Rules the tool refuses (`refused`) are left out of both sides, as no kernel runs them.
pub fn check(
    ruleset: &Ruleset,
    refused: &portlint::analysis::chains::Refused,
    packets: &[Packet],
    seeds: &[u64],
) -> Result<Stats, String> {
    let analysis = portlint::analysis::chains::analyse(ruleset, refused);
    let mut stats = Stats {
        packets: packets.len(),
        ..Stats::default()
    };
    for (t, table) in ruleset.tables.iter().enumerate() {
        if table.family == Family::Arp
            || table.family == Family::Bridge
            || table.family == Family::Netdev
        {
            continue;
        }
        let mut refused_rules = BTreeSet::new();
        for (c, chain) in table.chains.iter().enumerate() {
            for (i, rule) in chain.rules.iter().enumerate() {
                if refused.within(rule.span) {
                    refused_rules.insert((c, i));
                }
            }
        }
        let flagged = flagged_in(&analysis, table, t);
        for f in &flagged {
            match f.code {
                "PL201" => stats.shadowed += 1,
                "PL202" => stats.redundant += 1,
                "PL203" => stats.unreachable += 1,
                _ => stats.contradictory += 1,
            }
        }
        let mut run = Run::new(table, t);
        run.skip = refused_rules.clone();
        let mut verdicts = Vec::new();
        let mut matched_any: BTreeSet<(usize, usize)> = BTreeSet::new();
        for (p, packet) in packets.iter().enumerate() {
            if family_sees(table.family, packet) != Some(true) {
                continue;
            }
            for &seed in seeds {
                let assignment = Assignment {
                    seed,
                    packet: p as u64,
                };
                for entry in 0..table.chains.len() {
                    run.matched.clear();
                    let verdict = run.verdict(entry, packet, &assignment);
                    for f in flagged.iter().filter(|f| f.code != "PL205") {
                        if let Some(i) = f
                            .parts
                            .iter()
                            .find(|&&i| run.matched.contains(&(f.chain, i)))
                        {
                            return Err(format!(
                                "{} on rule {i} of chain `{}` (table `{}`), but {packet:?} entering chain `{}` matches it (opaque seed {seed})",
                                f.code, table.chains[f.chain].name, table.name, table.chains[entry].name
                            ));
                        }
                    }
                    matched_any.extend(run.matched.iter().copied());
                    verdicts.push(((p, seed, entry), verdict));
                }
            }
        }
        for (c, chain) in table.chains.iter().enumerate() {
            for i in 0..chain.rules.len() {
                let is_flagged = flagged.iter().any(|f| f.chain == c && f.parts.contains(&i));
                if refused_rules.contains(&(c, i)) || is_flagged {
                    continue;
                }
                stats.unflagged += 1;
                if matched_any.contains(&(c, i)) {
                    stats.unflagged_matched += 1;
                }
            }
        }
        for f in flagged.iter().filter(|f| f.code == "PL205") {
            let chain = &table.chains[f.chain];
            for &i in &f.parts {
                let rule = &chain.rules[i];
                if let Some(packet) = packets.iter().find(|packet| {
                    family_sees(table.family, packet) == Some(true) && typed_matches(rule, packet)
                }) {
                    return Err(format!(
                        "PL205 on rule {i} of chain `{}` (table `{}`), but {packet:?} passes its typed matches",
                        chain.name, table.name
                    ));
                }
            }
        }
        for f in flagged.iter().filter(|f| f.code == "PL202") {
            let mut without = Run::new(table, t);
            without.skip = refused_rules.clone();
            without.skip.extend(f.parts.iter().map(|i| (f.chain, *i)));
            for ((p, seed, entry), verdict) in &verdicts {
                let assignment = Assignment {
                    seed: *seed,
                    packet: *p as u64,
                };
                let changed = without.verdict(*entry, &packets[*p], &assignment);
                if &changed != verdict {
                    return Err(format!(
                        "PL202 on rule {:?} of chain `{}` (table `{}`), but without it {:?} entering chain `{}` gets {changed} instead of {verdict} (opaque seed {seed})",
                        f.parts, table.chains[f.chain].name, table.name, packets[*p], table.chains[*entry].name
                    ));
                }
            }
        }
    }
    Ok(stats)
}
