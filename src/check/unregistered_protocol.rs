//! PL106 unregistered-protocol.
use super::port_facts::{join_and, Judged};
use crate::diagnostic::Diagnostic;
use crate::registry::PortState;

super::rule_info!(
    "PL106",
    "unregistered-protocol",
    Warning,
    "the port is assigned, but not for this transport protocol"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let hits = judged.holding(|s| s.state == PortState::OtherProtocolOnly);
    let Some(l4) = hits.iter().next() else {
        return;
    };
    let status = judged.status(l4);
    let mut protos: Vec<crate::registry::Proto> =
        status.records.iter().filter_map(|r| r.proto).collect();
    protos.sort();
    protos.dedup();
    let protos: Vec<&str> = protos.iter().map(|p| p.as_str()).collect();
    let names = status.names();
    let service = match names.as_slice() {
        [] => String::from("the port is"),
        [one] => format!("`{one}` is"),
        many => format!("`{}` are", many.join("`, `")),
    };
    let port = judged.element.lo;
    let help = if l4 == crate::model::L4::Dccp {
        "DCCP ports need their own registration (RFC 4340 §19.9): a TCP or UDP assignment does not carry over. Check that this rule should match DCCP at all"
    } else {
        "IANA assigns a port per transport protocol, and this one is not assigned for this protocol. Check the protocol of the match, or use the port registered for this protocol"
    };
    out.push(
        judged
            .diagnostic(
                &RULE,
                format!(
                    "port {port}/{} is not registered for {}: {service} registered for {} only",
                    l4.as_str(),
                    l4.as_str(),
                    join_and(&protos)
                ),
                help,
            )
            .with_span_label(format!("not registered for {}", l4.as_str())),
    );
}
