//! Ports inside compound matches: concatenations (`ip saddr . tcp dport { 10.0.0.1 . 22 }`),
//! maps and verdict maps keyed by ports (`tcp dport vmap { 22 : accept, 23 : drop }`), named
//! sets and maps of such keys, and conntrack's `ct [original|reply] proto-dst|proto-src`.
//!
//! Each port component becomes a [`Match::Ports`] of its own: a concatenation lets a port through
//! for some value of the other components, which is what the registry checks ask. A verdict map
//! becomes one rule per verdict, so that `22 : accept` opens port 22 and `23 : drop` closes 23;
//! keys with a protocol half (`ip protocol . th dport { udp . 51820, tcp . 22 }`) split the rule
//! per protocol too, so that 51820 is open on udp only.
//! (A child module of `lower`: it extends the lowerer.)

use super::*;
use crate::frontend::lowering::{group_in_order, Alternatives, Splits, VerdictGroup};

/// One component of a selector expression.
#[derive(Clone, Copy, Debug)]
pub(super) enum Component {
    Port {
        direction: PortDirection,
        protos: ProtoSet,
        /// `tcp dport` implies `tcp`; `th` and `ct … proto-dst` imply nothing.
        implies: Option<L4>,
        /// `ct … proto-dst`: conntrack's port, not the header's.
        conntrack: bool,
    },
    /// `ip protocol`, `meta l4proto`, `ip6 nexthdr`: each key's protocol narrows the ports of
    /// the same key (`ip protocol . th dport { udp . 51820 }` is udp 51820 only).
    Protocol,
    Other,
}

pub(super) type Components = SmallVec<[Component; 4]>;

/// A selector expression with at least one port component, and where its value starts.
pub(super) struct Selector {
    components: Components,
    start: usize,
    /// The token after the selectors (and after a relational operator, if written).
    value: usize,
    op: PortOp,
}

/// A named set or map: which components of its key are ports, and where its elements are.
#[derive(Clone, Debug)]
pub(super) struct NamedKeys {
    /// The `{` of `elements = { … }` and of every `add element … { … }`, in file order.
    pub(super) elements: Vec<usize>,
    pub(super) ports: SmallVec<[bool; 4]>,
    pub(super) is_vmap: bool,
}

/// One entry of a set or map: per port component its elements, and the map value.
struct Entry {
    keys: SmallVec<[Elements; 2]>,
    /// The key's protocol component, when the selector has one: the protocols it names
    /// (`None` when it cannot be read, a `$variable` or a set, say: then any protocol).
    protocol: Option<ProtoSet>,
    /// `* : drop`, the catch-all of a map: any key.
    wildcard: bool,
    value: Option<MapValue>,
}

/// A map entry's value: its first word (which may be written onto the key, `25:accept`) and the
/// tokens after it.
struct MapValue {
    first: (String, Span),
    rest: Range<usize>,
}

/// How many words to look ahead for a `.`, `map` or `vmap` before deciding a match is simple.
const LOOKAHEAD: usize = 12;

impl<'a> Lowerer<'a> {
    /// A port selector at `pos`: `tcp dport`, `th sport`, `ct original proto-dst`, … and its
    /// length in tokens.
    pub(super) fn port_selector(&self, pos: usize) -> Option<(Component, usize)> {
        let direction = |w: Option<&str>| match w {
            Some("dport" | "proto-dst") => Some(PortDirection::Destination),
            Some("sport" | "proto-src") => Some(PortDirection::Source),
            _ => None,
        };
        match self.word(pos)? {
            "ct" => {
                let skip = usize::from(matches!(self.word(pos + 1), Some("original" | "reply")));
                let field = self.word(pos + 1 + skip);
                if !matches!(field, Some("proto-dst" | "proto-src")) {
                    return None;
                }
                // The reply direction's destination port is the original's source port.
                let reply = self.word(pos + 1) == Some("reply");
                let field = match (field, reply) {
                    (Some("proto-dst"), true) => Some("proto-src"),
                    (Some("proto-src"), true) => Some("proto-dst"),
                    (field, _) => field,
                };
                let component = Component::Port {
                    direction: direction(field)?,
                    protos: ProtoSet::ANY,
                    conntrack: true,
                    implies: None,
                };
                Some((component, 2 + skip))
            }
            "th" => {
                let field = self.word(pos + 1);
                if !matches!(field, Some("dport" | "sport")) {
                    return None;
                }
                let component = Component::Port {
                    direction: direction(field)?,
                    protos: ProtoSet::ANY,
                    conntrack: false,
                    implies: None,
                };
                Some((component, 2))
            }
            word => {
                let l4 = match word {
                    "tcp" | "udp" | "sctp" | "dccp" | "udplite" => L4::parse(word)?,
                    _ => return None,
                };
                let field = self.word(pos + 1);
                if !matches!(field, Some("dport" | "sport")) {
                    return None;
                }
                let component = Component::Port {
                    direction: direction(field)?,
                    protos: ProtoSet::one(l4),
                    conntrack: false,
                    implies: Some(l4),
                };
                Some((component, 2))
            }
        }
    }

    /// A compound match at `pos`: a concatenation with a port component, a map or verdict map
    /// keyed by ports, or a conntrack port. `None` for everything the simple paths read.
    pub(super) fn compound_selector(&self, pos: usize, end: usize) -> Option<Selector> {
        // Cheap rejection first: this runs at the start of every match of every rule.
        let first = self.port_selector(pos);
        let is_ct = matches!(self.word(pos), Some("ct")) && first.is_some();
        if !is_ct {
            let mut ahead = pos;
            let mut found = false;
            while ahead < end && ahead < pos + LOOKAHEAD {
                match self.word(ahead) {
                    Some("." | "map" | "vmap") => {
                        found = true;
                        break;
                    }
                    // `ct state new ip daddr . th dport @s`: the key starts at `ip`, and
                    // `ct state new` is a match of its own.
                    Some(_)
                        if ahead > pos
                            && self
                                .tokens
                                .get(ahead)
                                .is_some_and(|t| t.class.has(WordClass::STARTER))
                            && !matches!(
                                self.keyword(ahead - 1),
                                Keyword::Dot | Keyword::Meta | Keyword::Ct
                            )
                            && self.port_selector(pos).is_none() =>
                    {
                        break
                    }
                    Some(_) => ahead += 1,
                    None => break,
                }
            }
            if !found {
                return None;
            }
        }
        let mut components = Components::new();
        let mut p = pos;
        loop {
            if let Some((component, len)) = self.port_selector(p) {
                components.push(component);
                p += len;
            } else {
                // Up to the `.`, or to a port selector: in `ip protocol tcp tcp sport . tcp
                // dport`, the concatenation starts at the second `tcp`, and `ip protocol tcp`
                // is a match of its own.
                let start = p;
                while p < end
                    && self.word(p).is_some_and(is_selector_word)
                    && (p == start || self.port_selector(p).is_none())
                {
                    p += 1;
                }
                if p == start {
                    return None;
                }
                let is_protocol = matches!(
                    (self.word(start), self.word(start + 1), p - start),
                    (Some("ip"), Some("protocol"), 2)
                        | (Some("meta"), Some("l4proto"), 2)
                        | (Some("ip6"), Some("nexthdr"), 2)
                        | (Some("l4proto"), _, 1)
                );
                components.push(if is_protocol {
                    Component::Protocol
                } else {
                    Component::Other
                });
            }
            if p < end && self.word(p) == Some(".") {
                p += 1;
                continue;
            }
            break;
        }
        let has_port = components
            .iter()
            .any(|c| matches!(c, Component::Port { .. }));
        // A concatenation with a protocol half and no port (`ip6 saddr . ip6 nexthdr { … . tcp }`)
        // still says which protocols the rule matches.
        let keyed_protocol =
            components.len() > 1 && components.iter().any(|c| matches!(c, Component::Protocol));
        let lookup = matches!(self.word(p), Some("map" | "vmap"));
        if !(has_port || keyed_protocol) || p >= end || (components.len() == 1 && !lookup && !is_ct)
        {
            return None;
        }
        let mut op = PortOp::Eq;
        if let Some(written) = self.relational_op(p) {
            op = written;
            p += 1;
        }
        if p >= end {
            return None;
        }
        Some(Selector {
            components,
            start: pos,
            value: p,
            op,
        })
    }

    fn relational_op(&self, pos: usize) -> Option<PortOp> {
        let token = self.tokens.get(pos)?;
        if !matches!(token.kind, TokenKind::Word | TokenKind::Operator) {
            return None;
        }
        Some(match token.text(self.text) {
            "==" | "eq" => PortOp::Eq,
            "!=" | "ne" => PortOp::Ne,
            "<" | "lt" => PortOp::Lt,
            ">" | "gt" => PortOp::Gt,
            "<=" | "le" => PortOp::Le,
            ">=" | "ge" => PortOp::Ge,
            _ => return None,
        })
    }

    /// Lower a compound match; returns where the rule goes on. Verdict-map keys go to `groups`.
    pub(super) fn compound_match(
        &mut self,
        rule: &mut Rule,
        selector: Selector,
        end: usize,
        groups: &mut Splits,
    ) -> usize {
        for component in &selector.components {
            if let Component::Port {
                implies: Some(l4), ..
            } = component
            {
                rule.matches.push(Match::L4Proto {
                    protos: ProtoSet::one(*l4),
                    span: self.token_span(selector.start),
                });
            }
        }
        let mut pos = selector.value;
        let lookup = match self.word(pos) {
            Some("vmap") => {
                pos += 1;
                Some(true)
            }
            Some("map") => {
                pos += 1;
                Some(false)
            }
            _ => None,
        };
        let value_start = pos;
        let entries = self.compound_value(&mut pos, end, &selector.components, &[], 0);
        let stop = if lookup == Some(false) {
            // A map's value is used by the statement around it (`dnat to …`, `meta mark set …`).
            self.opaque_run(pos, end)
        } else {
            pos
        };
        self.check_variables_defined(selector.start..stop);
        let Some(entries) = entries else {
            rule.matches.push(Match::Opaque {
                span: self.tokens_span(selector.start..stop.max(selector.start + 1)),
            });
            return stop.max(selector.start + 1);
        };
        let value_span = self.tokens_span(value_start..pos.max(value_start + 1));
        let match_span = self.tokens_span(selector.start..pos.max(selector.start + 1));
        let single = selector.components.len() == 1;
        if !self.models_exactly(&selector, &entries) {
            rule.matches.push(Match::Opaque { span: match_span });
        }
        if lookup == Some(true) {
            self.verdict_groups(&selector, &entries, value_span, match_span, groups);
        } else {
            let is_list = single && lookup.is_none();
            let matches =
                self.port_matches(&selector, entries.iter(), value_span, match_span, is_list);
            match self.protocol_alternatives(&selector, &entries, value_span, match_span) {
                Some(each) if lookup.is_none() => groups.alternatives.push(Alternatives {
                    each,
                    merged: matches,
                }),
                _ => rule.matches.extend(matches),
            }
        }
        stop.max(selector.start + 1)
    }

    /// One `Match::Ports` per port component, over the keys of `entries`.
    /// Whether the port matches read from a compound key are exactly what it matches: one
    /// `tcp dport`-like component and no catch-all. A concatenation keeps only its port
    /// components (the address of `ip saddr . tcp dport` and the pairing of two ports are not
    /// in the model yet), `th` and `ct … proto-dst` say nothing of the protocol, and `*` keeps
    /// no protocol at all: each of these reads more packets than the key matches, so the
    /// analyses must not let the rule decide them.
    fn models_exactly(&self, selector: &Selector, entries: &[Entry]) -> bool {
        let one_port = matches!(
            selector.components.as_slice(),
            [Component::Port {
                implies: Some(_),
                ..
            }]
        );
        one_port && !entries.iter().any(|e| e.wildcard)
    }

    fn port_matches<'e>(
        &self,
        selector: &Selector,
        entries: impl Iterator<Item = &'e Entry> + Clone,
        value_span: Span,
        match_span: Span,
        is_list: bool,
    ) -> Vec<Match> {
        let mut matches = Vec::new();
        if entries.clone().any(|e| e.wildcard) {
            // A catch-all key matches every port.
            return matches;
        }
        // The protocols the keys' protocol component names, if the selector has one and every
        // key names one.
        let has_protocol = selector
            .components
            .iter()
            .any(|c| matches!(c, Component::Protocol));
        let keyed_protocols = has_protocol
            .then(|| {
                entries.clone().try_fold(ProtoSet::EMPTY, |mut all, e| {
                    e.protocol?.iter().for_each(|l4| all.insert(l4));
                    Some(all)
                })
            })
            .flatten();
        if let Some(protos) = keyed_protocols {
            matches.push(Match::L4Proto {
                protos,
                span: match_span,
            });
        }
        let mut port_index = 0;
        for component in &selector.components {
            let Component::Port {
                direction,
                protos,
                conntrack,
                ..
            } = component
            else {
                continue;
            };
            let protos = &match keyed_protocols {
                Some(keyed) => protos.intersect(keyed),
                None => *protos,
            };
            let elements: Elements = entries
                .clone()
                .filter_map(|e| e.keys.get(port_index))
                .flat_map(|k| k.iter().cloned())
                .collect();
            port_index += 1;
            matches.push(Match::Ports {
                direction: *direction,
                conntrack: *conntrack,
                op: selector.op,
                protos: *protos,
                ports: Box::new(PortSet {
                    elements,
                    span: value_span,
                    is_list,
                }),
                span: match_span,
            });
        }
        matches
    }

    /// Group a verdict map's entries by verdict, in the order the verdicts first appear.
    fn verdict_groups(
        &mut self,
        selector: &Selector,
        entries: &[Entry],
        value_span: Span,
        match_span: Span,
        groups: &mut Splits,
    ) {
        // By verdict, and by the key's protocol: `udp . 51820 : accept, tcp . 22 : accept` is
        // udp 51820 or tcp 22, not either protocol on either port. (A map's keys do not
        // overlap, so the groups' order does not matter.)
        let keyed = entries.iter().filter_map(|entry| {
            let (verdict, span) = self.map_verdict(entry.value.as_ref()?)?;
            Some(((verdict, entry.protocol), span, entry))
        });
        let by_verdict = group_in_order(keyed.collect::<Vec<_>>());
        for ((verdict, _), span, members) in by_verdict {
            let matches = self.port_matches(
                selector,
                members.iter().copied(),
                value_span,
                match_span,
                selector.components.len() == 1,
            );
            groups.verdicts.push(VerdictGroup {
                verdict: (verdict, span),
                matches,
            });
        }
    }

    /// A set's keys by the protocol each names, when the selector has a protocol component and
    /// the keys name more than one (`{ udp . 51820, tcp . 22 }`): each protocol's matches.
    fn protocol_alternatives(
        &self,
        selector: &Selector,
        entries: &[Entry],
        value_span: Span,
        match_span: Span,
    ) -> Option<Vec<Vec<Match>>> {
        if !selector
            .components
            .iter()
            .any(|c| matches!(c, Component::Protocol))
        {
            return None;
        }
        let keyed: Vec<_> = entries
            .iter()
            .map(|entry| Some((entry.protocol?, (), entry)))
            .collect::<Option<_>>()?;
        let by_protocol = group_in_order(keyed);
        (by_protocol.len() > 1).then(|| {
            by_protocol
                .into_iter()
                .map(|(_, (), members)| {
                    self.port_matches(selector, members.into_iter(), value_span, match_span, false)
                })
                .collect()
        })
    }

    /// The verdict a verdict map's value writes (`accept`, `jump chain`, …).
    fn map_verdict(&mut self, value: &MapValue) -> Option<(Verdict, Span)> {
        let (word, span) = (&value.first.0, value.first.1);
        if let Some(verdict) = Verdict::from_word(word) {
            return Some((verdict, span));
        }
        if !matches!(word.as_str(), "jump" | "goto") {
            return None;
        }
        let target_at = value.rest.start;
        let target = self
            .word(target_at)
            .filter(|_| target_at < value.rest.end)?
            .to_string();
        let span = span.to(self.token_span(target_at));
        let verdict = if word == "jump" {
            Verdict::Jump(target.into())
        } else {
            Verdict::Goto(target.into())
        };
        Some((verdict, span))
    }

    /// The entries of the value at `*pos`: a `{ … }`, an `@name`, a `$variable`, or one literal
    /// key. `None` when it cannot be read as keys of these components.
    fn compound_value(
        &mut self,
        pos: &mut usize,
        end: usize,
        components: &Components,
        via: &[VariableUse],
        depth: usize,
    ) -> Option<Vec<Entry>> {
        if depth >= MAX_VARIABLE_DEPTH || *pos >= end {
            return None;
        }
        let index = *pos;
        match self.tokens[index].kind {
            TokenKind::LBrace => {
                let close = self.matching_brace(index, end)?;
                *pos = close + 1;
                self.entries(index + 1, close, components, via, depth)
            }
            TokenKind::SetRef => {
                *pos += 1;
                self.named_entries(index, components, via, depth)
            }
            TokenKind::Variable => {
                *pos += 1;
                let (value, chain) = self.define_of(index, via)?;
                let mut inner = value.start;
                let entries =
                    self.compound_value(&mut inner, value.end, components, &chain, depth + 1)?;
                (inner >= value.end).then_some(entries)
            }
            _ => {
                // One literal key: its parts up to the next starter word.
                let stop = self.opaque_run(index, end);
                *pos = stop;
                let entry = self.entry(index, stop, components, via, depth)?;
                Some(vec![entry])
            }
        }
    }

    /// The define a `$variable` at `index` names (the generation in scope), with the chain of
    /// uses extended by this one.
    fn define_of(
        &mut self,
        index: usize,
        via: &[VariableUse],
    ) -> Option<(Range<usize>, Vec<VariableUse>)> {
        let name = &self.tokens[index].text(self.text)[1..];
        let generations = self.defines.get(name).map_or(0, Vec::len);
        let enclosing = via.iter().filter(|u| !u.is_set && u.name == name).count();
        let Some(generation) = generations.checked_sub(enclosing + 1) else {
            if via.is_empty() {
                let span = self.token_span(index);
                self.undefined_variable(span, name);
            }
            return None;
        };
        let value = self.defines[name][generation].value.clone();
        let mut chain = via.to_vec();
        chain.push(VariableUse {
            name: name.to_string(),
            span: self.token_span(index),
            is_set: false,
        });
        Some((value, chain))
    }

    /// `@name` with keys of these components: the named set's or map's entries.
    fn named_entries(
        &mut self,
        index: usize,
        components: &Components,
        via: &[VariableUse],
        depth: usize,
    ) -> Option<Vec<Entry>> {
        let name = &self.tokens[index].text(self.text)[1..];
        let keys = self.tables.get(self.table)?.named_keys.get(name)?.clone();
        // The set's key must hold ports where the match has port components.
        let agrees = keys.ports.len() == components.len()
            && components
                .iter()
                .zip(&keys.ports)
                .all(|(c, &is_port)| matches!(c, Component::Port { .. }) == is_port);
        if !agrees {
            return None;
        }
        // A set filled at run time (by `add @name …` or the control plane): unknown elements.
        if keys.elements.is_empty() {
            return None;
        }
        let mut chain = via.to_vec();
        chain.push(VariableUse {
            name: name.to_string(),
            span: self.token_span(index),
            is_set: true,
        });
        let mut entries = Vec::new();
        for open in keys.elements {
            let close = self.matching_brace(open, self.tokens.len())?;
            entries.extend(self.entries(open + 1, close, components, &chain, depth + 1)?);
        }
        Some(entries)
    }

    /// The entries between `{` and `}`: separated by commas (and line breaks in set bodies).
    fn entries(
        &mut self,
        start: usize,
        close: usize,
        components: &Components,
        via: &[VariableUse],
        depth: usize,
    ) -> Option<Vec<Entry>> {
        let mut entries = Vec::new();
        let mut pos = start;
        while pos < close {
            let entry_start = pos;
            let mut nesting = 0usize;
            while pos < close {
                match self.tokens[pos].kind {
                    TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => nesting += 1,
                    TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => {
                        nesting = nesting.saturating_sub(1)
                    }
                    TokenKind::Comma | TokenKind::Newline if nesting == 0 => break,
                    _ => {}
                }
                pos += 1;
            }
            if pos > entry_start {
                if self.tokens[entry_start].kind == TokenKind::Variable && pos == entry_start + 1 {
                    // `$var` inside a set: its value's entries.
                    let (value, chain) = self.define_of(entry_start, via)?;
                    let mut inner = value.start;
                    let more =
                        self.compound_value(&mut inner, value.end, components, &chain, depth + 1)?;
                    entries.extend(more);
                } else {
                    entries.push(self.entry(entry_start, pos, components, via, depth)?);
                }
            }
            pos += 1;
        }
        Some(entries)
    }

    /// One entry: `KEY [: VALUE]`, the key's parts separated by ` . `; element options
    /// (`timeout 1h`, `counter …`, `comment "…"`) after a part are read past.
    fn entry(
        &mut self,
        start: usize,
        stop: usize,
        components: &Components,
        via: &[VariableUse],
        depth: usize,
    ) -> Option<Entry> {
        let colon = (start..stop).find(|&i| self.word(i) == Some(":"));
        let mut key_end = colon.unwrap_or(stop);
        let mut value = colon.filter(|c| c + 1 < stop).and_then(|c| {
            let first = (self.word(c + 1)?.to_string(), self.token_span(c + 1));
            Some(MapValue {
                first,
                rest: c + 2..stop,
            })
        });
        // `25:accept`: the lexer keeps a key and value written together as one word.
        let mut joined_key = None;
        if colon.is_none() {
            if let Some((at, key, rest)) = (start..stop).find_map(|i| {
                let word = self.word(i)?;
                let (key, rest) = word.split_once(':')?;
                (!rest.contains(':') && !key.is_empty()).then_some((i, key, rest))
            }) {
                let token = self.tokens[at];
                let key_span = self.span(token.start as usize..token.start as usize + key.len());
                let rest_span = self.span(token.end as usize - rest.len()..token.end as usize);
                if !rest.is_empty() {
                    value = Some(MapValue {
                        first: (rest.to_string(), rest_span),
                        rest: at + 1..stop,
                    });
                }
                joined_key = Some((at, key.to_string(), key_span));
                key_end = at + 1;
            }
        }
        // (Element options may follow: `* counter packets 0 bytes 0 : drop`.)
        if self.word(start) == Some("*") {
            return Some(Entry {
                keys: SmallVec::new(),
                protocol: None,
                wildcard: true,
                value,
            });
        }
        let mut parts: SmallVec<[Range<usize>; 4]> = SmallVec::new();
        let mut part_start = start;
        for i in start..key_end {
            if self.word(i) == Some(".") {
                parts.push(part_start..i);
                part_start = i + 1;
            }
        }
        parts.push(part_start..key_end);
        if parts.len() != components.len() {
            return None;
        }
        let mut keys = SmallVec::new();
        let mut protocol = None;
        for (part, component) in parts.into_iter().zip(components) {
            if matches!(component, Component::Protocol) {
                // One protocol word (`udp`, `17`); anything else leaves the protocol open.
                protocol = (part.len() == 1)
                    .then(|| self.word(part.start).and_then(L4::parse))
                    .flatten()
                    .map(ProtoSet::one);
                continue;
            }
            let Component::Port { protos, .. } = component else {
                continue;
            };
            if part.is_empty() {
                return None;
            }
            match &joined_key {
                Some((at, key, span)) if *at == part.start => {
                    let key = key.clone();
                    match self.elements_of_atom(&key, *span, *protos, via) {
                        Value::Ports(elements, _) => keys.push(elements),
                        Value::Opaque => return None,
                    }
                }
                _ => {
                    let mut pos = part.start;
                    match self.value(&mut pos, part.end, *protos, via, depth + 1) {
                        Value::Ports(elements, _) => keys.push(elements),
                        Value::Opaque => return None,
                    }
                }
            }
        }
        Some(Entry {
            keys,
            protocol,
            wildcard: false,
            value,
        })
    }
}

/// Whether a word can be part of a non-port selector (`ip saddr`, `meta mark`, `iifname`): a
/// keyword, not a value such as an address or a number.
fn is_selector_word(word: &str) -> bool {
    // Statements and their keywords: `dnat ip to ip saddr . tcp dport map { … }` is a statement
    // whose argument is a map, not a selector `dnat ip to ip saddr`.
    const NOT_SELECTORS: &[&str] = &[
        ".",
        "map",
        "vmap",
        "to",
        "set",
        "with",
        "dnat",
        "snat",
        "redirect",
        "masquerade",
        "tproxy",
        "counter",
        "log",
        "limit",
        "quota",
        "queue",
        "dup",
        "fwd",
        "update",
        "add",
        "delete",
        "reject",
        "accept",
        "drop",
        "jump",
        "goto",
        "return",
        "continue",
        "notrack",
        "synproxy",
        "flow",
        "comment",
    ];
    !NOT_SELECTORS.contains(&word)
        && word.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The key of a named set or map declaration (`type ipv4_addr . inet_service : verdict`,
/// `typeof ip saddr . tcp dport`): which components are ports. `None` when none is.
pub(super) fn declared_ports(words: &[&str]) -> Option<(SmallVec<[bool; 4]>, bool)> {
    let (keyword, rest) = words.split_first()?;
    let key_end = rest.iter().position(|w| *w == ":").unwrap_or(rest.len());
    let is_vmap = rest.get(key_end + 1) == Some(&"verdict");
    let key = &rest[..key_end];
    let ports: SmallVec<[bool; 4]> = match *keyword {
        "type" => key
            .split(|w| *w == ".")
            .map(|part| part == ["inet_service"])
            .collect(),
        "typeof" => key
            .split(|w| *w == ".")
            .map(|part| match part {
                [l4, "dport" | "sport"] => {
                    matches!(*l4, "tcp" | "udp" | "sctp" | "dccp" | "udplite" | "th")
                }
                ["ct", "original" | "reply", "proto-dst" | "proto-src"]
                | ["ct", "proto-dst" | "proto-src"] => true,
                _ => false,
            })
            .collect(),
        _ => return None,
    };
    ports.iter().any(|p| *p).then_some((ports, is_vmap))
}
