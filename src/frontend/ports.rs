//! Port atoms — a number, a `lo-hi` range or a service name — read the same way by every nft
//! front end, with the same findings (PL002 invalid port, PL005 unknown name, PL110 ambiguous
//! name).
//!
//! Both `nft/lower.rs` (text) and `nft/json.rs` (`nft -j`) read every port through it, so a
//! port is judged the same way whichever form the ruleset is in.

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::{Resolution, Resolver};
use crate::model::{PortElement, PortOrigin, ProtoSet, VariableUse, L4};
use crate::source::Span;

/// Reads atoms and collects what is wrong with them.
pub struct Atoms<'a> {
    pub resolver: &'a Resolver<'a>,
    pub diagnostics: Vec<Diagnostic>,
    /// The tool whose refusals the messages describe (`nft`, `iptables`).
    tool: &'static str,
}

impl<'a> Atoms<'a> {
    pub fn new(resolver: &'a Resolver<'a>) -> Atoms<'a> {
        Atoms::for_tool(resolver, "nft")
    }

    /// Atoms whose messages speak of `tool`.
    pub fn for_tool(resolver: &'a Resolver<'a>, tool: &'static str) -> Atoms<'a> {
        Atoms {
            resolver,
            diagnostics: Vec::new(),
            tool,
        }
    }

    /// A service name resolved for one protocol only, as iptables does
    /// (`getservbyname(name, proto)`): `ntp` is no TCP port on a host whose services file lists
    /// it for UDP only.
    pub fn service(&mut self, text: &str, span: Span, l4: L4) -> Option<PortElement> {
        let resolution = self.resolver.resolve_strict(text, l4);
        if let Resolution::NotOnHost { registry } = &resolution {
            // The name may well be in the file, for another protocol (`ntp` for udp only).
            let path = self.resolver.services().map_or("", |s| s.path.as_str());
            let proto = l4.as_str();
            let help = match registry.first() {
                Some(port) => format!("IANA assigns `{text}` port {port} for {proto}: write the number, which resolves the same on every host"),
                None => format!("write the port number; {} looks a name up for the rule's protocol only", self.tool),
            };
            self.unknown_name(
                span,
                &[],
                format!("service name `{text}` has no {proto} entry in {path}: {} on a host with this services file refuses the rule", self.tool),
                help,
            );
            return None;
        }
        self.named(text, span, ProtoSet::one(l4), &[], resolution)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A single port, range or service name; reports what is invalid and returns `None` then.
    pub fn atom(
        &mut self,
        text: &str,
        span: Span,
        protos: ProtoSet,
        via: &[VariableUse],
    ) -> Option<PortElement> {
        let element = |lo: u16, hi: u16, origin: PortOrigin| {
            PortElement::new(lo, hi, span, origin, innermost_first(via))
        };
        if let Some(number) = parse_number(text) {
            return match u16::try_from(number) {
                Ok(port) => Some(element(port, port, PortOrigin::Number)),
                Err(_) => {
                    self.invalid_port(
                        span,
                        via,
                        format!("port {text} is out of range"),
                        "a port is a number from 0 to 65535",
                    );
                    None
                }
            };
        }
        if let Some((lo_text, hi_text)) = text.split_once('-') {
            if let (Some(lo), Some(hi)) = (parse_number(lo_text), parse_number(hi_text)) {
                return self
                    .range(lo, hi, text, span, via)
                    .map(|(lo, hi)| element(lo, hi, PortOrigin::Range));
            }
        }
        let starts_like_name = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !starts_like_name {
            self.invalid_port(
                span,
                via,
                format!("`{text}` is not a port, a port range or a service name"),
                "write a number from 0 to 65535, a range such as `1024-65535`, or a service name such as `ssh`",
            );
            return None;
        }
        let resolution = self.resolver.resolve(text, protos);
        self.named(text, span, protos, via, resolution)
    }

    /// The element a service name's resolution gives, with its findings.
    fn named(
        &mut self,
        text: &str,
        span: Span,
        protos: ProtoSet,
        via: &[VariableUse],
        resolution: Resolution,
    ) -> Option<PortElement> {
        let element = |lo: u16, hi: u16, origin: PortOrigin| {
            PortElement::new(lo, hi, span, origin, innermost_first(via))
        };
        let tool = self.tool;
        match resolution {
            Resolution::Port { port, candidates } => {
                if candidates.len() > 1 {
                    self.ambiguous_name(text, span, via, protos, port, &candidates);
                }
                Some(element(port, port, PortOrigin::ServiceName))
            }
            Resolution::Host { port, registry } => {
                if !registry.is_empty() && !registry.contains(&port) {
                    self.host_disagrees(text, span, via, port, &registry);
                }
                Some(element(port, port, PortOrigin::ServiceName))
            }
            Resolution::NotOnHost { registry } => {
                let path = self.resolver.services().map_or("", |s| s.path.as_str());
                let help = match registry.first() {
                    Some(port) => format!("IANA assigns `{text}` port {port}: write the number, which resolves the same on every host"),
                    None => "write the port number".to_string(),
                };
                self.unknown_name(
                    span,
                    via,
                    format!("service name `{text}` is not in {path}: {tool} on a host with this services file refuses the rule"),
                    help,
                );
                None
            }
            Resolution::NameOnly => {
                self.unknown_name(
                    span,
                    via,
                    format!("service name `{text}` has no port in the IANA registry"),
                    format!("`{text}` is registered as a name only (for DNS-SD/SRV use), so {tool} cannot resolve it to a port; write the port number"),
                );
                None
            }
            Resolution::Unknown => {
                let help = match self.resolver.suggest(text) {
                    Some(s) => format!("did you mean `{s}`? Otherwise write the port number"),
                    None => "write the port number, or a service name from the IANA registry; if your hosts' /etc/services defines it, lint with `--services /etc/services`"
                        .to_string(),
                };
                self.unknown_name(span, via, format!("unknown service name `{text}`"), help);
                None
            }
        }
    }

    pub fn range(
        &mut self,
        lo: u64,
        hi: u64,
        text: &str,
        span: Span,
        via: &[VariableUse],
    ) -> Option<(u16, u16)> {
        let (Ok(lo16), Ok(hi16)) = (u16::try_from(lo), u16::try_from(hi)) else {
            self.invalid_port(
                span,
                via,
                format!("port range {text} is out of range"),
                "ports are numbers from 0 to 65535",
            );
            return None;
        };
        if lo16 > hi16 {
            self.invalid_port(
                span,
                via,
                format!("port range {text} is inverted"),
                format!("write the lower port first: `{hi16}-{lo16}`"),
            );
            return None;
        }
        Some((lo16, hi16))
    }

    fn with_uses(&self, mut diagnostic: Diagnostic, via: &[VariableUse]) -> Diagnostic {
        for used in via.iter().rev() {
            diagnostic = diagnostic.with_label(used.span, used.label());
        }
        diagnostic
    }

    pub fn invalid_port(
        &mut self,
        span: Span,
        via: &[VariableUse],
        message: String,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) {
        let d = Diagnostic::new(&check::invalid_port::RULE, span, message).with_help(help);
        let d = self.with_uses(d, via);
        self.push(d);
    }

    fn unknown_name(&mut self, span: Span, via: &[VariableUse], message: String, help: String) {
        let d = Diagnostic::new(&check::unknown_service_name::RULE, span, message).with_help(help);
        let d = self.with_uses(d, via);
        self.push(d);
    }

    /// PL110: the host's services file resolves a name to a port IANA does not assign it.
    fn host_disagrees(
        &mut self,
        text: &str,
        span: Span,
        via: &[VariableUse],
        port: u16,
        registry: &[u16],
    ) {
        let path = self.resolver.services().map_or("", |s| s.path.as_str());
        let list: Vec<String> = registry.iter().map(u16::to_string).collect();
        let d = Diagnostic::new(
            &check::ambiguous_service_name::RULE,
            span,
            format!(
                "service name `{text}` is {port} in {path}, but IANA assigns it {}",
                list.join(", ")
            ),
        )
        .with_span_label(format!("{port} on this host"))
        .with_help("hosts with another services file resolve it differently; write the port number you mean");
        let d = self.with_uses(d, via);
        self.push(d);
    }

    fn ambiguous_name(
        &mut self,
        text: &str,
        span: Span,
        via: &[VariableUse],
        protos: ProtoSet,
        port: u16,
        candidates: &[u16],
    ) {
        let list: Vec<String> = candidates.iter().map(u16::to_string).collect();
        let proto = if protos.is_any() {
            String::new()
        } else {
            format!(
                " {}",
                protos.iter().map(L4::as_str).collect::<Vec<_>>().join("/")
            )
        };
        let d = Diagnostic::new(
            &check::ambiguous_service_name::RULE,
            span,
            format!("service name `{text}` names several{proto} ports in the IANA registry: {}", list.join(", ")),
        )
        .with_span_label(format!("portlint reads this as {port}"))
        .with_help(format!(
            "{} resolves names through the host's /etc/services, which lists one of them; write the port number you mean (portlint assumes {port}, the first in the registry)", self.tool
        ));
        let d = self.with_uses(d, via);
        self.push(d);
    }
}

/// The variable uses an element came through, innermost first. Nearly every element was written
/// in place: then nothing is collected (an empty `collect` is still a call per element).
pub fn innermost_first(via: &[VariableUse]) -> Vec<VariableUse> {
    if via.is_empty() {
        Vec::new()
    } else {
        via.iter().rev().cloned().collect()
    }
}

/// A decimal or `0x` hexadecimal number, as nft reads ports.
pub fn parse_number(text: &str) -> Option<u64> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        if hex.is_empty() || hex.len() > 12 {
            return None;
        }
        return u64::from_str_radix(hex, 16).ok();
    }
    if text.is_empty() {
        return None;
    }
    // Every port of a ruleset is read here: a loop over the digits, without `str::parse`'s
    // sign and overflow handling. Anything longer than 12 digits is out of range anyway; it
    // stays a number for the message.
    let mut number = 0u64;
    for (i, b) in text.bytes().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        if i < 12 {
            number = number * 10 + u64::from(b - b'0');
        }
    }
    Some(number)
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers_decimal_and_hex() {
        assert_eq!(parse_number("0"), Some(0));
        assert_eq!(parse_number("22"), Some(22));
        assert_eq!(parse_number("65535"), Some(65535));
        assert_eq!(parse_number("65536"), Some(65536));
        assert_eq!(parse_number("0x16"), Some(22));
        assert_eq!(parse_number("0X1f"), Some(31));
        // Past 12 digits the number is cut, still far out of range for a port.
        assert_eq!(parse_number("99999999999999999999"), Some(999_999_999_999));
        for not in ["", "-1", "+1", "2x", "x2", "0x", "1 2", "٣"] {
            assert_eq!(parse_number(not), None, "{not}");
        }
    }
}
