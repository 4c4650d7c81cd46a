//! PL107 privileged-port.
use super::port_facts::{Judged, PortUse};
use crate::diagnostic::Diagnostic;
use crate::model::NatKind;
use crate::registry::USER_START;

super::rule_info!(
    "PL107",
    "privileged-port",
    Warning,
    "a listener on this host must bind a port below 1024"
);

// Inlined into the one walk over every port element (`check::run`).
#[inline]
pub fn check(judged: &Judged<'_>, out: &mut Vec<Diagnostic>) {
    let PortUse::NatTarget { kind, local: true } = judged.used_as else {
        return;
    };
    let element = judged.element;
    if element.lo >= USER_START {
        return;
    }
    let what = if element.is_single() {
        format!("port {} is a privileged port", element.lo)
    } else {
        format!(
            "port range {}-{} includes privileged ports",
            element.lo, element.hi
        )
    };
    let how = match kind {
        NatKind::Redirect => "redirect target",
        NatKind::Tproxy => "tproxy target",
        _ => "local NAT target",
    };
    out.push(
        judged
            .diagnostic(
                &RULE,
                format!("{how} {what} (below 1024)"),
                "the local listener must run as root or hold CAP_NET_BIND_SERVICE to bind it. Redirect to an unprivileged port (1024 or above) and let an unprivileged service listen there",
            )
            .with_span_label("privileged"),
    );
}
