//! The rule model: what every front end lowers into and what every check reads.
//!
//! A rule is a conjunction of matches over dimensions (layer-4 protocol, ports, …) plus opaque
//! matches, followed by statements (NAT) and a verdict. Checks never see a front end's syntax.

use crate::source::{FileId, Span};
use smallvec::SmallVec;
use std::collections::HashMap;
use thin_vec::ThinVec;

/// The address family of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Ip,
    Ip6,
    Inet,
    Arp,
    Bridge,
    Netdev,
}

impl Family {
    pub fn parse(word: &str) -> Option<Family> {
        Some(match word {
            "ip" => Family::Ip,
            "ip6" => Family::Ip6,
            "inet" => Family::Inet,
            "arp" => Family::Arp,
            "bridge" => Family::Bridge,
            "netdev" => Family::Netdev,
            _ => return None,
        })
    }
}

/// A netfilter hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
    Ingress,
    Egress,
}

impl Hook {
    pub fn parse(word: &str) -> Option<Hook> {
        Some(match word.to_ascii_lowercase().as_str() {
            "prerouting" => Hook::Prerouting,
            "input" => Hook::Input,
            "forward" => Hook::Forward,
            "output" => Hook::Output,
            "postrouting" => Hook::Postrouting,
            "ingress" => Hook::Ingress,
            "egress" => Hook::Egress,
            _ => return None,
        })
    }

    /// Whether packets on this hook are on their way in (to this host or through it).
    pub fn is_inbound(self) -> bool {
        matches!(
            self,
            Hook::Prerouting | Hook::Input | Hook::Forward | Hook::Ingress
        )
    }
}

/// A final decision (or a jump) of a rule or a chain policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Accept,
    Drop,
    Reject,
    Queue,
    Return,
    Continue,
    /// The target chain. (A boxed name keeps a rule small.)
    Jump(Box<str>),
    Goto(Box<str>),
}

impl Verdict {
    /// A verdict written as one word (`accept`, `drop`, `reject`, `queue`, `return`,
    /// `continue`); `jump` and `goto` take a target and are not.
    pub fn from_word(word: &str) -> Option<Verdict> {
        Some(match word {
            "accept" => Verdict::Accept,
            "drop" => Verdict::Drop,
            "reject" => Verdict::Reject,
            "queue" => Verdict::Queue,
            "return" => Verdict::Return,
            "continue" => Verdict::Continue,
            _ => return None,
        })
    }
}

/// A set of layer-4 protocols a match applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProtoSet(u8);

/// A layer-4 protocol with ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum L4 {
    Tcp,
    Udp,
    Sctp,
    Dccp,
    UdpLite,
}

impl L4 {
    pub const ALL: [L4; 5] = [L4::Tcp, L4::Udp, L4::Sctp, L4::Dccp, L4::UdpLite];

    pub fn parse(word: &str) -> Option<L4> {
        // Runs for every protocol word of every rule: compare in place rather than allocate a
        // lowercased copy.
        const NAMES: [(&str, &str, L4); 5] = [
            ("tcp", "6", L4::Tcp),
            ("udp", "17", L4::Udp),
            ("sctp", "132", L4::Sctp),
            ("dccp", "33", L4::Dccp),
            ("udplite", "136", L4::UdpLite),
        ];
        NAMES
            .iter()
            .find(|(name, number, _)| word.eq_ignore_ascii_case(name) || word == *number)
            .map(|(_, _, l4)| *l4)
    }

    /// The IP protocol number (`ip protocol`, `ip6 nexthdr`).
    pub fn number(self) -> u8 {
        match self {
            L4::Tcp => 6,
            L4::Udp => 17,
            L4::Dccp => 33,
            L4::Sctp => 132,
            L4::UdpLite => 136,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            L4::Tcp => "tcp",
            L4::Udp => "udp",
            L4::Sctp => "sctp",
            L4::Dccp => "dccp",
            L4::UdpLite => "udplite",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl ProtoSet {
    /// Every protocol with ports: what `th dport` matches when nothing narrows it.
    pub const ANY: ProtoSet = ProtoSet(0b1_1111);
    pub const EMPTY: ProtoSet = ProtoSet(0);

    pub fn one(l4: L4) -> ProtoSet {
        ProtoSet(l4.bit())
    }

    pub fn contains(self, l4: L4) -> bool {
        self.0 & l4.bit() != 0
    }

    pub fn insert(&mut self, l4: L4) {
        self.0 |= l4.bit();
    }

    /// A bit per protocol, in the order of [`L4::ALL`].
    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn intersect(self, other: ProtoSet) -> ProtoSet {
        ProtoSet(self.0 & other.0)
    }

    pub fn union(self, other: ProtoSet) -> ProtoSet {
        ProtoSet(self.0 | other.0)
    }

    pub fn is_any(self) -> bool {
        self == ProtoSet::ANY
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many protocols the set holds.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = L4> {
        L4::ALL.into_iter().filter(move |l4| self.contains(*l4))
    }
}

/// How a port element was written. (A service name's text is the element's span.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortOrigin {
    Number,
    Range,
    /// A service name, resolved through the registry (or `--services`).
    ServiceName,
}

/// Where a value came from when it was written in a `define` and used through `$name`: the
/// uses, innermost first (a variable may be defined through another variable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableUse {
    pub name: String,
    pub span: Span,
    /// A named set (`@name`) rather than a `$variable`.
    pub is_set: bool,
}

impl VariableUse {
    /// The label at the use: "`$web` used here", "`@allowed` used here".
    pub fn label(&self) -> String {
        let sigil = if self.is_set { '@' } else { '$' };
        format!("`{sigil}{}` used here", self.name)
    }
}

/// One element of a port set: a port or a closed range, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortElement {
    pub lo: u16,
    pub hi: u16,
    /// The characters that wrote it (inside the `define` when it came through a variable).
    pub span: Span,
    pub origin: PortOrigin,
    /// The `$variable` and `@set` uses it came through, innermost first; see [`Self::via`].
    /// Most elements are written in place and have none: then there is no allocation, and the
    /// element stays 32 bytes (a large ruleset holds hundreds of thousands of them).
    #[allow(clippy::box_collection)] // deliberate: a thin pointer, 8 bytes where a Vec is 24
    uses: Option<Box<Vec<VariableUse>>>,
}

impl PortElement {
    pub fn new(lo: u16, hi: u16, span: Span, origin: PortOrigin, via: Vec<VariableUse>) -> Self {
        PortElement {
            lo,
            hi,
            span,
            origin,
            uses: (!via.is_empty()).then(|| Box::new(via)),
        }
    }

    pub fn is_single(&self) -> bool {
        self.lo == self.hi
    }

    /// The uses it came through, innermost first; empty when written in place.
    pub fn via(&self) -> &[VariableUse] {
        self.uses.as_deref().map_or(&[], Vec::as_slice)
    }
}

/// A written port list: a single value, an anonymous set, or a named set's elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSet {
    /// Most port values are one port: it is stored inline, without an allocation of its own.
    pub elements: SmallVec<[PortElement; 1]>,
    /// The whole value as written (`{ 22, 80 }`, `$ports`, `22`).
    pub span: Span,
    /// Whether the value is a set/list (so duplicates in it are worth reporting).
    pub is_list: bool,
}

impl PortSet {
    /// Some element came through a named set (`@web`), whose elements may change at run time
    /// (`flags dynamic`, `timeout`, a rule's `add @set`, `nft add element`): the analyses do not
    /// take such a match as known.
    pub fn through_named_set(&self) -> bool {
        self.elements
            .iter()
            .any(|e| e.via().iter().any(|used| used.is_set))
    }

    /// The one port, when the value is a single port (what `<` and `>=` compare with).
    pub fn single(&self) -> Option<u16> {
        match self.elements.as_slice() {
            [e] if e.is_single() => Some(e.lo),
            _ => None,
        }
    }
}

/// Which ports of a packet a match looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortDirection {
    Source,
    Destination,
    /// The source or the destination port (iptables `-m multiport --ports`).
    Either,
}

/// A comparison on a port match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// One condition of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// `meta l4proto`, `ip protocol`, `ip6 nexthdr`, or implied by `tcp …`.
    L4Proto { protos: ProtoSet, span: Span },
    /// `tcp dport 22`, `th sport { 1, 2 }`, …
    Ports {
        direction: PortDirection,
        op: PortOp,
        /// The protocols written in the match (`tcp`), or ANY for `th`; see
        /// [`Rule::protocols_of`] for what the rule narrows it to.
        protos: ProtoSet,
        /// Boxed so that every match stays small: a rule keeps its matches inline.
        ports: Box<PortSet>,
        /// The port is conntrack's record of the connection (`ct original proto-dst`,
        /// `--ctorigdstport`), not the packet's header: after NAT, or on a reply, the two
        /// differ, so the analyses must not read it as `tcp dport`.
        conntrack: bool,
        span: Span,
    },
    /// The match's header belongs to one IP family: `ip protocol` is IPv4 only, `ip6 nexthdr`
    /// IPv6 only (`Family::Ip` or `Family::Ip6`), also in an inet table.
    Family { family: Family, span: Span },
    /// `ip saddr 10.0.0.0/8`, `ip6 daddr != { … }`, iptables `-s`/`-d`: the packet's address
    /// in `direction` is (or, `negated`, is not) in `set`. The family the match implies is a
    /// [`Match::Family`] of its own.
    Addresses {
        direction: Direction,
        negated: bool,
        set: Box<AddressSet>,
        span: Span,
    },
    /// `iifname "eth0"`, `oif lo`, iptables `-i`/`-o`: the packet's interface is (or is not)
    /// one of `names`.
    Interface {
        direction: Direction,
        negated: bool,
        names: Box<ThinVec<InterfaceName>>,
        span: Span,
    },
    /// `ct state established,related`, `-m conntrack --ctstate NEW`.
    CtState { states: CtStates, span: Span },
    /// Parsed but not modelled: analyses treat it as "may or may not match".
    Opaque { span: Span },
}

impl Match {
    /// The characters of the match.
    pub fn span(&self) -> Span {
        match self {
            Match::L4Proto { span, .. }
            | Match::Ports { span, .. }
            | Match::Family { span, .. }
            | Match::Addresses { span, .. }
            | Match::Interface { span, .. }
            | Match::CtState { span, .. }
            | Match::Opaque { span } => *span,
        }
    }
}

/// Which side of a packet a match looks at: source or destination address, input or output
/// interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The source address; the input interface.
    Source,
    /// The destination address; the output interface.
    Destination,
}

/// Addresses `lo..=hi` of one family (a prefix is the range it spans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressRange {
    pub v6: bool,
    pub lo: u128,
    pub hi: u128,
    pub span: Span,
}

/// The addresses a match names: a union of ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressSet {
    pub ranges: Vec<AddressRange>,
    pub span: Span,
}

/// An interface a match names; `wildcard` when it ends in `*` (nft) or `+` (iptables), which
/// stands for every name starting with `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceName {
    pub name: String,
    pub wildcard: bool,
    pub span: Span,
}

impl InterfaceName {
    /// The loopback interface: what it receives comes from this host.
    pub fn is_loopback(&self) -> bool {
        !self.wildcard && self.name == "lo"
    }
}

/// A set of conntrack states, a bit per state in the order of [`CtStates::NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CtStates(pub u8);

impl CtStates {
    pub const NAMES: [&'static str; 5] = ["new", "established", "related", "invalid", "untracked"];
    pub const ALL: CtStates = CtStates(0b1_1111);

    /// The state a name (any case: iptables writes `NEW`) names.
    pub fn parse(word: &str) -> Option<CtStates> {
        let at = Self::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(word))?;
        Some(CtStates(1 << at))
    }

    pub fn union(self, other: CtStates) -> CtStates {
        CtStates(self.0 | other.0)
    }

    pub fn complement(self) -> CtStates {
        CtStates(!self.0 & Self::ALL.0)
    }

    pub fn contains(self, state: usize) -> bool {
        self.0 & (1 << state) != 0
    }
}

/// What a NAT statement does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatKind {
    Dnat,
    Snat,
    Redirect,
    Masquerade,
    /// `tproxy to :PORT`: a transparent proxy on this host listens on the port.
    Tproxy,
}

/// The address a NAT statement translates to, as written (a `$variable` of one word
/// expanded), and the addresses it reads as ([`crate::frontend::addresses::nat_address`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatAddress {
    pub text: String,
    /// The first and last address of a literal address or range (`10.0.0.1`,
    /// `10.0.0.1-10.0.0.9`, `[::1]`); `None` for a host name, a map or a variable left as
    /// written.
    pub range: Option<(std::net::IpAddr, std::net::IpAddr)>,
    /// `localhost`: the one host name nft resolves (at load time) to a loopback address on
    /// every host.
    pub localhost: bool,
}

impl NatAddress {
    /// Whether the translation goes to this host: a loopback address (an IPv4-mapped one
    /// too; a range by its first address), or `localhost`. An address that is not known (a
    /// `$variable` the front end could not expand) is not known to be local.
    pub fn is_loopback(&self) -> bool {
        self.localhost
            || self
                .range
                .is_some_and(|(first, _)| first.to_canonical().is_loopback())
    }
}

/// A NAT statement with the ports it rewrites to: a listener must bind those.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nat {
    pub kind: NatKind,
    /// The address written, if any (`10.0.0.1`, `[::1]`, `$backend`).
    pub address: Option<NatAddress>,
    pub ports: Option<PortSet>,
    pub span: Span,
}

impl Nat {
    /// The NAT statement with the ports a listener must bind: `tproxy to :0` (iptables'
    /// `--on-port 0`) keeps the packet's own destination port, so it names none.
    pub fn without_own_port(mut self) -> Nat {
        let own_port = self.kind == NatKind::Tproxy
            && self
                .ports
                .as_ref()
                .is_some_and(|p| p.elements.iter().all(|e| e.lo == 0 && e.hi == 0));
        if own_port {
            self.ports = None;
        }
        self
    }
}

/// The matches a rule usually has (`ip saddr …`, `tcp`, `tcp dport …`, `counter`) fit inline.
pub const INLINE_MATCHES: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub span: Span,
    /// The matches, in the order written: a conjunction. Stored inline up to
    /// [`INLINE_MATCHES`], so that a 100,000-rule file is not 100,000 more allocations;
    /// iterate it like a slice.
    pub matches: SmallVec<[Match; INLINE_MATCHES]>,
    /// NAT statements: most rules have none, and a thin vector is one pointer until then.
    pub nat: ThinVec<Nat>,
    pub verdict: Option<(Verdict, Span)>,
    /// The rule changes a header field the matches look at (`ip saddr set …`, `tcp dport set
    /// …`, `notrack`): the rules after it see different packets than the ones before.
    pub rewrites: bool,
}

impl Rule {
    /// The protocols a rule's `L4Proto` matches narrow it to (ANY when none).
    pub fn l4_protocols(&self) -> ProtoSet {
        self.matches.iter().fold(ProtoSet::ANY, |acc, m| match m {
            Match::L4Proto { protos, .. } => acc.intersect(*protos),
            _ => acc,
        })
    }

    /// The protocols a port match applies to within this rule.
    pub fn protocols_of(&self, match_protos: ProtoSet) -> ProtoSet {
        match_protos.intersect(self.l4_protocols())
    }

    pub fn accepts(&self) -> bool {
        matches!(self.verdict, Some((Verdict::Accept, _)))
    }
}

/// A base chain's declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseChain {
    pub chain_type: String,
    pub hook: Option<Hook>,
    pub priority: Option<String>,
    pub policy: Option<Verdict>,
    /// Where the policy is written (`policy accept`, `:INPUT ACCEPT`, `-P INPUT ACCEPT`), or
    /// where the chain is declared when it is left at its default.
    pub policy_span: Option<Span>,
    /// The file sets the chain up from scratch: its policy is the one written (or nft's
    /// default, accept) and no rule the file does not show runs before its rules. Not so for
    /// an iptables script that appends to a chain it never flushed or whose policy it never
    /// sets, or a restore section that does not declare the chain: what falls through such a
    /// chain is unknown, so PL206 passes it by.
    pub whole: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub name: String,
    pub span: Span,
    pub base: Option<BaseChain>,
    pub rules: Vec<Rule>,
    /// The chain runs exactly `rules`, in this order. Not so when a command placed a rule
    /// (`insert rule`, `add rule … index 2`), removed rules after adding them (`flush`,
    /// `delete`), or shell control flow decides which commands run: then the analyses of the
    /// rules' order (PL201–PL203, PL206) pass the chain by.
    pub sequence_known: bool,
}

impl Chain {
    pub fn hook(&self) -> Option<Hook> {
        self.base.as_ref().and_then(|b| b.hook)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub family: Family,
    pub name: String,
    pub span: Span,
    pub chains: Vec<Chain>,
}

impl Table {
    /// Each chain's index by name (the first of equal names): a jump's target found without a
    /// scan of the table's chains.
    pub fn chains_by_name(&self) -> HashMap<&str, usize> {
        let mut index = HashMap::with_capacity(self.chains.len());
        for (i, chain) in self.chains.iter().enumerate() {
            index.entry(chain.name.as_str()).or_insert(i);
        }
        index
    }
}

impl Ruleset {
    /// Every chain's order is uncertain from here on (see [`Chain::sequence_known`]).
    pub fn forget_sequence(&mut self) {
        for table in &mut self.tables {
            for chain in &mut table.chains {
                chain.sequence_known = false;
            }
        }
    }
}

/// One file's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ruleset {
    pub file: FileId,
    pub tables: Vec<Table>,
}

impl Ruleset {
    pub fn chains(&self) -> impl Iterator<Item = (&Table, &Chain)> {
        self.tables
            .iter()
            .flat_map(|t| t.chains.iter().map(move |c| (t, c)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rule_stays_small() {
        // 100,000 rules are 100,000 of these in one vector. (168 until a port match learnt
        // whether it is conntrack's: that byte costs 8 per inline match.)
        assert_eq!(std::mem::size_of::<super::Rule>(), 200);
    }
}

pub mod policy;
