//! A policy's port lists (`[443/tcp, 8000-8010/tcp, ssh/tcp]`) and address prefixes.

use crate::check;
use crate::diagnostic::Diagnostic;
use crate::frontend::resolve::{registry_proto, Resolver};
use crate::model::policy::{Prefix, ProtocolPorts};
use crate::model::{PortElement, PortOrigin, PortSet, L4};
use crate::registry::Registry;
use crate::suggest::did_you_mean;
use crate::yaml::read::{leading_zero, Reader};
use crate::yaml::{Node, Value};
use smallvec::SmallVec;
use std::net::IpAddr;
use std::ops::Range;

const PROTOCOLS: &[&str] = &["tcp", "udp", "sctp", "dccp", "udplite"];
const FORMAT_HELP: &str = "write a port with its protocol: `443/tcp`, a range `60000-61000/udp`, or a service name `ssh/tcp`";

/// A port list: one [`ProtocolPorts`] per protocol, in the order first written; each element
/// keeps the characters that wrote it.
pub fn list(reader: &mut Reader<'_>, registry: &Registry, node: &Node) -> Vec<ProtocolPorts> {
    let Some(items) = reader.list(
        node,
        "a list of ports",
        &format!("{FORMAT_HELP}, in a list: `[443/tcp]`"),
    ) else {
        return Vec::new();
    };
    let mut sets: Vec<ProtocolPorts> = Vec::new();
    for item in items {
        let Some((l4, element)) = entry(reader, registry, item) else {
            continue;
        };
        match sets.iter_mut().find(|s| s.l4 == l4) {
            Some(set) => {
                set.ports.elements.push(element);
                set.ports.span = set.ports.span.to(reader.span(item.span.clone()));
            }
            None => sets.push(ProtocolPorts {
                l4,
                ports: PortSet {
                    elements: SmallVec::from_elem(element, 1),
                    span: reader.span(item.span.clone()),
                    is_list: true,
                },
            }),
        }
    }
    sets
}

/// A port spec split into its port part and protocol, with the range of each in the file.
struct Spec<'a> {
    port: &'a str,
    port_span: Range<usize>,
    l4: L4,
}

/// Reads `PORT/PROTOCOL` from a list item; reports what is wrong.
fn spec<'n>(reader: &mut Reader<'_>, item: &'n Node) -> Option<Spec<'n>> {
    let text = match &item.value {
        Value::String(text) => text.as_str(),
        Value::Int(_) | Value::Float(_) => {
            let written = reader
                .text
                .get(item.span.clone())
                .unwrap_or("")
                .trim()
                .to_string();
            let (message, help) = if leading_zero(&written) {
                (
                    format!("`{written}` has a leading zero and no protocol"),
                    format!("write the port without the zero and with its protocol, as `{}/tcp`: YAML 1.1 tools read `{written}` as an octal number", written.trim_start_matches('0')),
                )
            } else {
                (
                    format!("port `{written}` has no protocol"),
                    format!("write `{written}/tcp`, `{written}/udp` or both: a policy says which transport each port is for"),
                )
            };
            reader.push(
                Diagnostic::new(
                    &check::invalid_port::RULE,
                    reader.span(item.span.clone()),
                    message,
                )
                .with_help(help),
            );
            return None;
        }
        _ => {
            reader.wrong_type(item, "a port (`443/tcp`)", FORMAT_HELP);
            return None;
        }
    };
    let start = value_start(reader.text, item, text);
    let Some((port, protocol)) = text.rsplit_once('/') else {
        let plain = text.trim_start_matches('0');
        let help = if !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit())
            && !plain.is_empty()
        {
            format!("write `{plain}/tcp`, `{plain}/udp` or both: a policy says which transport each port is for")
        } else {
            format!("{FORMAT_HELP}: a policy says which transport each port is for")
        };
        reader.push(
            Diagnostic::new(
                &check::invalid_port::RULE,
                reader.span(item.span.clone()),
                format!("port `{text}` has no protocol"),
            )
            .with_help(help),
        );
        return None;
    };
    if let Some((port, _)) = port.split_once('/') {
        reader.push(
            Diagnostic::new(
                &check::invalid_port::RULE,
                reader.span(item.span.clone()),
                format!("`{text}` names more than one protocol"),
            )
            .with_help(format!(
                "write one entry per protocol: `{port}/tcp`, `{port}/udp`"
            )),
        );
        return None;
    }
    let protocol_start = start + port.len() + 1;
    let l4 = PROTOCOLS
        .iter()
        .position(|p| *p == protocol)
        .map(|i| L4::ALL[i]);
    let Some(l4) = l4 else {
        let lower = protocol.to_ascii_lowercase();
        let near = PROTOCOLS
            .iter()
            .copied()
            .find(|p| *p == lower)
            .or_else(|| did_you_mean(protocol, PROTOCOLS.iter().copied()));
        let help = match near {
            Some(near) => format!(
                "did you mean `{near}`? A port's protocol is tcp, udp, sctp, dccp or udplite"
            ),
            None => "a port's protocol is tcp, udp, sctp, dccp or udplite".to_string(),
        };
        reader.error(
            protocol_start..protocol_start + protocol.len(),
            format!("`{protocol}` is not a transport protocol"),
            help,
        );
        return None;
    };
    // An empty port part (`/tcp`) is pointed at through the whole entry.
    let port_span = if port.is_empty() {
        item.span.clone()
    } else {
        start..start + port.len()
    };
    Some(Spec {
        port,
        port_span,
        l4,
    })
}

/// One list item as an element of its protocol's set.
fn entry(reader: &mut Reader<'_>, registry: &Registry, item: &Node) -> Option<(L4, PortElement)> {
    let spec = spec(reader, item)?;
    let span = reader.span(item.span.clone());
    if spec.port.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let port = name(reader, registry, &spec)?;
        return Some((
            spec.l4,
            PortElement::new(port, port, span, PortOrigin::ServiceName, Vec::new()),
        ));
    }
    let (lo, hi) = number_or_range(reader, &spec)?;
    let origin = if spec.port.contains('-') {
        PortOrigin::Range
    } else {
        PortOrigin::Number
    };
    Some((spec.l4, PortElement::new(lo, hi, span, origin, Vec::new())))
}

/// A port or range with its protocol, no names (a local assignment's port).
pub fn numeric(reader: &mut Reader<'_>, node: &Node) -> Option<(L4, u16, u16)> {
    let spec = spec(reader, node)?;
    let (lo, hi) = number_or_range(reader, &spec)?;
    Some((spec.l4, lo, hi))
}

fn number_or_range(reader: &mut Reader<'_>, spec: &Spec<'_>) -> Option<(u16, u16)> {
    match spec.port.split_once('-') {
        Some((lo, hi)) => {
            let hi_start = spec.port_span.start + lo.len() + 1;
            let lo_port = number(
                reader,
                lo,
                spec.port_span.start..spec.port_span.start + lo.len(),
            )?;
            let hi_port = number(reader, hi, hi_start..hi_start + hi.len())?;
            if lo_port > hi_port {
                reader.push(
                    Diagnostic::new(
                        &check::invalid_port::RULE,
                        reader.span(spec.port_span.clone()),
                        format!("port range {} is inverted", spec.port),
                    )
                    .with_help(format!("write the lower port first: `{hi_port}-{lo_port}`")),
                );
                return None;
            }
            Some((lo_port, hi_port))
        }
        None => number(reader, spec.port, spec.port_span.clone()).map(|p| (p, p)),
    }
}

fn number(reader: &mut Reader<'_>, text: &str, range: Range<usize>) -> Option<u16> {
    let invalid = |reader: &mut Reader<'_>, message: String, help: String| {
        reader.push(
            Diagnostic::new(
                &check::invalid_port::RULE,
                reader.span(range.clone()),
                message,
            )
            .with_help(help),
        );
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        invalid(
            reader,
            format!("`{text}` is not a port number"),
            format!("{FORMAT_HELP}; a port is a number from 0 to 65535"),
        );
        return None;
    }
    if leading_zero(text) {
        let plain = text.trim_start_matches('0');
        let plain = if plain.is_empty() { "0" } else { plain };
        invalid(
            reader,
            format!("port `{text}` has a leading zero"),
            format!("write `{plain}`: iptables and YAML 1.1 read a leading zero as octal, so `{text}` means another port to them"),
        );
        return None;
    }
    match text.parse::<u32>().ok().and_then(|n| u16::try_from(n).ok()) {
        Some(port) => Some(port),
        None => {
            invalid(
                reader,
                format!("port {text} is out of range"),
                "a port is a number from 0 to 65535".to_string(),
            );
            None
        }
    }
}

/// A service name, resolved for the entry's protocol through the registry and the policy's
/// local ports: PL005 when it has no port, PL110 when it has several.
fn name(reader: &mut Reader<'_>, registry: &Registry, spec: &Spec<'_>) -> Option<u16> {
    let name = spec.port;
    let proto = registry_proto(spec.l4);
    let ports = registry.resolve_name(name, proto);
    let span = reader.span(spec.port_span.clone());
    let Some(&(first, _)) = ports.first() else {
        let local = registry
            .local()
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(name));
        let (message, help) = if local {
            (
                format!("service name `{name}` has no {} port in `local-ports`", spec.l4.as_str()),
                format!("its local assignment is for another protocol: add `PORT/{} {name}` to `local-ports`, or write the port number", spec.l4.as_str()),
            )
        } else if registry.records_named(name).is_empty() {
            let help = match Resolver::new(registry).suggest(name) {
                Some(near) => format!("did you mean `{near}`? Otherwise write the port number, or add the name to `local-ports`"),
                None => "write the port number, or add the name to `local-ports` (`- 9100/tcp node-exporter`)".to_string(),
            };
            (format!("unknown service name `{name}`"), help)
        } else {
            (
                format!(
                    "service name `{name}` has no {} port in the IANA registry",
                    spec.l4.as_str()
                ),
                "write the port number".to_string(),
            )
        };
        reader.push(
            Diagnostic::new(&check::unknown_service_name::RULE, span, message).with_help(help),
        );
        return None;
    };
    if ports.len() > 1 {
        let list: Vec<String> = ports
            .iter()
            .map(|(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect();
        reader.push(
            Diagnostic::new(
                &check::ambiguous_service_name::RULE,
                span,
                format!("service name `{name}` names several {} ports in the IANA registry: {}", spec.l4.as_str(), list.join(", ")),
            )
            .with_span_label(format!("portlint reads this as {first}"))
            .with_help(format!("write the port number you mean (portlint assumes {first}, the first in the registry)")),
        );
    }
    Some(first)
}

/// An address or prefix: `192.0.2.0/24`, `2001:db8::/32`, `10.1.2.3`.
pub fn prefix(reader: &mut Reader<'_>, node: &Node, text: &str) -> Option<Prefix> {
    let (address, length) = match text.split_once('/') {
        Some((address, length)) => (address, Some(length)),
        None => (text, None),
    };
    let parsed: Option<IpAddr> = address.parse().ok();
    let max = match parsed {
        Some(IpAddr::V4(_)) => 32,
        Some(IpAddr::V6(_)) => 128,
        None => {
            reader.error(
                node.span.clone(),
                format!("`{text}` is not an IPv4 or IPv6 address or prefix"),
                "write an address or prefix such as `192.0.2.0/24` or `2001:db8::/32`, `any`, or a group name",
            );
            return None;
        }
    };
    let length = match length {
        None => max,
        Some(l) => {
            let valid = !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) && !leading_zero(l);
            match l.parse::<u8>().ok().filter(|n| valid && *n <= max) {
                Some(n) => n,
                None => {
                    reader.error(
                        node.span.clone(),
                        format!("`/{l}` is not a prefix length for this address"),
                        format!("a prefix length is a number from 0 to {max}"),
                    );
                    return None;
                }
            }
        }
    };
    Some(Prefix {
        address: parsed?,
        length,
        span: reader.span(node.span.clone()),
    })
}

/// Where a scalar's value starts in the file: after its opening quote, if quoted.
pub(super) fn value_start(text: &str, node: &Node, value: &str) -> usize {
    let written = text.get(node.span.clone()).unwrap_or("");
    match written.find(value) {
        Some(i) => node.span.start + i,
        None => node.span.start,
    }
}
