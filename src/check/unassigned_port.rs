//! PL101 unassigned-port.
use super::port_facts::{port_message, with_known_uses, Judged};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::PortTemplate;
use crate::registry::PortState;

super::rule_info!(
    "PL101",
    "unassigned-port",
    Info,
    "IANA lists the port as unassigned for that protocol"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let hits = judged.holding_exposed(|s| s.state == PortState::Unassigned);
    if hits.is_empty() {
        return;
    }
    let port = judged.element.lo;
    let (message, help) = with_known_uses(
        port_message(PortTemplate::Unassigned, port, hits),
        "IANA: \"UNASSIGNED PORT NUMBERS SHOULD NOT BE USED\"; a later assignment can collide with this service. If the port is right, keep it (this is information, not a fault) or register the service with IANA; if not, use the registered port of the service you mean (`portlint ports NAME` looks it up)",
        port,
        hits,
    );
    out.push(
        judged
            .diagnostic(&RULE, message, help)
            .with_span_label("unassigned"),
    );
}
