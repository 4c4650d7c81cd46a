//! The typed match dimensions of an nft rule besides protocols and ports (DESIGN "Typed match
//! dimensions"): addresses (`ip saddr`, `ip6 daddr`), interfaces (`iif`, `oifname`) and
//! conntrack state (`ct state`), and the statements that filter nothing.
//!
//! A value the model cannot hold exactly (a variable, a named set, a host name nft resolves at
//! load time, a wildcard where a name is needed) makes the match opaque: the analyses then treat
//! it as "may or may not match", which is always sound.
//!
//! (A child module of `lower`: it extends the lowerer.)

use super::*;
use crate::frontend::addresses;
use thin_vec::ThinVec;

/// A match's comparison and its plain values, as read by [`Lowerer::plain_values`].
struct Values {
    negated: bool,
    /// Each value's text (quotes removed, a spaced range `a - b` joined) and its bytes.
    items: Vec<(String, Range<usize>)>,
    /// The bytes of the value as written (one word, or the whole set).
    written: Range<usize>,
    /// The token after the value.
    stop: usize,
}

impl<'a> Lowerer<'a> {
    /// `ip saddr …`, `ip6 daddr …` at `start`.
    pub(super) fn address_match(
        &mut self,
        rule: &mut Rule,
        start: usize,
        end: usize,
        v6: bool,
    ) -> usize {
        let direction = match self.keyword(start + 1) {
            Keyword::Saddr => Direction::Source,
            _ => Direction::Destination,
        };
        // `snat to ip saddr map { … }`: the value of a statement, not a match.
        if start > 0 && matches!(self.word(start - 1), Some("set" | "name" | "to")) {
            return self.opaque(rule, start, end);
        }
        let values = self.plain_values(start + 2, end, false);
        // A plain value or a lookup in a named set (`ip saddr @allowed`): either way only
        // packets of the family match.
        if values.is_some() || self.is_lookup(start + 2, end) {
            let family = if v6 { Family::Ip6 } else { Family::Ip };
            rule.matches.push(Match::Family {
                family,
                span: self.tokens_span(start..start + 2),
            });
        }
        let Some(values) = values else {
            return self.opaque(rule, start, end);
        };
        let mut ranges = Vec::with_capacity(values.items.len());
        let mut exact = true;
        for (text, bytes) in &values.items {
            match addresses::nft_value(text, v6) {
                Err(e) => {
                    let at = bytes.start + e.range.start..bytes.start + e.range.end;
                    let span = self.span(at);
                    self.push(
                        Diagnostic::new(&check::syntax_error::RULE, span, e.message)
                            .with_help(e.help),
                    );
                    exact = false;
                }
                Ok((first, last)) => {
                    let span = self.span(bytes.clone());
                    self.host_bits(&first, text, span);
                    let lo = first.range();
                    let hi = last.map_or(lo, |l| l.range());
                    match (lo, hi) {
                        (Some((v6, lo, _)), Some((_, _, hi))) => {
                            ranges.push(AddressRange { v6, lo, hi, span })
                        }
                        // A host name: nft resolves it when the rule is loaded.
                        _ => exact = false,
                    }
                }
            }
        }
        let span = self.tokens_span(start..values.stop);
        if exact {
            rule.matches.push(Match::Addresses {
                direction,
                negated: values.negated,
                set: Box::new(AddressSet {
                    ranges,
                    span: self.span(values.written.clone()),
                }),
                span,
            });
        } else {
            rule.matches.push(Match::Opaque { span });
        }
        values.stop
    }

    /// PL208: `10.0.0.1/8` is read by nft as `10.0.0.0/8`.
    fn host_bits(&mut self, element: &addresses::Element, text: &str, span: Span) {
        if let Some(network) = element.widened() {
            let host = text.split('/').next().unwrap_or(text);
            let message = format!(
                "`{text}` has host bits set: nft reads it as `{network}`, every address of the network, not the host {host}"
            );
            self.push(
                Diagnostic::new(&check::host_bits_set::RULE, span, message).with_help(format!(
                    "write `{network}` if the whole network is meant, or `{host}` if only that host is"
                )),
            );
        }
    }

    /// `iif lo`, `iifname "eth*"`, `meta oifname { … }`: `key` is the keyword's index, the
    /// match starts at `start`.
    pub(super) fn interface_match(
        &mut self,
        rule: &mut Rule,
        start: usize,
        key: usize,
        end: usize,
    ) -> usize {
        let direction = match self.keyword(key) {
            Keyword::Iif | Keyword::Iifname => Direction::Source,
            _ => Direction::Destination,
        };
        let Some(values) = self.plain_values(key + 1, end, false) else {
            return self.opaque(rule, start, end);
        };
        let mut names = ThinVec::with_capacity(values.items.len());
        for (text, bytes) in &values.items {
            let (name, wildcard) = crate::frontend::nft::interface_name(text);
            names.push(InterfaceName {
                name,
                wildcard,
                span: self.span(bytes.clone()),
            });
        }
        rule.matches.push(Match::Interface {
            direction,
            negated: values.negated,
            names: Box::new(names),
            span: self.tokens_span(start..values.stop),
        });
        values.stop
    }

    /// `ct state established,related`, `ct state { new }`, `ct state != invalid`, `ct state !
    /// new,related` (none of the flags: a packet has one state, so any other).
    pub(super) fn ct_state_match(&mut self, rule: &mut Rule, start: usize, end: usize) -> usize {
        let none_of = self
            .tokens
            .get(start + 2)
            .filter(|t| start + 2 < end && t.kind == TokenKind::Operator)
            .is_some_and(|t| t.text(self.text) == "!");
        let first = if none_of { start + 3 } else { start + 2 };
        let Some(mut values) = self.plain_values(first, end, true) else {
            return self.opaque(rule, start, end);
        };
        if none_of {
            if values.negated {
                // `ct state ! != new`: not a form nft writes.
                return self.opaque(rule, start, end);
            }
            values.negated = true;
        }
        let mut states = CtStates(0);
        for (text, _) in &values.items {
            match CtStates::parse(text) {
                Some(state) => states = states.union(state),
                // A state number, or a word nft refuses: not modelled.
                None => return self.opaque(rule, start, end),
            }
        }
        if values.negated {
            states = states.complement();
        }
        rule.matches.push(Match::CtState {
            states,
            span: self.tokens_span(start..values.stop),
        });
        values.stop
    }

    /// The comparison and values of a match whose value starts at `pos`, when it is `==`/`!=`
    /// (or none) and one word or string, or an anonymous set of them (and, with `commas`, a
    /// comma list: `established,related`). `None` for anything else: a variable, a named set,
    /// a map, a concatenation, another operator, a `set` statement.
    fn plain_values(&self, mut pos: usize, end: usize, commas: bool) -> Option<Values> {
        let mut negated = false;
        if let Some(op) = self.tokens.get(pos).filter(|_| pos < end) {
            if matches!(op.kind, TokenKind::Word | TokenKind::Operator) {
                match op.text(self.text) {
                    "==" | "eq" => pos += 1,
                    "!=" | "ne" => {
                        negated = true;
                        pos += 1;
                    }
                    _ if op.kind == TokenKind::Operator => return None,
                    _ => {}
                }
            }
        }
        let first = *self.tokens.get(pos).filter(|_| pos < end)?;
        let mut items = Vec::new();
        let written;
        if first.kind == TokenKind::LBrace {
            let close = self.matching_brace(pos, end)?;
            self.set_items(pos + 1, close, &mut items)?;
            written = first.range().start..self.tokens.get(close)?.range().end;
            pos = close + 1;
        } else {
            let item = self.item_at(pos)?;
            pos += 1;
            written = item.1.clone();
            items.push(item);
            // `established,related` and `established | related`: flags, for `ct state`.
            while commas
                && pos + 1 < end
                && (self
                    .tokens
                    .get(pos)
                    .is_some_and(|t| t.kind == TokenKind::Comma)
                    || self
                        .tokens
                        .get(pos)
                        .is_some_and(|t| t.text(self.text) == "|"))
            {
                items.push(self.item_at(pos + 1)?);
                pos += 2;
            }
        }
        // `ip saddr 10.0.0.1 . tcp dport …`, `… map { … }`: more than this match.
        let after = self.tokens.get(pos).filter(|_| pos < end);
        let more = after.is_some_and(|t| {
            t.kind == TokenKind::Operator
                || matches!(
                    t.text(self.text),
                    "." | ":" | "map" | "vmap" | "-" | "|" | "&" | "^" | "," | "/"
                )
                || t.keyword.is_binop_word()
        });
        if more {
            return None;
        }
        if pos > end || items.is_empty() {
            return None;
        }
        Some(Values {
            negated,
            items,
            written,
            stop: pos,
        })
    }

    /// Whether the value at `pos` is one named set or variable (after `==`/`!=`), and the
    /// match ends there: `@allowed`, `!= $trusted`; not a map, a concatenation or a statement.
    fn is_lookup(&self, mut pos: usize, end: usize) -> bool {
        let op = self.tokens.get(pos).map(|t| t.text(self.text));
        if matches!(op, Some("==" | "!=" | "eq" | "ne")) {
            pos += 1;
        }
        let lookup = self
            .tokens
            .get(pos)
            .filter(|_| pos < end)
            .is_some_and(|t| matches!(t.kind, TokenKind::SetRef | TokenKind::Variable));
        lookup
            && !matches!(
                self.word(pos + 1).filter(|_| pos + 1 < end),
                Some("." | ":" | "map" | "vmap" | "set" | "-")
            )
    }

    /// The elements of an anonymous set between its braces; `None` when one is not a plain
    /// word or string (a variable, a named set, a map entry, a concatenation).
    fn set_items(
        &self,
        mut pos: usize,
        close: usize,
        items: &mut Vec<(String, Range<usize>)>,
    ) -> Option<()> {
        while pos < close {
            let token = *self.tokens.get(pos)?;
            match token.kind {
                TokenKind::Comma | TokenKind::Newline => pos += 1,
                _ => {
                    let item = self.item_at(pos)?;
                    pos += 1;
                    // A spaced range: `10.0.0.1 - 10.0.0.9`.
                    if self.word(pos) == Some("-") && pos + 1 < close {
                        let (last, last_bytes) = self.item_at(pos + 1)?;
                        items.push((format!("{}-{last}", item.0), item.1.start..last_bytes.end));
                        pos += 2;
                    } else {
                        items.push(item);
                    }
                    if matches!(self.word(pos), Some(":" | ".")) {
                        return None;
                    }
                }
            }
        }
        Some(())
    }

    /// A plain value at `pos`: a word that starts nothing else, or a string (without its
    /// quotes); with its bytes.
    fn item_at(&self, pos: usize) -> Option<(String, Range<usize>)> {
        let token = *self.tokens.get(pos)?;
        let range = token.range();
        match token.kind {
            TokenKind::Word if !token.class.has(WordClass::STARTER) => {
                let text = token.text(self.text);
                if matches!(text, "." | ":" | "-" | "map" | "vmap" | "set") || text.ends_with(':') {
                    return None;
                }
                Some((text.to_string(), range))
            }
            TokenKind::String if range.len() >= 2 => {
                let inner = range.start + 1..range.end - 1;
                Some((self.text.get(inner.clone())?.to_string(), inner))
            }
            _ => None,
        }
    }

    /// Whether the statement at `pos` filters nothing (`counter`, `log …`, `comment "…"`, a
    /// `… set …` statement, `notrack`) and so is not a match; a statement that changes a field
    /// the matches test marks the rule as rewriting.
    pub(super) fn is_statement(&self, rule: &mut Rule, pos: usize, stop: usize) -> bool {
        let first = self.keyword(pos);
        if matches!(first, Keyword::Counter | Keyword::Log | Keyword::Comment) {
            // `counter packets 0 bytes 0`, `log prefix "x" level info`: their own arguments. A
            // run that goes on into something else (`counter update @s { ip saddr }`, which
            // fails when the set is full) may filter.
            let foreign = (pos + 1..stop).any(|i| {
                self.tokens
                    .get(i)
                    .is_some_and(|t| t.kind == TokenKind::SetRef)
                    || matches!(
                        self.word(i),
                        Some(
                            "update"
                                | "add"
                                | "delete"
                                | "limit"
                                | "quota"
                                | "meter"
                                | "ct"
                                | "meta"
                                | "set"
                                | "synproxy"
                                | "numgen"
                        )
                    )
            });
            return !foreign;
        }
        if first == Keyword::Notrack {
            rule.rewrites = true;
            return true;
        }
        let sets = (pos..stop).any(|i| self.keyword(i) == Keyword::Set);
        if sets {
            // `meta mark set …` changes nothing a match here tests; `ip saddr set …`,
            // `tcp dport set …`, `ct state set …`, `meta l4proto set …` may.
            let marks_only = matches!(first, Keyword::Meta | Keyword::Ct)
                && matches!(
                    self.word(pos + 1),
                    Some("mark" | "priority" | "nftrace" | "zone" | "helper" | "label" | "secmark")
                )
                || matches!(self.word(pos), Some("mark" | "nftrace" | "priority"));
            if !marks_only {
                rule.rewrites = true;
            }
        }
        sets
    }
}
