//! PL102 reserved-port.
use super::port_facts::{is_are, known_uses, port_with_protocols, quote_record, Judged};
use crate::diagnostic::Diagnostic;
use crate::registry::de_facto;
use crate::registry::PortState;

super::rule_info!(
    "PL102",
    "reserved-port",
    Info,
    "the port is reserved by IANA (0, 1023, …)"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let hits = judged.holding_exposed(|s| s.state == PortState::Reserved);
    let Some(l4) = hits.iter().next() else {
        return;
    };
    let status = judged.status(l4);
    let port = judged.element.lo;
    let quoted = status
        .records
        .first()
        .map(|r| quote_record(r))
        .unwrap_or_default();
    let message = format!(
        "{} {} reserved in the IANA registry",
        port_with_protocols(port, hits),
        is_are(hits)
    );
    let rows = known_uses(port, hits);
    let (message, known) = match (
        de_facto::names(rows.iter().copied()),
        de_facto::describe(rows.iter().copied()),
    ) {
        (Some(names), Some(described)) => (
            format!("{message}; known in practice: {names}"),
            format!("Known in practice: {described}. "),
        ),
        _ => (message, String::new()),
    };
    out.push(
        judged
            .diagnostic(
                &RULE,
                message,
                format!("{known}IANA: {quoted}. No service may be assigned a reserved port; traffic on it is not any service's. Use the port of the service you mean"),
            )
            .with_span_label("reserved"),
    );
}
