//! What the registry says about every port element of a ruleset, computed once and shared by
//! the registry rules (PL101–PL108).

use super::Context;
use crate::diagnostic::{Diagnostic, Label, Message, PortTemplate};
use crate::frontend::resolve::registry_proto;
use crate::model::*;
pub use crate::port_text::{is_are, port_message_text, push_decimal};
use crate::registry::de_facto::{self, DeFacto};
use crate::registry::{PortState, PortStatus, Registry};
use smallvec::SmallVec;

/// Where a port element stands in its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortUse {
    /// A port match.
    Match {
        direction: PortDirection,
        op: PortOp,
        /// The rule lets the packet in — accepts it, or forwards it with a DNAT, redirect or
        /// tproxy — in a chain that an inbound hook can reach.
        opens_inbound: bool,
        /// The rule drops or rejects what it matches.
        blocks: bool,
    },
    /// A NAT target port: a listener must bind it.
    NatTarget { kind: NatKind, local: bool },
}

/// What the registry says about one (port, protocol) of an element. The rows behind it are looked
/// up again ([`Judged::status`]) only for the few ports a finding quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortFact {
    pub l4: L4,
    pub state: PortState,
    /// A row for this protocol reports unauthorized use of the port.
    pub unauthorized: bool,
}

/// One element with the registry's verdict per protocol (single ports only; ranges carry none).
pub struct Judged<'a> {
    pub registry: &'a Registry,
    pub element: &'a PortElement,
    pub used_as: PortUse,
    /// One fact per judged protocol, in protocol order. Inline: a match names one or two
    /// protocols, and every port of a ruleset is judged.
    pub facts: SmallVec<[PortFact; 2]>,
    /// The match did not name its protocol (`th dport` with nothing narrowing it): judged as tcp
    /// and udp, and a finding must hold for both.
    pub protocol_unknown: bool,
    /// The ruleset exposes or binds this port on this host (see [`exposes`]): only such ports are
    /// judged by the registry facts an admin cannot change (PL101, PL102, PL104, PL108).
    pub exposed: bool,
    /// The rule already judged this single port (a NAT target naming the
    /// port the rule matched: `tcp dport 9001 redirect to :9001`). Its registry facts were
    /// reported at the first place: one line gets each finding once.
    pub repeated: bool,
}

/// Whether the world reaches a port of this use on this host, so that what the registry says
/// about its number concerns the ruleset:
/// - a destination port that a rule lets in, in a chain an inbound hook reaches. That includes
///   the port a DNAT rule matches (`tcp dport 25565 dnat to 10.0.0.5:25565`): the port is
///   forwarded, not bound, but it is the port clients connect to on this host's address, so it
///   is the port the host exposes;
/// - a NAT target that a listener on this host binds: redirect and tproxy ports, DNAT to a
///   loopback address.
///
/// Never: a DNAT target on another host (the internal port of a backend), ports in chains only
/// outbound hooks reach (the ports of the peers this host connects to, as owner-match rules in
/// `output` name them), source ports, and what a rule drops or merely bounds.
fn exposes(used_as: PortUse) -> bool {
    match used_as {
        PortUse::Match {
            direction,
            opens_inbound,
            ..
        } => opens_inbound && direction != PortDirection::Source,
        PortUse::NatTarget { local, .. } => local,
    }
}

/// The protocols a match on `protos` is judged for, and whether a finding must hold for all.
fn judged_protocols(protos: ProtoSet) -> (ProtoSet, bool) {
    if protos.is_any() || protos.is_empty() {
        let mut both = ProtoSet::one(L4::Tcp);
        both.insert(L4::Udp);
        (both, true)
    } else {
        (protos, false)
    }
}

/// What [`for_each`] hands over, in one walk of the ruleset (a 100,000-rule model is walked once,
/// not once per check).
pub enum Visit<'v, 'a> {
    /// A port list or set of a match, before its elements, whatever the match does with it.
    Set(&'a PortSet),
    /// An element the registry was asked about.
    Element(&'v Judged<'a>),
}

/// Judge every port element of the ruleset, one at a time (nothing is kept: a 100,000-rule file
/// has as many elements), and hand each to `visit`, with each matched port set before its
/// elements.
pub fn for_each<'a>(ctx: &Context<'a>, mut visit: impl FnMut(Visit<'_, 'a>)) {
    for table in &ctx.ruleset.tables {
        let outbound_only = chains_reached_only_outbound(table);
        for (index, chain) in table.chains.iter().enumerate() {
            judge_chain(ctx, chain, outbound_only[index], &mut visit);
        }
    }
}

/// For each chain of a table: whether only outbound hooks (output, postrouting) reach it. A base
/// chain is its hook; a regular chain is what the chains that jump or go to it are. A chain no
/// chain of this file reaches counts as inbound: it may be reached from anywhere.
fn chains_reached_only_outbound(table: &Table) -> Vec<bool> {
    let chains_by_name = table.chains_by_name();
    let index_of = |name: &str| chains_by_name.get(name).copied();
    // Which kinds of hook reach each chain: (inbound, outbound).
    let mut reached = vec![(false, false); table.chains.len()];
    let mut work: Vec<usize> = Vec::new();
    for (i, chain) in table.chains.iter().enumerate() {
        if let Some(hook) = chain.hook() {
            reached[i] = (hook.is_inbound(), !hook.is_inbound());
            work.push(i);
        }
    }
    // Propagate along jumps and gotos; each chain's pair only grows, so this ends. Only a
    // regular chain is reached that way (nft refuses a jump to a base chain): without one, no
    // rule needs reading.
    if table.chains.iter().all(|chain| chain.hook().is_some()) {
        work.clear();
    }
    while let Some(from) = work.pop() {
        for rule in &table.chains[from].rules {
            let target = match &rule.verdict {
                Some((Verdict::Jump(t) | Verdict::Goto(t), _)) => t,
                _ => continue,
            };
            let Some(to) = index_of(target) else { continue };
            let merged = (
                reached[to].0 || reached[from].0,
                reached[to].1 || reached[from].1,
            );
            if merged != reached[to] {
                reached[to] = merged;
                work.push(to);
            }
        }
    }
    reached
        .iter()
        .map(|&(inbound, outbound)| outbound && !inbound)
        .collect()
}

fn judge_chain<'a>(
    ctx: &Context<'a>,
    chain: &'a Chain,
    outbound: bool,
    visit: &mut impl FnMut(Visit<'_, 'a>),
) {
    // The rules a front end split one written rule into (one per verdict of a verdict map, or
    // per protocol of a concatenated set) are consecutive and share its span: they are judged
    // together, so that a port they share is one finding, on the protocols of them all.
    let mut rest = chain.rules.as_slice();
    while let Some(first) = rest.first() {
        let split = rest
            .iter()
            .position(|rule| rule.span != first.span)
            .unwrap_or(rest.len());
        let (written, after) = rest.split_at(split);
        judge_written_rule(ctx, written, outbound, visit);
        rest = after;
    }
}

/// One port match of a written rule, with the protocols it applies to in its rules.
struct Judgement<'a> {
    ports: &'a crate::model::PortSet,
    used_as: PortUse,
    protos: ProtoSet,
}

/// Judge the rules `split` from one written rule (most often just one).
fn judge_written_rule<'a>(
    ctx: &Context<'a>,
    split: &'a [crate::model::Rule],
    outbound: bool,
    visit: &mut impl FnMut(Visit<'_, 'a>),
) {
    let mut judgements: SmallVec<[Judgement<'a>; 4]> = SmallVec::new();
    // Only for a split rule: where each judgement is, by its match's place and first element.
    type Key = (crate::source::Span, Option<crate::source::Span>, usize);
    let mut index: std::collections::HashMap<Key, SmallVec<[usize; 1]>> = Default::default();
    for rule in split {
        let lets_in = rule.accepts() || rule.nat.iter().any(|nat| binds_or_forwards(nat.kind));
        for m in &rule.matches {
            if let Match::Ports {
                direction,
                op,
                protos,
                ports,
                span,
                conntrack: _,
            } = m
            {
                let used_as = PortUse::Match {
                    direction: *direction,
                    op: *op,
                    opens_inbound: lets_in && !outbound && *op == PortOp::Eq,
                    blocks: matches!(rule.verdict, Some((Verdict::Drop | Verdict::Reject, _))),
                };
                let protos = rule.protocols_of(*protos);
                // A rule with no protocol left (`udp dport 53 tcp dport 22`, or a split rule:
                // `tcp sport 1 meta l4proto . th dport { udp . 53, … }` on udp) matches no
                // packet, so it opens and binds no port.
                if protos.is_empty() {
                    continue;
                }
                // The same match in several split rules: same place, use and ports (a verdict
                // map's groups share a place but not their ports). Candidates are found by
                // place and first element, so 100,000 verdicts are not compared pairwise.
                let key = (
                    *span,
                    ports.elements.first().map(|e| e.span),
                    ports.elements.len(),
                );
                let same = (split.len() > 1)
                    .then(|| index.get(&key))
                    .flatten()
                    .and_then(|candidates| {
                        candidates.iter().copied().find(|&i| {
                            judgements.get(i).is_some_and(|j: &Judgement| {
                                j.used_as == used_as && *j.ports == **ports
                            })
                        })
                    });
                match same.and_then(|i| judgements.get_mut(i)) {
                    Some(judgement) => judgement.protos = judgement.protos.union(protos),
                    None => {
                        if split.len() > 1 {
                            index.entry(key).or_default().push(judgements.len());
                        }
                        judgements.push(Judgement {
                            ports,
                            used_as,
                            protos,
                        });
                    }
                }
            }
        }
    }
    // The single ports this rule matched: a NAT target repeating one is not judged again
    // (the target's protocols are the rule's, those the match named). A rule has a handful
    // of ports, so a scan is cheapest.
    let mut matched: SmallVec<[u16; 4]> = SmallVec::new();
    for judgement in &judgements {
        visit(Visit::Set(judgement.ports));
        let judging = Judging {
            used_as: judgement.used_as,
            exposed: exposes(judgement.used_as),
        };
        judge_set(
            ctx.registry,
            judgement.ports,
            judgement.protos,
            judging,
            &mut matched,
            visit,
        );
    }
    // The NAT statements are the written rule's, the same in each split rule, on the
    // protocols of them all.
    let Some(rule) = split.first() else {
        return;
    };
    let nat_protocols = split
        .iter()
        .map(|rule| rule.l4_protocols())
        .fold(ProtoSet::EMPTY, ProtoSet::union);
    for nat in &rule.nat {
        if let Some(ports) = &nat.ports {
            let used_as = PortUse::NatTarget {
                kind: nat.kind,
                // snat and masquerade rewrite the source: nothing binds their ports.
                local: matches!(nat.kind, NatKind::Redirect | NatKind::Tproxy)
                    || (nat.kind == NatKind::Dnat
                        && nat.address.as_ref().is_some_and(|a| a.is_loopback())),
            };
            let protos = match nat_protocols {
                p if p.is_any() || p.is_empty() => ProtoSet::ANY,
                p => p,
            };
            let judging = Judging {
                used_as,
                exposed: exposes(used_as),
            };
            judge_set(ctx.registry, ports, protos, judging, &mut matched, visit);
        }
    }
}

/// NAT kinds after which the packet goes on inbound, to this host or a backend: the port it
/// matched is one the world reaches here. snat and masquerade rewrite the source of traffic
/// leaving.
fn binds_or_forwards(kind: NatKind) -> bool {
    matches!(kind, NatKind::Dnat | NatKind::Redirect | NatKind::Tproxy)
}

/// How the elements of one port set are used, and whether the host exposes them.
#[derive(Clone, Copy)]
struct Judging {
    used_as: PortUse,
    exposed: bool,
}

/// [`for_each`] over a policy: each service's port lists as matches that let traffic through
/// (inbound ones open the host), its `listen` ports likewise but opening nothing; forbidden
/// lists are handed over as sets only (forbidding a port is no use of it, like a drop rule).
pub fn for_each_in_policy<'a>(
    registry: &'a Registry,
    policy: &'a crate::model::policy::Policy,
    mut visit: impl FnMut(Visit<'_, 'a>),
) {
    use crate::model::policy::Direction;
    for role in &policy.roles {
        for service in &role.services {
            let opens_inbound = service.direction == Direction::Inbound;
            // Inbound ports are exposed; `listen` ports are bound on this host; an outbound
            // service's ports are its peers'.
            for (lists, opens_inbound, exposed) in [
                (&service.ports, opens_inbound, opens_inbound),
                (&service.listen, false, true),
            ] {
                for list in lists {
                    visit(Visit::Set(&list.ports));
                    let used_as = PortUse::Match {
                        direction: PortDirection::Destination,
                        op: PortOp::Eq,
                        opens_inbound,
                        blocks: false,
                    };
                    judge_set(
                        registry,
                        &list.ports,
                        ProtoSet::one(list.l4),
                        Judging { used_as, exposed },
                        &mut SmallVec::new(),
                        &mut visit,
                    );
                }
            }
        }
        for forbidden in &role.forbidden {
            for list in &forbidden.ports {
                visit(Visit::Set(&list.ports));
            }
        }
    }
}

fn judge_set<'a>(
    registry: &'a Registry,
    ports: &'a PortSet,
    protos: ProtoSet,
    judging: Judging,
    matched: &mut SmallVec<[u16; 4]>,
    visit: &mut impl FnMut(Visit<'_, 'a>),
) {
    let Judging { used_as, exposed } = judging;
    // Only ports a rule lets through are judged: `tcp dport 0 drop` and `tcp dport != 1021`
    // are sane hardening, and `tcp dport < 1024` is a bound, not a port.
    if let PortUse::Match { op, blocks, .. } = used_as {
        if op != PortOp::Eq || blocks {
            return;
        }
    }
    let (l4s, protocol_unknown) = judged_protocols(protos);
    for element in &ports.elements {
        // Pushed one by one: `collect` into a SmallVec is a call the compiler does not inline,
        // and this runs for every port of a ruleset.
        let mut facts = SmallVec::new();
        let mut repeated = false;
        if element.is_single() {
            match used_as {
                PortUse::Match { .. } => matched.push(element.lo),
                PortUse::NatTarget { .. } => repeated = matched.contains(&element.lo),
            }
            for l4 in l4s.iter() {
                let proto = registry_proto(l4);
                facts.push(PortFact {
                    l4,
                    state: registry.state(element.lo, proto),
                    unauthorized: registry.unauthorized_reported(element.lo, proto),
                });
            }
        }
        visit(Visit::Element(&Judged {
            registry,
            element,
            used_as,
            facts,
            protocol_unknown,
            exposed,
            repeated,
        }));
    }
}

impl<'a> Judged<'a> {
    /// The protocols whose facts `holds` is true for — all of them when the protocol is
    /// unknown, or none. Empty means no finding.
    pub fn holding(&self, holds: impl Fn(&PortFact) -> bool) -> ProtoSet {
        if self.repeated {
            return ProtoSet::EMPTY;
        }
        let mut hits = ProtoSet::EMPTY;
        for fact in self.facts.iter().filter(|f| holds(f)) {
            hits.insert(fact.l4);
        }
        if self.protocol_unknown && hits.len() != self.facts.len() {
            return ProtoSet::EMPTY;
        }
        hits
    }

    /// [`Judged::holding`] for the registry facts an admin cannot change (PL101, PL102, PL104,
    /// PL108): judged only where this host exposes or binds the port.
    pub fn holding_exposed(&self, holds: impl Fn(&PortFact) -> bool) -> ProtoSet {
        if !self.exposed {
            return ProtoSet::EMPTY;
        }
        self.holding(holds)
    }

    /// What the registry says about this element's port for `l4`, with the rows.
    pub fn status(&self, l4: L4) -> PortStatus<'a> {
        self.registry.status(self.element.lo, registry_proto(l4))
    }

    /// Labels pointing at the `$variable` uses that brought this element.
    pub fn use_labels(&self) -> thin_vec::ThinVec<Label> {
        self.element
            .via()
            .iter()
            .map(|u| Label {
                span: u.span,
                message: u.label(),
            })
            .collect()
    }

    /// A diagnostic on this element, with the variable-use labels.
    pub fn diagnostic(
        &self,
        rule: &'static super::RuleInfo,
        message: impl Into<Message>,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(rule, self.element.span, message).with_help(help);
        d.labels = self.use_labels();
        d
    }
}

/// `{before}port 22/tcp is {after}`, `{before}ports 22/tcp and 22/udp are {after}`: the message
/// of most registry findings. Written by hand rather than with `format!`: a large ruleset has a
/// finding for most of its ports, and the formatting machinery was most of their cost.
pub fn port_message(template: PortTemplate, port: u16, hits: ProtoSet) -> Message {
    Message::Port {
        template,
        port,
        hits,
    }
}

/// `port 22/tcp`, `ports 22/tcp and 22/udp`: written straight into the message it is part of
/// (a finding's message is the one string it needs).
pub fn port_with_protocols(port: u16, hits: ProtoSet) -> PortsWithProtocols {
    PortsWithProtocols { port, hits }
}

/// See [`port_with_protocols`].
pub struct PortsWithProtocols {
    port: u16,
    hits: ProtoSet,
}

impl std::fmt::Display for PortsWithProtocols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let port = self.port;
        let count = self.hits.len();
        f.write_str(if count == 1 { "port " } else { "ports " })?;
        // As `join_and` joins: `a`, `a and b`, `a, b and c`.
        for (i, l4) in self.hits.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == count { " and " } else { ", " })?;
            }
            write!(f, "{port}/{}", l4.as_str())?;
        }
        Ok(())
    }
}

/// What a finding's port is known for in practice (`data/de-facto-ports.tsv`), for the protocols
/// the finding holds for, each row once.
pub fn known_uses(port: u16, hits: ProtoSet) -> Vec<&'static DeFacto> {
    let mut rows: Vec<&'static DeFacto> = Vec::new();
    for l4 in hits.iter() {
        for row in crate::registry::known_uses(port, registry_proto(l4)) {
            if !rows.iter().any(|seen| std::ptr::eq(*seen, row)) {
                rows.push(row);
            }
        }
    }
    rows
}

/// A registry finding's message and help, saying what the port is known for in practice when
/// the table knows: `…; known in practice: Minecraft Java Edition server`, and the help starts
/// with the rows and their sources. Without a row, both stay as they are (and allocate nothing).
pub fn with_known_uses(
    message: Message,
    help: &'static str,
    port: u16,
    hits: ProtoSet,
) -> (Message, std::borrow::Cow<'static, str>) {
    let rows = known_uses(port, hits);
    let (Some(names), Some(described)) = (
        de_facto::names(rows.iter().copied()),
        de_facto::describe(rows.iter().copied()),
    ) else {
        return (message, std::borrow::Cow::Borrowed(help));
    };
    let message = format!("{}; known in practice: {names}", message.text());
    let help = format!("Known in practice: {described}. {help}");
    (Message::from(message), std::borrow::Cow::Owned(help))
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The registry's own words about a row: `"Description" [references]`.
pub fn quote_record(record: &crate::registry::Record) -> String {
    let mut text = format!("\"{}\"", first_line(record.description));
    if !record.reference.is_empty() {
        text.push(' ');
        text.push_str(record.reference);
    }
    text
}

pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_messages_read_as_the_formatted_ones_did() {
        for port in [0, 7, 10, 99, 100, 1021, 9999, 10000, 49152, u16::MAX] {
            for bits in 1..32u8 {
                let hits = L4::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .fold(ProtoSet::EMPTY, |mut set, (_, l4)| {
                        set.insert(*l4);
                        set
                    });
                let message = port_message_text("inbound ", port, hits, "odd");
                assert_eq!(message.len(), message.capacity(), "exact length");
                assert_eq!(
                    port_message(PortTemplate::Dynamic, port, hits).text(),
                    format!(
                        "inbound {} {} in the dynamic/private range 49152-65535",
                        port_with_protocols(port, hits),
                        is_are(hits)
                    )
                );
                assert_eq!(
                    message,
                    format!(
                        "inbound {} {} odd",
                        port_with_protocols(port, hits),
                        is_are(hits)
                    )
                );
            }
        }
    }
}
