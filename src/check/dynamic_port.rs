//! PL108 dynamic-port.
use super::port_facts::{port_message, with_known_uses, Judged, PortUse};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::PortTemplate;
use crate::model::PortDirection;
use crate::registry::PortState;

super::rule_info!(
    "PL108",
    "dynamic-port",
    Info,
    "a single service port in 49152-65535 is opened for inbound traffic"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let opens = matches!(
        judged.used_as,
        PortUse::Match {
            direction: PortDirection::Destination,
            opens_inbound: true,
            ..
        }
    );
    if !opens || !judged.element.is_single() {
        return;
    }
    let hits = judged.holding_exposed(|s| s.state == PortState::Dynamic);
    if hits.is_empty() {
        return;
    }
    let port = judged.element.lo;
    let (message, help) = with_known_uses(
        port_message(PortTemplate::Dynamic, port, hits),
        "RFC 6335 §6: dynamic ports are never assigned and are handed out as ephemeral source ports, so a service here can collide with outgoing connections. Move the service to a registered port, or document why it lives here",
        port,
        hits,
    );
    out.push(
        judged
            .diagnostic(&RULE, message, help)
            .with_span_label("dynamic/private port"),
    );
}
