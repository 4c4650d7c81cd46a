//! PL108 dynamic-port.
use super::port_facts::{port_message, Judged, PortUse};
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
    let hits = judged.holding(|s| s.state == PortState::Dynamic);
    if hits.is_empty() {
        return;
    }
    out.push(
        judged
            .diagnostic(
                &RULE,
                port_message(PortTemplate::Dynamic, judged.element.lo, hits),
                "RFC 6335 §6: dynamic ports are never assigned and are handed out as ephemeral source ports, so a service here can collide with outgoing connections. Move the service to a registered port, or document why it lives here",
            )
            .with_span_label("dynamic/private port"),
    );
}
