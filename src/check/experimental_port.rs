//! PL103 experimental-port.
use super::port_facts::{is_are, port_with_protocols, Judged, PortUse};
use crate::diagnostic::Diagnostic;
use crate::model::PortDirection;
use crate::registry::PortState;

super::rule_info!(
    "PL103",
    "experimental-port",
    Error,
    "an RFC 3692-style experiment port (1021, 1022, …)"
);

const HELP: &str = "IANA's note [1] on the experiment ports: \"It is only appropriate to use these values in explicitly-configured experiments; they MUST NOT be shipped as defaults in implementations. See RFC 3692 for details.\" Any other experiment may use the same port at the same time. Give the service a registered port";

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    // A source port is the peer's choice, not a default the ruleset ships (`tcp sport 1022`).
    if matches!(
        judged.used_as,
        PortUse::Match {
            direction: PortDirection::Source,
            ..
        }
    ) {
        return;
    }
    let element = judged.element;
    if !element.is_single() {
        // A range is an experiment range only when every port in it is one (1021-1022).
        let small = element.hi - element.lo < 64;
        let all = small
            && (element.lo..=element.hi).all(|p| {
                crate::registry::Proto::ALL
                    .iter()
                    .any(|&proto| judged.registry.state(p, proto) == PortState::Experimental)
            });
        if all {
            out.push(judged.diagnostic(
                &RULE,
                format!(
                    "ports {}-{} are RFC 3692-style experiment ports",
                    element.lo, element.hi
                ),
                HELP,
            ));
        }
        return;
    }
    let hits = judged.holding(|s| s.state == PortState::Experimental);
    let Some(l4) = hits.iter().next() else {
        return;
    };
    let status = judged.status(l4);
    let name = status
        .names()
        .first()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    out.push(
        judged
            .diagnostic(
                &RULE,
                format!(
                    "{} {} {}{name}",
                    port_with_protocols(element.lo, hits),
                    is_are(hits),
                    if hits.len() == 1 {
                        "an RFC 3692-style experiment port"
                    } else {
                        "RFC 3692-style experiment ports"
                    }
                ),
                HELP,
            )
            .with_span_label("experiment port"),
    );
}
